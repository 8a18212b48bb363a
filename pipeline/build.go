package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"shequ/models"
	"shequ/official"
	"shequ/warehouse"
)

// BuildOptions steer one build.
type BuildOptions struct {
	Parent *warehouse.Run
	// Select builds only these models (MODEL, MODEL+, +MODEL, tag:X).
	Select string
	// Publish publishes the read-only snapshot after a successful build.
	// A run publishes once, at its end, instead.
	Publish bool
	// Full rebuilds every selected model. Without it a build is
	// incremental: only the models whose inputs changed since they were
	// built are built again (models.Plan).
	Full bool
}

// Build materialises the models in dependency order and records the run;
// it returns what was built.
func (p *Pipeline) Build(ctx context.Context, w *warehouse.Warehouse, o BuildOptions) (*models.BuildResult, error) {
	run, err := p.startRun(ctx, w, "build", o.Parent)
	if err != nil {
		return nil, err
	}
	pr, err := p.Project()
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	// The policy in force: the defaults with every change the warehouse
	// keeps (shequ policy set), for every build, manual or scheduled.
	overrides, version, err := official.StoredOverrides(ctx, w.DB)
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	res, err := pr.Build(ctx, w.DB, models.BuildOptions{
		Select: o.Select, Overrides: overrides, RunID: run.ID, Incremental: !o.Full,
		Progress: func(ev models.Event) {
			if ev.Status == models.StatusFailed {
				p.cfg.Log.Warn("model failed", "model", ev.Model.Name, "err", ev.Err)
			} else {
				p.cfg.Log.Debug("model", "model", ev.Model.Name, "status", ev.Status, "rows", ev.Rows, "took", ev.Elapsed)
			}
			p.progress("build", false, "build  %s %s", ev.Model.Name, ev.Status)
		},
	})
	if ctx.Err() != nil {
		// Stopped (SIGTERM, Ctrl-C): an interruption, not failed models,
		// and nothing is published.
		return res, interrupted(ctx, w, run, "build")
	}
	if res != nil && len(overrides) > 0 {
		if err := official.MarkOrigins(ctx, w.DB); err != nil {
			return res, fail(ctx, w, run, err)
		}
	}
	if err != nil {
		return res, fail(ctx, w, run, err)
	}
	run.ModelsBuilt = res.Count(models.StatusOK)
	for _, m := range res.Models {
		if m.Why != "" {
			p.cfg.Log.Info("model built", "model", m.Model.Name, "why", m.Why)
		}
	}
	if failed := res.Failed(); len(failed) > 0 {
		for _, f := range failed {
			p.warn("build", "✗ %s: %v", f.Model.Name, f.Err)
		}
		return res, fail(ctx, w, run, fmt.Errorf("%d of %d models failed; %s", len(failed), len(res.Models), res.Summary()))
	}
	if err := finish(ctx, w, run); err != nil {
		return res, err
	}
	if o.Publish {
		if _, err := p.Publish(ctx, w); err != nil {
			return res, fmt.Errorf("publish the read-only snapshot: %w", err)
		}
	}
	p.done("build", both(res.SummaryZh()+policyLineZh(version), "build: "+res.Summary()+policyLine(version)), res)
	return res, nil
}

// policyLine says which policy a build loaded.
func policyLine(version int) string {
	if version == 0 {
		return "; policy: the defaults"
	}
	return fmt.Sprintf("; policy version %d (shequ policy history)", version)
}

// policyLineZh is policyLine in Chinese.
func policyLineZh(version int) string {
	if version == 0 {
		return "；政策：默认参数（政策版本 0）"
	}
	return fmt.Sprintf("；政策版本 %d（shequ policy history）", version)
}

// both is a line for people: the Chinese first, the English indented on
// the line below.
func both(zh, en string) string { return zh + "\n  " + en }

