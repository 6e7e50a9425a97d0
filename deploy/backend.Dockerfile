# TaskMaster backend (FastAPI, served by uvicorn on port 8000).
#
# In the app's repository this file is backend/Dockerfile and
# backend.dockerignore is backend/.dockerignore; build from the repository root:
#   docker build -t taskmaster-backend:1.0.0 backend
# It expects backend/requirements.txt (with uvicorn) and the app object at
# app.main:app; change the CMD below if yours lives elsewhere.

# Build stage: the dependencies, in a virtual environment the final stage copies.
FROM python:3.12.4-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements.txt .
RUN pip install -r requirements.txt

# Final stage: no compilers or pip caches, the code owned by root and only
# readable by the app, which runs as a numeric non-root user (Kubernetes can
# then prove runAsNonRoot without a passwd lookup).
FROM python:3.12.4-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY . .
USER 10001:10001
EXPOSE 8000
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
