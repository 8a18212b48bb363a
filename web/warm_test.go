package web

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"
	"time"

	"shequ/pipeline"
	"shequ/web/webtest"
)

// TestWarmUp: a server that warms up makes, as soon as it opens a newly
// published snapshot, the pages readers open first: the planners' board,
// overview, scorecard, providers and allocation, and each district
// clerk's portal, overview and scorecard. A reader who then opens them
// finds them made: nothing more is read from the snapshot, and the pages
// are those a server without warm-up makes on request.
func TestWarmUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the sample city")
	}
	ctx := context.Background()
	dir := t.TempDir()
	var accounts []webtest.Account
	for _, u := range testUsers {
		accounts = append(accounts, webtest.Account{User: u.User, Password: u.password})
	}
	cfg, err := webtest.SampleCity(ctx, dir, accounts, 2013)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := New(ctx, Config{Pipeline: pipeline.New(cfg), TrustProxy: true, Log: log, WarmUp: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{dir: dir, srv: srv, ts: httptest.NewServer(srv)}
	defer e.close()
	for deadline := time.Now().Add(2 * time.Minute); srv.warmed() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no warm-up finished within two minutes")
		}
	}
	warm := srv.snap.Cached()
	if warm == 0 {
		t.Fatal("the warm-up kept nothing")
	}
	pages := map[string][]byte{}
	for _, who := range []struct {
		name  string
		paths []string
	}{{"planner", warmCity}, {"lj", warmDistrict}, {"qs", warmDistrict}} {
		c := e.client(t)
		c.login(who.name)
		for _, p := range who.paths {
			before := srv.snap.Cached()
			pages[who.name+p] = c.getOK(p)
			if after := srv.snap.Cached(); after != before {
				t.Errorf("%s %s: %d results read after the warm-up (%d kept before it)", who.name, p, after-before, before)
			}
		}
	}
	if srv.warmed() != 1 {
		t.Errorf("%d warm-ups, want 1: the readers opened no new snapshot", srv.warmed())
	}

	// The same pages from a server that makes them on request.
	e.close()
	cold, err := New(ctx, Config{Pipeline: pipeline.New(cfg), TrustProxy: true, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	e2 := &testEnv{dir: dir, srv: cold, ts: httptest.NewServer(cold)}
	defer e2.close()
	for _, who := range []struct {
		name  string
		paths []string
	}{{"planner", warmCity}, {"lj", warmDistrict}, {"qs", warmDistrict}} {
		c := e2.client(t)
		c.login(who.name)
		for _, p := range who.paths {
			if got := stripTokens(c.getOK(p)); string(got) != string(stripTokens(pages[who.name+p])) {
				t.Errorf("%s %s: the warmed page differs from the page made on request", who.name, p)
			}
		}
	}
}

// csrfToken matches where a session's CSRF token is written in a page.
var csrfToken = regexp.MustCompile(`(name="csrf-token" content=|name="csrf" value=)"[^"]*"`)

// stripTokens blanks a page's CSRF tokens, which differ between sessions.
func stripTokens(b []byte) []byte { return csrfToken.ReplaceAll(b, []byte(`$1""`)) }
