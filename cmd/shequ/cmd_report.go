package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"shequ/pipeline"
)

func init() {
	register(&command{
		name:    "report",
		summary: "write the Excel, HTML, CSV and Parquet reports",
		usage: `Usage: shequ report [--year Y] [--district D] [--out DIR] [--policy FILE]...

Writes the reports of one year (the latest year with data unless --year)
into --out:

  DIR/Y/社区服务年度报告_Y.xlsx    the planners' workbook, findings first:
                                 coverage by district against the urban and
                                 rural targets with last year beside it, the
                                 uncovered communities by name, stars, fund
                                 use, city rewards, site subsidies, staffing
                                 and the providers to watch, with charts;
                                 then the appendices: the policy parameters
                                 and their sources, the files included (by
                                 district) and data-quality notes
  DIR/Y/社区服务年度报告_Y.html    the same figures as one self-contained page
  DIR/Y/市级奖励资金分配表_Y.xlsx  the yearly city reward allocation, an A4
                                 form to attach to a notice, with its
                                 calculation (计算过程) as Excel formulas
  DIR/Y/市级奖励资金分配表_Y.html  the same form, printable
  DIR/Y/社区服务项目明细_Y.xlsx    every project's staffing, costs, scores,
                                 service mix, rooms, subsidies and payments
  DIR/exports/                   every mart as CSV (UTF-8 with BOM) and
                                 Parquet, partitioned by year, with
                                 manifest.json (rows, SHA-256, warehouse state)

A year's folder is written beside it and put in its place as a whole:
whoever opens it sees one build's reports, never two mixed, and a report
killed midway leaves the earlier ones. Without --year a run (shequ run)
reports every year that received data since its last report.

Every report is stamped with the warehouse state it came from: the build's
run, the policy version and the input files' hashes. No report holds
personal data. The city's name, the issuing bureau and the policy
documents' 文号 and titles are the warehouse's settings (shequ settings).

A closed year (shequ close) is reported as its official version: its
report files as they were signed, byte for byte, whatever arrived since;
the exports show every closed year's official figures (official.*).

--district writes the workbook and page for one district (the allocation
stays city-wide; not for a closed year). --policy computes the reports
under an alternative policy file (shaped like a policy table, as for
shequ policy set) on top of the policy in force, in a temporary copy of
the warehouse, without touching it or the policy, into
DIR/Y/试算-<file name>/, labelled 试算 throughout; no exports are written
for a trial.

The reports are defined in reports/definitions/*.yaml with their queries
in reports/sql/; --reports DIR reads a folder laid out the same way.

Examples:
  shequ report
  shequ report --year 2013 --district 临江区
  shequ report --policy reward_budget_2014.csv      # year,budget / 2014,1000000`,
		run: runReport,
	})
}

func runReport(ctx context.Context, e *env, args []string) (err error) {
	var o pipeline.ReportOptions
	fs, err := e.parse(lookup("report"), args, flagWarehouse|flagOut, func(fs *flag.FlagSet) {
		fs.IntVar(&o.Year, "year", 0, "the `year` to report (default: the latest year with data)")
		fs.StringVar(&o.District, "district", "", "report on this `district` only")
		fs.Var((*multiFlag)(&o.Policy), "policy", "a trial under this alternative policy `file` (repeatable)")
		fs.StringVar(&e.cfg.Reports, "reports", "", "read report definitions from this `dir` (laid out like reports/; $SHEQU_REPORTS)")
		fs.StringVar(&e.cfg.Models, "models", "", "for --policy: build from the models in this `dir` ($SHEQU_MODELS)")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if o.Year != 0 && (o.Year < 2000 || o.Year > 2100) {
		return usageBoth(fmt.Sprintf("年份 %d 不在 2000 至 2100 之间（--year）", o.Year), fmt.Sprintf("--year %d is not a year between 2000 and 2100", o.Year))
	}
	for _, p := range o.Policy {
		if _, err := os.Stat(p); err != nil {
			return usagef("--policy %s: %v", p, err)
		}
	}
	p := e.pipe()
	w, _, err := p.OpenForReport(ctx, "shequ report")
	if err != nil {
		return err
	}
	defer closeWriter(w, &err)
	_, err = p.Report(ctx, w, o)
	return err
}
