package k8s

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func trackedClient(t *testing.T) (*connTracker, *http.Client) {
	t.Helper()
	tr := newConnTracker()
	return tr, &http.Client{Transport: tr.wrap(&http.Transport{DisableKeepAlives: true})}
}

func signalled(tr *connTracker) bool {
	select {
	case <-tr.signal:
		return true
	default:
		return false
	}
}

func TestConnTrackerNoticesARefusedRequest(t *testing.T) {
	tr, client := trackedClient(t)
	if _, err := client.Get(closedURL(t)); err == nil {
		t.Fatal("a closed port answered")
	}
	lost, since, why := tr.state()
	if !lost || since.IsZero() || why == "" || !signalled(tr) {
		t.Fatalf("after a refused request: lost %v since %v why %q", lost, since, why)
	}
	tr.reset()
	if lost, _, _ := tr.state(); lost || signalled(tr) {
		t.Fatal("reset did not forget the loss")
	}
}

func TestConnTrackerIgnoresRequestsWeCancelled(t *testing.T) {
	tr, client := trackedClient(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, closedURL(t), nil)
	if _, err := client.Do(req); err == nil {
		t.Fatal("a cancelled request succeeded")
	}
	if lost, _, _ := tr.state(); lost {
		t.Fatal("a request we cancelled counted as a lost server")
	}
}

// streamServer sends the start of a stream and then either drops the
// connection, as an API server that dies does, or waits.
func streamServer(t *testing.T, drop bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"type":"ADDED"}`+"\n")
		w.(http.Flusher).Flush()
		if drop {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnTrackerNoticesAStreamCutOff(t *testing.T) {
	tr, client := trackedClient(t)
	resp, err := client.Get(streamServer(t, true).URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if lost, _, _ := tr.state(); lost {
		t.Fatal("lost before the stream broke")
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("a cut-off chunked stream read to its end")
	}
	if lost, _, _ := tr.state(); !lost {
		t.Fatal("a stream cut off mid-way did not count as a lost server")
	}
}

func TestConnTrackerIgnoresAStreamWeClosed(t *testing.T) {
	tr, client := trackedClient(t)
	resp, err := client.Get(streamServer(t, false).URL)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := io.ReadAll(resp.Body)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	resp.Body.Close() // as a reflector stopping its watch does
	<-done
	if lost, _, _ := tr.state(); lost {
		t.Fatal("closing a stream ourselves counted as a lost server")
	}
}
