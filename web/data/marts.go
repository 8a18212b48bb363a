package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ErrUnknownMart is returned for a name that is not a mart.
var ErrUnknownMart = errors.New("no such mart")

// Table is rows of named columns, as JSON wants them: decimals as exact
// numbers, dates as 2006-01-02, timestamps in RFC 3339.
type Table struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Records returns the rows as objects keyed by column.
func (t *Table) Records() []map[string]any {
	out := make([]map[string]any, 0, len(t.Rows))
	for _, r := range t.Rows {
		m := make(map[string]any, len(t.Columns))
		for i, c := range t.Columns {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// martsWithoutYear are the marts whose rows have no year column.
var martsWithoutYear = map[string]bool{"submissions": true, "rejects": true}

// Mart returns the rows of the mart named name that the scope sees, of
// year (all when 0) and district (all the scope sees when ""). A district
// scope asking for another district, or for a mart only the city sees,
// gets ErrForbidden.
func (r *Read) Mart(ctx context.Context, name string, year int, district string) (*Table, error) {
	rel, ok := martRelations[name]
	if !ok {
		return nil, fmt.Errorf("%q: %w", name, ErrUnknownMart)
	}
	if district != "" && !r.scope.Allows(district) {
		return nil, ErrForbidden
	}
	from, a, err := r.scope.from(rel)
	if err != nil {
		return nil, err
	}
	q := `SELECT * EXCLUDE (scope_district) FROM ` + from + ` WHERE true`
	var extra []any
	if year != 0 && !martsWithoutYear[name] {
		q += ` AND year = $year`
		extra = append(extra, sql.Named("year", year))
	}
	if district != "" {
		q += ` AND scope_district = $district`
		extra = append(extra, sql.Named("district", district))
	}
	q += ` ORDER BY ALL`
	return r.cached(ctx, q, args(a, extra))
}

func readTable(rows *sql.Rows) (*Table, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	t := &Table{Rows: [][]any{}}
	for _, c := range types {
		t.Columns = append(t.Columns, c.Name())
	}
	for rows.Next() {
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			vals[i] = jsonValue(v, types[i].DatabaseTypeName())
		}
		t.Rows = append(t.Rows, vals)
	}
	return t, rows.Err()
}

// jsonValue makes a value of the database JSON-ready without losing
// exactness: a DECIMAL goes as its exact digits, never through float64.
func jsonValue(v any, dbType string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if dbType == "DATE" {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case fmt.Stringer:
		if strings.HasPrefix(dbType, "DECIMAL") {
			return json.Number(x.String())
		}
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, "")
		}
		return out
	}
	return v
}
