package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"shequ/internal/decimal"
	"shequ/internal/sqlrows"
)

// Tx is one write transaction on a dedicated connection. Appenders made
// from it write inside the transaction, so a file's rows become visible all
// at once on Commit, or not at all.
type Tx struct {
	conn *sql.Conn
	w    *Warehouse
	done bool
}

// Begin starts a write transaction.
func (w *Warehouse) Begin(ctx context.Context) (*Tx, error) {
	if w.readOnly {
		return nil, fmt.Errorf("warehouse %s is open read-only", w.Path)
	}
	conn, err := w.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		conn.Close()
		return nil, err
	}
	return &Tx{conn: conn, w: w}, nil
}

// Exec runs a statement inside the transaction.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.conn.ExecContext(ctx, query, args...)
}

// Query runs a query inside the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.conn.QueryContext(ctx, query, args...)
}

// QueryRow runs a query returning one row inside the transaction.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(ctx, query, args...)
}

// Commit commits and releases the connection.
func (tx *Tx) Commit() error {
	if tx.done {
		return nil
	}
	tx.done = true
	_, err := tx.conn.ExecContext(context.Background(), "COMMIT")
	if err != nil {
		_, _ = tx.conn.ExecContext(context.Background(), "ROLLBACK")
	}
	tx.conn.Close()
	return err
}

// Rollback abandons the transaction; it is a no-op after Commit.
func (tx *Tx) Rollback() error {
	if tx.done {
		return nil
	}
	tx.done = true
	_, err := tx.conn.ExecContext(context.Background(), "ROLLBACK")
	tx.conn.Close()
	return err
}

// Appender bulk-loads rows into one table inside a transaction.
//
// Values are passed as Go values: string, int64, int32, bool, time.Time, nil
// for NULL — and decimal.Dec for DECIMAL columns. duckdb-go's Appender
// stores a Go number into a DECIMAL column unscaled (a float64 123.45 would
// become 1.23 in DECIMAL(18,2)); the Appender knows each column's scale and
// stores a Dec's coefficient at it, which is what DuckDB stores, refusing
// a Dec with more fraction digits than the column keeps.
type Appender struct {
	a      *duckdb.Appender
	table  string
	scales []int32 // per column: a DECIMAL's scale, -1 for other types
}

// Appender opens an appender on schema.table inside the transaction.
func (tx *Tx) Appender(ctx context.Context, schema, table string) (*Appender, error) {
	scales, err := tx.scales(ctx, schema, table)
	if err != nil {
		return nil, fmt.Errorf("appender %s.%s: %w", schema, table, err)
	}
	var app *duckdb.Appender
	err = tx.conn.Raw(func(dc any) error {
		var err error
		app, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), schema, table)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("appender %s.%s: %w", schema, table, err)
	}
	return &Appender{a: app, table: schema + "." + table, scales: scales}, nil
}

// scales lists the DECIMAL scale of each column of schema.table (-1 for
// other types). The raw tables' are read once per Warehouse: they change
// only by the migrations Open runs. Asking the catalog cost ~7 ms a
// table, two or three tables a file: a quarter of the CPU of loading a
// province's 18 700 small files.
func (tx *Tx) scales(ctx context.Context, schema, table string) ([]int32, error) {
	key := schema + "." + table
	if v, ok := tx.w.scales.Load(key); ok {
		return v.([]int32), nil
	}
	rows, err := tx.conn.QueryContext(ctx, `SELECT CASE WHEN data_type LIKE 'DECIMAL%' THEN numeric_scale ELSE -1 END
		FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, schema, table)
	if err != nil {
		return nil, err
	}
	scales, err := sqlrows.Column[int32](rows)
	if err != nil {
		return nil, err
	}
	if schema == "raw" {
		tx.w.scales.Store(key, scales)
	}
	return scales, nil
}

// Append adds one row.
func (a *Appender) Append(vals ...driver.Value) error {
	for i, v := range vals {
		if d, ok := v.(decimal.Dec); ok {
			// DuckDB stores DECIMAL(w<=18) as the scaled integer.
			c, err := a.coef(i, d)
			if err != nil {
				return fmt.Errorf("append to %s: %w", a.table, err)
			}
			vals[i] = c
		}
	}
	if err := a.a.AppendRow(vals...); err != nil {
		return fmt.Errorf("append to %s: %w", a.table, err)
	}
	return nil
}

// coef is d's coefficient at the scale of column i.
func (a *Appender) coef(i int, d decimal.Dec) (int64, error) {
	if i >= len(a.scales) || a.scales[i] < 0 {
		return 0, fmt.Errorf("column %d is not DECIMAL: %s cannot go in it", i+1, d)
	}
	s := a.scales[i]
	c, err := d.Rescale(s)
	if err != nil {
		return 0, fmt.Errorf("column %d: %s: %w", i+1, d, err)
	}
	if (decimal.Dec{Coef: c, Scale: s}).Cmp(d) != 0 {
		return 0, fmt.Errorf("column %d keeps %d decimal places, %s has more", i+1, s, d)
	}
	return c, nil
}

// Close flushes the remaining rows.
func (a *Appender) Close() error {
	if err := a.a.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", a.table, err)
	}
	return nil
}

// Date is a calendar date for a DATE column.
func Date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
