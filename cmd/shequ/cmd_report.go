package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shequ/internal/files"
	"shequ/models"
	"shequ/reports"
	"shequ/reports/bundle"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "report",
		summary: "write the Excel, HTML, CSV and Parquet reports",
		usage: `Usage: shequ report [--year Y] [--district D] [--out DIR] [--policy FILE]... [--city NAME]

Writes the reports of one year (the latest year with data unless --year)
into --out:

  DIR/Y/社区服务年度报告_Y.xlsx    the planners' workbook: a cover (city, year,
                                 data as of, files included, data-quality
                                 warnings), then coverage, staffing, project
                                 costs and fund use, evaluations, service mix,
                                 city rewards, facilities, site subsidies and
                                 payments, with charts; cells that break a
                                 policy floor in red
  DIR/Y/社区服务年度报告_Y.html    the same figures as one self-contained page
  DIR/Y/市级奖励资金分配表_Y.xlsx  the yearly city reward allocation, an A4
                                 form to attach to a notice, with its
                                 calculation (计算过程) as Excel formulas
  DIR/Y/市级奖励资金分配表_Y.html  the same form, printable
  DIR/exports/                   every mart as CSV (UTF-8 with BOM) and
                                 Parquet, partitioned by year, with
                                 manifest.json (rows, SHA-256, warehouse state)

Every report is stamped with the warehouse state it came from: the build's
run, the policy version and the input files' hashes. No report holds
personal data.

--district writes the workbook and page for one district (the allocation
stays city-wide). --policy computes the reports under an alternative
policy file (as for shequ build --policy) in a temporary copy of the
warehouse, without touching it or the defaults, into DIR/Y/试算-<file name>/,
labelled 试算 throughout; no exports are written for a trial.

The reports are defined in reports/definitions/*.yaml with their queries
in reports/sql/; --reports DIR reads a folder laid out the same way.

Examples:
  shequ report
  shequ report --year 2013 --district 临江区
  shequ report --policy reward_budget_2014.csv      # year,budget / 2014,1000000`,
		run: runReport,
	})
}

// demoCity is the sample city the demo runs on.
const demoCity = "江州市"

type reportOptions struct {
	year       int
	district   string
	city       string
	policy     []string
	reportsDir string
	modelsDir  string
}

func (o *reportOptions) flags(fs *flag.FlagSet) {
	fs.IntVar(&o.year, "year", 0, "the `year` to report (default: the latest year with data)")
	fs.StringVar(&o.district, "district", "", "report on this `district` only")
	fs.StringVar(&o.city, "city", getenv("SHEQU_CITY", ""), "the city's `name` in titles ($SHEQU_CITY)")
	fs.Var((*multiFlag)(&o.policy), "policy", "a trial under this alternative policy `file` (repeatable)")
	fs.StringVar(&o.reportsDir, "reports", getenv("SHEQU_REPORTS", ""), "read report definitions from this `dir` (laid out like reports/)")
	fs.StringVar(&o.modelsDir, "models", getenv("SHEQU_MODELS", ""), "for --policy: build from the models in this `dir`")
}

func runReport(ctx context.Context, e *env, args []string) error {
	var o reportOptions
	fs, err := e.parse(lookup("report"), args, flagWarehouse|flagOut, o.flags)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if o.year != 0 && (o.year < 2000 || o.year > 2100) {
		return usagef("--year %d is not a year between 2000 and 2100", o.year)
	}
	for _, p := range o.policy {
		if _, err := os.Stat(p); err != nil {
			return usagef("--policy %s: %v", p, err)
		}
	}
	w, err := e.openWarehouse(ctx, "shequ report")
	if err != nil {
		return err
	}
	defer w.Close()
	return e.writeReports(ctx, w, 0, o)
}

// report is the report stage of run and of scheduled jobs: every report of
// the latest year, and the exports.
func (e *env) report(ctx context.Context, w *warehouse.Warehouse, parent int64) error {
	return e.writeReports(ctx, w, parent, reportOptions{city: getenv("SHEQU_CITY", ""), reportsDir: getenv("SHEQU_REPORTS", "")})
}