// ErrPolicyOption refuses a policy given to a build: the policy is kept in
// the warehouse, with who changed it and why, and every build uses it.
var ErrPolicyOption = errors.New("a build takes no policy file: the policy is kept in the warehouse and every build uses it. " +
	"To change it for good: shequ policy set FILE --by NAME --reason \"…\"; to try it without changing anything: shequ report --policy FILE (试算). " +
	"（政策保存在仓库中，每次构建都使用：修改用 shequ policy set，试算用 shequ report --policy）")

// TestOptions steer one run of the data tests.
type TestOptions struct {
	Parent *warehouse.Run
	Select string
}

// ErrTestsFailed is returned (wrapped) when data tests failed; the result
// lists them.
var ErrTestsFailed = models.ErrTestsFailed

// Test runs the data tests the models declare and records the run with
// how many failed; each failure is reported as a Warn event.
func (p *Pipeline) Test(ctx context.Context, w *warehouse.Warehouse, o TestOptions) (*models.TestResult, error) {
	run, err := p.startRun(ctx, w, "test", o.Parent)
	if err != nil {
		return nil, err
	}
	pr, err := p.Project()
	if err != nil {
		return nil, fail(ctx, w, run, err)
	}
	// Test returns the outcomes together with an error wrapping
	// ErrTestsFailed when some failed: report them, and record how many,
	// before giving up. Any other error means the tests did not run.
	res, err := pr.Test(ctx, w.DB, o.Select)
	if ctx.Err() != nil {
		return res, interrupted(ctx, w, run, "test")
	}
	if err != nil && (res == nil || !errors.Is(err, models.ErrTestsFailed)) {
		return res, fail(ctx, w, run, err)
	}
	failed := res.Failed()
	run.TestsFailed = len(failed)
	for _, f := range failed {
		p.warn("test", "%s", f.Report())
	}
	if len(failed) > 0 {
		p.done("test", both(res.SummaryZh(), "test: "+res.Summary()), res)
		return res, fail(ctx, w, run, testsFailed{len(failed), len(res.Outcomes)})
	}
	if err := finish(ctx, w, run); err != nil {
		return res, err
	}
	p.done("test", both(res.SummaryZh(), "test: "+res.Summary()), res)
	return res, nil
}

// interrupted records a stage stopped by its context (SIGTERM, Ctrl-C) as
// an interruption and returns ErrInterrupted.
func interrupted(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run, stage string) error {
	run.Status = warehouse.RunInterrupted
	run.Error = "stopped before it finished (" + context.Cause(ctx).Error() + ")"
	_ = w.FinishRun(context.WithoutCancel(ctx), run)
	return fmt.Errorf("%w: %s %s", ErrInterrupted, stage, run.Error)
}

// testsFailed says how many data tests failed; it is ErrTestsFailed.
type testsFailed struct{ n, of int }

func (e testsFailed) Error() string {
	return fmt.Sprintf("%d of %d data tests failed (each is listed above)", e.n, e.of)
}

func (e testsFailed) Unwrap() error { return models.ErrTestsFailed }

// Publish publishes the read-only snapshot that shequ sql, shequ query,
// the web application and analysts' own DuckDB clients read, while the
// writer still holds the warehouse, so that reading never waits for the
// writer and never keeps it out (see warehouse.OpenReader).
func (p *Pipeline) Publish(ctx context.Context, w *warehouse.Warehouse) (*warehouse.Snapshot, error) {
	s, err := w.PublishSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	p.cfg.Log.Info("snapshot published", "path", s.Path, "bytes", s.Size, "took", s.Took)
	p.done("publish", both(fmt.Sprintf("快照：已发布 %s 供查询（%.1f MB），用时 %s", filepath.Base(s.Path), float64(s.Size)/1e6, s.Took.Round(time.Millisecond)),
		fmt.Sprintf("snapshot: %s for readers (%.1f MB) in %s", filepath.Base(s.Path), float64(s.Size)/1e6, s.Took.Round(time.Millisecond))), s)
	return s, nil
}
