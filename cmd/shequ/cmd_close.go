package main

import (
	"context"
	"flag"
	"fmt"

	"shequ/internal/atomic"
	"shequ/official"
	"shequ/pipeline"
)

func init() {
	register(&command{
		name:    "close",
		summary: "close a year: freeze its figures, inputs, policy and reports, signed (关账)",
		usage: `Usage: shequ close --year Y --by NAME --note "…" [--out DIR]

Builds the models with the policy in force, runs the data tests (a year is
closed only when they pass), writes the year's official reports with the
sign-off (who, when, version 1) and then, in one transaction, keeps as
version 1 of the year: the submissions that counted (ids and SHA-256), the
policy in force, every mart row of the year, the report files byte for
byte, and their fingerprints. A process killed at any moment leaves the
year open or closed, never half.

From then on the reports and exports of the year are those of its
official version, whatever arrives later: new or corrected submissions are
ingested and kept, marts.* show the working figures, official.* and the
reports the official ones. To change them, restate the year (shequ restate).
The versions are in schema closed (closed.versions, closed.<mart> with a
version column, closed.inputs, closed.files); shequ closed lists them.

Example:
  shequ close --year 2014 --by 王芳 --note "2014年度数据经局务会审定"`,
		run: func(ctx context.Context, e *env, args []string) error { return runClose(ctx, e, args, false) },
	})
	register(&command{
		name:    "restate",
		summary: "restate a closed year: the next version, with its delta report (更正)",
		usage: `Usage: shequ restate --year Y --by NAME --reason "…" [--out DIR]
       shequ restate --year Y --reason "…" --dry-run [--out DIR]

Builds and tests as shequ close does, compares the working figures of the
closed year with its official version, and writes the delta report
(更正差异表_Y_vN-vN+1.xlsx and .html, in Chinese): every mart row that
changed with its old and new values and the submissions behind it, and the
yuan that move per district in the city reward allocation. Then it keeps
the next version as a close does, with its reports signed as that version
and the delta. The versions before stay as they were, byte for byte.

--dry-run writes the delta as a preview (更正预览_…) and commits nothing.

Examples:
  shequ restate --year 2014 --reason "第四季度补报" --dry-run
  shequ restate --year 2014 --by 王芳 --reason "第四季度补报与评估更正"`,
		run: func(ctx context.Context, e *env, args []string) error { return runClose(ctx, e, args, true) },
	})
	register(&command{
		name:    "closed",
		summary: "the closed years and their versions; a version's files, verified",
		usage: `Usage: shequ closed [--year Y]
       shequ closed --year Y --version N --out DIR

Lists every version of every closed year (who signed it, when, why, its
inputs, rows and fingerprint). With --version and --out, checks the
version's fingerprints against what the warehouse keeps of it and writes
its report files into DIR byte for byte: any version, also one a
restatement has replaced, is there as it was signed.

Examples:
  shequ closed
  shequ closed --year 2014 --version 1 --out v1`,
		run: runClosed,
	})
}

func runClose(ctx context.Context, e *env, args []string, restate bool) error {
	name := "close"
	if restate {
		name = "restate"
	}
	var o pipeline.CloseOptions
	o.Restate = restate
	fs, err := e.parse(lookup(name), args, flagWarehouse|flagOut, func(fs *flag.FlagSet) {
		fs.IntVar(&o.Year, "year", 0, "the `year`")
		fs.StringVar(&o.By, "by", "", "who signs (签发人)")
		if restate {
			fs.StringVar(&o.Note, "reason", "", "why the year is restated (更正原因)")
			fs.BoolVar(&o.DryRun, "dry-run", false, "write the delta as a preview; commit nothing")
		} else {
			fs.StringVar(&o.Note, "note", "", "what is closed, for the record (关账说明)")
		}
		modelsFlag(fs, e)
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case o.Year == 0:
		return usagef("--year is required")
	case o.Year < 2000 || o.Year > 2100:
		return usageBoth(fmt.Sprintf("年份 %d 不在 2000 至 2100 之间（--year）", o.Year), fmt.Sprintf("--year %d is not a year between 2000 and 2100", o.Year))
	case o.By == "" && !o.DryRun:
		return usageErr(official.ErrNoBy)
	case o.Note == "" && restate:
		return usageErr(official.ErrNoReason)
	case o.Note == "":
		return usageErr(pipeline.ErrNoNote)
	}
	p := e.pipe()
	w, err := p.OpenExisting(ctx, "shequ "+name)
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = p.Close(ctx, w, o)
	return err
}

func runClosed(ctx context.Context, e *env, args []string) error {
	var year, version int
	var out string
	fs, err := e.parse(lookup("closed"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.IntVar(&year, "year", 0, "only this `year`")
		fs.IntVar(&version, "version", 0, "with --out: write this `version`'s files")
		fs.StringVar(&out, "out", "", "write the version's report files into this `dir`")
		modelsFlag(fs, e)
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if (version != 0) != (out != "") || version != 0 && year == 0 {
		return usagef("--version and --out go together, with --year")
	}
	w, err := openReading(ctx, e)
	if err != nil {
		return err
	}
	defer w.Close()
	if version != 0 {
		pr, err := e.pipe().Project()
		if err != nil {
			return err
		}
		v, err := official.Verify(ctx, w.DB, pr, year, version)
		if err != nil {
			return err
		}
		files, err := official.Files(ctx, w.DB, year, version)
		if err != nil {
			return err
		}
		lock, err := atomic.LockDir(out, nil)
		if err != nil {
			return err
		}
		_, err = official.WriteFiles(out, files)
		lock.Unlock()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "✓ %d version %d (%s) verified: %d mart rows, fingerprint %s; %d files in %s\n",
			year, version, v.SignOff(), v.MartRows, v.Fingerprint[:12], len(files), out)
		for _, f := range files {
			fmt.Fprintf(e.stdout, "  %s  %s\n", f.SHA256()[:16], f.Path)
		}
		return nil
	}
	vs, err := official.Versions(ctx, w.DB, year)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		fmt.Fprintln(e.stdout, "no year is closed (shequ close --year Y --by NAME --note \"…\")")
		return nil
	}
	var rows [][]string
	for _, v := range vs {
		rows = append(rows, []string{fmt.Sprint(v.Year), fmt.Sprint(v.Version), v.Kind, v.By, v.At.In(official.Zone).Format("2006-01-02 15:04"),
			truncate(v.Note, 40), fmt.Sprint(v.Inputs), fmt.Sprint(v.MartRows), fmt.Sprint(v.PolicyVersion), v.Fingerprint[:12]})
	}
	printTable(e.stdout, []string{"year", "version", "kind", "signed by", "at", "note", "inputs", "rows", "policy", "fingerprint"}, rows)
	fmt.Fprintln(e.stdout, "The official figures of a year are its highest version: official.<mart>; every version: closed.<mart> (shequ sql).")
	return nil
}
