package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Tx is one write transaction on a dedicated connection. Appenders made
// from it write inside the transaction, so a file's rows become visible all
// at once on Commit, or not at all.
type Tx struct {
	conn *sql.Conn
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
	return &Tx{conn: conn}, nil
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
// for NULL — and Money/Dec for DECIMAL columns. duckdb-go's Appender stores
// a Go number into a DECIMAL column unscaled (a float64 123.45 would become
// 1.23 in DECIMAL(18,2)); Dec carries the coefficient already at the
// column's scale, which is what DuckDB stores.
type Appender struct {
	a     *duckdb.Appender
	table string
}

// Dec is an exact decimal for a DECIMAL(width, scale) column: Coef is the
// value × 10^scale, already at the column's scale.
type Dec struct {
	Coef  int64
	Width uint8
	Scale uint8
}

// Appender opens an appender on schema.table inside the transaction.
func (tx *Tx) Appender(ctx context.Context, schema, table string) (*Appender, error) {
	var app *duckdb.Appender
	err := tx.conn.Raw(func(dc any) error {
		var err error
		app, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), schema, table)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("appender %s.%s: %w", schema, table, err)
	}
	return &Appender{a: app, table: schema + "." + table}, nil
}

// Append adds one row.
func (a *Appender) Append(vals ...driver.Value) error {
	for i, v := range vals {
		if d, ok := v.(Dec); ok {
			// DuckDB stores DECIMAL(w<=18) as the scaled integer: pass it as is.
			vals[i] = d.Coef
		}
	}
	if err := a.a.AppendRow(vals...); err != nil {
		return fmt.Errorf("append to %s: %w", a.table, err)
	}
	return nil
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
