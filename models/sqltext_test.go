package models

import (
	"reflect"
	"testing"
)

func TestScanRefs(t *testing.T) {
	src := "-- reads staging.fake in a comment\nSELECT 'marts.not_a_ref', p.coverage_target_urban\nFROM staging.communities c /* intermediate.hidden\n */ JOIN Intermediate . Community_Years y\n" +
		"  ON x.marts.inner = 1\nCROSS JOIN staging.params p, raw.projects, policy.rooms\nWHERE c.x = 'it''s staging.fake2'"
	got := scanRefs(blankSQL(src))
	want := []rawRef{
		{"staging.communities", 3},
		{"intermediate.community_years", 4},
		{"staging.params", 6},
		{"raw.projects", 6},
		{"policy.rooms", 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("refs = %v\nwant %v", got, want)
	}
}

func TestBlankSQLKeepsLines(t *testing.T) {
	src := "a -- x\n'b\nc' /* d\ne */ f"
	got := blankSQL(src)
	if want := "a     \n  \n       \n     f"; got != want {
		t.Errorf("blankSQL = %q, want %q", got, want)
	}
}

func TestTrimStatement(t *testing.T) {
	tests := map[string]string{
		"SELECT 1":                "SELECT 1",
		"SELECT 1;\n\n":           "SELECT 1",
		"SELECT 1 ; -- done\n":    "SELECT 1 -- done",
		"SELECT ';'":              "SELECT ';'",
		"SELECT 1\n-- trailing\n": "SELECT 1\n-- trailing",
	}
	for in, want := range tests {
		if got := trimStatement(in); got != want {
			t.Errorf("trimStatement(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExtraStatementLine(t *testing.T) {
	if l := extraStatementLine(blankSQL("SELECT 1;\nSELECT 2")); l != 1 {
		t.Errorf("line = %d, want 1", l)
	}
	if l := extraStatementLine(blankSQL("SELECT ';' ;\n")); l != 0 {
		t.Errorf("line = %d, want 0", l)
	}
}
