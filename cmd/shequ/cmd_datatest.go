package main

import (
	"context"
	"flag"

	"shequ/pipeline"
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

func runTest(ctx context.Context, e *env, args []string) (err error) {
	var o pipeline.TestOptions
	fs, err := e.parse(lookup("test"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&o.Select, "select", "", "test only these `models`")
		modelsFlag(fs, e)
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	p := e.pipe()
	w, err := p.OpenExisting(ctx, "shequ test")
	if err != nil {
		return err
	}
	defer closeWriter(w, &err)
	_, err = p.Test(ctx, w, o)
	return err
}
