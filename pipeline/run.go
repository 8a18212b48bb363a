package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"shequ/etl/ingest"
	"shequ/models"
	"shequ/official"
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
func (p *Pipeline) Run(ctx context.Context, command string) (*RunResult, error) {
	return p.RunWith(ctx, command, RunOptions{})
}

// RunOptions steer a run.
type RunOptions struct {
	// Full builds, tests and reports even when nothing changed.
	Full bool
}

// RunWith is Run with options. A run that finds nothing changed since the
// last successful run (no new file, the same policy, models, settings,
// binary and reports) builds, tests and reports nothing and writes nothing
// but its own record: status ok, with the note in its error column.
func (p *Pipeline) RunWith(ctx context.Context, command string, o RunOptions) (_ *RunResult, err error) {
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
	in, err := p.runInputs(ctx, w)
	if err != nil {
		return res, fail(ctx, w, run, err)
	}
	if last, ok := lastRunInputs(ctx, w); ok && !o.Full && in.unchanged(last.digest) {
		run.Error = fmt.Sprintf("自第 %d 次运行以来没有变化，跳过构建、测试与报表 (nothing changed since run %d: build, test and report skipped)", last.run, last.run)
		if err := finish(ctx, w, run); err != nil {
			return res, err
		}
		res.Took = time.Since(start)
		took := res.Took.Round(time.Millisecond)
		p.done("run", both(fmt.Sprintf("✓ 第 %d 次运行完成，用时 %s：自第 %d 次运行以来没有变化（没有新文件，政策、模型与设置未变），未构建、检验或写入；%s 中的报表不变", run.ID, took, last.run, p.cfg.Out),
			fmt.Sprintf("run %d done in %s: nothing changed since run %d (no new file; the same policy, models and settings): "+
				"nothing built, tested or written; the reports in %s stand", run.ID, took, last.run, p.cfg.Out)), res)
		return res, nil
	}
	b, err := p.Build(ctx, w, BuildOptions{Parent: run, Full: o.Full})
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
	if err := in.record(ctx, w, run.ID, p.cfg.Out); err != nil {
		return res, fail(ctx, w, run, fmt.Errorf("record the run's inputs: %w", err))
	}
	res.Took = time.Since(start)
	took := res.Took.Round(time.Millisecond)
	p.done("run", both(fmt.Sprintf("✓ 第 %d 次运行完成，用时 %s：新文件 %d 个，入库 %d 行，拒收 %d 行，构建模型 %d 个，数据检验全部通过", run.ID, took, s.New, s.Rows, s.Rejected, res.Built),
		fmt.Sprintf("run %d done in %s: %d new files, %d rows loaded, %d rejected, %d models built, all tests passed", run.ID, took, s.New, s.Rows, s.Rejected, res.Built)), res)
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

// runInputs is what a run's outcome is made of, but for the reports it
// writes: the fingerprints of every model's inputs (models.Plan), the
// settings and closed years the reports read, the binary, the report
// definitions, the city's name and the reports folder.
type runInputs struct {
	digest string // of all of it, without the reports folder's files
	fresh  bool   // every model is built from its current inputs
	out    string
}

// runInputs fingerprints what the run would build and report from.
func (p *Pipeline) runInputs(ctx context.Context, w *warehouse.Warehouse) (*runInputs, error) {
	pr, err := p.Project()
	if err != nil {
		return nil, err
	}
	overrides, _, err := official.StoredOverrides(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	plan, err := pr.Plan(ctx, w.DB, models.BuildOptions{Overrides: overrides})
	if err != nil {
		return nil, err
	}
	tables, err := models.RawDigests(ctx, w.DB, []string{"settings.changes", "settings.policy_changes", "closed.versions"})
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "models\x00%s\x00", plan.Digest)
	for _, t := range []string{"settings.changes", "settings.policy_changes", "closed.versions"} {
		fmt.Fprintf(h, "%s\x00%s\x00", t, tables[t])
	}
	fmt.Fprintf(h, "city\x00%s\x00", p.cfg.City)
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			fmt.Fprintf(h, "binary\x00%s\x00%d\x00%d\x00", exe, st.Size(), st.ModTime().UnixNano())
		}
	}
	if p.cfg.Reports != "" {
		fmt.Fprintf(h, "reports\x00%s\x00", listing(p.cfg.Reports))
	}
	out, _ := filepath.Abs(p.cfg.Out)
	fmt.Fprintf(h, "out\x00%s\x00", out)
	return &runInputs{digest: hex.EncodeToString(h.Sum(nil)), fresh: len(plan.Stale()) == 0, out: p.cfg.Out}, nil
}

// withReports is the run's fingerprint once its reports are in out.
func (in *runInputs) withReports(out string) string {
	sum := sha256.Sum256([]byte(in.digest + "\x00" + listing(out)))
	return hex.EncodeToString(sum[:])
}

// unchanged says whether nothing changed since the run whose fingerprint
// is last: every model fresh, the same inputs, the reports as it left them.
func (in *runInputs) unchanged(last string) bool {
	return in.fresh && last != "" && in.withReports(in.out) == last
}

// listing lists the files under dir with their sizes and modification
// times ("" when there is none).
func listing(dir string) string {
	h := sha256.New()
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			rel, _ := filepath.Rel(dir, path)
			fmt.Fprintf(h, "%s\x00%d\x00%d\x00", filepath.ToSlash(rel), info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}

// runInputsDDL keeps the fingerprint of every successful run (ops.runs).
const runInputsDDL = `CREATE TABLE IF NOT EXISTS ops.run_inputs (
	run_id      BIGINT NOT NULL,
	fingerprint VARCHAR NOT NULL,  -- models.Plan's digest, settings, closed years, binary, reports, out folder and its files
	recorded_at TIMESTAMP NOT NULL
)`

// record keeps the fingerprint of a successful run.
func (in *runInputs) record(ctx context.Context, w *warehouse.Warehouse, runID int64, out string) error {
	if _, err := w.DB.ExecContext(ctx, runInputsDDL); err != nil {
		return err
	}
	_, err := w.DB.ExecContext(ctx, `INSERT INTO ops.run_inputs VALUES (?, ?, now()::TIMESTAMP)`, runID, in.withReports(out))
	return err
}

type lastRun struct {
	run    int64
	digest string
}

// lastRunInputs is the fingerprint of the last successful run.
func lastRunInputs(ctx context.Context, w *warehouse.Warehouse) (lastRun, bool) {
	var l lastRun
	err := w.DB.QueryRowContext(ctx, `SELECT run_id, fingerprint FROM ops.run_inputs ORDER BY run_id DESC LIMIT 1`).Scan(&l.run, &l.digest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return l, false // no such table yet
	}
	return l, err == nil
}
