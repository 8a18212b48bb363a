package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strings"
	"time"

	"shequ/internal/sqlrows"
)

// Filter chooses what a report covers.
type Filter struct {
	Year     int
	District string // "" for the whole city
}

// PersonalColumns are column names that hold personal data (DOMAIN.md §5).
// No report or export reads a column of these names: Read refuses one.
var PersonalColumns = []string{"staff_name", "id_number", "id_number_masked", "id_number_hash"}

func personal(col string) bool {
	for _, p := range PersonalColumns {
		if strings.EqualFold(col, p) {
			return true
		}
	}
	return false
}

// Table is the rows of one sheet.
type Table struct {
	Sheet   *Sheet
	Columns []string  // every column read: the sheet's, then the flags and helpers they refer to
	Rows    [][]Value // in the sheet's order
	// Totals has one value per column of the sheet (Sheet.Columns); nil
	// when the sheet has no totals row. The label is in the first column.
	Totals []Value
	index  map[string]int
}

// NewTable makes a table of rows read elsewhere (for tests and writers'
// examples): cols names the values of each row; totals are computed when
// the sheet has a totals label.
func NewTable(sh *Sheet, cols []string, rows [][]Value) *Table {
	t := &Table{Sheet: sh, Columns: cols, Rows: rows, index: map[string]int{}}
	for i, c := range cols {
		t.index[c] = i
	}
	if sh.Totals != "" {
		t.Totals = t.totals()
	}
	return t
}

// Get returns the value of column col in row i (nil when not read).
func (t *Table) Get(i int, col string) Value {
	j, ok := t.index[col]
	if !ok {
		return nil
	}
	return t.Rows[i][j]
}

// Highlighted reports whether column c of row i breaks the rule of its
// highlight (its flag column has the highlighted value).
func (t *Table) Highlighted(i int, c *Column) bool {
	if c.HighlightFlag == "" {
		return false
	}
	b, ok := t.Get(i, c.HighlightFlag).(bool)
	return ok && b == c.HighlightWhen
}

// Data is a report read from the warehouse, ready for a writer.
type Data struct {
	Def      *Definition
	Filter   Filter
	City     string
	Title    string // 江州市2014年度社区服务年度报告
	Subtitle string // 全市 or the district; the trial label
	Stamp    *Stamp
	Trial    string    // non-empty: computed under an alternative policy, this label says which
	Now      time.Time // when the report was written
	Cover    []*Table
	Sheets   []*Table // the visible and hidden sheets, in definition order
	Notes    []string
	// Appendix holds sheets laid out by Go code (the reward calculation),
	// written after the definition's sheets; reports/bundle adds them.
	Appendix []*Grid
}

// Sheet returns the table of the sheet named name, or nil.
func (d *Data) Sheet(name string) *Table {
	for _, t := range d.Sheets {
		if t.Sheet.Name == name {
			return t
		}
	}
	return nil
}

// Options say how to read a report.
type Options struct {
	City  string // the city's name, put in front of every title
	Trial string // label of an alternative-policy report (试算)
	Stamp *Stamp // the warehouse state; read from db when nil
	Now   time.Time
}

