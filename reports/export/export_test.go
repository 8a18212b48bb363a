package export_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"shequ/internal/csvsafe"
	"shequ/reports"
	"shequ/reports/export"
	"shequ/reports/reportstest"
	"shequ/warehouse"
)

var db *sql.DB

func TestMain(m *testing.M) {
	reportstest.Main(m, func(w *warehouse.Warehouse, _ string) error {
		db = w.DB
		return nil
	})
}

func queries(t *testing.T) *reports.Set {
	t.Helper()
	set, err := reports.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func write(t *testing.T, dir string) *export.Manifest {
	t.Helper()
	m, err := export.Write(context.Background(), db, export.Options{Dir: dir, Queries: queries(t)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestExportEveryMart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	m := write(t, dir)
	if m.State.RunID != reportstest.RunID || len(m.State.Inputs) != 8 || m.State.PolicyDigest == "" {
		t.Errorf("state %+v", m.State)
	}
	rowsByMart := map[string]map[string]int64{}
	for _, f := range m.Files {
		if rowsByMart[f.Mart] == nil {
			rowsByMart[f.Mart] = map[string]int64{}
		}
		rowsByMart[f.Mart][f.Format] += f.Rows
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.File)))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha(b); got != f.SHA256 {
			t.Errorf("%s: sha256 %s, manifest says %s", f.File, got, f.SHA256)
		}
		if f.Format == "csv" && !bytes.HasPrefix(b, []byte("\uFEFF")) {
			t.Errorf("%s has no byte order mark", f.File)
		}
	}
	var marts []string
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		marts = append(marts, n)
	}
	rows.Close()
	for _, mart := range marts {
		var n int64
		if err := db.QueryRow(`SELECT count(*) FROM marts.` + mart).Scan(&n); err != nil {
			t.Fatal(err)
		}
		got := rowsByMart[mart]
		if got == nil && n == 0 {
			continue
		}
		if got["csv"] != n || got["parquet"] != n {
			t.Errorf("marts.%s has %d rows; exported csv %d, parquet %d", mart, n, got["csv"], got["parquet"])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "csv", "city_rewards", "year=2014", "city_rewards.csv")); err != nil {
		t.Errorf("not Hive-partitioned: %v", err)
	}
	// Nothing is left beside the export.
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("beside the export: %v", names)
	}
}

func TestExportIsReproducible(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	write(t, a)
	write(t, b)
	ma, _ := os.ReadFile(filepath.Join(a, export.ManifestFile))
	mb, _ := os.ReadFile(filepath.Join(b, export.ManifestFile))
	if !bytes.Equal(ma, mb) {
		t.Fatalf("two exports of the same state differ:\n%s\n%s", ma, mb)
	}
	var m export.Manifest
	if err := json.Unmarshal(ma, &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		x, _ := os.ReadFile(filepath.Join(a, f.File))
		y, _ := os.ReadFile(filepath.Join(b, f.File))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two exports", f.File)
		}
	}
}

func TestParquetReadsBackAsExpected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	write(t, dir)
	glob := filepath.ToSlash(filepath.Join(dir, "parquet", "city_rewards", "*", "*.parquet"))
	rows, err := db.Query(`SELECT year, district, eligible_projects, CAST(eligible_spending AS VARCHAR), CAST(allocation AS VARCHAR), share
		FROM read_parquet('` + glob + `', hive_partitioning = true) ORDER BY year, district`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	exp, err := reportstest.Expected("city_rewards")
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var year, projects int64
		var district, spending, allocation string
		var share float64
		if err := rows.Scan(&year, &district, &projects, &spending, &allocation, &share); err != nil {
			t.Fatal(err)
		}
		if i >= len(exp) {
			t.Fatalf("more rows than expected")
		}
		e := exp[i]
		want, _ := strconv.ParseFloat(e["share"], 64)
		if strconv.FormatInt(year, 10) != e["year"] || district != e["district"] || strconv.FormatInt(projects, 10) != e["eligible_projects"] ||
			spending != e["eligible_spending"] || allocation != e["allocation"] || abs(share-want) > 1e-12 {
			t.Errorf("row %d: %d %s %d %s %s %v; want %v", i, year, district, projects, spending, allocation, share, e)
		}
		i++
	}
	if i != len(exp) {
		t.Errorf("%d rows, want %d", i, len(exp))
	}
}

