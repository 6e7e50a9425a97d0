package dialog

import (
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

func TestYesNoDefaultsToNo(t *testing.T) {
	c := &Confirm{Title: "Delete pod x?"}
	if c.Yes() || !strings.Contains(c.View(styles.Plain(), 80), "[ No ]") {
		t.Fatalf("default is not No:\n%s", c.View(styles.Plain(), 80))
	}
	if r := c.Update(uitest.Key("enter")); r != Cancelled {
		t.Errorf("enter on the default = %v, want Cancelled", r)
	}
	for _, k := range []string{"n", "esc"} {
		if r := (&Confirm{}).Update(uitest.Key(k)); r != Cancelled {
			t.Errorf("%s = %v", k, r)
		}
	}
	if r := (&Confirm{}).Update(uitest.Key("y")); r != Confirmed {
		t.Errorf("y = %v", r)
	}
	c = &Confirm{}
	c.Update(uitest.Key("left"))
	if !c.Yes() || c.Update(uitest.Key("enter")) != Confirmed {
		t.Error("← then enter does not confirm")
	}
}

func TestTypedConfirmationNeedsTheExactName(t *testing.T) {
	c := &Confirm{Title: "REMOTE context prod", Require: "prod"}
	if r := c.Update(uitest.Key("y")); r != Open {
		t.Fatalf("y confirmed a typed confirmation: %v", r)
	}
	if r := c.Update(uitest.Key("enter")); r != Open || !strings.Contains(c.View(styles.Plain(), 80), "that is not prod") {
		t.Errorf("a wrong name is not refused:\n%s", c.View(styles.Plain(), 80))
	}
	c.Update(uitest.Key("backspace"))
	for _, k := range uitest.Type("prod") {
		c.Update(k)
	}
	if c.Typed() != "prod" || c.Update(uitest.Key("enter")) != Confirmed {
		t.Errorf("typed %q was not accepted", c.Typed())
	}
	if r := (&Confirm{Require: "prod"}).Update(uitest.Key("esc")); r != Cancelled {
		t.Errorf("esc = %v", r)
	}
}
