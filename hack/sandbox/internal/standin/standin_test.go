package standin

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCRILogLinesAreNumberedAndInCRIFormat(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 11, 25, 16, 52, 56, 659072453, time.UTC)
	l := &Log{W: &buf, Now: func() time.Time { return at }, CRI: true}
	l.Printf("INFO: heartbeat n=%d", 1)
	l.Printf("second")
	want := "2026-11-25T16:52:56.659072453Z stdout F seq=1 INFO: heartbeat n=1\n" +
		"2026-11-25T16:52:56.659072453Z stdout F seq=2 second\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestStandinsAnswerLikeTaskMasterAndLogEveryRequest(t *testing.T) {
	var buf bytes.Buffer
	log := &Log{W: &buf}

	be := httptest.NewServer(Handler("backend", log))
	defer be.Close()
	resp, err := http.Get(be.URL + "/health?probe")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, `"status":"healthy"`) {
		t.Errorf("backend /health = %d %s", resp.StatusCode, body)
	}
	if resp, _ := http.Get(be.URL + "/nope"); resp.StatusCode != 404 {
		t.Errorf("backend /nope = %d, want 404", resp.StatusCode)
	}

	fe := httptest.NewServer(Handler("frontend", log))
	defer fe.Close()
	resp, err = http.Get(fe.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "<h1>TaskMaster</h1>") {
		t.Errorf("frontend / = %d %s", resp.StatusCode, body)
	}

	logged := buf.String()
	for _, want := range []string{`"GET /health?probe HTTP/1.1" 200`, `"GET /nope HTTP/1.1" 404`, `"GET / HTTP/1.1" 200`} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %s:\n%s", want, logged)
		}
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGenerateWritesNumberedLinesAtTheAskedRate(t *testing.T) {
	var buf bytes.Buffer
	log := &Log{W: &buf}
	be := httptest.NewServer(Handler("backend", log))
	defer be.Close()
	resp, err := http.Post(be.URL+"/generate?rate=5000&duration=200ms", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, `"Lines":1000`) {
		t.Fatalf("generate = %d %s", resp.StatusCode, body)
	}
	// Every line is numbered in one sequence, with no gap or repeat.
	seqs := regexp.MustCompile(`seq=(\d+) `).FindAllStringSubmatch(buf.String(), -1)
	for i, m := range seqs {
		if n, _ := strconv.Atoi(m[1]); n != i+1 {
			t.Fatalf("line %d has seq=%d", i+1, n)
		}
	}
	if len(seqs) != 1001 { // 1,000 generated and the request's own line
		t.Errorf("%d lines written, want 1001", len(seqs))
	}
	if resp, _ := http.Post(be.URL+"/generate?rate=0&duration=1s", "", nil); resp.StatusCode != 400 {
		t.Errorf("generate with rate 0 = %d, want 400", resp.StatusCode)
	}
}
