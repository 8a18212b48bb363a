package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"shequ/etl/ingest"
	"shequ/models"
	"shequ/schedules"
	"shequ/warehouse"
)

// def parses one definition written in YAML.
func def(t *testing.T, yaml string) *schedules.Definition {
	t.Helper()
	d, ps := schedules.Parse("test.yaml", []byte(yaml))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	return d
}

// newScheduler makes a scheduler on a fresh warehouse file.
func newScheduler(t *testing.T, r RunnerFunc, opt Options, defs ...*schedules.Definition) *Scheduler {
	t.Helper()
	opt.Warehouse = filepath.Join(t.TempDir(), "w.duckdb")
	opt.Runner = r
	s, err := New(defs, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// history reads ops.runs of job (all jobs when empty), oldest first.
func history(t *testing.T, s *Scheduler, job string) []warehouse.Run {
	t.Helper()
	w, err := warehouse.Open(context.Background(), s.opt.Warehouse, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	runs, err := w.Runs(context.Background(), job, false, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	return runs
}

// jobs keeps only the jobs' own rows, not their steps.
func jobs(runs []warehouse.Run) []warehouse.Run {
	var out []warehouse.Run
	for _, r := range runs {
		if r.Parent == 0 {
			out = append(out, r)
		}
	}
	return out
}

func statuses(runs []warehouse.Run) string {
	var s []string
	for _, r := range runs {
		s = append(s, r.Status)
	}
	return strings.Join(s, " ")
}

// stageBatch1 copies the sample city's first batch into a new inbox, in
// the order the districts sent it.
func stageBatch1(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "samples", "inbox", "batch1")
	inbox := filepath.Join(t.TempDir(), "inbox")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Hour)
	for i, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(inbox, e.Name())
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i) * time.Second)
		if err := os.Chtimes(dst, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	return inbox
}

func catalogue(t *testing.T) map[string]bool {
	t.Helper()
	cat, err := models.ServiceCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for code := range cat {
		m[code] = true
	}
	return m
}

// TestOverlapSkippedAndRecorded: a firing while the job still runs (here:
// a real ingest of the sample city's first batch, then held open) is
// skipped and recorded; the warehouse's lock is held while the job writes
// and free once it is done.
func TestOverlapSkippedAndRecorded(t *testing.T) {
	inbox := stageBatch1(t)
	cat := catalogue(t)
	started, release := make(chan struct{}), make(chan struct{})
	runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
		sum, err := ingest.Run(ctx, w, ingest.Options{Inbox: inbox, Catalogue: cat, IDKey: []byte("test key"), RunID: job.RunID})
		if err != nil {
			return Result{}, err
		}
		close(started)
		<-release
		return Result{Files: sum.New, RowsLoaded: int64(sum.Rows), RowsRejected: int64(sum.Rejected)}, nil
	}
	s := newScheduler(t, runner, Options{}, def(t, "name: ingest\ncron: '*/10 * * * *'\nsteps: [ingest]\n"))

	first := make(chan Outcome)
	go func() {
		out, _ := s.RunNow("ingest", TriggerSchedule)
		first <- out
	}()
	<-started
	second, err := s.RunNow("ingest", TriggerSchedule)
	if err != nil {
		t.Fatal(err)
	}
	if second.Status != warehouse.RunSkipped || !strings.Contains(second.Err.Error(), "still running") {
		t.Errorf("second firing: %s %v, want skipped: still running", second.Status, second.Err)
	}
	if h := s.Health(); !h.Jobs[0].Running {
		t.Errorf("/healthz does not show the job running: %+v", h.Jobs[0])
	}
	_, err = warehouse.Open(context.Background(), s.opt.Warehouse, warehouse.Options{})
	var le *warehouse.LockedError
	if !errors.As(err, &le) || !strings.Contains(le.Holder.Command, "shequ serve") {
		t.Errorf("open while the job writes: %v, want the lock held by shequ serve", err)
	}
	close(release)
	if out := <-first; out.Status != warehouse.RunOK {
		t.Fatalf("first firing: %s %v", out.Status, out.Err)
	}
	w, err := warehouse.Open(context.Background(), s.opt.Warehouse, warehouse.Options{})
	if err != nil {
		t.Fatalf("open once the job is done: %v (the lock must be held only while writing)", err)
	}
	w.Close()

	runs := jobs(history(t, s, "ingest"))
	if got := statuses(runs); got != "ok skipped" {
		t.Fatalf("runs of ingest: %s, want ok skipped", got)
	}
	ok, skip := runs[0], runs[1]
	if ok.Trigger != "schedule" || ok.Files != 14 || ok.RowsLoaded == 0 {
		t.Errorf("the job's run: trigger %s, %d files, %d rows; want schedule, 14 files, rows", ok.Trigger, ok.Files, ok.RowsLoaded)
	}
	if want := "skipped: run " + strconv.FormatInt(ok.ID, 10); skip.Trigger != "schedule" || !strings.Contains(skip.Error, want) || !strings.Contains(skip.Error, "still running") {
		t.Errorf("the skip: trigger %s, error %q; want schedule, %q… still running", skip.Trigger, skip.Error, want)
	}
	if s.pendingCount() != 0 {
		t.Errorf("%d records left unwritten", s.pendingCount())
	}
}

