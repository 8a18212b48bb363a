package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"shequ/official"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "settings",
		summary: "the city's profile: name, code, districts, bureau, the policy documents' 文号 (show, set, history)",
		usage: `Usage: shequ settings show
       shequ settings set KEY VALUE --by NAME --reason "…"
       shequ settings history [KEY]

The city's profile is kept in the warehouse, every change with who made
it, when and why; every report and every scheduled job uses the values in
force. The keys:

  city.name            the city's name, on every report (江州市)
  city.code            its 6-digit administrative code (行政区划代码)
  city.bureau          the bureau that issues the reports (江州市民政局;
                       default: the city's name + 民政局)
  district.<区名>       a district's 6-digit code; VALUE "" removes it
  doc.<NNN>.number     the 文号 of policy document NNN (000, 001, 003, 004:
  doc.<NNN>.title      as the policy files cite them) and its title,
                       without 《》. Reports cite the documents by title
                       and 文号; a document whose 文号 is not set is cited
                       with 文号未设置.

A new warehouse starts from the policy documents' own titles and 文号 (the
文号 of 004 is not in its text: the city sets it). VALUE "" sets a key
back to its default.

Examples:
  shequ settings set city.name 江州市 --by 王芳 --reason "启用系统"
  shequ settings set doc.004.number "东府办〔2011〕65号" --by 王芳 --reason "补充文号"
  shequ settings history city.name`,
		run: runSettings,
	})
}

func runSettings(ctx context.Context, e *env, args []string) error {
	var by, reason string
	sub, pos, err := e.parseSub(lookup("settings"), args, []string{"show", "set", "history"}, func(sub string, f *flag.FlagSet) {
		if sub == "set" {
			f.StringVar(&by, "by", "", "who makes the change (修改人)")
			f.StringVar(&reason, "reason", "", "why (修改原因)")
		}
	})
	if err != nil {
		return err
	}
	switch sub {
	case "show":
		if len(pos) > 0 {
			return usagef("show takes no argument")
		}
		w, err := openReading(ctx, e)
		if err != nil {
			return err
		}
		defer w.Close()
		ss, err := official.Settings(ctx, w.DB)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, s := range ss {
			v, who := s.Value, ""
			if v == "" {
				v = "（未设置）"
			}
			if s.Default {
				who = "默认"
			} else {
				who = fmt.Sprintf("%s · %s · %s", s.By, s.At.In(official.Zone).Format("2006-01-02 15:04"), s.Reason)
			}
			rows = append(rows, []string{s.Key, s.Label, v, who})
		}
		printTable(e.stdout, []string{"key", "含义", "value", "set by · at · reason"}, rows)
		return nil
	case "history":
		if len(pos) > 1 {
			return usagef("history takes at most one KEY")
		}
		key := ""
		if len(pos) == 1 {
			key = pos[0]
		}
		w, err := openReading(ctx, e)
		if err != nil {
			return err
		}
		defer w.Close()
		cs, err := official.History(ctx, w.DB, key)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, c := range cs {
			v := c.Value.String
			if !c.Value.Valid {
				v = "（恢复默认 / 删除）"
			}
			rows = append(rows, []string{fmt.Sprint(c.ID), c.At.In(official.Zone).Format("2006-01-02 15:04:05"), c.Key, v, c.By, c.Reason})
		}
		printTable(e.stdout, []string{"change", "at", "key", "value", "by", "reason"}, rows)
		if len(cs) == 0 {
			fmt.Fprintln(e.stdout, "no change yet: every value is its default (shequ settings show)")
		}
		return nil
	case "set":
		if len(pos) != 2 {
			return usagef("set takes KEY VALUE (VALUE \"\" sets the default back)")
		}
		if strings.TrimSpace(by) == "" {
			return usageErr(official.ErrNoBy)
		}
		if strings.TrimSpace(reason) == "" {
			return usageErr(official.ErrNoReason)
		}
		if err := official.CheckSetting(pos[0], pos[1]); err != nil {
			return usageErr(err)
		}
		p := e.pipe()
		w, err := p.OpenExisting(ctx, "shequ settings set")
		if err != nil {
			return err
		}
		defer w.Close()
		ch, err := official.Set(ctx, w.DB, pos[0], pos[1], by, reason)
		if err != nil {
			return err
		}
		v := pos[1]
		if v == "" {
			v = "（默认）"
		}
		fmt.Fprintf(e.stdout, "✓ settings: %s = %s (change %d by %s); the next report uses it\n", ch.Key, v, ch.ID, ch.By)
		return nil
	}
	return usagef("unknown action %q: show, set or history", sub)
}

// openReading opens the warehouse to read: the live file when no writer
// holds it, else the published snapshot.
func openReading(ctx context.Context, e *env) (*warehouse.Warehouse, error) {
	w, src, err := warehouse.OpenLatest(ctx, e.cfg.Warehouse)
	if err != nil {
		return nil, err
	}
	if src.Snapshot {
		fmt.Fprintf(e.stderr, "note: a job is writing the warehouse; this is its last published snapshot\n")
	}
	return w, nil
}
