package scheduler

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"shequ/schedules"
	"shequ/warehouse"
)

// PanicError is a panic recovered from a job.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// fire is one firing of a job: what cron calls, and RunNow. The order of
// its guards is the point (robfig/cron issue #366): the overlap guard is
// released by a defer, and panics are recovered inside it, so a job that
// panicked once runs again next time instead of being skipped forever.
func (s *Scheduler) fire(d *schedules.Definition, trigger string) (out Outcome) {
	out.Job = d.Name
	defer func() { // the last guard: nothing a job does stops the daemon
		if r := recover(); r != nil {
			s.log.Error("scheduler panicked", keyJob, d.Name, keyErr, r, "stack", string(debug.Stack()))
			out.Status, out.Err = warehouse.RunFailed, &PanicError{Value: r, Stack: debug.Stack()}
		}
		s.mu.Lock()
		s.counts[out.Status]++
		s.mu.Unlock()
	}()
	if !s.begin() {
		out.Status, out.Err = warehouse.RunSkipped, ErrStopped
		return out
	}
	defer s.jobs.Done()

	run := &warehouse.Run{Job: d.Name, Trigger: trigger, Started: time.Now()}
	if prev, ok := s.acquire(d.Name, run); !ok {
		s.skipped(d, trigger, prev)
		out.Status = warehouse.RunSkipped
		out.Err = fmt.Errorf("%s is still running (started %s)", d.Name, prev.Started.Format(time.TimeOnly))
		return out
	}
	defer s.release(d.Name)

	for attempt := 1; ; attempt++ {
		out = s.attempt(d, trigger, attempt)
		out.Attempts = attempt
		var pe *PanicError
		if out.Status != warehouse.RunFailed || errors.As(out.Err, &pe) || attempt >= d.Retry.Attempts || s.isStopping() {
			return out
		}
		wait := d.Retry.Wait(attempt)
		s.log.Warn("job failed; retrying", keyJob, d.Name, keyAttempt, attempt, "of", d.Retry.Attempts, "wait", wait, keyErr, out.Err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.stopping:
			t.Stop()
			return out
		}
	}
}

// begin counts a job in, unless the scheduler has stopped.
func (s *Scheduler) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	s.jobs.Add(1)
	return true
}

// acquire is the overlap guard: it takes the job's slot, or returns the
// run holding it.
func (s *Scheduler) acquire(name string, run *warehouse.Run) (*warehouse.Run, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.running[name]; ok {
		return prev, false
	}
	s.running[name] = run
	return nil, true
}

func (s *Scheduler) release(name string) {
	s.mu.Lock()
	delete(s.running, name)
	s.mu.Unlock()
}

// skipped records a firing skipped because the job is still running.
func (s *Scheduler) skipped(d *schedules.Definition, trigger string, prev *warehouse.Run) {
	now := time.Now()
	s.mu.Lock()
	prevID, prevStart := prev.ID, prev.Started
	s.mu.Unlock()
	msg := fmt.Sprintf("skipped: the run started at %s is still running", prevStart.Format(time.DateTime))
	if prevID != 0 {
		msg = fmt.Sprintf("skipped: run %d, started at %s, is still running", prevID, prevStart.Format(time.DateTime))
	}
	s.log.Warn("job skipped: still running", keyJob, d.Name, keyTrigger, trigger, "running_since", prevStart)
	s.record(warehouse.Run{Job: d.Name, Trigger: trigger, Started: now, Ended: now, Status: warehouse.RunSkipped, Error: msg})
}

