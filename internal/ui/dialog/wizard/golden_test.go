package wizard

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Golden files of every step at 80x24, in colour (a dark theme) and plain
// (NO_COLOR). Rewrite them with `go test ./internal/ui/dialog/wizard -update`.
func TestGoldenSteps(t *testing.T) {
	steps := []struct {
		name  string
		reach func(h *harness)
	}{
		{"1_preflight", func(h *harness) {}},
		{"2_context", func(h *harness) { h.through(StepContext) }},
		{"3_namespace", func(h *harness) { h.through(StepNamespace) }},
		{"4_secrets_typed", func(h *harness) {
			h.through(StepSecrets)
			h.typ(fakeDBURL)
			h.press("enter")
			h.typ("sk-test fake") // a space: invalid
		}},
		{"5_images", func(h *harness) { h.through(StepImages) }},
		{"5_images_kit_diff", func(h *harness) {
			h.f.kit = []KitFile{{Path: "backend/Dockerfile", State: KitDiffers, Diff: "--- yours/backend/Dockerfile\n+++ tmtui/backend/Dockerfile\n@@ -1,4 +1,6 @@\n-FROM python:3.12\n+FROM python:3.12.4-slim AS build\n+RUN python -m venv /opt/venv\n+FROM python:3.12.4-slim\n WORKDIR /app\n-COPY . .\n+COPY --from=build /opt/venv /opt/venv\n+USER 10001:10001\n CMD [\"uvicorn\"]\n"}}
			h.through(StepImages)
			h.press("down", "enter", "enter")
		}},
		{"6_review", func(h *harness) { h.through(StepReview) }},
		{"7_install", func(h *harness) {
			h.f.installHold = make(chan struct{})
			h.through(StepReview)
			h.pressUntil("enter", "the install's last progress, the pods", installShowsPods(h))
		}},
		{"8_health", func(h *harness) { h.through(StepHealth) }},
	}
	for _, colour := range []bool{false, true} {
		for _, st := range steps {
			name := "plain_" + st.name
			if colour {
				name = "colour_" + st.name
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, newFake())
				h.m.SetSize(80, 24)
				st.reach(h)
				if colour {
					h.m.SetStyles(styles.New(true))
				} else {
					h.m.SetStyles(styles.Plain())
				}
				h.noSecretInView()
				golden.RequireEqual(t, []byte(h.view()))
				if h.f.installHold != nil {
					close(h.f.installHold)
				}
			})
		}
	}
}
