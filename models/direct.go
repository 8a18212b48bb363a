package models

import (
	"context"
	"database/sql"
	"fmt"
)

// RunDirect executes the statements a build compiles — the default policy
// tables, then plans in order — on one connection, with no scheduling,
// counting or recording. It is the floor that benchmarks measure Build's
// orchestration against.
func (p *Project) RunDirect(ctx context.Context, db *sql.DB, plans []Materialization) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	for _, t := range p.Policy().Tables {
		for _, q := range t.Statements() {
			if _, err := conn.ExecContext(ctx, q.SQL, q.Args...); err != nil {
				conn.ExecContext(context.Background(), "ROLLBACK")
				return err
			}
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	for _, mz := range plans {
		for _, q := range mz.Statements {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", mz.Model, err)
			}
		}
	}
	return nil
}
