# TaskMaster frontend (Next.js standalone server on port 3000).
#
# In the app's repository this file is frontend/Dockerfile and
# frontend.dockerignore is frontend/.dockerignore; build from the repository root:
#   docker build -t taskmaster-frontend:1.0.0 frontend
# next.config must set `output: "standalone"`. NEXT_PUBLIC_* variables are
# baked into the browser bundle here, at build time: pass them as build
# arguments (--build-arg NEXT_PUBLIC_API_URL=...), not only at run time.

# Dependencies, installed exactly as the lock file says.
FROM node:20-alpine AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci

# Build stage: the production build, with its standalone server.
FROM node:20-alpine AS build
WORKDIR /src
ARG NEXT_PUBLIC_API_URL=/api
ENV NEXT_PUBLIC_API_URL=$NEXT_PUBLIC_API_URL \
    NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /src/node_modules ./node_modules
COPY . .
RUN npm run build \
    && mkdir -p public

# Final stage: only the standalone server and its static files, run by a
# numeric non-root user. HOSTNAME makes the server listen on every address
# (Kubernetes sets HOSTNAME to the pod's name otherwise).
FROM node:20-alpine AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0
RUN addgroup -S -g 10001 app \
    && adduser -S -D -H -u 10001 -G app -h /app app
WORKDIR /app
COPY --from=build /src/public ./public
COPY --from=build /src/.next/standalone ./
COPY --from=build /src/.next/static ./.next/static
# The one place Next.js writes at run time (the chart mounts an emptyDir here).
RUN mkdir -p .next/cache && chown 10001:10001 .next/cache
USER 10001:10001
EXPOSE 3000
CMD ["node", "server.js"]
