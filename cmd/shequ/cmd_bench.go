package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"shequ/samples/gen/bench"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "measure ingest, build and the nightly run on a generated city or province",
		usage: `Usage: shequ bench [--size city|province|city-wide|province-wide|province-wide-clean|smoke] [--data DIR] [--work DIR] [--rounds N] [--sheet1m] [--runs-only]

Generates (or reuses, under --data) a city or a province of submissions and
measures, each against a floor taken in the same run on the same files:
CSV ingest against DuckDB's read_csv, xlsx ingest against a bare excelize
row loop and against inflating the sheet XML, the build of every model
against the same SQL run directly; then the whole nightly run (this binary,
as a child: wall time and peak RSS) in full, again after one district's
new quarterly file and once more with nothing new; the full run against
DuckDB alone on its clean rows (read_csv into the raw tables and the same
models' SQL). Prints a Markdown table of the figures and targets
(BENCHMARKS.md keeps them). --runs-only measures the nightly runs alone.

The province (20 000 communities, 10 years, 5 million activities) takes a
long while: run it in the background. city-wide and province-wide are the
same data as few large province-wide yearly files (shequ gen
--province-wide); province-wide-clean is that without a bad row (--bad 0).

Examples:
  shequ bench --size city
  nohup shequ bench --size province --data /var/tmp/shequ-bench > province.md &
  nohup shequ bench --size province-wide --runs-only --rounds 1 > province-wide.md &`,
		run: runBench,
	})
}

func runBench(ctx context.Context, e *env, args []string) error {
	var size, data, work string
	var rounds int
	var sheet1m, runsOnly bool
	fs, err := e.parse(lookup("bench"), args, 0, func(fs *flag.FlagSet) {
		fs.StringVar(&size, "size", "city", "`size`: smoke, city, province, city-wide, province-wide or province-wide-clean")
		fs.StringVar(&data, "data", filepath.Join(os.TempDir(), "shequ-bench-data"), "keep the generated inboxes in `DIR`")
		fs.StringVar(&work, "work", filepath.Join(os.TempDir(), "shequ-bench-work"), "scratch `DIR` for staged inboxes and warehouses")
		fs.IntVar(&rounds, "rounds", 3, "time each side of a ratio `N` times and keep the fastest")
		fs.BoolVar(&sheet1m, "sheet1m", false, "also measure the peak RSS of ingesting a 1-million-row sheet")
		fs.BoolVar(&runsOnly, "runs-only", false, "measure only the nightly runs (full, one new file, nothing new), DuckDB alone on their clean rows and the incremental builds against a full rebuild")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	s, err := bench.SizeByName(size)
	if err != nil {
		return usagef("%v", err)
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	o := bench.Options{Size: s, Data: data, Work: work, Bin: bin, Rounds: rounds, Sheet1M: sheet1m, RunsOnly: runsOnly}
	if !e.quiet {
		o.Log = e.stderr
	}
	r, err := bench.Run(ctx, o)
	if r != nil && r.Manifest != nil {
		r.Markdown(e.stdout)
	}
	if err != nil {
		return fmt.Errorf("bench %s: %w", size, err)
	}
	return nil
}
