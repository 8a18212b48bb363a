package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"shequ/warehouse"
)

// historySize is how many rows of ops.runs /runs can show.
const historySize = 200

// acquireWriter waits for the single-writer slot; it gives up, returning
// false, when the daemon is stopping.
func (s *Scheduler) acquireWriter() bool {
	if s.isStopping() {
		return false
	}
	select {
	case s.writer <- struct{}{}:
		if s.isStopping() {
			<-s.writer
			return false
		}
		return true
	case <-s.stopping:
		return false
	}
}

// tryWriter takes the writer slot if it is free, without waiting.
func (s *Scheduler) tryWriter() bool {
	select {
	case s.writer <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s *Scheduler) releaseWriter() { <-s.writer }

// open opens the warehouse for writing. While another process holds it
// (a planner's `shequ build`), it tries again every second for LockWait.
func (s *Scheduler) open(ctx context.Context) (*warehouse.Warehouse, error) {
	deadline := time.Now().Add(s.opt.LockWait)
	logged := false
	for {
		w, err := warehouse.Open(ctx, s.opt.Warehouse, warehouse.Options{Command: s.opt.Command})
		var le *warehouse.LockedError
		if err == nil || !errors.As(err, &le) || time.Now().After(deadline) {
			return w, err
		}
		if !logged {
			s.log.Info("warehouse busy; waiting for it", keyErr, err, "wait", s.opt.LockWait)
			logged = true
		}
		t := time.NewTimer(time.Second)
		select {
		case <-t.C:
		case <-s.stopping:
			t.Stop()
			return nil, err
		case <-ctx.Done():
			t.Stop()
			return nil, err
		}
	}
}

// record queues a run the scheduler itself writes (a skip, a job that
// could not start) and writes it at once if no job is writing; otherwise
// the job writing takes it when it finishes. It never waits for the
// writer.
func (s *Scheduler) record(r warehouse.Run) {
	s.recMu.Lock()
	s.pending = append(s.pending, r)
	s.recMu.Unlock()
	s.noteRun(r)
	if s.isStopping() {
		return // Stop writes what is left
	}
	ctx, cancel := context.WithTimeout(context.Background(), recordWait)
	defer cancel()
	s.flushNow(ctx)
}

// flushNow writes the queued records if the writer is free and the
// warehouse can be opened at once.
func (s *Scheduler) flushNow(ctx context.Context) {
	if s.pendingCount() == 0 || !s.tryWriter() {
		return
	}
	defer s.releaseWriter()
	w, err := warehouse.Open(ctx, s.opt.Warehouse, warehouse.Options{Command: s.opt.Command})
	if err != nil {
		s.log.Info("records queued until the warehouse is free", keyErr, err, "records", s.pendingCount())
		return
	}
	defer w.Close()
	s.flush(ctx, w)
	if err := s.refresh(ctx, w, false); err != nil {
		s.log.Warn("could not read the run history", keyErr, err)
	}
}

// flush writes the queued records through the open warehouse.
func (s *Scheduler) flush(ctx context.Context, w *warehouse.Warehouse) {
	s.recMu.Lock()
	recs := s.pending
	s.pending = nil
	s.recMu.Unlock()
	for i := range recs {
		r := recs[i]
		err := w.StartRun(ctx, &r)
		if err == nil {
			err = w.FinishRun(ctx, &r)
		}
		if err != nil {
			s.log.Warn("could not write a record; kept for later", keyJob, r.Job, keyStatus, r.Status, keyErr, err)
			s.recMu.Lock()
			s.pending = append(recs[i:], s.pending...)
			s.recMu.Unlock()
			return
		}
	}
}

func (s *Scheduler) pendingCount() int {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	return len(s.pending)
}

// noteRun keeps the newest runs of each job for /healthz.
func (s *Scheduler) noteRun(r warehouse.Run) {
	if r.Parent != 0 || r.Step != "" {
		return
	}
	s.recMu.Lock()
	defer s.recMu.Unlock()
	st := s.state[r.Job]
	if st == nil {
		return
	}
	st.last = &r
	if r.Status != warehouse.RunSkipped && r.Status != warehouse.RunRunning {
		st.done = &r
	}
	if r.Status == warehouse.RunOK {
		st.lastOK = &r
	}
}

// refresh reads the newest rows of ops.runs for /runs; seed also reads
// each job's last runs for /healthz.
func (s *Scheduler) refresh(ctx context.Context, w *warehouse.Warehouse, seed bool) error {
	runs, err := w.Runs(ctx, "", false, historySize)
	if err != nil {
		return err
	}
	s.recMu.Lock()
	s.history = runs
	s.recMu.Unlock()
	if !seed {
		return nil
	}
	for _, d := range s.defs {
		rs, err := w.Runs(ctx, d.Name, false, 50)
		if err != nil {
			return err
		}
		slices.Reverse(rs)
		for _, r := range rs {
			s.noteRun(r)
		}
	}
	return nil
}

// adopt makes a job's step rows its own: they carry the job's name (so
// `shequ runs --job J` shows them), and a step the job left "running" (it
// panicked, or was cancelled mid-step) ends as the job did.
func adopt(ctx context.Context, w *warehouse.Warehouse, job *warehouse.Run) error {
	if _, err := w.DB.ExecContext(ctx, `UPDATE ops.runs SET job = ? WHERE parent_run_id = ? AND job <> ?`, job.Job, job.ID, job.Job); err != nil {
		return err
	}
	status := job.Status
	if status == warehouse.RunOK {
		status = warehouse.RunFailed
	}
	_, err := w.DB.ExecContext(ctx, `UPDATE ops.runs SET status = ?, ended_at = ?, error = coalesce(error, ?)
		WHERE parent_run_id = ? AND status = 'running'`, status, job.Ended.UTC(), fmt.Sprintf("the step did not finish: the job ended %s", job.Status), job.ID)
	return err
}
