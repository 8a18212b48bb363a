package models

import (
	"fmt"
)

// Materialization is what building one model executes: statements run in
// order on one connection, inside the build's transaction. The model's
// SELECT is wrapped in a CREATE OR REPLACE (DuckDB's DDL is
// transactional: a build that fails leaves the previous table or view in
// place); Build counts a table's rows right after it.
type Materialization struct {
	Model      string
	Statements []string
	// Body is the index of the statement holding the model's SQL.
	Body int
	// Count, for a table, is the query counting its rows, run right after
	// the body inside the transaction ("" for a view: counting would run it).
	Count string
	// prefixLines is how many lines Statements[Body] has before the
	// model file's first line.
	prefixLines int
}

// Materialize compiles a model to the statements that build it. It is a
// pure function of the model: no database is needed to see what a build
// will run.
func Materialize(m *Model) (Materialization, error) {
	var kind string
	switch m.Materialized {
	case "table":
		kind = "TABLE"
	case "view", "":
		kind = "VIEW"
	default:
		return Materialization{}, fmt.Errorf("model %s: cannot materialise as %q", m.Name, m.Materialized)
	}
	body := fmt.Sprintf("CREATE OR REPLACE %s %s AS\n%s", kind, m.Name, m.SQL)
	mz := Materialization{
		Model:       m.Name,
		Statements:  []string{body},
		Body:        0,
		prefixLines: 1,
	}
	if kind == "TABLE" {
		mz.Count = "SELECT count(*) FROM " + m.Name
	}
	return mz, nil
}

// FileLine maps a line of Statements[Body] (as the database reports it,
// "LINE 14:") to the line of the model's file; 0 when the line is not in
// the file (the CREATE line the materialisation added).
func (mz Materialization) FileLine(stmtLine int) int {
	if stmtLine <= mz.prefixLines {
		return 0
	}
	return stmtLine - mz.prefixLines
}
