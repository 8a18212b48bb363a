// Package scheduler is the daemon behind `shequ serve`: it runs the jobs of
// the schedule definitions with robfig/cron, and owns everything around a
// run that cron does not do safely by itself:
//
//   - overlap: a job still running (or waiting to write) is not started
//     again; the skipped run is recorded;
//   - recovery: a panic in a job is recovered inside the overlap guard
//     (never outside it: robfig/cron issue #366), recorded, and the daemon
//     goes on;
//   - retry: a failed job is tried again with the backoff its definition
//     gives;
//   - one writer: at most one job writes the warehouse at a time, and the
//     warehouse (with its single-writer lock) is open only while a job
//     writes;
//   - shutdown: Stop asks the running job to finish its current file,
//     cancels it when the grace period is over, records the interruption
//     and returns within a bounded time;
//   - history: every run, skip, panic, retry and interruption is a row of
//     ops.runs; /healthz and /runs show them (health.go).
//
// The jobs' work is done by a Runner, which the command implements with
// the pipeline stages; this package knows nothing of them.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"shequ/schedules"
	"shequ/warehouse"
)

// Runner runs the steps of one job on the open warehouse. The steps are
// recorded in ops.runs under job.RunID.
//
// When job.Stopping is closed the daemon is stopping: the runner should
// finish what it is in the middle of (the current file) and return an
// error (ErrStopped will do); ctx is cancelled when the grace period is
// over, or when the job's timeout is reached.
type Runner interface {
	Run(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error)
}

// RunnerFunc is a function as a Runner.
type RunnerFunc func(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error)

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, w *warehouse.Warehouse, job Job) (Result, error) {
	return f(ctx, w, job)
}

// Job is one attempt of a scheduled job, as its Runner sees it.
type Job struct {
	Def      *schedules.Definition
	Trigger  string // TriggerSchedule or TriggerManual
	Attempt  int    // 1-based
	RunID    int64  // the job's row in ops.runs
	Stopping <-chan struct{}
}

// Result is what a job did, in the counts ops.runs records.
type Result struct {
	Files        int
	RowsLoaded   int64
	RowsRejected int64
	ModelsBuilt  int
	TestsFailed  int
}

// Triggers recorded in ops.runs.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// ErrStopped is what a Runner returns when it stopped early because the
// daemon is stopping.
var ErrStopped = errors.New("stopped: the daemon is shutting down; the work done so far is complete, the rest is taken by the next run")

// Options configure a Scheduler.
type Options struct {
	// Warehouse is the path of the warehouse file.
	Warehouse string
	// Command names the daemon in the warehouse's lock file.
	Command string
	Runner  Runner
	Log     *slog.Logger
	// Grace is how long Stop lets the running job finish its current file
	// before cancelling it; 30s when zero.
	Grace time.Duration
	// LockWait is how long a job waits for a warehouse another process is
	// writing before the attempt fails; 1m when zero.
	LockWait time.Duration
}

// How long Stop waits for a cancelled job to return, and for the records
// written after it, before it gives up.
var (
	killWait   = 10 * time.Second
	recordWait = 10 * time.Second
)

// Scheduler runs the jobs of a set of definitions.
type Scheduler struct {
	opt    Options
	log    *slog.Logger
	defs   []*schedules.Definition
	byName map[string]*schedules.Definition
	cron   *cron.Cron

	ctx      context.Context // cancelled when the grace period is over
	kill     context.CancelFunc
	stopping chan struct{}
	stopOnce sync.Once
	started  time.Time

	mu      sync.Mutex
	stopped bool // no new job may begin
	jobs    sync.WaitGroup
	running map[string]*warehouse.Run // the overlap guard: jobs running or waiting to write
	counts  map[string]int            // firings by how they ended

	writer chan struct{} // the single-writer slot

	recMu   sync.Mutex
	pending []warehouse.Run // records waiting for the writer
	state   map[string]*jobState
	history []warehouse.Run // the newest rows of ops.runs, for /runs
	// othersRead is when the warehouse was last read for other processes'
	// runs (readOthers).
	othersRead time.Time
}

// jobState is what /healthz says of a job.
type jobState struct {
	last   *warehouse.Run // the newest run of the job, skips included
	lastOK *warehouse.Run
	done   *warehouse.Run // the newest run that was not a skip
}

