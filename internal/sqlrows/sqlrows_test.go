package sqlrows

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func query(t *testing.T, db *sql.DB, q string) *sql.Rows {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

const three = `SELECT * FROM (VALUES (1, 'a', NULL), (2, 'b', 20), (3, 'c', 30)) AS t(n, s, y) ORDER BY n`

func TestAll(t *testing.T) {
	db := open(t)
	type row struct {
		N int
		S string
		Y *int64
	}
	got, err := All(query(t, db, three), func(r *row) []any { return []any{&r.N, &r.S, &r.Y} })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Y != nil || got[1].N != 2 || got[2].S != "c" || *got[2].Y != 30 {
		t.Errorf("All = %+v", got)
	}
	if got, err := All(query(t, db, three+" LIMIT 0"), func(r *row) []any { return []any{&r.N, &r.S, &r.Y} }); err != nil || got != nil {
		t.Errorf("All of no rows = %v, %v", got, err)
	}
	// A value that does not fit its field is an error, and no rows.
	if got, err := All(query(t, db, three), func(r *row) []any { return []any{&r.S, &r.N, &r.Y} }); err == nil || got != nil {
		t.Errorf("All with a wrong field = %v, %v", got, err)
	}
}

func TestColumn(t *testing.T) {
	db := open(t)
	got, err := Column[string](query(t, db, `SELECT s FROM (`+three+`)`))
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("Column = %q, %v", got, err)
	}
}

func TestEach(t *testing.T) {
	db := open(t)
	var kept [][]any
	err := Each(query(t, db, three), func(vals []any) error {
		kept = append(kept, slices.Clone(vals))
		return nil
	})
	want := [][]any{{int32(1), "a", nil}, {int32(2), "b", int32(20)}, {int32(3), "c", int32(30)}}
	if err != nil || !reflect.DeepEqual(kept, want) {
		t.Errorf("Each = %#v, %v; want %#v", kept, err, want)
	}
	stop := errors.New("stop")
	n := 0
	err = Each(query(t, db, three), func([]any) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Each stopped after %d rows with %v", n, err)
	}
}
