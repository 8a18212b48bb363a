package models

import (
	"fmt"
	"regexp"
	"strings"

	"shequ/internal/sqltext"
)

// DataTest is one check declared in a model's header. Column tests come
// from `-- @test column: not_null, unique, accepted_values(a|b),
// range(lo, hi), relationships(schema.model.column)`; table tests from
// `-- @test: unique(a, b)`; custom ones from `-- @assert name: SELECT …`,
// a query returning the rows that break the rule.
type DataTest struct {
	Kind    string   // not_null, unique, accepted_values, range, relationships, assert
	Column  string   // the column of a column test
	Columns []string // the columns of a table test: unique(a, b), not_null(a, b)
	Args    []string // accepted values; range bounds (empty = open); relationship target
	Name    string   // an assertion's name
	SQL     string   // an assertion's query
	Line    int
}

// String names the test as people read it: "not_null(year)",
// "unique(year, project_code)", "assert no_overspend".
func (t DataTest) String() string {
	switch t.Kind {
	case "assert":
		return "assert " + t.Name
	case "accepted_values":
		return fmt.Sprintf("accepted_values(%s: %s)", t.Column, strings.Join(t.Args, "|"))
	case "range":
		return fmt.Sprintf("range(%s: %s, %s)", t.Column, t.Args[0], t.Args[1])
	case "relationships":
		return fmt.Sprintf("relationships(%s → %s)", t.Column, t.Args[0])
	}
	if t.Column != "" {
		return fmt.Sprintf("%s(%s)", t.Kind, t.Column)
	}
	return fmt.Sprintf("%s(%s)", t.Kind, strings.Join(t.Columns, ", "))
}

var (
	testItemRE  = regexp.MustCompile(`^([a-z_]+)\s*(?:\((.*)\))?$`)
	identOnlyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	numberRE    = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	targetRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`)
)

// parseTests reads the tests of one @test annotation.
func parseTests(a sqltext.Annotation) ([]DataTest, []sqltext.LineError) {
	var out []DataTest
	var errs []sqltext.LineError
	bad := func(f string, args ...any) {
		errs = append(errs, sqltext.LineError{Line: a.Line, Msg: fmt.Sprintf(f, args...)})
	}
	col := a.Name
	if col != "" && !identOnlyRE.MatchString(col) {
		bad("@test %q: the name before the colon must be one column", col)
		return nil, errs
	}
	items := sqltext.SplitTop(a.Value, ',')
	if len(items) == 0 {
		bad("@test lists no test: write e.g. `-- @test year: not_null`")
	}
	for _, it := range items {
		m := testItemRE.FindStringSubmatch(strings.TrimSpace(it))
		if m == nil {
			bad("@test: cannot read %q: write name or name(arguments)", it)
			continue
		}
		t := DataTest{Kind: m[1], Column: col, Line: a.Line}
		arg := m[2]
		switch t.Kind {
		case "not_null", "unique":
			if arg != "" {
				for _, c := range sqltext.SplitTop(arg, ',') {
					if !identOnlyRE.MatchString(c) {
						bad("%s(%s): %q is not a column name", t.Kind, arg, c)
					}
					t.Columns = append(t.Columns, c)
				}
				if col != "" {
					bad("%s(%s) lists its columns: write it as `-- @test: %s(%s)`", t.Kind, arg, t.Kind, arg)
				}
			} else if col == "" {
				bad("%s needs a column: `-- @test column: %s` or `-- @test: %s(a, b)`", t.Kind, t.Kind, t.Kind)
			}
		case "accepted_values":
			for _, v := range strings.Split(arg, "|") {
				t.Args = append(t.Args, strings.Trim(strings.TrimSpace(v), `'"`))
			}
			if arg == "" {
				bad("accepted_values needs values: accepted_values(a|b|c)")
			}
		case "range":
			parts := strings.Split(arg, ",")
			if len(parts) != 2 {
				bad("range needs two bounds (either may be empty): range(0, 1)")
				continue
			}
			for _, p := range parts {
				p = strings.TrimSpace(p)
				if p != "" && !numberRE.MatchString(p) {
					bad("range bound %q is not a number", p)
				}
				t.Args = append(t.Args, p)
			}
		case "relationships":
			target := strings.TrimSpace(arg)
			if !targetRE.MatchString(target) {
				bad("relationships needs schema.model.column, e.g. relationships(staging.projects.project_code)")
				continue
			}
			t.Args = []string{target}
		default:
			bad("unknown test %q: use not_null, unique, accepted_values, range, relationships (or @assert for custom SQL)", t.Kind)
			continue
		}
		if col == "" && t.Kind != "not_null" && t.Kind != "unique" {
			bad("%s needs a column: `-- @test column: %s`", t.Kind, it)
			continue
		}
		out = append(out, t)
	}
	return out, errs
}

// Query returns the SQL selecting the rows of model m that fail the test.
// The query has no trailing semicolon, so it can be wrapped.
func (t DataTest) Query(m *Model) string {
	tbl := m.Name
	switch t.Kind {
	case "not_null":
		cols := t.Columns
		if t.Column != "" {
			cols = []string{t.Column}
		}
		conds := make([]string, len(cols))
		for i, c := range cols {
			conds[i] = quoteIdent(c) + " IS NULL"
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s", tbl, strings.Join(conds, " OR "))
	case "unique":
		cols := t.Columns
		if t.Column != "" {
			cols = []string{t.Column}
		}
		q := make([]string, len(cols))
		nn := make([]string, len(cols))
		for i, c := range cols {
			q[i] = quoteIdent(c)
			nn[i] = q[i] + " IS NOT NULL"
		}
		list := strings.Join(q, ", ")
		return fmt.Sprintf("SELECT %s, count(*) AS n FROM %s WHERE %s GROUP BY %s HAVING count(*) > 1",
			list, tbl, strings.Join(nn, " AND "), list)
	case "accepted_values":
		vals := make([]string, len(t.Args))
		for i, v := range t.Args {
			vals[i] = quoteString(v)
		}
		c := quoteIdent(t.Column)
		return fmt.Sprintf("SELECT * FROM %s WHERE %s IS NOT NULL AND CAST(%s AS VARCHAR) NOT IN (%s)",
			tbl, c, c, strings.Join(vals, ", "))
	case "range":
		c := quoteIdent(t.Column)
		var conds []string
		if t.Args[0] != "" {
			conds = append(conds, fmt.Sprintf("%s < %s", c, t.Args[0]))
		}
		if t.Args[1] != "" {
			conds = append(conds, fmt.Sprintf("%s > %s", c, t.Args[1]))
		}
		if len(conds) == 0 {
			conds = []string{"FALSE"}
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s", tbl, strings.Join(conds, " OR "))
	case "relationships":
		target := t.Args[0]
		i := strings.LastIndex(target, ".")
		parent, pcol := target[:i], target[i+1:]
		c := quoteIdent(t.Column)
		return fmt.Sprintf("SELECT * FROM %s AS child WHERE child.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s AS parent WHERE parent.%s = child.%s)",
			tbl, c, parent, quoteIdent(pcol), c)
	case "assert":
		return t.SQL
	}
	return "SELECT 1 WHERE FALSE"
}

func quoteIdent(s string) string {
	if identOnlyRE.MatchString(s) && !reservedWords[strings.ToLower(s)] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// words our columns use that SQL reserves.
var reservedWords = map[string]bool{"row": true, "column": true, "order": true, "group": true, "table": true, "from": true, "select": true, "where": true, "user": true}
