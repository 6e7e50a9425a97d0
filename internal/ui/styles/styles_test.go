package styles

import (
	"strings"
	"testing"
)

// Plain output must carry no escape sequences at all, or NO_COLOR users and
// golden files would see them.
func TestPlainRendersNoEscapes(t *testing.T) {
	s := Plain()
	for name, out := range map[string]string{
		"brand":     s.Brand.Render("tmtui"),
		"bad":       s.Bad.Render("not connected"),
		"error box": s.ErrorBox.Render("boom"),
		"help key":  s.Help.ShortKey.Render("q"),
	} {
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s renders escapes in plain mode: %q", name, out)
		}
	}
	if !strings.Contains(s.ErrorBox.Render("boom"), "╭") {
		t.Error("plain error box lost its border; the error would not stand out")
	}
}

func TestColourThemesDiffer(t *testing.T) {
	dark, light := New(true), New(false)
	if dark.Bad.Render("x") == light.Bad.Render("x") {
		t.Error("dark and light themes render errors identically")
	}
	if !strings.Contains(dark.Bad.Render("x"), "\x1b[") {
		t.Error("the colour theme renders no colour")
	}
}
