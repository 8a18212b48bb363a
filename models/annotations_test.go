package models

import (
	"reflect"
	"strings"
	"testing"

	"shequ/internal/sqltext"
)

func TestParseTests(t *testing.T) {
	tests := []struct {
		name    string
		ann     sqltext.Annotation
		want    []string // DataTest.String()
		wantErr string
	}{
		{"column tests", sqltext.Annotation{Key: "test", Name: "x", Value: "not_null, unique, accepted_values(a|b|c), range(0, 1), relationships(marts.m.col)", Line: 3},
			[]string{"not_null(x)", "unique(x)", "accepted_values(x: a|b|c)", "range(x: 0, 1)", "relationships(x → marts.m.col)"}, ""},
		{"compound key", sqltext.Annotation{Key: "test", Value: "unique(year, project_code), not_null(a, b)"},
			[]string{"unique(year, project_code)", "not_null(a, b)"}, ""},
		{"open range", sqltext.Annotation{Key: "test", Name: "n", Value: "range(0, )"}, []string{"range(n: 0, )"}, ""},
		{"unknown test", sqltext.Annotation{Key: "test", Name: "n", Value: "positive"}, nil, `unknown test "positive"`},
		{"range needs numbers", sqltext.Annotation{Key: "test", Name: "n", Value: "range(a, 1)"}, []string{"range(n: a, 1)"}, `range bound "a" is not a number`},
		{"table test without columns", sqltext.Annotation{Key: "test", Value: "unique"}, []string{"unique()"}, "unique needs a column"},
		{"bad relationship", sqltext.Annotation{Key: "test", Name: "n", Value: "relationships(projects)"}, nil, "relationships needs schema.model.column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, errs := parseTests(tt.ann)
			var got []string
			for _, x := range ts {
				got = append(got, x.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tests = %q, want %q", got, tt.want)
			}
			var msg string
			if len(errs) > 0 {
				msg = errs[0].Msg
			}
			if tt.wantErr == "" && msg != "" || tt.wantErr != "" && !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error = %q, want one containing %q", msg, tt.wantErr)
			}
		})
	}
}

func TestDataTestQuery(t *testing.T) {
	m := &Model{Name: "marts.x"}
	tests := []struct {
		t    DataTest
		want string
	}{
		{DataTest{Kind: "not_null", Column: "a"}, "SELECT * FROM marts.x WHERE a IS NULL"},
		{DataTest{Kind: "not_null", Columns: []string{"a", "row"}}, `SELECT * FROM marts.x WHERE a IS NULL OR "row" IS NULL`},
		{DataTest{Kind: "unique", Columns: []string{"year", "code"}}, "SELECT year, code, count(*) AS n FROM marts.x WHERE year IS NOT NULL AND code IS NOT NULL GROUP BY year, code HAVING count(*) > 1"},
		{DataTest{Kind: "accepted_values", Column: "s", Args: []string{"a", "it's"}}, "SELECT * FROM marts.x WHERE s IS NOT NULL AND CAST(s AS VARCHAR) NOT IN ('a', 'it''s')"},
		{DataTest{Kind: "range", Column: "r", Args: []string{"0", ""}}, "SELECT * FROM marts.x WHERE r < 0"},
		{DataTest{Kind: "range", Column: "r", Args: []string{"0", "1"}}, "SELECT * FROM marts.x WHERE r < 0 OR r > 1"},
		{DataTest{Kind: "relationships", Column: "p", Args: []string{"staging.projects.project_code"}},
			"SELECT * FROM marts.x AS child WHERE child.p IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staging.projects AS parent WHERE parent.project_code = child.p)"},
		{DataTest{Kind: "assert", Name: "n", SQL: "SELECT 1 WHERE FALSE"}, "SELECT 1 WHERE FALSE"},
	}
	for _, tt := range tests {
		t.Run(tt.t.String(), func(t *testing.T) {
			if got := tt.t.Query(m); got != tt.want {
				t.Errorf("query = %s\nwant    %s", got, tt.want)
			}
		})
	}
}
