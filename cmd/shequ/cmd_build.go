package main

import (
	"context"
	"flag"
	"strings"

	"shequ/pipeline"
)

func init() {
	register(&command{
		name:    "build",
		summary: "build the SQL models into the marts, in dependency order",
		usage: `Usage: shequ build [--select EXPR] [--models DIR]

Loads the policy in force (the defaults with every change kept in the
warehouse: shequ policy), then materialises every selected model (views and
tables, each atomically: a failed model keeps its previous version and
its downstream models are skipped). Every model run is recorded in
ops.model_runs.

--select takes model names (coverage, marts.coverage), MODEL+ (with what
depends on it), +MODEL (with what it depends on), tag:X, or several of
these separated by commas.

A build takes no policy file: a change of policy is kept in the warehouse
with who made it and why (shequ policy set FILE --by NAME --reason "…"),
and every build, manual or scheduled, uses it; a trial that changes
nothing is a report: shequ report --policy FILE (试算).

Examples:
  shequ build
  shequ build --select coverage+`,
		run: runBuild,
	})
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// modelsFlag reads the models from another folder.
func modelsFlag(fs *flag.FlagSet, e *env) {
	fs.StringVar(&e.cfg.Models, "models", "", "read models and policy from this `dir` instead of the built-in ones ($SHEQU_MODELS)")
}

func runBuild(ctx context.Context, e *env, args []string) (err error) {
	var o pipeline.BuildOptions
	var policy multiFlag
	fs, err := e.parse(lookup("build"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&o.Select, "select", "", "build only these `models` (MODEL, MODEL+, +MODEL, tag:X)")
		fs.Var(&policy, "policy", "refused: see shequ policy set and shequ report --policy")
		modelsFlag(fs, e)
	})
	if err != nil {
		return err
	}
	if len(policy) > 0 {
		// Once a build took a file that the next build silently dropped.
		return usagef("--policy %s: %v", policy.String(), pipeline.ErrPolicyOption)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	p := e.pipe()
	w, err := p.OpenExisting(ctx, "shequ build")
	if err != nil {
		return err
	}
	defer closeWriter(w, &err)
	o.Publish = true
	_, err = p.Build(ctx, w, o)
	return err
}
