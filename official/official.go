// Package official owns the figures a bureau signs and stands by:
//
//   - the city's profile (its name, administrative code, districts, the
//     bureau that issues the reports, the 文号 and titles of the policy
//     documents) as settings kept in the warehouse with their history
//     (settings.go);
//   - the policy as governed data: every change an override file kept
//     whole, with who made it, when and why, applied by every build
//     (policy.go);
//   - the period close, which freezes a year — the inputs that counted,
//     the policy in force, every mart row, the report files byte for byte
//     and the sign-off — in one transaction (close.go), and restatement,
//     which adds a version with the rows that changed and the submissions
//     behind them (delta.go).
//
// The working figures stay in marts.*; the frozen versions are in schema
// closed, and the views of schema official show, for each mart, the
// highest version of every closed year and the working rows of the open
// ones: what a report or an export of any year must show.
//
// Like every package but shequ/warehouse it reads the warehouse through
// database/sql only.
package official

import (
	"context"
	"database/sql"
	"strings"
)

// Querier is what the package reads and writes through: a *sql.DB, a
// *sql.Conn or a *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// hasTable reports whether schema.name exists (a warehouse made before
// migration 0005, read through an old snapshot, has no settings).
func hasTable(ctx context.Context, q Querier, schema, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, name).Scan(&n)
	return n > 0, err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
