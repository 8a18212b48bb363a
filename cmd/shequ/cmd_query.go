package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"shequ/queries"
	"shequ/queries/output"
)

func init() {
	register(&command{
		name:    "query",
		summary: "run a saved analyst query with parameters",
		usage: `Usage: shequ query NAME [--param NAME=VALUE]... [--format F] [--out FILE]
       shequ query --list
       shequ query NAME --show

Runs a saved query of queries/ (built into shequ; --queries DIR or
$SHEQU_QUERIES reads another folder) on the read-only snapshot of the
warehouse. Each query's header names its parameters, with their type
(int, text, date YYYY-MM-DD, decimal, bool) and default; values are bound
as parameters, never pasted into the SQL. "null" passes NULL.

Examples:
  shequ query --list
  shequ query uncovered_communities --param year=2014 --param district=青山区
  shequ query staff_pay_below_floor --format xlsx --out below_floor.xlsx
  shequ query project_card --param project_code=LJ2013-004 --show`,
		run: runQuery,
	})
}

// paramFlag collects --param NAME=VALUE.
type paramFlag map[string]string

func (p paramFlag) String() string { return "" }
func (p paramFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("--param takes NAME=VALUE, not %q", s)
	}
	name = strings.TrimSpace(name)
	if _, dup := p[name]; dup {
		return fmt.Errorf("--param %s is given twice", name)
	}
	p[name] = value
	return nil
}

func runQuery(ctx context.Context, e *env, args []string) error {
	var list, show bool
	var dir string
	var o resultFlags
	params := paramFlag{}
	fs, err := e.parse(lookup("query"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.BoolVar(&list, "list", false, "list the saved queries and their parameters")
		fs.BoolVar(&show, "show", false, "print the query's SQL instead of running it")
		fs.Var(params, "param", "a parameter as `NAME=VALUE` (repeatable)")
		fs.StringVar(&dir, "queries", getenv("SHEQU_QUERIES", ""), "read saved queries from this `dir` instead of the built-in ones")
		o.flags(fs)
	})
	if err != nil {
		return err
	}
	pos, err := reparse(fs)
	if err != nil {
		return err
	}
	lib, err := loadQueries(dir)
	if err != nil {
		return err
	}
	if list {
		if len(pos) > 0 {
			return usagef("--list takes no query name")
		}
		printQueryList(e, lib)
		return nil
	}
	switch len(pos) {
	case 0:
		return usagef("name a saved query (shequ query --list shows them)")
	case 1:
	default:
		return usagef("one query at a time; parameters go in --param NAME=VALUE, not %q", pos[1])
	}
	q, err := lib.Get(pos[0])
	if err != nil {
		return usageErr(err)
	}
	if show {
		fmt.Fprintln(e.stdout, q.SQL+";")
		return nil
	}
	format, err := o.resolve()
	if err != nil {
		return err
	}
	if _, err := q.Args(params); err != nil {
		return usageErr(err)
	}
	w, _, err := e.openReader(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	res, err := q.Run(ctx, w.DB, params)
	if err != nil {
		return queries.Explain(err, 1)
	}
	if o.out != "" {
		return writeResults(e, o, format, []output.Sheet{{Name: q.Name, Result: res}})
	}
	return output.Write(e.stdout, format, res, output.Options{BOM: o.bom})
}

func loadQueries(dir string) (*queries.Library, error) {
	if dir != "" {
		return queries.LoadDir(dir)
	}
	return queries.LoadEmbedded()
}

func printQueryList(e *env, lib *queries.Library) {
	var rows [][]string
	for _, q := range lib.List() {
		var ps []string
		for _, p := range q.Params {
			s := p.Name + " " + string(p.Type)
			switch {
			case !p.HasDefault:
				s += " (required)"
			case !strings.EqualFold(p.Default, "null"):
				s += "=" + p.Default
			}
			ps = append(ps, s)
		}
		rows = append(rows, []string{q.Name, strings.Join(ps, ", "), firstSentenceOf(q.Description)})
	}
	printTable(e.stdout, []string{"query", "parameters", "what it answers"}, rows)
	fmt.Fprintln(e.stdout, "Run one: shequ query NAME --param NAME=VALUE; see its SQL and parameters: shequ query NAME --show")
}

func firstSentenceOf(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	if r := []rune(s); len(r) > 100 {
		s = string(r[:99]) + "…"
	}
	return s
}
