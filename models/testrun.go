package models

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"shequ/internal/sqlrows"
)

// MaxFailingRows is how many offending rows a failed test shows.
const MaxFailingRows = 5

// TestOutcome is the result of one data test on one model.
type TestOutcome struct {
	Model    string
	File     string // display path of the model
	Line     int    // line of the test in the file
	Column   string // the column of a column test
	Test     string // the test as written: not_null(year), assert no_overspend…
	Kind     string // not_null, unique, accepted_values, range, relationships, assert, columns
	Query    string // SQL selecting the offending rows
	Failures int64  // offending rows
	Columns  []string
	Rows     [][]string // up to MaxFailingRows offending rows
	Err      error      // the test could not run (e.g. the model was never built)
	Elapsed  time.Duration
}

// Passed reports whether the test ran and found nothing wrong.
func (o TestOutcome) Passed() bool { return o.Err == nil && o.Failures == 0 }

// TestResult is the outcome of `shequ test`.
type TestResult struct {
	Started  time.Time
	Ended    time.Time
	Outcomes []TestOutcome // by model (dependency order), then line
}

// Failed returns the outcomes that did not pass.
func (r *TestResult) Failed() []TestOutcome {
	var out []TestOutcome
	for _, o := range r.Outcomes {
		if !o.Passed() {
			out = append(out, o)
		}
	}
	return out
}

// Summary is the one line a command prints after the tests.
func (r *TestResult) Summary() string {
	f := len(r.Failed())
	mark := "✓"
	if f > 0 {
		mark = "✗"
	}
	return fmt.Sprintf("%s %d of %d data tests passed (%d failed) in %s", mark, len(r.Outcomes)-f, len(r.Outcomes), f, r.Ended.Sub(r.Started).Round(time.Millisecond))
}

// SummaryZh is Summary in Chinese.
func (r *TestResult) SummaryZh() string {
	f := len(r.Failed())
	mark := "✓"
	if f > 0 {
		mark = "✗"
	}
	return fmt.Sprintf("%s 数据检验：%d 项中通过 %d 项，未通过 %d 项，用时 %s", mark, len(r.Outcomes), len(r.Outcomes)-f, f, r.Ended.Sub(r.Started).Round(time.Millisecond))
}

// Report describes a failed test for people: model, file:line, column,
// test, count and the offending rows.
func (o TestOutcome) Report() string {
	var b strings.Builder
	loc := o.File
	if o.Line > 0 {
		loc = fmt.Sprintf("%s:%d", o.File, o.Line)
	}
	if o.Err != nil {
		fmt.Fprintf(&b, "%s %s (%s): could not run: %v", o.Model, o.Test, loc, o.Err)
		return b.String()
	}
	col := ""
	if o.Column != "" {
		col = " column " + o.Column
	}
	fmt.Fprintf(&b, "%s%s: %s failed on %d row(s) (%s)", o.Model, col, o.Test, o.Failures, loc)
	if len(o.Rows) > 0 {
		b.WriteString("\n    " + strings.Join(o.Columns, " | "))
		for _, r := range o.Rows {
			b.WriteString("\n    " + strings.Join(r, " | "))
		}
		if o.Failures > int64(len(o.Rows)) {
			fmt.Fprintf(&b, "\n    … %d more", o.Failures-int64(len(o.Rows)))
		}
	}
	return b.String()
}

// Test runs the data tests of the selected models (sel as for Select)
// against the warehouse: every test declared in the headers, plus a check
// that the columns the header describes are the columns the model has
// (for marts, exactly; elsewhere, at least). The error wraps
// ErrTestsFailed when a test failed or could not run.
func (p *Project) Test(ctx context.Context, db *sql.DB, sel string) (*TestResult, error) {
	models, err := p.Select(sel)
	if err != nil {
		return nil, err
	}
	type job struct {
		m *Model
		t *DataTest // nil: the columns check
	}
	var jobs []job
	for _, m := range models {
		if len(m.Columns) > 0 {
			jobs = append(jobs, job{m: m})
		}
		for i := range m.Tests {
			jobs = append(jobs, job{m: m, t: &m.Tests[i]})
		}
	}
	res := &TestResult{Started: time.Now(), Outcomes: make([]TestOutcome, len(jobs))}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				start := time.Now()
				j := jobs[i]
				if j.t == nil {
					res.Outcomes[i] = checkColumns(ctx, db, j.m)
				} else {
					res.Outcomes[i] = runTest(ctx, db, j.m, *j.t)
				}
				res.Outcomes[i].Elapsed = time.Since(start)
			}
		}()
	}
	for i := range jobs {
		work <- i
	}
	close(work)
	wg.Wait()
	res.Ended = time.Now()
	if f := res.Failed(); len(f) > 0 {
		return res, fmt.Errorf("%w: %d of %d", ErrTestsFailed, len(f), len(res.Outcomes))
	}
	return res, nil
}

func runTest(ctx context.Context, db *sql.DB, m *Model, t DataTest) TestOutcome {
	o := TestOutcome{Model: m.Name, File: m.Path, Line: t.Line, Column: t.Column, Test: t.String(), Kind: t.Kind, Query: t.Query(m)}
	q := fmt.Sprintf("SELECT *, count(*) OVER () AS failing_rows__ FROM (%s\n) AS offending LIMIT %d", o.Query, MaxFailingRows)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		o.Err = err
		return o
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		o.Err = err
		return o
	}
	o.Columns = cols[:len(cols)-1]
	o.Err = sqlrows.Each(rows, func(vals []any) error {
		o.Failures = toInt64(vals[len(vals)-1])
		row := make([]string, len(vals)-1)
		for i := range row {
			row[i] = FormatValue(vals[i])
		}
		o.Rows = append(o.Rows, row)
		return nil
	})
	return o
}

// checkColumns compares the described columns with the model's.
func checkColumns(ctx context.Context, db *sql.DB, m *Model) TestOutcome {
	o := TestOutcome{Model: m.Name, File: m.Path, Line: m.Columns[0].Line, Test: "columns match the header", Kind: "columns",
		Query: fmt.Sprintf("SELECT * FROM %s LIMIT 0", m.Name)}
	rows, err := db.QueryContext(ctx, o.Query)
	if err != nil {
		o.Err = err
		return o
	}
	cols, err := rows.Columns()
	rows.Close()
	if err != nil {
		o.Err = err
		return o
	}
	have := map[string]bool{}
	for _, c := range cols {
		have[c] = true
	}
	described := map[string]bool{}
	o.Columns = []string{"column", "problem"}
	for _, c := range m.Columns {
		described[c.Name] = true
		if !have[c.Name] {
			o.Rows = append(o.Rows, []string{c.Name, "described in the header but not in the model"})
		}
	}
	if m.Schema == "marts" {
		for _, c := range cols {
			if !described[c] {
				o.Rows = append(o.Rows, []string{c, "in the mart but not described in the header"})
			}
		}
	}
	sort.SliceStable(o.Rows, func(i, j int) bool { return o.Rows[i][0] < o.Rows[j][0] })
	o.Failures = int64(len(o.Rows))
	if len(o.Rows) > MaxFailingRows {
		o.Rows = o.Rows[:MaxFailingRows]
	}
	return o
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	}
	var n int64
	fmt.Sscan(fmt.Sprint(v), &n)
	return n
}

// FormatValue shows a database value for people: NULL, dates as
// YYYY-MM-DD, decimals exactly.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return fmt.Sprintf("%g", x)
	}
	return fmt.Sprint(v)
}
