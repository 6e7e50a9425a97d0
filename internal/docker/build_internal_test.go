package docker

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestBuildStreamIsCutIntoLines(t *testing.T) {
	stream := strings.Join([]string{
		`{"stream":"Step 1/2 : FROM scratch\n"}`,
		`{"stream":" ---\u003e \n"}`,
		`{"stream":"Step 2/2 : COPY a /a\n ---\u003e 5cd2a4"}`, // two lines, the second cut short
		`{"stream":"75a621\n"}`,
		`{"status":"Pulling from library/python","id":"3.12-slim"}`,
		`{"status":"Downloading","progressDetail":{"current":1024,"total":4096},"id":"abc"}`,
		`{"status":"Download complete","progressDetail":{},"id":"abc"}`,
		`{"aux":{"ID":"sha256:5cd2a475a621"}}`,
		`{"stream":"Successfully built 5cd2a475a621\r\n\n"}`,
		`{"stream":"Successfully tagged x:1"}`, // no newline at the end
	}, "\r\n")
	var lines []string
	id, err := readBuildStream(context.Background(), strings.NewReader(stream), func(l string) bool { lines = append(lines, l); return true })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Step 1/2 : FROM scratch", " --->", "Step 2/2 : COPY a /a", " ---> 5cd2a475a621",
		"3.12-slim: Pulling from library/python", "abc: Download complete",
		"Successfully built 5cd2a475a621", "Successfully tagged x:1",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines:\n%q\nwant:\n%q", lines, want)
	}
	if id != "sha256:5cd2a475a621" {
		t.Errorf("id = %q", id)
	}
}

func TestBuildStreamErrors(t *testing.T) {
	cases := map[string]struct{ stream, want string }{
		"the build's own error": {
			`{"stream":"Step 1/2 : FROM scratch\n"}{"errorDetail":{"message":"COPY failed: file not found"},"error":"COPY failed: file not found"}`,
			"build failed: COPY failed: file not found",
		},
		"no image at the end": {`{"stream":"Step 1/1 : FROM scratch\n"}`, "without an image ID"},
		"cut off":             {`{"stream":"Step 1/1 : FRO`, "reading build output"},
	}
	for name, tc := range cases {
		_, err := readBuildStream(context.Background(), strings.NewReader(tc.stream), func(string) bool { return true })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestBuildStreamStopsWhenTheReaderDoes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stream := `{"stream":"one\n"}{"stream":"two\n"}{"aux":{"ID":"sha256:1"}}`
	var lines []string
	_, err := readBuildStream(ctx, strings.NewReader(stream), func(l string) bool {
		lines = append(lines, l)
		cancel()
		return false
	})
	if err != context.Canceled || len(lines) != 1 {
		t.Fatalf("err = %v after lines %q; want context.Canceled after one line", err, lines)
	}
}