// TestIssue366 shows robfig/cron's trap and that the scheduler avoids it:
// with cron.Recover outside cron.SkipIfStillRunning, a job that panicked
// once is skipped for ever; here the next firing runs, on a real cron.
func TestIssue366(t *testing.T) {
	t.Run("the trap in robfig/cron", func(t *testing.T) {
		var calls int
		job := cron.FuncJob(func() {
			calls++
			if calls == 1 {
				panic("boom")
			}
		})
		wrapped := cron.NewChain(cron.Recover(cron.DiscardLogger), cron.SkipIfStillRunning(cron.DiscardLogger)).Then(job)
		wrapped.Run()
		wrapped.Run()
		wrapped.Run()
		if calls != 1 {
			t.Logf("robfig/cron ran the job %d times: issue #366 may be fixed", calls)
		}
	})
	t.Run("the scheduler on a real cron", func(t *testing.T) {
		var calls atomic.Int32
		runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
			if calls.Add(1) == 1 {
				var m map[string]int
				m["boom"]++ // a real bug: assignment to a nil map
			}
			return Result{Files: 1}, nil
		}
		s := newScheduler(t, runner, Options{}, def(t, "name: flaky\ncron: '@every 1s'\nsteps: [ingest]\nretry: {attempts: 3, backoff: 10ms}\n"))
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for calls.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		if calls.Load() < 2 {
			t.Fatalf("the job ran %d times in 10s after it panicked", calls.Load())
		}
		runs := jobs(history(t, s, "flaky"))
		if len(runs) < 2 || runs[0].Status != "failed" || runs[1].Status != "ok" {
			t.Fatalf("runs: %s, want failed ok…", statuses(runs))
		}
		if e := runs[0].Error; !strings.Contains(e, "panic: assignment to entry in nil map") || !strings.Contains(e, "recovered") || strings.Contains(e, "retrying") {
			t.Errorf("the panic's record: %q (a panic is recorded, and not retried)", e)
		}
		if runs[0].Trigger != "schedule" || runs[1].Trigger != "schedule" {
			t.Errorf("triggers %s %s, want schedule", runs[0].Trigger, runs[1].Trigger)
		}
	})
}

