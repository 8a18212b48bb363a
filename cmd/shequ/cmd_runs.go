package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

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
	db, closeDB, err := e.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	runs, err := warehouse.ListRuns(ctx, db, job, failed, limit)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(runs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tJOB\tSTEP\tTRIGGER\tSTARTED\tTOOK\tSTATUS\tFILES\tROWS\tREJECTED\tMODELS\tTESTS FAILED\tERROR")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Job, r.Step, r.Trigger,
			r.Started.Local().Format("2006-01-02 15:04:05"), r.Ended.Sub(r.Started).Round(1e6), r.Status,
			r.Files, r.RowsLoaded, r.RowsRejected, r.ModelsBuilt, r.TestsFailed, truncate(r.Error, 60))
	}
	return tw.Flush()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