// writeReports writes the reports and records the run.
func (e *env) writeReports(ctx context.Context, w *warehouse.Warehouse, parent int64, o reportOptions) error {
	start := time.Now()
	run := &warehouse.Run{Job: "report", Parent: parent, Trigger: e.triggerName()}
	if parent != 0 {
		run.Job, run.Step = "run", "report"
	}
	if err := w.StartRun(ctx, run); err != nil {
		return err
	}
	if o.city == "" && e.trigger == "demo" {
		o.city = demoCity
	}
	set, err := o.definitions()
	if err != nil {
		return e.failRun(ctx, w, run, err)
	}
	opt := bundle.Options{Out: e.out, Year: o.year, District: o.district, City: o.city, Reports: set}
	var res *bundle.Result
	if len(o.policy) > 0 {
		res, err = e.trial(ctx, w, o, opt, run.ID)
	} else {
		res, err = bundle.Write(ctx, w.DB, opt)
	}
	if errors.Is(err, bundle.ErrNoData) && parent != 0 {
		// The nightly run of a warehouse that has received nothing yet.
		run.Status, run.Error = warehouse.RunSkipped, err.Error()
		if err := w.FinishRun(ctx, run); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "- report: skipped (%v)\n", err)
		return nil
	}
	if err != nil {
		return e.failRun(ctx, w, run, err)
	}
	run.Files = len(res.Files)
	run.Status = warehouse.RunOK
	if err := w.FinishRun(ctx, run); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "✓ report: %s in %s\n", describe(e.out, res), time.Since(start).Round(time.Millisecond))
	return nil
}

func (o reportOptions) definitions() (*reports.Set, error) {
	if o.reportsDir != "" {
		return reports.LoadDir(o.reportsDir)
	}
	return reports.LoadEmbedded()
}

// describe says what was written, for the one-line summary.
func describe(out string, res *bundle.Result) string {
	var human []string
	dir := ""
	for _, f := range res.Files {
		if strings.HasPrefix(f, bundle.ExportsDir+"/") {
			continue
		}
		dir = filepath.Dir(f)
		human = append(human, filepath.Base(f))
	}
	s := fmt.Sprintf("%d in %s (%s)", res.Year, filepath.Join(out, dir), strings.Join(human, ", "))
	if res.Manifest != nil {
		marts := map[string]bool{}
		for _, f := range res.Manifest.Files {
			marts[f.Mart] = true
		}
		files := fmt.Sprintf("%d files", len(res.Manifest.Files))
		if k := len(res.Manifest.Kept); k > 0 {
			files += fmt.Sprintf(", %d unchanged", k)
		}
		s += fmt.Sprintf("; %d marts as CSV and Parquet (%s) in %s", len(marts), files, filepath.Join(out, bundle.ExportsDir))
	}
	return s + fmt.Sprintf("; run %d, policy %s", res.Stamp.RunID, res.Stamp.PolicyDigest)
}

// trial writes the reports under an alternative policy: the warehouse is
// copied to a temporary folder, the copy is built with the policy files
// (its model runs recorded under the report's run id) and reported on,
// then removed. The warehouse itself is not changed.
func (e *env) trial(ctx context.Context, w *warehouse.Warehouse, o reportOptions, opt bundle.Options, runID int64) (*bundle.Result, error) {
	if err := w.Checkpoint(ctx); err != nil {
		return nil, fmt.Errorf("checkpoint the warehouse before copying it: %w", err)
	}
	tmp, err := os.MkdirTemp("", "shequ-trial-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	copyPath := filepath.Join(tmp, "trial.duckdb")
	if err := files.Copy(w.Path, copyPath); err != nil {
		return nil, fmt.Errorf("copy the warehouse for the trial: %w", err)
	}
	alt, err := warehouse.Open(ctx, copyPath, warehouse.Options{Command: "shequ report --policy"})
	if err != nil {
		return nil, err
	}
	defer alt.Close()
	p, err := buildOptions{modelsDir: o.modelsDir}.project()
	if err != nil {
		return nil, err
	}
	res, err := p.Build(ctx, alt.DB, models.BuildOptions{PolicyFiles: o.policy, RunID: runID})
	if err != nil {
		return nil, fmt.Errorf("build under the alternative policy: %w", err)
	}
	e.log.Info("trial built", "summary", res.Summary())
	var names, stems []string
	for _, f := range o.policy {
		names = append(names, filepath.Base(f))
		stems = append(stems, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
	}
	opt.Trial = "备选政策：" + strings.Join(names, "、")
	opt.TrialName = strings.Join(stems, "+")
	return bundle.Write(ctx, alt.DB, opt)
}
