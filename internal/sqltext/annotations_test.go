package sqltext

import (
	"reflect"
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
