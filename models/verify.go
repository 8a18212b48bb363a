package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// EqualsFullRebuild checks that the tables an (incremental) build left in
// db are those a full rebuild makes: it copies every table model's rows
// aside, rebuilds every model with opt (Incremental off), and compares
// each table with its copy row by row, both ways (EXCEPT ALL; DOUBLE
// columns rounded to 8 decimals, as parallel sums may differ in the last
// bits). It returns one line per table that differs, and the full
// rebuild's result. The full rebuild stays in db.
func (p *Project) EqualsFullRebuild(ctx context.Context, db *sql.DB, opt BuildOptions) ([]string, *BuildResult, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	var tables []*Model
	for _, m := range p.Models() {
		if m.Materialized == "table" {
			tables = append(tables, m)
		}
	}
	cols := map[string]string{}
	for i, m := range tables {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE incremental_%d AS FROM %s`, i, m.Name)); err != nil {
			return nil, nil, fmt.Errorf("copy %s: %w", m.Name, err)
		}
		schema, name, _ := strings.Cut(m.Name, ".")
		rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, schema, name)
		if err != nil {
			return nil, nil, err
		}
		var list []string
		for rows.Next() {
			var c, typ string
			if err := rows.Scan(&c, &typ); err != nil {
				rows.Close()
				return nil, nil, err
			}
			q := `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			if typ == "DOUBLE" || typ == "FLOAT" {
				q = "round(" + q + ", 8)"
			}
			list = append(list, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		cols[m.Name] = strings.Join(list, ", ")
	}
	opt.Incremental = false
	res, err := p.Build(ctx, db, opt)
	if err != nil {
		return nil, res, fmt.Errorf("full rebuild: %w", err)
	}
	var diffs []string
	for i, m := range tables {
		var only [2]int64
		for k, q := range []string{
			fmt.Sprintf(`SELECT count(*) FROM (SELECT %[1]s FROM incremental_%[2]d EXCEPT ALL SELECT %[1]s FROM %[3]s)`, cols[m.Name], i, m.Name),
			fmt.Sprintf(`SELECT count(*) FROM (SELECT %[1]s FROM %[3]s EXCEPT ALL SELECT %[1]s FROM incremental_%[2]d)`, cols[m.Name], i, m.Name),
		} {
			if err := conn.QueryRowContext(ctx, q).Scan(&only[k]); err != nil {
				return nil, res, fmt.Errorf("compare %s: %w", m.Name, err)
			}
		}
		if only[0] != 0 || only[1] != 0 {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows only in the incremental build, %d only in the full rebuild", m.Name, only[0], only[1]))
		}
		_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP TABLE incremental_%d`, i))
	}
	return diffs, res, nil
}
