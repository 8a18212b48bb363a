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

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// modelsFlag reads the models from another folder.
func modelsFlag(fs *flag.FlagSet, e *env) {
	fs.StringVar(&e.cfg.Models, "models", "", "read models and policy from this `dir` instead of the built-in ones ($SHEQU_MODELS)")
}

func runBuild(ctx context.Context, e *env, args []string) error {
	var o pipeline.BuildOptions
	fs, err := e.parse(lookup("build"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&o.Select, "select", "", "build only these `models` (MODEL, MODEL+, +MODEL, tag:X)")
		fs.Var((*multiFlag)(&o.Policy), "policy", "apply this policy override `file` (repeatable)")
		modelsFlag(fs, e)
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	p := e.pipe()
	w, err := p.OpenExisting(ctx, "shequ build")
	if err != nil {
		return err
	}
	defer w.Close()
	o.Publish = true
	_, err = p.Build(ctx, w, o)
	return err
}
