package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"shequ/official"
)

func init() {
	register(&command{
		name:    "policy",
		summary: "the policy in force: show it, change it (with who and why), its history",
		usage: `Usage: shequ policy show [TABLE]
       shequ policy set FILE --by NAME --reason "…"
       shequ policy history

Every threshold, rate, standard and budget the models use is a row of a
policy table (models/policy/*.csv, with the clause of the policy document
it comes from). The warehouse keeps every change made to them: set takes a
CSV file shaped like one policy table — named after it (reward_budget.csv,
parameters_2015.csv) or recognised by its header — whose rows replace the
rows with the same key (or add rows, where the table allows), and keeps it
as the next policy version with who made it, when and why. Every build,
manual or scheduled, uses the policy in force; the reports say its version
(政策版本). A closed year keeps the figures it was closed with: restate it to
apply a new policy to it.

To try a policy without changing anything, write a trial (试算) report:
shequ report --policy FILE.

  show       the tables and the policy version; with TABLE, its rows
  set        check FILE against the policy in force and keep it
  history    every change, oldest first, with its content

Examples:
  shequ policy show reward_budget
  shequ policy set reward_budget.csv --by 王芳 --reason "2014年市级奖励预算经局务会确定"   # year,budget / 2014,1000000
  shequ policy history`,
		run: runPolicy,
	})
}

func runPolicy(ctx context.Context, e *env, args []string) error {
	var by, reason string
	sub, pos, err := e.parseSub(lookup("policy"), args, []string{"show", "set", "history"}, func(sub string, f *flag.FlagSet) {
		if sub == "set" {
			f.StringVar(&by, "by", "", "who makes the change (修改人)")
			f.StringVar(&reason, "reason", "", "why (修改原因)")
		}
		modelsFlag(f, e)
	})
	if err != nil {
		return err
	}
	p := e.pipe()
	pr, err := p.Project()
	if err != nil {
		return err
	}
	switch sub {
	case "show":
		if len(pos) > 1 {
			return usagef("show takes at most one TABLE")
		}
		w, err := openReading(ctx, e)
		if err != nil {
			return err
		}
		defer w.Close()
		pol, cs, err := official.CurrentPolicy(ctx, w.DB, pr)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "policy version %d (政策版本 %d)", official.PolicyVersion(cs), official.PolicyVersion(cs))
		if len(cs) == 0 {
			fmt.Fprint(e.stdout, ": the defaults of the policy documents")
		} else {
			last := cs[len(cs)-1]
			fmt.Fprintf(e.stdout, ": the defaults and %d change(s), the last by %s on %s", len(cs), last.By, last.At.In(official.Zone).Format("2006-01-02"))
		}
		fmt.Fprintln(e.stdout)
		if len(pos) == 0 {
			changed := map[string]int{}
			for _, c := range cs {
				changed[c.Table]++
			}
			var rows [][]string
			for _, t := range pol.Tables {
				rows = append(rows, []string{t.Spec.Name, fmt.Sprint(len(t.Rows)), fmt.Sprint(changed[t.Spec.Name]), t.Spec.Description})
			}
			printTable(e.stdout, []string{"table", "rows", "changes", "description"}, rows)
			fmt.Fprintln(e.stdout, "shequ policy show TABLE lists a table's rows.")
			return nil
		}
		t := pol.Table(pos[0])
		if t == nil {
			var names []string
			for _, t := range pol.Tables {
				names = append(names, t.Spec.Name)
			}
			sort.Strings(names)
			return usagef("no policy table %q: the tables are %s", pos[0], strings.Join(names, ", "))
		}
		var cols []string
		for _, c := range t.Spec.Columns {
			cols = append(cols, c.Name)
		}
		var rows [][]string
		for _, r := range t.Rows {
			row := make([]string, len(cols))
			for i, c := range cols {
				row[i] = r.Values[c]
			}
			rows = append(rows, row)
		}
		printTable(e.stdout, cols, rows)
		if len(rows) == 0 {
			fmt.Fprintf(e.stdout, "policy.%s has no rows\n", t.Spec.Name)
		}
		return nil
	case "history":
		if len(pos) > 0 {
			return usagef("history takes no argument")
		}
		w, err := openReading(ctx, e)
		if err != nil {
			return err
		}
		defer w.Close()
		cs, err := official.PolicyChanges(ctx, w.DB)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "version 0: the defaults of the policy documents (models/policy), built in")
		for _, c := range cs {
			fmt.Fprintf(e.stdout, "version %d: %s by %s — %s\n  %s changes policy.%s (%d rows, SHA-256 %s):\n",
				c.Version, c.At.In(official.Zone).Format("2006-01-02 15:04:05"), c.By, c.Reason, c.File, c.Table, c.Rows, c.SHA256[:12])
			for _, l := range strings.Split(strings.TrimRight(c.Content, "\n"), "\n") {
				fmt.Fprintln(e.stdout, "    "+l)
			}
		}
		return nil
	case "set":
		if len(pos) != 1 {
			return usagef("set takes one FILE")
		}
		if strings.TrimSpace(by) == "" {
			return usageErr(official.ErrNoBy)
		}
		if strings.TrimSpace(reason) == "" {
			return usageErr(official.ErrNoReason)
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return usageErr(err)
		}
		w, err := p.OpenExisting(ctx, "shequ policy set")
		if err != nil {
			return err
		}
		defer w.Close()
		ch, err := official.SetPolicy(ctx, w.DB, pr, pos[0], data, by, reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "✓ policy version %d: %s changes policy.%s (%d rows), by %s; every build uses it from now on: run shequ build, or wait for the nightly job\n",
			ch.Version, ch.File, ch.Table, ch.Rows, ch.By)
		closed, err := official.ClosedYears(ctx, w.DB)
		if err == nil && len(closed) > 0 {
			var ys []string
			for y := range closed {
				ys = append(ys, fmt.Sprint(y))
			}
			sort.Strings(ys)
			fmt.Fprintf(e.stdout, "  closed years keep the figures they were closed with (%s): restate one to apply the new policy to it\n", strings.Join(ys, ", "))
		}
		return nil
	}
	return usagef("unknown action %q: show, set or history", sub)
}
