package models

import (
	"errors"
	"reflect"
	"testing"
)

func TestMaterialize(t *testing.T) {
	tests := []struct {
		name  string
		model Model
		want  []string
		count string
	}{
		{
			name:  "table",
			model: Model{Name: "marts.x", Materialized: "table", SQL: "-- @materialized: table\nSELECT 1 AS a"},
			want:  []string{"CREATE OR REPLACE TABLE marts.x AS\n-- @materialized: table\nSELECT 1 AS a"},
			count: "SELECT count(*) FROM marts.x",
		},
		{
			name:  "view",
			model: Model{Name: "staging.v", Materialized: "view", SQL: "SELECT * FROM raw.staff"},
			want:  []string{"CREATE OR REPLACE VIEW staging.v AS\nSELECT * FROM raw.staff"},
		},
		{
			name:  "default is a view",
			model: Model{Name: "staging.v", SQL: "WITH a AS (SELECT 1) SELECT * FROM a"},
			want:  []string{"CREATE OR REPLACE VIEW staging.v AS\nWITH a AS (SELECT 1) SELECT * FROM a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mz, err := Materialize(&tt.model)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(mz.Statements, tt.want) {
				t.Errorf("statements = %q\nwant %q", mz.Statements, tt.want)
			}
			if mz.Statements[mz.Body] != tt.want[0] || mz.Count != tt.count {
				t.Errorf("body %d, count %q", mz.Body, mz.Count)
			}
		})
	}
	if _, err := Materialize(&Model{Name: "a.b", Materialized: "incremental"}); err == nil {
		t.Error("unknown materialisation accepted")
	}
}

// A line DuckDB reports for the CREATE statement maps back to the file.
func TestFileLine(t *testing.T) {
	m := &Model{Name: "marts.x", Path: "models/marts/x.sql", Materialized: "table", BodyLine: 3,
		SQL: "-- @materialized: table\n-- @description: d\nSELECT a,\n  b\nFROM t"}
	mz, _ := Materialize(m)
	if got := mz.FileLine(4); got != 3 {
		t.Errorf("FileLine(4) = %d, want 3", got)
	}
	if got := mz.FileLine(1); got != 0 {
		t.Errorf("FileLine(1) = %d, want 0 (the CREATE line)", got)
	}
	dberr := errors.New("Binder Error: Referenced column \"b\" not found in FROM clause!\n\nLINE 5:   b\n          ^")
	err := modelError(m, mz, dberr)
	var me *ModelError
	if !errors.As(err, &me) || me.Line != 4 || me.File != "models/marts/x.sql" {
		t.Fatalf("modelError = %#v", err)
	}
	want := "model marts.x (models/marts/x.sql:4): Binder Error: Referenced column \"b\" not found in FROM clause!\n\nline 4:   b\n          ^"
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant:\n%s", err, want)
	}
	// Without a LINE, the error points at the first line of SQL.
	err = modelError(m, mz, errors.New("Conversion Error: bad"))
	if !errors.As(err, &me) || me.Line != 3 {
		t.Errorf("line = %d, want 3", me.Line)
	}
}
