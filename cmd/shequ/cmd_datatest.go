package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"shequ/models"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "test",
		summary: "run the data tests declared in the model headers",
		usage: `Usage: shequ test [--select EXPR]

Runs every test the models declare (not null, unique, accepted values,
relationships, ranges, and custom SQL assertions that must return no rows)
and prints each failure with the model, column and a few offending rows.
Exits 1 when a test fails.

Example:
  shequ test --select marts.city_rewards`,
		run: runTest,
	})
}

func runTest(ctx context.Context, e *env, args []string) error {
	var sel, modelsDir string
	fs, err := e.parse(lookup("test"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&sel, "select", "", "test only these `models`")
		fs.StringVar(&modelsDir, "models", getenv("SHEQU_MODELS", ""), "read models from this `dir` instead of the built-in ones")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	w, err := e.openWarehouse(ctx, "shequ test")
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = e.test(ctx, w, 0, buildOptions{selectExpr: sel, modelsDir: modelsDir})
	return err
}

// test runs the data tests and records them in ops.runs; it returns how
// many failed.
func (e *env) test(ctx context.Context, w *warehouse.Warehouse, parent int64, o buildOptions) (int, error) {
	run := &warehouse.Run{Job: "test", Parent: parent, Trigger: e.triggerName()}
	if parent != 0 {
		run.Job, run.Step = "run", "test"
	}
	if err := w.StartRun(ctx, run); err != nil {
		return 0, err
	}
	p, err := o.project()
	if err != nil {
		return 0, e.failRun(ctx, w, run, err)
	}
	// Test returns the outcomes together with an error wrapping
	// ErrTestsFailed when some failed: report them, and record how many,
	// before giving up. Any other error means the tests did not run.
	res, err := p.Test(ctx, w.DB, o.selectExpr)
	if err != nil && (res == nil || !errors.Is(err, models.ErrTestsFailed)) {
		return 0, e.failRun(ctx, w, run, err)
	}
	failed := res.Failed()
	run.TestsFailed = len(failed)
	for _, f := range failed {
		fmt.Fprintln(e.stderr, f.Report())
	}
	if len(failed) > 0 {
		fmt.Fprintf(e.stdout, "test: %s\n", res.Summary())
		return len(failed), e.failRun(ctx, w, run, fmt.Errorf("%d of %d data tests failed (each is listed above)", len(failed), len(res.Outcomes)))
	}
	run.Status = warehouse.RunOK
	if err := w.FinishRun(ctx, run); err != nil {
		return 0, err
	}
	fmt.Fprintf(e.stdout, "test: %s\n", res.Summary())
	return 0, nil
}