// TestRetry: a failed job is tried again after its backoff, doubling; each
// attempt is recorded with its steps, which carry the job's name.
func TestRetry(t *testing.T) {
	var starts []time.Time
	runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
		starts = append(starts, time.Now())
		step := &warehouse.Run{Job: "run", Step: "ingest", Parent: job.RunID, Trigger: job.Trigger}
		if err := w.StartRun(ctx, step); err != nil {
			return Result{}, err
		}
		if job.Attempt < 3 {
			return Result{}, errors.New("the district share is not mounted") // the step is left running
		}
		step.Status = warehouse.RunOK
		return Result{Files: 2}, w.FinishRun(ctx, step)
	}
	s := newScheduler(t, runner, Options{}, def(t, "name: share\ncron: '@daily'\nsteps: [ingest]\nretry: {attempts: 3, backoff: 50ms}\n"))
	out, err := s.RunNow("share", TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "ok" || out.Attempts != 3 {
		t.Fatalf("outcome %s after %d attempts, want ok after 3", out.Status, out.Attempts)
	}
	if d := starts[1].Sub(starts[0]); d < 50*time.Millisecond {
		t.Errorf("second attempt %s after the first, want ≥ 50ms", d)
	}
	if d := starts[2].Sub(starts[1]); d < 100*time.Millisecond {
		t.Errorf("third attempt %s after the second, want ≥ 100ms", d)
	}
	runs := history(t, s, "share")
	var got []string
	for _, r := range runs {
		got = append(got, r.Step+":"+r.Status+":"+r.Error)
	}
	want := []string{
		":failed:the district share is not mounted (attempt 1 of 3; retrying in 50ms)",
		"ingest:failed:the step did not finish: the job ended failed",
		":failed:the district share is not mounted (attempt 2 of 3; retrying in 100ms)",
		"ingest:failed:the step did not finish: the job ended failed",
		":ok:",
		"ingest:ok:",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("runs of share:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTimeout: an attempt longer than the definition's timeout is
// cancelled and recorded failed.
func TestTimeout(t *testing.T) {
	runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
		<-ctx.Done()
		return Result{}, ctx.Err()
	}
	// The timeout covers opening the warehouse too: leave room for a
	// loaded machine to open it before the runner waits.
	s := newScheduler(t, runner, Options{}, def(t, "name: slow\ncron: '@daily'\nsteps: [build]\ntimeout: 2s\n"))
	out, _ := s.RunNow("slow", TriggerManual)
	if out.Status != "failed" || !strings.Contains(out.Err.Error(), "timed out after 2s") {
		t.Errorf("outcome %s %v, want failed: timed out", out.Status, out.Err)
	}
}

// TestSingleWriter: jobs fired together write one after the other, and
// the warehouse is open (locked) only while one writes.
func TestSingleWriter(t *testing.T) {
	var inflight, most atomic.Int32
	runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		_, err := w.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS main.marks (job VARCHAR); INSERT INTO main.marks VALUES (?)`, job.Def.Name)
		time.Sleep(30 * time.Millisecond)
		return Result{}, err
	}
	var defs []*schedules.Definition
	for _, name := range []string{"a", "b", "c"} {
		defs = append(defs, def(t, "name: "+name+"\ncron: '@hourly'\nsteps: [build]\n"))
	}
	s := newScheduler(t, runner, Options{}, defs...)
	var wg sync.WaitGroup
	for _, d := range defs {
		wg.Go(func() {
			if out, _ := s.RunNow(d.Name, TriggerSchedule); out.Status != "ok" {
				t.Errorf("%s: %s %v", d.Name, out.Status, out.Err)
			}
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d jobs wrote at once, want 1", most.Load())
	}
	w, err := warehouse.Open(context.Background(), s.opt.Warehouse, warehouse.Options{})
	if err != nil {
		t.Fatalf("the warehouse is still locked after the jobs: %v", err)
	}
	var n int
	w.DB.QueryRow(`SELECT count(*) FROM main.marks`).Scan(&n)
	w.Close()
	if n != 3 {
		t.Errorf("%d marks, want 3", n)
	}
}

// TestStop: Stop lets the running job finish its unit of work, cancels it
// when the grace period is over, records the interruption, and gives up
// on the jobs still waiting for the writer.
func TestStop(t *testing.T) {
	t.Run("the job finishes its current file", func(t *testing.T) {
		started := make(chan struct{})
		runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
			close(started)
			<-job.Stopping
			time.Sleep(50 * time.Millisecond) // the rest of the current file
			return Result{Files: 1}, ErrStopped
		}
		s := newScheduler(t, runner, Options{Grace: 5 * time.Second}, def(t, "name: ingest\ncron: '@daily'\nsteps: [ingest]\nretry: {attempts: 3}\n"))
		go s.RunNow("ingest", TriggerSchedule)
		<-started
		begin := time.Now()
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(begin); d > 2*time.Second {
			t.Errorf("Stop took %s", d)
		}
		runs := jobs(history(t, s, "ingest"))
		if statuses(runs) != "interrupted" || runs[0].Files != 1 || !strings.Contains(runs[0].Error, "interrupted by shutdown") {
			t.Errorf("runs: %+v, want one interrupted run with its file", runs)
		}
		if out, _ := s.RunNow("ingest", TriggerManual); out.Status != "skipped" {
			t.Errorf("a job fired after Stop: %s, want skipped", out.Status)
		}
	})
	t.Run("the grace period ends", func(t *testing.T) {
		started := make(chan struct{})
		runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
			if job.Def.Name == "stubborn" {
				close(started)
			}
			<-ctx.Done() // ignores Stopping
			return Result{}, ctx.Err()
		}
		s := newScheduler(t, runner, Options{Grace: 200 * time.Millisecond},
			def(t, "name: stubborn\ncron: '@daily'\nsteps: [build]\n"), def(t, "name: queued\ncron: '@daily'\nsteps: [test]\n"))
		go s.RunNow("stubborn", TriggerSchedule)
		<-started
		queued := make(chan Outcome)
		go func() { out, _ := s.RunNow("queued", TriggerSchedule); queued <- out }()
		time.Sleep(50 * time.Millisecond)
		begin := time.Now()
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(begin); d < 200*time.Millisecond || d > 3*time.Second {
			t.Errorf("Stop took %s, want the grace period and a little", d)
		}
		if out := <-queued; out.Status != "interrupted" {
			t.Errorf("the queued job: %s, want interrupted", out.Status)
		}
		runs := jobs(history(t, s, ""))
		got := map[string]string{}
		for _, r := range runs {
			got[r.Job] = r.Status + ": " + r.Error
		}
		if !strings.HasPrefix(got["stubborn"], "interrupted: interrupted by shutdown: context canceled") {
			t.Errorf("stubborn: %s", got["stubborn"])
		}
		if !strings.HasPrefix(got["queued"], "interrupted: interrupted: the daemon stopped before the job could start") {
			t.Errorf("queued: %s", got["queued"])
		}
	})
}

// TestHealth: /healthz shows each job's last run and whether it failed;
// /runs the history; runs a dead process left "running" are marked
// interrupted at start.
func TestHealth(t *testing.T) {
	runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
		if job.Def.Name == "bad" {
			return Result{TestsFailed: 2}, errors.New("2 of 40 data tests failed")
		}
		return Result{ModelsBuilt: 30}, nil
	}
	defs := []*schedules.Definition{def(t, "name: good\ncron: '0 2 * * *'\nsteps: [build]\n"), def(t, "name: bad\ncron: '0 3 * * *'\nsteps: [test]\n")}
	s := newScheduler(t, runner, Options{}, defs...)

	// A run left behind by a killed process.
	w, err := warehouse.Open(context.Background(), s.opt.Warehouse, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dead := &warehouse.Run{Job: "good", Trigger: "schedule"}
	w.StartRun(context.Background(), dead)
	w.DB.Exec(`UPDATE ops.runs SET pid = 2147483646 WHERE run_id = ?`, dead.ID) // a process that is gone
	w.Close()
	if err := s.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h := s.Health(); h.Status != "failing" || h.Jobs[1].Name != "good" || !h.Jobs[1].Failed {
		t.Errorf("after a dead run: %+v", h)
	}
	s.RunNow("good", TriggerSchedule)
	s.RunNow("bad", TriggerSchedule)

	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	var h Health
	get(t, srv.URL+"/healthz", &h)
	if h.Status != "failing" || len(h.Jobs) != 2 {
		t.Fatalf("healthz: %+v", h)
	}
	bad, good := h.Jobs[0], h.Jobs[1]
	if !bad.Failed || bad.Last == nil || bad.Last.Status != "failed" || bad.Last.TestsFailed != 2 || bad.LastOK != nil {
		t.Errorf("bad: %+v", bad)
	}
	if good.Failed || good.Last == nil || good.Last.Status != "ok" || good.LastOK == nil || good.LastOK.ModelsBuilt != 30 {
		t.Errorf("good: %+v", good)
	}
	var runs []RunView
	get(t, srv.URL+"/runs?failed=1", &runs)
	if len(runs) != 2 || runs[0].Job != "bad" || runs[1].Job != "good" || runs[1].Status != "interrupted" || !strings.Contains(runs[1].Error, "process stopped") {
		t.Errorf("/runs?failed=1: %+v", runs)
	}
	get(t, srv.URL+"/runs?job=good&limit=1", &runs)
	if len(runs) != 1 || runs[0].Status != "ok" {
		t.Errorf("/runs?job=good&limit=1: %+v", runs)
	}
	if resp, err := http.Post(srv.URL+"/healthz", "text/plain", nil); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %v %v", resp.StatusCode, err)
	}
}

// TestHealthSeesOtherProcesses: /healthz shows the runs another process
// made (a `serve --once` from the system's cron, a planner's run), not only
// this daemon's.
func TestHealthSeesOtherProcesses(t *testing.T) {
	runner := func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
		return Result{ModelsBuilt: 30}, nil
	}
	d := def(t, "name: nightly\ncron: '0 2 * * *'\nsteps: [build]\n")
	daemon := newScheduler(t, runner, Options{}, d)
	srv := httptest.NewServer(daemon.Handler())
	defer srv.Close()
	var h Health
	get(t, srv.URL+"/healthz", &h)
	if h.Jobs[0].Last != nil {
		t.Fatalf("before any run: %+v", h.Jobs[0])
	}
	other, err := New([]*schedules.Definition{d}, Options{Warehouse: daemon.opt.Warehouse, Runner: RunnerFunc(runner)})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := other.RunNow("nightly", TriggerManual); err != nil || out.Status != warehouse.RunOK {
		t.Fatalf("the other process's run: %+v %v", out, err)
	}
	other.Stop()
	daemon.recMu.Lock()
	daemon.othersRead = time.Time{} // as if othersEvery had passed
	daemon.recMu.Unlock()
	get(t, srv.URL+"/healthz", &h)
	if j := h.Jobs[0]; j.Last == nil || j.Last.Status != "ok" || j.LastOK == nil || j.LastOK.ModelsBuilt != 30 {
		t.Errorf("after another process's run: %+v", j)
	}
}

func get(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
