package queries

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestSplit(t *testing.T) {
	src := "-- first\nSELECT 1;\n\nSELECT ';' AS semi, \"a;b\" -- a ; comment\nFROM t; /* only a comment; */\n  SELECT $$ ; $$, E'\\' ;' ;  \n"
	got := Split(src)
	want := []Statement{
		{Text: "-- first\nSELECT 1", Line: 1},
		{Text: "SELECT ';' AS semi, \"a;b\" -- a ; comment\nFROM t", Line: 4},
		{Text: "/* only a comment; */\n  SELECT $$ ; $$, E'\\' ;'", Line: 5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Split:\n got %+v\nwant %+v", got, want)
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"SELECT 1;", true},
		{"SELECT 1", false},
		{"SELECT 1; -- done", true},
		{"SELECT ';", false},
		{"SELECT 'a;'", false},
		{"SELECT 1 /* ; */", false},
		{"SELECT 1 /* unclosed ;", false},
		{"SELECT\n  district\nFROM marts.coverage\n;", true},
	}
	for _, tt := range tests {
		if got := Complete(tt.src); got != tt.want {
			t.Errorf("Complete(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		stmt    string
		refused string // keyword, "" when allowed
	}{
		{"SELECT * FROM marts.coverage", ""},
		{"  (SELECT 1) UNION (SELECT 2)", ""},
		{"FROM marts.coverage", ""},
		{"WITH a AS (SELECT 1) SELECT * FROM a", ""},
		{"-- DELETE FROM x\nSELECT 'DROP TABLE x'", ""},
		{"describe marts.coverage", ""},
		{"SUMMARIZE marts.fund_use", ""},
		{"EXPLAIN SELECT 1", ""},
		{"PRAGMA table_info('marts.coverage')", ""},
		{"SET threads = 2", ""},
		{"SET VARIABLE x = 1", ""},
		{"SET search_path = 'marts'", ""},
		{"USE marts", ""},
		{"COPY (SELECT * FROM marts.coverage) TO 'coverage.csv' (HEADER)", "COPY"},
		{"COPY marts.coverage TO 'coverage.parquet' (FORMAT parquet)", "COPY"},
		{"COPY marts.coverage (year, district) TO 'c.csv'", "COPY"},
		{"COPY (SELECT 1) TO 'shequ.duckdb'", "COPY"},
		{"EXPORT DATABASE 'dump'", "EXPORT"},
		{"IMPORT DATABASE 'dump'", "IMPORT"},
		{"SET autoinstall_known_extensions = true", "SET"},
		{"SET GLOBAL enable_external_access = true", "SET"},
		{"set lock_configuration=false", "SET"},
		{"RESET autoload_known_extensions", "RESET"},
		{"PRAGMA profiling_output = '/tmp/x'", "PRAGMA"},
		{"FORCE INSTALL httpfs", "FORCE"},
		{"CREATE TEMP TABLE mine AS SELECT 1", ""},
		{"create or replace temporary view v as select 1", ""},
		{"CREATE TABLE temp.mine AS SELECT 1", ""},
		{"INSERT INTO temp.mine VALUES (2)", ""},
		{"DROP TABLE IF EXISTS temp.mine", ""},
		{"DELETE FROM temp.mine", ""},
		{"INSERT INTO marts.coverage SELECT * FROM marts.coverage", "INSERT"},
		{"delete from raw.submissions", "DELETE"},
		{"UPDATE marts.fund_use SET staff_share_ok = true", "UPDATE"},
		{"DROP TABLE marts.coverage", "DROP"},
		{"DROP TABLE mine", "DROP"},
		{"ALTER TABLE marts.coverage ADD COLUMN x INT", "ALTER"},
		{"TRUNCATE raw.rejects", "TRUNCATE"},
		{"CREATE TABLE marts.x AS SELECT 1", "CREATE"},
		{"CREATE OR REPLACE VIEW marts.v AS SELECT 1", "CREATE"},
		{"COPY raw.rejects FROM 'r.csv'", "COPY"},
		{"COPY FROM DATABASE shequ TO other", "COPY"},
		{"ATTACH 'shequ.duckdb' AS live", "ATTACH"},
		{"DETACH live", "DETACH"},
		{"CHECKPOINT", "CHECKPOINT"},
		{"INSTALL httpfs", "INSTALL"},
		{"LOAD httpfs", "LOAD"},
		{"VACUUM", "VACUUM"},
		{"MERGE INTO marts.coverage USING x ON true WHEN MATCHED THEN DELETE", "MERGE"},
	}
	for _, tt := range tests {
		err := Check(tt.stmt)
		var re *RefusedError
		switch {
		case tt.refused == "" && err != nil:
			t.Errorf("Check(%q) = %v, want allowed", tt.stmt, err)
		case tt.refused != "" && (!errors.As(err, &re) || re.Keyword != tt.refused):
			t.Errorf("Check(%q) = %v, want refused as %s", tt.stmt, err, tt.refused)
		case tt.refused != "" && (!strings.HasPrefix(err.Error(), "已拒绝：") || !strings.Contains(err.Error(), "(sql_refused: refused: ")):
			t.Errorf("Check(%q) message %q does not say refused, in Chinese first and English", tt.stmt, err)
		case tt.refused == "COPY" || tt.refused == "EXPORT":
			if !strings.Contains(err.Error(), "--out FILE") {
				t.Errorf("Check(%q) message %q does not point to --out FILE", tt.stmt, err)
			}
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// A typo is a syntax error for DuckDB to report, not a refusal; SHOW
// TABLES lists every schema's tables.
func TestTyposAndShowTables(t *testing.T) {
	for _, s := range []string{"SELEC 1", "SLECT * FROM marts.coverage", "frm marts.coverage"} {
		if err := Check(s); err != nil {
			t.Errorf("Check(%q) = %v, want it left to DuckDB", s, err)
		}
	}
	for _, s := range []string{"CHECKPOINT", "VACUUM", "MERGE INTO marts.coverage USING x ON true WHEN MATCHED THEN DELETE"} {
		if err := Check(s); err == nil {
			t.Errorf("Check(%q) passed, want a refusal", s)
		}
	}
	for in, want := range map[string]string{"SHOW TABLES": "SHOW ALL TABLES", "show tables;": "SHOW ALL TABLES", "SHOW TABLES FROM marts": "SHOW TABLES FROM marts"} {
		if got := Rewrite(in); got != want {
			t.Errorf("Rewrite(%q) = %q, want %q", in, got, want)
		}
	}
}
