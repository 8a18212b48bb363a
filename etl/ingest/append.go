package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"shequ/etl"
	"shequ/etl/clean"
	"shequ/etl/dict"
	"shequ/etl/validate"
	"shequ/warehouse"
)

// append writes a loaded row's records to raw.<kind>, in the column order
// of the raw table: lineage, then the kind's columns.
func (l *loader) append(ctx context.Context, k *dict.Kind, col map[string]int, sheetName string, o *validate.Outcome, warnings string) error {
	a, err := l.appender(ctx, k.Name)
	if err != nil {
		return err
	}
	years := l.years[k.Name]
	if years == nil {
		years = map[int64]bool{}
		l.years[k.Name] = years
	}
	if l.lineage[0] == nil {
		l.lineage = [2]driver.Value{l.sub, l.file.Rel}
	}
	for _, rec := range o.Records {
		// The appender copies the values: one slice serves every row.
		vals := append(l.vals[:0], l.lineage[0], l.lineage[1], sheetName, int64(o.Row), nil, nullStr(warnings), nullStr(o.Extra))
		if k.YearFrom != "" {
			d := rec[col[k.YearFrom]].(time.Time)
			y := int64(d.Year())
			vals = append(vals, y)
			years[y] = true
			if l.minDate.IsZero() || d.Before(l.minDate) {
				l.minDate = d
			}
			if d.After(l.maxDate) {
				l.maxDate = d
			}
		} else {
			years[rec[col["year"]].(int64)] = true
		}
		if k.Name == "expenditures" {
			l.quarters[rec[col["quarter"]].(int64)] = true
		}
		keys := l.partKeys[k.Name]
		if keys == nil {
			keys = map[string]bool{}
			l.partKeys[k.Name] = keys
		}
		keys[partitionKey(k.Name, rec, col)] = true
		// In the order of dict.Kind.Stored: the kind's columns after the
		// lineage (and the derived year), a wide category as its line.
		for ci := range rec {
			c := &k.Columns[ci]
			if c.Check || c.Wide {
				continue
			}
			vals = appendRaw(vals, c, rec[ci])
		}
		l.vals = vals
		if err := a.Append(vals...); err != nil {
			return fmt.Errorf("row %d: %w", o.Row, err)
		}
	}
	if k.Name == "projects" {
		rec := o.Records[0]
		pc, err := l.appender(ctx, "project_communities")
		if err != nil {
			return err
		}
		for _, code := range rec[col["community_codes"]].([]string) {
			if err := pc.Append(l.sub, l.file.Rel, sheetName, int64(o.Row), nil,
				rec[col["year"]], rec[col["project_code"]], rec[col["district"]], code); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendRaw appends what the raw table stores of a validated value.
func appendRaw(vals []driver.Value, c *dict.Column, v any) []driver.Value {
	switch c.Type {
	case dict.IDNumber:
		if id, ok := v.(validate.IDValue); ok {
			return append(vals, id.Masked, nullStr(id.Hash))
		}
		return append(vals, nil, nil)
	case dict.CodeList:
		if l, ok := v.([]string); ok {
			return append(vals, strings.Join(l, ";"))
		}
	case dict.Dec, dict.Ratio:
		if coef, ok := v.(int64); ok {
			return append(vals, clean.Dec{Coef: coef, Scale: int32(c.Scale)})
		}
	}
	return append(vals, v)
}

func (l *loader) appender(ctx context.Context, table string) (*warehouse.Appender, error) {
	if a, ok := l.apps[table]; ok {
		return a, nil
	}
	a, err := l.tx.Appender(ctx, "raw", table)
	if err != nil {
		return nil, err
	}
	l.apps[table] = a
	return a, nil
}

// partitionKeys gives, per kind, the expressions of a row's latest-wins
// partition (DOMAIN.md §3), %[1]s standing for the table's alias.
var partitionKeys = map[string][]string{
	"communities":  {"%[1]s.year", "%[1]s.district"},
	"projects":     {"%[1]s.year", "%[1]s.district"},
	"staff":        {"%[1]s.year", "%[1]s.project_code"},
	"expenditures": {"%[1]s.year", "%[1]s.project_code", "%[1]s.quarter"},
	"activities":   {"%[1]s.project_code", "%[1]s.year", "month(%[1]s.activity_date)"},
	"evaluations":  {"%[1]s.year", "%[1]s.project_code", "%[1]s.stage"},
	"facilities":   {"%[1]s.year", "%[1]s.community_code"},
}

// supersede marks the current rows of every partition the file holds as
// replaced by it; they stay in the raw layer as history.
//
// Every partition includes the year, so only rows of the years the file
// holds can share one; an activity's partition is its month, so only rows
// dated within the months of the file's first and last activity can; an
// expenditure's includes its quarter. The statements say so, with these
// and the submission as constants, which lets DuckDB skip the row groups
// of other years, months and older submissions (rows are stored roughly in
// the order they arrive) instead of scanning the whole history for every
// file.
func (l *loader) supersede(ctx context.Context) error {
	for _, k := range dict.Kinds {
		if !l.kinds[k.Name] {
			continue
		}
		// A file that only brings new partitions supersedes nothing.
		cur, err := l.st.parts.anyCurrent(ctx, k.Name, l.years[k.Name], l.partKeys[k.Name])
		if err != nil {
			return fmt.Errorf("supersede %s: %w", k.Name, err)
		}
		if !cur {
			continue
		}
		within := func(t string) string { return l.within(k.Name, t) }
		// The file's partitions, each once, joined to the current rows of
		// other submissions: a row matches at most one partition.
		keys := partitionKeys[k.Name]
		sel, on := make([]string, len(keys)), make([]string, len(keys))
		for i, e := range keys {
			sel[i] = fmt.Sprintf(e, "n") + fmt.Sprintf(" AS k%d", i)
			on[i] = fmt.Sprintf("p.k%d = ", i) + fmt.Sprintf(e, "o")
		}
		partitions := func(table string) string {
			return fmt.Sprintf("SELECT DISTINCT %s FROM raw.%s AS n WHERE n.submission_id = %d AND %s",
				strings.Join(sel, ", "), table, l.sub, within("n"))
		}
		q := fmt.Sprintf(`UPDATE raw.%[1]s AS o SET superseded_by = %[2]d FROM (%[3]s) AS p
			WHERE o.superseded_by IS NULL AND o.submission_id <> %[2]d AND %[4]s AND %[5]s`,
			k.Name, l.sub, partitions(k.Name), within("o"), strings.Join(on, " AND "))
		if _, err := l.tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("supersede %s: %w", k.Name, err)
		}
		if k.Name == "projects" {
			q := fmt.Sprintf(`UPDATE raw.project_communities AS o SET superseded_by = %[1]d FROM (%[2]s) AS p
				WHERE o.superseded_by IS NULL AND o.submission_id <> %[1]d AND %[3]s AND %[4]s`,
				l.sub, partitions("projects"), within("o"), strings.Join(on, " AND "))
			if _, err := l.tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("supersede project_communities: %w", err)
			}
		}
	}
	return nil
}

// within is the condition on table alias t that bounds the partitions the
// file's rows of a kind can share: their years, and the months of its
// first and last activity or its quarters.
func (l *loader) within(kind, t string) string {
	s := fmt.Sprintf("%s.year IN (%s)", t, yearList(l.years[kind]))
	switch kind {
	case "activities":
		lo := time.Date(l.minDate.Year(), l.minDate.Month(), 1, 0, 0, 0, 0, time.UTC)
		hi := time.Date(l.maxDate.Year(), l.maxDate.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		s += fmt.Sprintf(" AND %s.activity_date BETWEEN DATE '%s' AND DATE '%s'", t, lo.Format(time.DateOnly), hi.Format(time.DateOnly))
	case "expenditures":
		s += fmt.Sprintf(" AND %s.quarter IN (%s)", t, yearList(l.quarters))
	}
	return s
}

// yearList writes a set of numbers as a SQL list, in order.
func yearList(set map[int64]bool) string {
	ys := make([]int64, 0, len(set))
	for y := range set {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = strconv.FormatInt(y, 10)
	}
	return strings.Join(parts, ", ")
}

// totals checks a 合计 row against the sums of the numeric columns above
// it: the rows since the previous totals row (a 小计) or all rows (合计).
type totals struct {
	fields  []dict.Field
	segment []clean.Dec
	all     []clean.Dec
}

func newTotals(layout *dict.Layout) *totals {
	t := &totals{}
	for _, f := range layout.Fields {
		if f.Column == nil || f.Column.Name == "year" {
			continue
		}
		if f.Column.Type == dict.Int || f.Column.Type == dict.Dec {
			t.fields = append(t.fields, f)
		}
	}
	t.segment = make([]clean.Dec, len(t.fields))
	t.all = make([]clean.Dec, len(t.fields))
	return t
}

func (t *totals) add(r etl.Row) {
	for i, f := range t.fields {
		if f.Index >= len(r.Cells) {
			continue
		}
		d, err := clean.Decimal(r.Cells[f.Index])
		if err != nil {
			continue
		}
		if s, err := t.segment[i].Add(d); err == nil {
			t.segment[i] = s
		}
		if s, err := t.all[i].Add(d); err == nil {
			t.all[i] = s
		}
	}
}

func (t *totals) check(r etl.Row) []validate.Problem {
	var ps []validate.Problem
	for i, f := range t.fields {
		if f.Index >= len(r.Cells) {
			continue
		}
		raw := r.Cells[f.Index]
		d, err := clean.Decimal(raw)
		if err != nil {
			continue
		}
		if !near(d, t.segment[i]) && !near(d, t.all[i]) {
			ps = append(ps, validate.Problem{Row: r.Num, Column: f.Column.Name, Header: f.Header, Letter: validate.Letter(f.Index),
				Value: raw, Severity: validate.Warning, Code: validate.TotalMismatch,
				Detail: fmt.Sprintf("the rows above sum to %s", t.all[i].String()), DetailZh: fmt.Sprintf("上方各行之和为 %s", t.all[i].String())})
		}
		t.segment[i] = clean.Dec{}
	}
	return ps
}

// near compares two decimals to the cent.
func near(a, b clean.Dec) bool {
	x, err1 := a.Rescale(2)
	y, err2 := b.Rescale(2)
	if err1 != nil || err2 != nil {
		return false
	}
	d := x - y
	return d >= -1 && d <= 1
}
