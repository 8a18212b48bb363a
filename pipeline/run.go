package pipeline

import (
	"context"
	"fmt"
	"time"

	"shequ/etl/ingest"
	"shequ/models"
	"shequ/schedules"
	"shequ/schedules/scheduler"
	"shequ/warehouse"
)

// RunResult is what a whole run did.
type RunResult struct {
	RunID  int64
	Ingest *ingest.Summary
	Built  int
	Took   time.Duration
}

// Run is the nightly job on the Config's paths: ingest, build, test and
// report as one recorded run with a step per stage. Once the models are
// built, readers get them (with this run's record, failed tests included)
// whatever happens after: the snapshot is published when the run ends.
//
// Any failed write fails the run: a snapshot that cannot be published (a
// full disk) or a warehouse that cannot be closed cleanly (its last
// checkpoint) is an error, and the run's record says so.
func (p *Pipeline) Run(ctx context.Context, command string) (_ *RunResult, err error) {
	start := time.Now()
	if err := p.CheckInbox(); err != nil {
		return nil, err
	}
	w, err := p.Open(ctx, command)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := w.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the warehouse (its last checkpoint): %w", cerr)
		}
	}()
	run := &warehouse.Run{Job: "run", Trigger: p.cfg.Trigger}
	if err := w.StartRun(ctx, run); err != nil {
		return nil, err
	}
	res := &RunResult{RunID: run.ID}
	built := false
	defer func() {
		// An interrupted run publishes nothing: readers keep the last
		// complete snapshot.
		if !built || ctx.Err() != nil {
			return
		}
		if _, perr := p.Publish(context.WithoutCancel(ctx), w); perr != nil {
			perr = fmt.Errorf("publish the read-only snapshot: %w", perr)
			if err == nil {
				err = perr
				run.Status, run.Error = warehouse.RunFailed, perr.Error()
				_ = w.FinishRun(context.WithoutCancel(ctx), run)
			}
		}
	}()
	s, err := p.Ingest(ctx, w, IngestOptions{Parent: run})
	res.Ingest = s
	if err != nil {
		return res, fail(ctx, w, run, err)
	}
	run.Files, run.RowsLoaded, run.RowsRejected = s.New, int64(s.Rows), int64(s.Rejected)
	b, err := p.Build(ctx, w, BuildOptions{Parent: run})
	if b != nil {
		res.Built = b.Count(models.StatusOK)
	}
	run.ModelsBuilt = res.Built
	if err != nil {
		return res, fail(ctx, w, run, err)
	}
	built = true
	t, err := p.Test(ctx, w, TestOptions{Parent: run})
	if t != nil {
		run.TestsFailed = len(t.Failed())
	}
	if err != nil {
		return res, fail(ctx, w, run, err)
	}
	if _, err := p.Report(ctx, w, ReportOptions{Parent: run}); err != nil {
		return res, fail(ctx, w, run, err)
	}
	if err := finish(ctx, w, run); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	p.done("run", fmt.Sprintf("✓ run %d done in %s: %d new files, %d rows loaded, %d rejected, %d models built, all tests passed",
		run.ID, res.Took.Round(time.Millisecond), s.New, s.Rows, s.Rejected, res.Built), res)
	return res, nil
}

// Runner runs scheduled jobs with the pipeline's stages, each recorded as
// a step of the job's run (scheduler.Runner).
func (p *Pipeline) Runner() scheduler.Runner {
	return scheduler.RunnerFunc(p.runJob)
}

func (p *Pipeline) runJob(ctx context.Context, w *warehouse.Warehouse, job scheduler.Job) (scheduler.Result, error) {
	jp := p.WithTrigger(job.Trigger)
	parent := &warehouse.Run{ID: job.RunID, Job: job.Def.Name}
	var res scheduler.Result
	for i, st := range job.Def.Steps {
		if i > 0 && isClosed(job.Stopping) {
			return res, scheduler.ErrStopped
		}
		switch st.Name {
		case schedules.StepIngest:
			s, err := jp.Ingest(ctx, w, IngestOptions{Parent: parent, Stopping: job.Stopping})
			if s != nil {
				res.Files, res.RowsLoaded, res.RowsRejected = s.New, int64(s.Rows), int64(s.Rejected)
			}
			if err != nil {
				return res, err
			}
		case schedules.StepBuild:
			b, err := jp.Build(ctx, w, BuildOptions{Parent: parent, Select: st.Select, Publish: true})
			if b != nil {
				res.ModelsBuilt = b.Count(models.StatusOK)
			}
			if err != nil {
				return res, err
			}
		case schedules.StepTest:
			t, err := jp.Test(ctx, w, TestOptions{Parent: parent, Select: st.Select})
			if t != nil {
				res.TestsFailed = len(t.Failed())
			}
			if err != nil {
				return res, err
			}
		case schedules.StepReport:
			if _, err := jp.Report(ctx, w, ReportOptions{Parent: parent}); err != nil {
				return res, err
			}
		default:
			return res, fmt.Errorf("unknown step %q", st.Name)
		}
	}
	return res, nil
}
