package models

import (
	"reflect"
	"testing"

	"shequ/internal/sqltext"
)

func TestScanRefs(t *testing.T) {
	src := "-- reads staging.fake in a comment\nSELECT 'marts.not_a_ref', p.coverage_target_urban\nFROM staging.communities c /* intermediate.hidden\n */ JOIN Intermediate . Community_Years y\n" +
		"  ON x.marts.inner = 1\nCROSS JOIN staging.params p, raw.projects, policy.rooms\nWHERE c.x = 'it''s staging.fake2'"
	got := scanRefs(sqltext.Blank(src))
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

func TestExtraStatementLine(t *testing.T) {
	if l := extraStatementLine(sqltext.Blank("SELECT 1;\nSELECT 2")); l != 1 {
		t.Errorf("line = %d, want 1", l)
	}
	if l := extraStatementLine(sqltext.Blank("SELECT ';' ;\n")); l != 0 {
		t.Errorf("line = %d, want 0", l)
	}
}