// Read runs every query of the definition for filter f.
func (d *Definition) Read(ctx context.Context, db *sql.DB, f Filter, opt Options) (*Data, error) {
	if d.CityWide {
		f.District = ""
	}
	data := &Data{Def: d, Filter: f, City: opt.City, Stamp: opt.Stamp, Trial: opt.Trial, Now: opt.Now}
	if data.Now.IsZero() {
		data.Now = time.Now()
	}
	if data.Stamp == nil {
		s, err := ReadStamp(ctx, db)
		if err != nil {
			return nil, err
		}
		data.Stamp = s
	}
	data.Title = fmt.Sprintf("%s%d年度%s", opt.City, f.Year, d.Title)
	if f.District != "" {
		data.Title = fmt.Sprintf("%s%s%d年度%s", opt.City, f.District, f.Year, d.Title)
	}
	switch {
	case opt.Trial != "":
		data.Subtitle = "试算（" + opt.Trial + "）：不是正式结果"
	case f.District != "":
		data.Subtitle = f.District
	default:
		data.Subtitle = "全市"
	}
	if d.Cover != nil {
		for _, sh := range d.Cover.Tables {
			t, err := sh.Read(ctx, db, f)
			if err != nil {
				return nil, err
			}
			data.Cover = append(data.Cover, t)
		}
	}
	for _, sh := range d.Sheets {
		t, err := sh.Read(ctx, db, f)
		if err != nil {
			return nil, err
		}
		data.Sheets = append(data.Sheets, t)
	}
	data.Notes = append(data.Notes, d.Notes...)
	if d.NotesSQL != "" {
		notes, err := d.readNotes(ctx, db, f)
		if err != nil {
			return nil, err
		}
		data.Notes = append(data.Notes, notes...)
	}
	return data, nil
}