// attempt runs the job once: it waits for the writer, opens the warehouse,
// records the run, calls the runner with panics recovered, records how it
// ended and closes the warehouse.
func (s *Scheduler) attempt(d *schedules.Definition, trigger string, n int) Outcome {
	out := Outcome{Job: d.Name}
	fail := func(status string, err error) Outcome {
		now := time.Now()
		s.record(warehouse.Run{Job: d.Name, Trigger: trigger, Started: now, Ended: now, Status: status, Error: err.Error()})
		out.Status, out.Err = status, err
		return out
	}
	if !s.acquireWriter() {
		return fail(warehouse.RunInterrupted, errors.New("interrupted: the daemon stopped before the job could start"))
	}
	defer s.releaseWriter()
	ctx := s.ctx
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	w, err := s.open(ctx)
	if err != nil {
		if s.isStopping() {
			return fail(warehouse.RunInterrupted, fmt.Errorf("interrupted while waiting for the warehouse: %w", err))
		}
		err = fmt.Errorf("open the warehouse: %w", err)
		if n < d.Retry.Attempts {
			err = fmt.Errorf("%w (attempt %d of %d; retrying in %s)", err, n, d.Retry.Attempts, d.Retry.Wait(n))
		}
		return fail(warehouse.RunFailed, err)
	}
	defer w.Close()
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordWait)
	defer cancel()
	s.flush(bg, w)

	run := &warehouse.Run{Job: d.Name, Trigger: trigger, Started: time.Now(), Status: warehouse.RunRunning}
	err = w.StartRun(bg, run)
	s.mu.Lock()
	if g := s.running[d.Name]; g != nil { // what a skip names
		g.ID, g.Started = run.ID, run.Started
	}
	s.mu.Unlock()
	if err != nil {
		out.Status, out.Err = warehouse.RunFailed, fmt.Errorf("record the run: %w", err)
		return out
	}
	out.RunID = run.ID
	log := s.log.With(keyJob, d.Name, keyRun, run.ID, keyTrigger, trigger, keyAttempt, n)
	log.Info("job started")

	res, err := s.call(ctx, w, Job{Def: d, Trigger: trigger, Attempt: n, RunID: run.ID, Stopping: s.stopping})
	fin := *run
	fin.Ended = time.Now()
	fin.Files, fin.RowsLoaded, fin.RowsRejected, fin.ModelsBuilt, fin.TestsFailed = res.Files, res.RowsLoaded, res.RowsRejected, res.ModelsBuilt, res.TestsFailed
	var pe *PanicError
	switch {
	case err == nil:
		fin.Status = warehouse.RunOK
	case errors.As(err, &pe):
		fin.Status, fin.Error = warehouse.RunFailed, pe.Error()+" (recovered; the daemon goes on)"
		log.Error("job panicked", keyErr, pe.Value, "stack", string(pe.Stack))
	case s.isStopping() || s.ctx.Err() != nil:
		fin.Status, fin.Error = warehouse.RunInterrupted, "interrupted by shutdown: "+err.Error()
	case ctx.Err() == context.DeadlineExceeded:
		fin.Status, fin.Error = warehouse.RunFailed, fmt.Sprintf("timed out after %s: %v", d.Timeout, err)
	default:
		fin.Status, fin.Error = warehouse.RunFailed, err.Error()
	}
	if fin.Status == warehouse.RunFailed && pe == nil && n < d.Retry.Attempts && !s.isStopping() {
		fin.Error += fmt.Sprintf(" (attempt %d of %d; retrying in %s)", n, d.Retry.Attempts, d.Retry.Wait(n))
	}
	if err := w.FinishRun(bg, &fin); err != nil {
		log.Error("could not record the end of the job", keyErr, err)
	}
	if err := adopt(bg, w, &fin); err != nil {
		log.Error("could not record the job's steps", keyErr, err)
	}
	s.flush(bg, w)
	s.noteRun(fin)
	if err := s.refresh(bg, w, false); err != nil {
		log.Warn("could not read the run history", keyErr, err)
	}
	log.Info("job finished", keyStatus, fin.Status, keyTook, fin.Ended.Sub(fin.Started).Round(time.Millisecond),
		"files", fin.Files, "rows", fin.RowsLoaded, "rejected", fin.RowsRejected, "models", fin.ModelsBuilt, "tests_failed", fin.TestsFailed, keyErr, fin.Error)
	out.Status = fin.Status
	if fin.Status != warehouse.RunOK {
		out.Err = errors.New(fin.Error)
	}
	return out
}

// call runs the runner and turns a panic into a *PanicError.
func (s *Scheduler) call(ctx context.Context, w *warehouse.Warehouse, job Job) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return s.opt.Runner.Run(ctx, w, job)
}
