package helm

import (
	"strings"
	"testing"
)

// FuzzOverridesValues: any image tag and --set string give values or a
// refusal, never a panic; accepted values never carry a "secrets" key; a
// value set under secrets is never quoted back in the error; without
// --set, an accepted tag lands where the chart reads it.
func FuzzOverridesValues(f *testing.F) {
	for _, seed := range [][2]string{
		{"1.0.1", ""},
		{"1.0.1", "backend.service.type=NodePort"},
		{"", "frontend.replicaCount=2"},
		{"bad tag", "a.b=c,d.e=f"},
		{"1.0.1", "secrets.values.jwtSecret=hunter2hunter2"},
		{"1.0.1", "backend.config.APP_ENV=staging,secrets.create=true"},
		{"1.0.1", "secrets[0]=x"},
		{"1.0.1", "a={b,c"},
		{"1.0.1", "backend.image.tag=2.0.0"},
		{"v1", "x=\\,secrets.values.a=b"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, tag, set string) {
		o := Overrides{ImageTags: map[Component]string{Backend: tag}}
		if set != "" {
			o.Set = []string{set}
		}
		out, err := o.Values()
		if err == nil {
			if _, ok := out["secrets"]; ok {
				t.Fatalf("accepted values under secrets: %v", out)
			}
			if set == "" {
				b, _ := out["backend"].(map[string]any)
				img, _ := b["image"].(map[string]any)
				if img["tag"] != tag {
					t.Fatalf("tag %q landed as %v", tag, out)
				}
			}
		}

		// Whatever follows a secrets key is never echoed back.
		secret := strings.Map(func(r rune) rune {
			if r == ',' || r == '=' {
				return -1
			}
			return r
		}, set)
		if len(secret) < 6 || strings.Contains(errSecretsInValues.Error(), secret) {
			return
		}
		_, err = Overrides{Set: []string{"secrets.values.jwtSecret=" + secret}}.Values()
		if err == nil {
			t.Fatal("a value under secrets was accepted")
		}
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("the error quotes the secret: %v", err)
		}
	})
}
