package standin

import (
	"bytes"
	"encoding/json"
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
	log := &Log{W: &buf, CRI: true}
	be := httptest.NewServer(Handler("backend", log))
	defer be.Close()
	before := time.Now()
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
	// At the asked rate, not faster: the k-th line is written only once its
	// time has come, k/rate after the call began, so its timestamp is at
	// least that long after the test asked (a lower bound, measured from
	// before the request: slowness anywhere only makes lines later), and
	// the call lasts at least the asked duration.
	var g Generated
	if err := json.Unmarshal([]byte(body), &g); err != nil {
		t.Fatal(err)
	}
	if g.Seconds < 0.2 {
		t.Errorf("generate took %.3f s, less than the asked 200ms", g.Seconds)
	}
	var stamps []time.Time
	for _, m := range regexp.MustCompile(`(?m)^(\S+) stdout F seq=\d+ .* gen=\d+$`).FindAllStringSubmatch(buf.String(), -1) {
		ts, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			t.Fatal(err)
		}
		stamps = append(stamps, ts)
	}
	if len(stamps) != 1000 {
		t.Fatalf("%d generated lines, want 1000", len(stamps))
	}
	for i, ts := range stamps {
		if due := time.Duration(i+1) * time.Second / 5000; ts.Sub(before) < due {
			t.Errorf("generated line %d was written %s after the request, before its time at 5,000 a second (%s)", i+1, ts.Sub(before), due)
			break
		}
	}
	firstBurst := 0
	for firstBurst < len(stamps) && stamps[firstBurst].Equal(stamps[0]) {
		firstBurst++
	}
	if firstBurst == len(stamps) {
		t.Errorf("all 1,000 lines came in one burst")
	}
	if resp, _ := http.Post(be.URL+"/generate?rate=0&duration=1s", "", nil); resp.StatusCode != 400 {
		t.Errorf("generate with rate 0 = %d, want 400", resp.StatusCode)
	}
}