// New prepares a scheduler for validated definitions (schedules.Load).
func New(defs []*schedules.Definition, opt Options) (*Scheduler, error) {
	if opt.Runner == nil {
		return nil, errors.New("scheduler: no runner")
	}
	if opt.Warehouse == "" {
		return nil, errors.New("scheduler: no warehouse path")
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Command == "" {
		opt.Command = "shequ serve"
	}
	if opt.Grace <= 0 {
		opt.Grace = 30 * time.Second
	}
	if opt.LockWait <= 0 {
		opt.LockWait = time.Minute
	}
	s := &Scheduler{
		opt: opt, log: opt.Log, byName: map[string]*schedules.Definition{},
		stopping: make(chan struct{}), running: map[string]*warehouse.Run{}, counts: map[string]int{},
		writer: make(chan struct{}, 1), state: map[string]*jobState{}, started: time.Now(),
	}
	s.ctx, s.kill = context.WithCancel(context.Background())
	s.defs = slices.Clone(defs)
	slices.SortFunc(s.defs, func(a, b *schedules.Definition) int { return strings.Compare(a.Name, b.Name) })
	for _, d := range s.defs {
		if d.Schedule() == nil {
			return nil, fmt.Errorf("scheduler: %s was not validated (use schedules.Load)", d.File)
		}
		if _, dup := s.byName[d.Name]; dup {
			return nil, fmt.Errorf("scheduler: two schedules named %q", d.Name)
		}
		s.byName[d.Name] = d
		s.state[d.Name] = &jobState{}
	}
	return s, nil
}

// Definitions returns the scheduled definitions.
func (s *Scheduler) Definitions() []*schedules.Definition { return s.defs }

// Prepare opens the warehouse once: it applies pending migrations, marks
// runs left "running" by a process that died as interrupted, writes any
// queued records and reads the history /healthz starts from. A warehouse
// busy with another writer is not an error: the history is read later.
func (s *Scheduler) Prepare(ctx context.Context) error {
	if !s.tryWriter() {
		return nil
	}
	defer s.releaseWriter()
	w, err := warehouse.Open(ctx, s.opt.Warehouse, warehouse.Options{Command: s.opt.Command})
	var le *warehouse.LockedError
	if errors.As(err, &le) {
		s.log.Warn("warehouse busy at start; its history is read after the first job", keyErr, err)
		return nil
	}
	if err != nil {
		return err
	}
	defer w.Close()
	// Runs a stopped process left "running" were marked interrupted when
	// the warehouse opened (warehouse.Open).
	s.flush(ctx, w)
	return s.refresh(ctx, w, true)
}

// Start prepares the warehouse and starts running the jobs on their
// schedules.
func (s *Scheduler) Start(ctx context.Context) error {
	if err := s.Prepare(ctx); err != nil {
		return err
	}
	s.cron = cron.New(cron.WithLogger(cronLogger{s.log}), cron.WithLocation(time.UTC))
	for _, d := range s.defs {
		s.cron.Schedule(d.Schedule(), cron.FuncJob(func() { s.fire(d, TriggerSchedule) }))
		next := d.Schedule().Next(time.Now())
		s.log.Info("job scheduled", keyJob, d.Name, "cron", d.Cron, "zone", d.Zone, keyNext, next.In(d.Location).Format(time.DateTime))
	}
	s.cron.Start()
	return nil
}

// Outcome is how one firing of a job ended.
type Outcome struct {
	Job      string
	RunID    int64 // the last attempt's row in ops.runs; 0 for a skip not yet written
	Status   string
	Attempts int
	Err      error
}

// RunNow runs the job named name now, exactly as its schedule would (the
// overlap guard, retries, the single writer, the records), and waits for
// it to end. It is what `shequ serve --once JOB` does.
func (s *Scheduler) RunNow(name, trigger string) (Outcome, error) {
	d, ok := s.byName[name]
	if !ok {
		var names []string
		for _, d := range s.defs {
			names = append(names, d.Name)
		}
		return Outcome{}, fmt.Errorf("no schedule named %q; the schedules are %v", name, names)
	}
	return s.fire(d, trigger), nil
}

// Summary says how many firings ended how: "3 ok, 1 skipped".
func (s *Scheduler) Summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for _, st := range []string{warehouse.RunOK, warehouse.RunFailed, warehouse.RunSkipped, warehouse.RunInterrupted} {
		if n := s.counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	if len(parts) == 0 {
		return "no jobs run"
	}
	return strings.Join(parts, ", ")
}

// Stopping is closed when Stop has been called.
func (s *Scheduler) Stopping() <-chan struct{} { return s.stopping }

func (s *Scheduler) isStopping() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}

// Stop stops the schedules, lets the running job finish its current file
// for the grace period, then cancels it, and writes the records still
// queued. It returns within Grace plus a few seconds; the error says when a
// job did not stop in that time (its current file is then rolled back by
// the warehouse when the process exits: never half loaded).
func (s *Scheduler) Stop() error {
	s.stopOnce.Do(func() { close(s.stopping) })
	if s.cron != nil {
		s.cron.Stop()
	}
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.jobs.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-time.After(s.opt.Grace):
		s.log.Warn("grace period over: cancelling the running job", "grace", s.opt.Grace)
		s.kill()
		select {
		case <-done:
		case <-time.After(killWait):
			err = fmt.Errorf("a job was still running %s after it was cancelled; exiting anyway (an unfinished file is rolled back, never half loaded)", killWait)
		}
	}
	s.kill()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), recordWait)
		defer cancel()
		s.flushNow(ctx)
	}
	if n := s.pendingCount(); n > 0 {
		s.log.Warn("records not written to ops.runs", "records", n)
	}
	return err
}
