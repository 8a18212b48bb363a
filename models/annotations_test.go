package models

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAnnotations(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		want     []Annotation
		wantBody int
		wantErrs []LineError
	}{
		{
			name:     "keys, names and values",
			src:      "-- @materialized: table\n-- @column year: the year: a number\n--@test: unique(a, b)\nSELECT 1",
			want:     []Annotation{{"materialized", "", "table", 1}, {"column", "year", "the year: a number", 2}, {"test", "", "unique(a, b)", 3}},
			wantBody: 4,
		},
		{
			name: "continuation lines and free comments",
			src: "-- A model about things.\n-- @description: first part\n--   second part\n-- a free comment\n--   not a continuation\n" +
				"-- @assert no_rows: SELECT *\n--   FROM x\n\nWITH a AS (SELECT 1)\nSELECT * FROM a",
			want:     []Annotation{{"description", "", "first part\nsecond part", 2}, {"assert", "no_rows", "SELECT *\nFROM x", 6}},
			wantBody: 9,
		},
		{
			name:     "blank lines in the header, key case",
			src:      "\n-- @Tags: a, b\n\n-- @MATERIALIZED: view\nSELECT 1\n",
			want:     []Annotation{{"tags", "", "a, b", 2}, {"materialized", "", "view", 4}},
			wantBody: 5,
		},
		{
			name:     "annotation below the SQL",
			src:      "-- @materialized: view\nSELECT 1\n-- @description: too late\n",
			want:     []Annotation{{"materialized", "", "view", 1}},
			wantBody: 2,
			wantErrs: []LineError{{3, "annotation below the first line of SQL is ignored: move it to the header"}},
		},
		{
			name:     "malformed annotation",
			src:      "-- @materialized table\nSELECT 1",
			wantBody: 2,
			wantErrs: []LineError{{1, "malformed annotation: write `-- @key: value` or `-- @key name: value`"}},
		},
		{
			name: "no SQL",
			src:  "-- @materialized: view\n",
			want: []Annotation{{"materialized", "", "view", 1}},
		},
		{
			name:     "CRLF",
			src:      "-- @description: d\r\nSELECT 1\r\n",
			want:     []Annotation{{"description", "", "d", 1}},
			wantBody: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body, errs := ParseAnnotations(tt.src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("annotations = %#v\nwant %#v", got, tt.want)
			}
			if body != tt.wantBody {
				t.Errorf("body line = %d, want %d", body, tt.wantBody)
			}
			if !reflect.DeepEqual(errs, tt.wantErrs) {
				t.Errorf("errors = %v, want %v", errs, tt.wantErrs)
			}
		})
	}
}

func TestParseTests(t *testing.T) {
	tests := []struct {
		name    string
		ann     Annotation
		want    []string // DataTest.String()
		wantErr string
	}{
		{"column tests", Annotation{Key: "test", Name: "x", Value: "not_null, unique, accepted_values(a|b|c), range(0, 1), relationships(marts.m.col)", Line: 3},
			[]string{"not_null(x)", "unique(x)", "accepted_values(x: a|b|c)", "range(x: 0, 1)", "relationships(x → marts.m.col)"}, ""},
		{"compound key", Annotation{Key: "test", Value: "unique(year, project_code), not_null(a, b)"},
			[]string{"unique(year, project_code)", "not_null(a, b)"}, ""},
		{"open range", Annotation{Key: "test", Name: "n", Value: "range(0, )"}, []string{"range(n: 0, )"}, ""},
		{"unknown test", Annotation{Key: "test", Name: "n", Value: "positive"}, nil, `unknown test "positive"`},
		{"range needs numbers", Annotation{Key: "test", Name: "n", Value: "range(a, 1)"}, []string{"range(n: a, 1)"}, `range bound "a" is not a number`},
		{"table test without columns", Annotation{Key: "test", Value: "unique"}, []string{"unique()"}, "unique needs a column"},
		{"bad relationship", Annotation{Key: "test", Name: "n", Value: "relationships(projects)"}, nil, "relationships needs schema.model.column"},
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
