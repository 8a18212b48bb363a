package web

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"shequ/web/account"
)

// Warming up: a snapshot's pages are made from it on first request and
// kept with it (data.Read.Memo). After a build the first readers would
// wait for them (the board of a province takes seconds); with
// Config.WarmUp the server makes, as soon as it opens a newly published
// snapshot, the pages readers open first: the planners' board, overview,
// scorecard, providers and allocation of the latest year, and each
// district account's portal, overview and scorecard. It polls for a
// snapshot published by another process (a nightly `shequ serve --once`)
// every warmPoll, so that a build at two in the morning is warm at eight.
//
// A warm-up reads as a planner or a district's clerk would, through the
// same handlers and the same scoping, with nothing recorded in the audit
// log (no download is made). It stops when the server closes.

// warmPoll is how often the server looks for a newly published snapshot.
const warmPoll = 30 * time.Second

// warmPages are the pages warmed for the city's readers and for each
// district's clerks.
var (
	warmCity     = []string{"/board", "/overview", "/scorecard", "/providers", "/allocation"}
	warmDistrict = []string{"/portal", "/overview", "/scorecard"}
)

// warmer runs the warm-ups of one server, one at a time: a snapshot
// published while one runs is warmed when it ends.
type warmer struct {
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	running bool
	again   bool
	done    int // warm-ups finished (for tests)
}

// startWarmUp makes the server warm every snapshot it opens, and look for
// new ones every warmPoll.
func (s *Server) startWarmUp() {
	s.warm.ctx, s.warm.cancel = context.WithCancel(context.Background())
	s.snap.OnOpen = s.snapshotOpened
	s.warm.wg.Add(1)
	go func() {
		defer s.warm.wg.Done()
		t := time.NewTicker(warmPoll)
		defer t.Stop()
		for {
			s.snap.Touch(s.warm.ctx)
			select {
			case <-s.warm.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// snapshotOpened starts a warm-up, or asks the running one to go again.
func (s *Server) snapshotOpened() {
	w := &s.warm
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx == nil || w.ctx.Err() != nil {
		return
	}
	if w.running {
		w.again = true
		return
	}
	w.running = true
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			start := time.Now()
			n := s.warmUp(w.ctx)
			s.log.Info("warmed the pages of the new snapshot", "pages", n, "took", time.Since(start).Round(time.Millisecond))
			w.mu.Lock()
			w.done++
			if !w.again || w.ctx.Err() != nil {
				w.running = false
				w.mu.Unlock()
				return
			}
			w.again = false
			w.mu.Unlock()
		}
	}()
}

// stopWarmUp stops the warm-ups and waits for them.
func (s *Server) stopWarmUp() {
	w := &s.warm
	w.mu.Lock()
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Unlock()
	w.wg.Wait()
}

// warmed is how many warm-ups have finished.
func (s *Server) warmed() int {
	s.warm.mu.Lock()
	defer s.warm.mu.Unlock()
	return s.warm.done
}

// warmUp makes the pages of the open snapshot that readers open first, and
// returns how many it made.
func (s *Server) warmUp(ctx context.Context) int {
	n := 0
	planner := account.User{Name: "（预热）", Role: account.Planner}
	for _, p := range warmCity {
		if s.warmPage(ctx, planner, p) {
			n++
		}
	}
	for _, d := range s.users.districts() {
		clerk := account.User{Name: "（预热）", Role: account.District, District: d}
		for _, p := range warmDistrict {
			if s.warmPage(ctx, clerk, p) {
				n++
			}
		}
	}
	return n
}

// warmPage asks for one page as u, through the server's handlers, and
// throws the answer away; it tells whether the page was made.
func (s *Server) warmPage(ctx context.Context, u account.User, path string) bool {
	if ctx.Err() != nil {
		return false
	}
	r, err := http.NewRequestWithContext(context.WithValue(ctx, ctxKey{}, &caller{User: u, addr: "warm-up", warm: true}), http.MethodGet, path, nil)
	if err != nil {
		return false
	}
	w := &discard{header: http.Header{}}
	s.handler.ServeHTTP(w, r)
	return w.code == 0 || w.code == http.StatusOK
}

// discard is a ResponseWriter that keeps nothing but the status.
type discard struct {
	header http.Header
	code   int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }

// districts are the districts that have an account, sorted.
func (c *userCache) districts() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var ds []string
	for _, u := range c.users {
		if u.Role == account.District && !u.Disabled && u.District != "" && !slices.Contains(ds, u.District) {
			ds = append(ds, u.District)
		}
	}
	slices.Sort(ds)
	return ds
}
