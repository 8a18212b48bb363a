package main

import (
	"context"
)

func init() {
	register(&command{
		name:    "run",
		summary: "the whole pipeline: ingest the inbox, build the models, test them, write the reports",
		usage: `Usage: shequ run [--inbox DIR] [--warehouse FILE] [--out DIR]

Runs each stage in turn, as the nightly job does: ingest, build, test,
report. Rows rejected from a submission are not a failure: run exits 0 and
says how many; a failed data test or model exits 1.

Example:
  shequ run --inbox ./inbox --out ./out`,
		run: runRun,
	})
}

func runRun(ctx context.Context, e *env, args []string) error {
	fs, err := e.parse(lookup("run"), args, flagWarehouse|flagInbox|flagOut, nil)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	_, err = e.pipe().Run(ctx, "shequ run")
	return err
}
