package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// As `python -c SCRIPT URL` (the chart's test pod), standin passes on a
// 2xx and fails otherwise, and refuses what it does not serve.
func TestPythonIsTheChartsTestOnly(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	if rc := python([]string{"-c", "import sys", srv.URL + "/health"}); rc != 0 {
		t.Errorf("a 200 gave exit code %d", rc)
	}
	status = http.StatusServiceUnavailable
	if rc := python([]string{"-c", "import sys", srv.URL + "/health"}); rc != 1 {
		t.Errorf("a 503 gave exit code %d, want 1", rc)
	}
	srv.Close()
	if rc := python([]string{"-c", "import sys", srv.URL + "/health"}); rc != 1 {
		t.Errorf("no server gave exit code %d, want 1", rc)
	}
	if rc := python([]string{"script.py"}); rc != 2 {
		t.Errorf("a script file gave exit code %d, want 2", rc)
	}
}
