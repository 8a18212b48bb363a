package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "runs",
		summary: "show the history of runs: ingest, build, test, report and scheduled jobs",
		usage: `Usage: shequ runs [--job J] [--failed] [--limit N] [--json]

Every run of a command or scheduled job, and of each step inside it, is
recorded in the warehouse (ops.runs) with its counts and error.

Example:
  shequ runs --failed`,
		run: runRuns,
	})
}

func runRuns(ctx context.Context, e *env, args []string) error {
	var job string
	var failed, asJSON bool
	var limit int
	fs, err := e.parse(lookup("runs"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&job, "job", "", "only runs of this `job`")
		fs.BoolVar(&failed, "failed", false, "only failed or interrupted runs")
		fs.IntVar(&limit, "limit", 30, "show at most `n` runs")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	// The live file when no writer holds it: the snapshot is one build old.
	w, src, err := warehouse.OpenLatest(ctx, e.cfg.Warehouse)
	if err != nil {
		return err
	}
	defer w.Close()
	switch {
	case src.Snapshot && src.WriterBusy:
		fmt.Fprintf(e.stderr, "note: a job is writing the warehouse; these are the runs up to the last published build (GET /runs of `shequ serve` is live)\n")
	case src.Snapshot:
		fmt.Fprintf(e.stderr, "note: these are the runs up to the last published build (the warehouse file itself could not be opened for reading by this user)\n")
	}
	runs, err := warehouse.ListRuns(ctx, w.DB, job, failed, limit)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(runs)
	}
	var table [][]string
	for _, r := range runs {
		table = append(table, []string{fmt.Sprint(r.ID), r.Job, r.Step, r.Trigger,
			r.Started.Local().Format("2006-01-02 15:04:05"), r.Ended.Sub(r.Started).Round(1e6).String(), r.Status,
			fmt.Sprint(r.Files), fmt.Sprint(r.RowsLoaded), fmt.Sprint(r.RowsRejected), fmt.Sprint(r.ModelsBuilt),
			fmt.Sprint(r.TestsFailed), truncate(r.Error, 60)})
	}
	printTable(e.stdout, []string{"run", "job", "step", "trigger", "started", "took", "status", "files", "rows", "rejected", "models", "tests failed", "error"}, table)
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
