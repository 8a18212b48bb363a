package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"shequ/models"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "build",
		summary: "build the SQL models into the marts, in dependency order",
		usage: `Usage: shequ build [--select EXPR] [--policy FILE]... [--models DIR]

Loads the policy data, then materialises every selected model (views and
tables, each atomically: a failed model keeps its previous version and
its downstream models are skipped). Every model run is recorded in
ops.model_runs.

--select takes model names (coverage, marts.coverage), MODEL+ (with what
depends on it), +MODEL (with what it depends on), tag:X, or several of
these separated by commas.

--policy applies an alternative policy file on top of the defaults in
models/policy, e.g. a file holding
    name,value
    coverage_target_rural,0.5
to see the marts under another target, without editing the defaults.

Examples:
  shequ build
  shequ build --select coverage+
  shequ build --policy next_year_budget.csv`,
		run: runBuild,
	})
}

type buildOptions struct {
	selectExpr string
	policy     []string
	modelsDir  string
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func (o *buildOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.selectExpr, "select", "", "build only these `models` (MODEL, MODEL+, +MODEL, tag:X)")
	fs.Var((*multiFlag)(&o.policy), "policy", "apply this policy override `file` (repeatable)")
	fs.StringVar(&o.modelsDir, "models", getenv("SHEQU_MODELS", ""), "read models and policy from this `dir` instead of the built-in ones")
}

func runBuild(ctx context.Context, e *env, args []string) error {
	var o buildOptions
	fs, err := e.parse(lookup("build"), args, flagWarehouse, o.flags)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	w, err := e.openWarehouse(ctx, "shequ build")
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = e.build(ctx, w, 0, o)
	return err
}

// project loads the model project: the built-in one or --models DIR.
func (o buildOptions) project() (*models.Project, error) {
	if o.modelsDir != "" {
		return models.LoadDir(o.modelsDir)
	}
	return models.LoadEmbedded()
}

// build runs the build stage and records it in ops.runs. It returns the
// number of models built.
func (e *env) build(ctx context.Context, w *warehouse.Warehouse, parent int64, o buildOptions) (int, error) {
	run := &warehouse.Run{Job: "build", Parent: parent, Trigger: e.triggerName()}
	if parent != 0 {
		run.Job, run.Step = "run", "build"
	}
	if err := w.StartRun(ctx, run); err != nil {
		return 0, err
	}
	p, err := o.project()
	if err != nil {
		return 0, e.failRun(ctx, w, run, err)
	}
	pr := e.progress()
	res, err := p.Build(ctx, w.DB, models.BuildOptions{
		Select: o.selectExpr, PolicyFiles: o.policy, RunID: run.ID,
		Progress: func(ev models.Event) {
			if ev.Status == models.StatusFailed {
				e.log.Warn("model failed", "model", ev.Model.Name, "err", ev.Err)
			} else {
				e.log.Info("model", "model", ev.Model.Name, "status", ev.Status, "rows", ev.Rows, "took", ev.Elapsed)
			}
			pr.show(false, "build  %s %s", ev.Model.Name, ev.Status)
		},
	})
	pr.done()
	if err != nil {
		return 0, e.failRun(ctx, w, run, err)
	}
	built := res.Count(models.StatusOK)
	run.ModelsBuilt = built
	if failed := res.Failed(); len(failed) > 0 {
		for _, f := range failed {
			fmt.Fprintf(e.stderr, "✗ %s: %v\n", f.Model.Name, f.Err)
		}
		return built, e.failRun(ctx, w, run, fmt.Errorf("%d of %d models failed; %s", len(failed), len(res.Models), res.Summary()))
	}
	run.Status = warehouse.RunOK
	if err := w.FinishRun(ctx, run); err != nil {
		return built, err
	}
	if !e.publishAtEnd {
		if err := e.publish(ctx, w); err != nil {
			return built, fmt.Errorf("publish the read-only snapshot: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "build: %s\n", res.Summary())
	return built, nil
}
