package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shequ/samples/gen"
)

func init() {
	register(&command{
		name:    "gen",
		summary: "generate a realistic city or province of submissions",
		usage: `Usage: shequ gen --out DIR [--communities N] [--years Y1-Y2] [--activities N] [--seed N] [--province-wide]

Writes district submissions into DIR as a bureau receives them: per year
and quarter a folder of each district's files (rosters, projects, staff,
expenditures, service records, evaluations, facility rooms), in xlsx and
CSV with the mess of real files (title rows, two-row headers, GBK CSV,
万元 headers, full-width digits, merged cells, 合计 and notes rows …) and
about 0.5 % bad rows, each certain to be rejected. The same flags and seed
give the same bytes. DIR/.gen.json lists every file with its rows and
planted bad rows.

--province-wide writes the other shape of a province: for each year one
file per kind holding every district's rows (few large files, as a
provincial department exports them; xlsx and CSV, GBK among the
encodings) under DIR/<year>年/全省/.

Examples:
  shequ gen --communities 1000 --years 2013-2015 --activities 300000 --seed 1 --out city
  shequ gen --communities 20000 --years 2006-2015 --activities 5000000 --out province
  shequ gen --communities 20000 --years 2006-2015 --activities 5000000 --province-wide --out province-wide
  shequ run --inbox city --warehouse city.duckdb`,
		run: runGen,
	})
}

// parseYears reads "2013-2015" or "2013".
func parseYears(s string) (int, int, error) {
	a, b, found := strings.Cut(s, "-")
	y1, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, usagef("--years %q: want Y1-Y2, such as 2013-2015", s)
	}
	y2 := y1
	if found {
		if y2, err = strconv.Atoi(strings.TrimSpace(b)); err != nil {
			return 0, 0, usagef("--years %q: want Y1-Y2, such as 2013-2015", s)
		}
	}
	return y1, y2, nil
}

func runGen(ctx context.Context, e *env, args []string) error {
	var cfg gen.Config
	var years string
	var seed uint64
	fs, err := e.parse(lookup("gen"), args, 0, func(fs *flag.FlagSet) {
		fs.IntVar(&cfg.Communities, "communities", 1000, "communities and villages in `N`")
		fs.StringVar(&years, "years", "2013-2015", "the `Y1-Y2` years of submissions")
		fs.IntVar(&cfg.Activities, "activities", 300000, "valid service activity rows in `N`")
		fs.Uint64Var(&seed, "seed", 1, "random `seed`: the same seed gives the same files")
		fs.StringVar(&cfg.Out, "out", "", "write the inbox into `DIR`")
		fs.Float64Var(&cfg.BadShare, "bad", gen.DefaultBadShare, "`share` of rows planted bad (0 for none)")
		fs.StringVar(&cfg.Format, "format", "", "write every file as `xlsx` or csv (default: each district's habit)")
		fs.BoolVar(&cfg.YearlyActivities, "yearly", false, "one service-record file per district and year instead of one a quarter")
		fs.BoolVar(&cfg.ProvinceWide, "province-wide", false, "one file per kind and year for the whole province instead of each district's")
		fs.IntVar(&cfg.Workers, "workers", 0, "files written at once (0: one per CPU)")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if cfg.Out == "" {
		return usagef("--out DIR is required")
	}
	if cfg.FromYear, cfg.ToYear, err = parseYears(years); err != nil {
		return err
	}
	if cfg.BadShare == 0 {
		cfg.BadShare = -1
	}
	cfg.Seed = seed
	p := e.progress()
	start := time.Now()
	cfg.Progress = func(done, total int) {
		p.show(done == total, "gen  file %d/%d  %s", done, total, time.Since(start).Round(time.Second))
	}
	m, err := gen.Generate(cfg)
	p.done()
	if err != nil {
		return err
	}
	formats := map[string]int{}
	for _, f := range m.Files {
		formats[f.Format]++
	}
	fmt.Fprintf(e.stdout, "✓ gen: %d files (%d xlsx, %d csv, %.1f MB) for %d districts, %d communities, %d project-years; %d rows (%d planted bad, %d with a warning) in %s → %s\n",
		len(m.Files), formats["xlsx"], formats["csv"], float64(m.Bytes)/1e6, m.Districts, m.Communities, m.ProjectYears,
		m.Rows, m.Bad, m.Warned, time.Since(start).Round(time.Millisecond), cfg.Out)
	return nil
}
