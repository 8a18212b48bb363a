package main

import (
	"context"
	"fmt"
	"time"

	"shequ/warehouse"
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
	return e.pipeline(ctx, "manual")
}

// pipeline runs ingest, build, test and report on e's paths as one
// recorded run with a step per stage.
func (e *env) pipeline(ctx context.Context, trigger string) error {
	start := time.Now()
	e.trigger = trigger
	w, err := e.openWarehouse(ctx, "shequ run")
	if err != nil {
		return err
	}
	defer w.Close()
	run := &warehouse.Run{Job: "run", Trigger: trigger}
	if err := w.StartRun(ctx, run); err != nil {
		return err
	}
	// Once the models are built, readers get them (with this run's record,
	// failed tests included) whatever happens after.
	e.publishAtEnd = true
	built := false
	defer func() {
		e.publishAtEnd = false
		if built {
			if err := e.publish(context.WithoutCancel(ctx), w); err != nil {
				fmt.Fprintf(e.stderr, "shequ run: publish the read-only snapshot: %v\n", err)
			}
		}
	}()
	s, err := e.ingest(ctx, w, run.ID, trigger)
	if err != nil {
		return e.failRun(ctx, w, run, err)
	}
	run.Files, run.RowsLoaded, run.RowsRejected = s.New, int64(s.Rows), int64(s.Rejected)
	n, err := e.build(ctx, w, run.ID, buildOptions{})
	run.ModelsBuilt = n
	if err != nil {
		return e.failRun(ctx, w, run, err)
	}
	built = true
	failed, err := e.test(ctx, w, run.ID, buildOptions{})
	run.TestsFailed = failed
	if err != nil {
		return e.failRun(ctx, w, run, err)
	}
	if err := e.report(ctx, w, run.ID); err != nil {
		return e.failRun(ctx, w, run, err)
	}
	run.Status = warehouse.RunOK
	if err := w.FinishRun(ctx, run); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "✓ run %d done in %s: %d new files, %d rows loaded, %d rejected, %d models built, all tests passed\n",
		run.ID, time.Since(start).Round(time.Millisecond), s.New, s.Rows, s.Rejected, n)
	return nil
}