func TestCSVReadsBackAsExpected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	write(t, dir)
	exp, err := reportstest.Expected("coverage")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, year := range []string{"2013", "2014"} {
		b, err := os.ReadFile(filepath.Join(dir, "csv", "coverage", "year="+year, "coverage.csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != "district,urban_rural,communities,covered,coverage_rate,target_rate,meets_target,shortfall" {
			t.Errorf("header %v", recs[0])
		}
		for _, r := range recs[1:] {
			for _, e := range exp {
				if e["year"] == year && e["district"] == r[0] && e["urban_rural"] == r[1] {
					n++
					if r[2] != e["communities"] || r[3] != e["covered"] || r[6] != e["meets_target"] || r[7] != e["shortfall"] {
						t.Errorf("%s %v, want %v", year, r, e)
					}
					got, _ := strconv.ParseFloat(r[4], 64)
					want, _ := strconv.ParseFloat(e["coverage_rate"], 64)
					if abs(got-want) > 1e-12 {
						t.Errorf("%s %v rate, want %v", year, r, e)
					}
				}
			}
		}
	}
	if n != len(exp) {
		t.Errorf("matched %d coverage rows, want %d", n, len(exp))
	}
}

func TestFailedExportKeepsTheEarlierOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	before := write(t, dir)
	bad := fstest.MapFS{
		"definitions/x.yaml":      {Data: []byte("name: x\ntitle: x\nsheets: [{name: a, source: marts.coverage, columns: [{name: year, heading: 年}]}]\n")},
		"sql/export_fund_use.sql": {Data: []byte("SELECT * FROM marts.no_such_mart")},
	}
	set, err := reports.Load(bad, "bad")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.Write(context.Background(), db, export.Options{Dir: dir, Queries: set}); err == nil || !strings.Contains(err.Error(), "marts.fund_use") {
		t.Fatalf("err = %v, want a failure naming marts.fund_use", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, export.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m export.Manifest
	json.Unmarshal(b, &m)
	if len(m.Files) != len(before.Files) {
		t.Errorf("the earlier export changed: %d files, had %d", len(m.Files), len(before.Files))
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("%d entries beside the export, want only it", len(entries))
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// A second export keeps every file of the first; after one year of one
// mart changes, only that year's two files of that mart are written again,
// and the export equals one written from scratch.
func TestExportKeepsUnchangedFiles(t *testing.T) {
	ctx := context.Background()
	w, err := reportstest.Sample(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	exp := func(dir string) *export.Manifest {
		m, err := export.Write(ctx, w.DB, export.Options{Dir: dir, Queries: queries(t)})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	dir := filepath.Join(t.TempDir(), "exports")
	first := exp(dir)
	if len(first.Kept) != 0 {
		t.Fatalf("a first export kept %q", first.Kept)
	}
	again := exp(dir)
	if len(again.Kept) != len(again.Files) {
		t.Fatalf("the same state again: %d of %d files kept", len(again.Kept), len(again.Files))
	}
	if _, err := w.DB.ExecContext(ctx, `UPDATE marts.city_rewards SET allocation = allocation + 0.01
		WHERE year = 2014 AND district = (SELECT min(district) FROM marts.city_rewards WHERE year = 2014)`); err != nil {
		t.Fatal(err)
	}
	changed := exp(dir)
	var rewritten []string
	kept := map[string]bool{}
	for _, f := range changed.Kept {
		kept[f] = true
	}
	for _, f := range changed.Files {
		if !kept[f.File] {
			rewritten = append(rewritten, f.File)
		}
	}
	want := []string{"csv/city_rewards/year=2014/city_rewards.csv", "parquet/city_rewards/year=2014/city_rewards.parquet"}
	if !reflect.DeepEqual(rewritten, want) {
		t.Errorf("written again: %q, want %q", rewritten, want)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	exp(fresh)
	for _, f := range append(changed.Files, export.File{File: export.ManifestFile}) {
		a, err1 := os.ReadFile(filepath.Join(dir, f.File))
		b, err2 := os.ReadFile(filepath.Join(fresh, f.File))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from an export written from scratch (%v %v)", f.File, err1, err2)
		}
	}
}

// TestExportEscapesFormulas puts text a spreadsheet would evaluate into
// every text column of every mart (a district can name a file
// =HYPERLINK(…)), and a negative amount into a number column, exports
// under a umask that keeps everything private, and scans every CSV file:
// no text cell starts like a formula, the negative amount is a number, and
// the export is readable by everyone (files 0644, folders 0755).
func TestExportEscapesFormulas(t *testing.T) {
	ctx := context.Background()
	w, err := reportstest.Sample(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.DB.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'marts' AND data_type = 'VARCHAR' ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 10 {
		t.Fatalf("only %d text columns in the marts", len(cols))
	}
	attacks := []string{`=HYPERLINK("http://example.com/x","点击")`, "=2+5", "+2+5", "-2+5", "@P3", "\t=1", "\r=1"}
	for i, c := range cols {
		q := fmt.Sprintf(`UPDATE marts.%q SET %q = ? WHERE rowid = (SELECT min(rowid) FROM marts.%q)`, c.table, c.column, c.table)
		if _, err := w.DB.ExecContext(ctx, q, attacks[i%len(attacks)]); err != nil {
			t.Fatalf("%s.%s: %v", c.table, c.column, err)
		}
	}
	if _, err := w.DB.ExecContext(ctx, `UPDATE marts.city_rewards SET allocation = -12.5
		WHERE rowid = (SELECT min(rowid) FROM marts.city_rewards)`); err != nil {
		t.Fatal(err)
	}

	old := syscall.Umask(0o077)
	dir := filepath.Join(t.TempDir(), "out", "exports")
	m, err := export.Write(ctx, w.DB, export.Options{Dir: dir, Queries: queries(t)})
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	escaped, negative := 0, false
	for _, f := range m.Files {
		if f.Format != "csv" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.File)))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		for _, r := range recs[1:] {
			for _, cell := range r {
				if _, err := strconv.ParseFloat(cell, 64); err == nil {
					negative = negative || (f.Mart == "city_rewards" && cell == "-12.50")
					continue
				}
				if csvsafe.Risky(cell) {
					t.Errorf("%s: the cell %q would be taken for a formula", f.File, cell)
				}
				if strings.HasPrefix(cell, csvsafe.Prefix) && csvsafe.Risky(cell[1:]) {
					escaped++
				}
			}
		}
	}
	if escaped < len(cols)/2 {
		t.Errorf("%d escaped cells found for %d columns attacked", escaped, len(cols))
	}
	if !negative {
		t.Error("the negative allocation -12.50 is not written as a number in city_rewards")
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o644)
		if d.IsDir() {
			want = 0o755
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", p, st.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLeftoversOfAKilledExport: an export killed midway leaves its
// unfinished folder, or — between its two renames — the earlier export
// moved aside and no export in place. The next export puts the earlier one
// back if it must, then removes every leftover.
func TestLeftoversOfAKilledExport(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "exports")
	write(t, dir)
	// Killed between the renames: the export moved aside, a new one half
	// written.
	if err := os.Rename(dir, filepath.Join(root, ".exports.old-killed")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, ".exports.tmp-killed", "marts"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := write(t, dir)
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "exports" {
		t.Errorf("beside the export after the next one: %v, want exports only", names)
	}
	if len(m.Kept) == 0 {
		t.Error("the earlier export was not put back: nothing of it was kept")
	}
}
