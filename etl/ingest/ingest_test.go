package ingest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"shequ/etl/clean"
	"shequ/models"
	"shequ/warehouse"
)

// samplesDir is the repository's copy of the sample city.
const samplesDir = "../../samples"

func catalogue(t testing.TB) map[string]bool {
	t.Helper()
	cat, err := models.ServiceCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for code := range cat {
		m[code] = true
	}
	return m
}

// stage copies a batch of the sample inbox into inbox/<batch>, keeping
// the order of arrival: files get increasing modification times by name.
func stage(t testing.TB, inbox, batch string) {
	t.Helper()
	src := filepath.Join(samplesDir, "inbox", batch)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(inbox, batch), 0o755); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Hour)
	if batch == "batch2" {
		base = base.Add(30 * time.Minute)
	}
	for i, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(inbox, batch, e.Name())
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i) * time.Second)
		if err := os.Chtimes(dst, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
}

func ingestOnce(t testing.TB, w *warehouse.Warehouse, inbox string) *Summary {
	return ingestWith(t, w, Options{Inbox: inbox})
}

func ingestWith(t testing.TB, w *warehouse.Warehouse, opt Options) *Summary {
	t.Helper()
	opt.Catalogue, opt.IDKey = catalogue(t), []byte("test key")
	s, err := Run(context.Background(), w, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readCSV reads a CSV file into its header and rows.
func readCSV(t testing.TB, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return all[0], all[1:]
}

func queryStrings(t testing.TB, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func diffLines(t testing.TB, what string, got, want []string) {
	t.Helper()
	sort.Strings(got)
	sort.Strings(want)
	g := map[string]int{}
	for _, s := range got {
		g[s]++
	}
	for _, s := range want {
		g[s]--
	}
	var missing, extra []string
	for s, n := range g {
		for ; n > 0; n-- {
			extra = append(extra, s)
		}
		for ; n < 0; n++ {
			missing = append(missing, s)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("%s: %d missing, %d unexpected\nmissing:\n  %s\nunexpected:\n  %s", what, len(missing), len(extra),
			strings.Join(missing, "\n  "), strings.Join(extra, "\n  "))
	}
}

// TestSampleCity ingests batch1, then batch2, and checks every file's
// outcome, every reject and every current row against the sample's truth.
func TestSampleCity(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	receipts := filepath.Join(dir, "receipts")
	stage(t, inbox, "batch1")
	s1 := ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	if s1.New != 14 || s1.Loaded != 14 {
		t.Errorf("batch1: %d new, %d loaded; want 14 and 14", s1.New, s1.Loaded)
	}
	stage(t, inbox, "batch2")
	s2 := ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	if s2.New != 8 || s2.Duplicates != 1 {
		t.Errorf("batch2: %d new, %d duplicates; want 8 and 1", s2.New, s2.Duplicates)
	}

	t.Run("files", func(t *testing.T) {
		_, want := readCSV(t, filepath.Join(samplesDir, "expected/expected_files.csv"))
		var wl []string
		for _, r := range want {
			wl = append(wl, strings.Join(r, ","))
		}
		got := queryStrings(t, w.DB, `SELECT concat_ws(',', file, status, rows_loaded, rows_rejected) FROM raw.submissions`)
		diffLines(t, "submissions", got, wl)
	})

	t.Run("rejects", func(t *testing.T) {
		_, want := readCSV(t, filepath.Join(samplesDir, "expected/expected_rejects.csv"))
		var wl []string
		for _, r := range want { // file,sheet,row,column,reason,severity,value,header,letter
			if r[3] == "id_number" { // stored masked, never as written (DOMAIN.md §5)
				r[6] = clean.MaskID(r[6])
			}
			wl = append(wl, strings.Join(r[:9], "|"))
		}
		got := queryStrings(t, w.DB, `SELECT concat_ws('|', file, sheet, "row", "column", code, severity, value, header, letter) FROM raw.rejects`)
		diffLines(t, "rejects", got, wl)
		if ids := queryStrings(t, w.DB, `SELECT value || ' ' || message || ' ' || message_zh FROM raw.rejects
			WHERE regexp_matches(value || message || message_zh, '[0-9]{17}[0-9X]')`); len(ids) > 0 {
			t.Errorf("an ID number is stored unmasked in raw.rejects: %q", ids)
		}
	})

	t.Run("current rows equal truth", func(t *testing.T) {
		for _, table := range []string{"communities", "projects", "project_communities", "staff", "expenditures", "activities", "evaluations", "facilities"} {
			compareTruth(t, w.DB, table)
		}
	})

	t.Run("receipts", func(t *testing.T) {
		n := 0
		for _, f := range append(s1.Files, s2.Files...) {
			if _, err := os.Stat(f.Receipt); f.Receipt == "" || err != nil {
				t.Errorf("%s: no receipt (%q, %v)", f.File, f.Receipt, err)
			}
			n++
		}
		if n != 22 {
			t.Errorf("%d receipts, want one per file (22)", n)
		}
		want := filepath.Join(receipts, "青山区", "2_02_青山区社区名册_回执.xlsx")
		if _, err := os.Stat(want); err != nil {
			t.Errorf("receipt of the GBK roster: %v", err)
		}
	})

	t.Run("rerun changes nothing", func(t *testing.T) {
		before := fingerprint(t, w.DB)
		s3 := ingestOnce(t, w, inbox)
		if s3.New != 0 {
			t.Errorf("rerun took %d files, want 0", s3.New)
		}
		if after := fingerprint(t, w.DB); after != before {
			t.Errorf("rerun changed the warehouse:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// compareTruth compares the current rows of raw.<table> with truth/<table>.csv,
// column by column in the raw table's own types.
func compareTruth(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	path, _ := filepath.Abs(filepath.Join(samplesDir, "truth", table+".csv"))
	header, _ := readCSV(t, path)
	types := map[string]string{}
	rows, err := db.Query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?`, table)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c, ty string
		rows.Scan(&c, &ty)
		types[c] = ty
	}
	rows.Close()
	var fromTruth, fromRaw []string
	for _, c := range header {
		ty, ok := types[c]
		if !ok {
			t.Fatalf("%s: truth column %s not in raw.%s", table, c, table)
		}
		fromTruth = append(fromTruth, fmt.Sprintf("coalesce(CAST(NULLIF(%q, '') AS %s)::VARCHAR, '∅')", c, ty))
		fromRaw = append(fromRaw, fmt.Sprintf("coalesce(%q::VARCHAR, '∅')", c))
	}
	want := queryStrings(t, db, fmt.Sprintf(`SELECT concat_ws('|', %s) FROM read_csv('%s', all_varchar = true, header = true)`, strings.Join(fromTruth, ", "), path))
	got := queryStrings(t, db, fmt.Sprintf(`SELECT concat_ws('|', %s) FROM raw.%s WHERE superseded_by IS NULL`, strings.Join(fromRaw, ", "), table))
	diffLines(t, table, got, want)
}

// fingerprint summarises every raw table's row count and current rows.
func fingerprint(t testing.TB, db *sql.DB) string {
	var parts []string
	for _, table := range []string{"submissions", "rejects", "communities", "projects", "project_communities", "staff", "expenditures", "activities", "evaluations", "facilities"} {
		var n, cur int
		q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE %s) FROM raw.%s`, map[bool]string{true: "true", false: "superseded_by IS NULL"}[table == "submissions" || table == "rejects"], table)
		if err := db.QueryRow(q).Scan(&n, &cur); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d/%d", table, cur, n))
	}
	return strings.Join(parts, " ")
}

// TestSampleCityInOneRun ingests both batches in one run, as a daemon
// would after a weekend: the later batch's duplicate and corrections are
// recognised against files of the same run, with the same outcome as two
// runs.
func TestSampleCityInOneRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stage(t, inbox, "batch1")
	stage(t, inbox, "batch2")
	s := ingestOnce(t, w, inbox)
	if s.New != 22 || s.Duplicates != 1 || s.Loaded != 21 {
		t.Errorf("%d new, %d loaded, %d duplicates; want 22, 21, 1", s.New, s.Loaded, s.Duplicates)
	}
	_, want := readCSV(t, filepath.Join(samplesDir, "expected/expected_files.csv"))
	var wl []string
	for _, r := range want {
		wl = append(wl, strings.Join(r, ","))
	}
	got := queryStrings(t, w.DB, `SELECT concat_ws(',', file, status, rows_loaded, rows_rejected) FROM raw.submissions`)
	diffLines(t, "submissions", got, wl)
	for _, table := range []string{"communities", "projects", "project_communities", "staff", "expenditures", "activities", "evaluations", "facilities"} {
		compareTruth(t, w.DB, table)
	}
}
