package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// A query is SQL being composed from the scope's relations: every
// relation or mart it names comes through Scope.from, so a district
// scope's condition is in every one of them, and the arguments they bind
// are gathered with the query's own. The first error (a city-only mart
// asked by a district) is kept and returned when the query runs.
type query struct {
	r    *Read
	args [][]any
	err  error
}

func (r *Read) query() *query { return &query{r: r} }

// rel is the relation named name (of the relations table) in the scope,
// as a parenthesised subquery.
func (b *query) rel(name string) string {
	q, a := b.r.scope.rel(name)
	b.args = append(b.args, a)
	return q
}

// mart is the mart named name, of the edition src, in the scope, with its
// column scope_district.
func (b *query) mart(name string, src Source) string {
	m, ok := martDistricts[name]
	if !ok {
		panic(fmt.Sprintf("data: no mart %q", name))
	}
	if src == Official && !b.r.official[name] {
		// No official view (the warehouse was never reported nor
		// closed): its official figures are its working ones.
		src = Source{Working: true}
	}
	table, a := src.table(name)
	b.args = append(b.args, a)
	q, sa, err := b.r.scope.from(relation{sql: m.sql(table), cityOnly: m.cityOnly})
	if err != nil && b.err == nil {
		b.err = err
	}
	b.args = append(b.args, sa)
	return q
}

// arg binds v under name and returns the parameter's reference.
func (b *query) arg(name string, v any) string {
	b.args = append(b.args, []any{sql.Named(name, v)})
	return "$" + name
}

// table runs the composed SQL and reads its rows.
func (b *query) table(ctx context.Context, q string) (*Table, error) {
	if b.err != nil {
		return nil, b.err
	}
	t, err := b.r.cached(ctx, q, args(b.args...))
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, firstLines(q, 3))
	}
	return t, nil
}

// cached reads q with a on the read's snapshot, through its results
// cache.
func (r *Read) cached(ctx context.Context, q string, a []any) (*Table, error) {
	if r.cache == nil {
		return readQuery(ctx, r.db, q, a)
	}
	return r.cache.get(ctx, r.db, q, a)
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// Col returns the index of column name, or -1.
func (t *Table) Col(name string) int {
	for i, c := range t.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// Value returns row i's value of column name (nil when there is no such
// column).
func (t *Table) Value(i int, name string) any {
	c := t.Col(name)
	if c < 0 || i >= len(t.Rows) {
		return nil
	}
	return t.Rows[i][c]
}

// String returns row i's value of column name as text ("" for NULL).
func (t *Table) String(i int, name string) string {
	switch v := t.Value(i, name).(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