func (d *Definition) readNotes(ctx context.Context, db *sql.DB, f Filter) ([]string, error) {
	q, err := d.set.SQL(d.NotesSQL)
	if err != nil {
		return nil, err
	}
	sh := &Sheet{Name: "notes", SQL: d.NotesSQL, query: q, def: d, Columns: []*Column{{Name: "note", Heading: "note", Format: FormatText}}}
	cols, err := probe(ctx, db, q)
	if err != nil {
		return nil, fmt.Errorf("%s: notes_sql %s: %w", d.Path, d.NotesSQL, err)
	}
	for _, c := range cols {
		if c == "seq" {
			sh.Order = []string{"seq"}
		}
	}
	t, err := sh.Read(ctx, db, f)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range t.Rows {
		if s, ok := t.Get(i, "note").(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// probe returns the columns of a query without reading its rows.
func probe(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM (\n"+q+"\n) AS t LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Read runs the sheet's query for filter f: its columns, filtered by year
// and district when it has those columns, sorted by its order (then by
// every column, so the order is always the same).
func (sh *Sheet) Read(ctx context.Context, db *sql.DB, f Filter) (*Table, error) {
	where := sh.Name
	if where == "" {
		where = sh.Title
	}
	fail := func(format string, a ...any) error {
		src := sh.Source
		if sh.SQL != "" {
			src = "sql/" + sh.SQL
		}
		return fmt.Errorf("report %s (%s), sheet %s, %s: %s", sh.def.Name, sh.def.Path, where, src, fmt.Sprintf(format, a...))
	}
	have, err := probe(ctx, db, sh.query)
	if err != nil {
		return nil, fail("%v", err)
	}
	has := map[string]bool{}
	for _, c := range have {
		has[c] = true
		if personal(c) {
			return nil, fail("the query reads %s, which is personal data (DOMAIN.md §5): personal data never appears in a report", c)
		}
	}
	// The columns to read: the sheet's, then those its rules refer to.
	var cols []string
	seen := map[string]bool{}
	need := func(c, why string) error {
		if !has[c] {
			return fail("%s %q is not a column of the query (it has %s)", why, c, strings.Join(have, ", "))
		}
		if !seen[c] {
			seen[c] = true
			cols = append(cols, c)
		}
		return nil
	}
	for _, c := range sh.Columns {
		if err := need(c.Name, "column"); err != nil {
			return nil, err
		}
	}
	for _, c := range sh.Columns {
		if c.HighlightFlag != "" {
			if err := need(c.HighlightFlag, "highlight flag of "+c.Name); err != nil {
				return nil, err
			}
		}
		if c.TotalNum != "" {
			if err := need(c.TotalNum, "total of "+c.Name); err != nil {
				return nil, err
			}
			if err := need(c.TotalDen, "total of "+c.Name); err != nil {
				return nil, err
			}
		}
	}
	var order []string
	for _, o := range sh.Order {
		o = strings.TrimSpace(o)
		name, desc := o, false
		if n, ok := strings.CutSuffix(o, " desc"); ok {
			name, desc = strings.TrimSpace(n), true
		}
		if err := need(name, "order column"); err != nil {
			return nil, err
		}
		if desc {
			order = append(order, quoteIdent(name)+" DESC NULLS LAST")
		} else {
			order = append(order, quoteIdent(name)+" ASC NULLS LAST")
		}
	}
	var conds []string
	var args []any
	if has["year"] && f.Year != 0 {
		conds = append(conds, `"year" = ?`)
		args = append(args, f.Year)
	}
	if has["district"] && f.District != "" {
		conds = append(conds, `"district" = ?`)
		args = append(args, f.District)
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	var q strings.Builder
	q.WriteString("SELECT ")
	if sh.Distinct {
		q.WriteString("DISTINCT ")
	}
	q.WriteString(strings.Join(quoted, ", "))
	q.WriteString(" FROM (\n" + sh.query + "\n) AS t")
	if len(conds) > 0 {
		q.WriteString(" WHERE " + strings.Join(conds, " AND "))
	}
	for i := range cols {
		order = append(order, fmt.Sprintf("%d ASC NULLS LAST", i+1))
	}
	q.WriteString(" ORDER BY " + strings.Join(order, ", "))

	rows, err := db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fail("%v", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, fail("%v", err)
	}
	t := &Table{Sheet: sh, Columns: cols, index: map[string]int{}}
	for i, c := range cols {
		t.index[c] = i
	}
	err = sqlrows.Each(rows, func(raw []any) error {
		row := make([]Value, len(cols))
		for i, v := range raw {
			var err error
			if row[i], err = Normalize(v, types[i].DatabaseTypeName()); err != nil {
				return fmt.Errorf("column %s: %v", cols[i], err)
			}
		}
		t.Rows = append(t.Rows, row)
		return nil
	})
	if err != nil {
		return nil, fail("%v", err)
	}
	if sh.Totals != "" {
		t.Totals = t.totals()
		if f.District != "" && has["district"] && t.Totals[0] == "全市" {
			t.Totals[0] = "合计" // a district's rows do not add up to the city
		}
	}
	return t, nil
}

// totals computes the totals row: sums exactly (decimals to the fen),
// ratios of sums, the label in the first column.
func (t *Table) totals() []Value {
	out := make([]Value, len(t.Sheet.Columns))
	for j, c := range t.Sheet.Columns {
		switch {
		case c.TotalIsSum:
			out[j] = t.Sum(c.Name)
		case c.TotalNum != "":
			num, okn := Float(t.Sum(c.TotalNum))
			den, okd := Float(t.Sum(c.TotalDen))
			if okn && okd && den != 0 {
				out[j] = num / den
			}
		}
	}
	if len(out) > 0 && out[0] == nil {
		out[0] = t.Sheet.Totals
	}
	return out
}

// Sum adds a column up: exactly for decimals and integers; nil when every
// value is NULL.
func (t *Table) Sum(col string) Value {
	var dec *Decimal
	var ints *int64
	var flt *float64
	for i := range t.Rows {
		switch v := t.Get(i, col).(type) {
		case Decimal:
			if dec == nil {
				dec = &Decimal{Scale: v.Scale}
			}
			*dec = dec.Add(v)
		case int64:
			if ints == nil {
				ints = new(int64)
			}
			*ints += v
		case float64:
			if flt == nil {
				flt = new(float64)
			}
			*flt += v
		}
	}
	switch {
	case dec != nil && ints == nil && flt == nil:
		return *dec
	case ints != nil && dec == nil && flt == nil:
		return *ints
	case dec == nil && ints == nil && flt == nil:
		return nil
	}
	// Mixed kinds: add exactly as fractions, give a float.
	r := new(big.Rat)
	if dec != nil {
		r.Add(r, dec.Rat())
	}
	if ints != nil {
		r.Add(r, new(big.Rat).SetInt64(*ints))
	}
	f, _ := r.Float64()
	if flt != nil {
		f += *flt
	}
	return f
}
