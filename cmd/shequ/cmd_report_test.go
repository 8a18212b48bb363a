package main

import (
	"archive/zip"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/reports"
	"shequ/warehouse"
)

// TestReportCommand runs the report stage of the demo, then `shequ report`
// for another year and district and for a trial under an alternative
// reward budget, as a planner would.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := shequ(t, dir, "demo")
	if code != 0 {
		t.Fatalf("demo exited %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "  report: 2014 in ") || !strings.Contains(stdout, "14 marts as CSV and Parquet") {
		t.Errorf("the demo's report stage said:\n%s", stdout)
	}
	demo := filepath.Join(dir, "shequ-demo")
	wpath, out := filepath.Join(demo, "shequ.duckdb"), filepath.Join(demo, "out")
	for _, f := range []string{"2014/社区服务年度报告_2014.xlsx", "2014/社区服务年度报告_2014.html", "2014/市级奖励资金分配表_2014.xlsx",
		"2014/市级奖励资金分配表_2014.html", "exports/manifest.json", "exports/parquet/coverage/year=2014/coverage.parquet"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the demo wrote no %s", f)
		}
	}
	f, err := excelize.OpenFile(filepath.Join(out, "2014", "社区服务年度报告_2014.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	title, _ := f.GetCellValue("封面", "A1")
	f.Close()
	if title != "江州市2014年度社区服务年度报告" {
		t.Errorf("demo cover title %q", title)
	}

	stdout, stderr, code = shequ(t, dir, "report", "--warehouse", wpath, "--out", out, "--year", "2013", "--district", "临江区")
	if code != 0 || !strings.Contains(stdout, "社区服务年度报告_2013_临江区.xlsx") {
		t.Errorf("report 2013 临江区: exit %d\n%s%s", code, stdout, stderr)
	}
	// Nothing changed since the demo's export: every file is kept.
	if m := regexp.MustCompile(`\((\d+) files, (\d+) unchanged\)`).FindStringSubmatch(stdout); m == nil || m[1] != m[2] {
		t.Errorf("report 2013 临江区 did not keep the unchanged exports:\n%s", stdout)
	}

	budget := filepath.Join(dir, "reward_budget_2014.csv")
	os.WriteFile(budget, []byte("year,budget\n2014,1000000\n"), 0o644)
	stdout, stderr, code = shequ(t, dir, "report", "--warehouse", wpath, "--out", out, "--policy", budget)
	if code != 0 {
		t.Fatalf("trial: exit %d\n%s%s", code, stdout, stderr)
	}
	trial := filepath.Join(out, "2014", "试算-reward_budget_2014", "市级奖励资金分配表_2014.xlsx")
	f, err = excelize.OpenFile(trial)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	rows, _ := f.GetRows("分配表", excelize.Options{RawCellValue: true})
	f.Close()
	var total reports.Decimal
	label := ""
	for _, r := range rows {
		if len(r) > 6 && r[0] == "合计" {
			total, _ = reports.ParseDecimal(r[6])
		}
		if len(r) > 0 && strings.HasPrefix(r[0], "试算") {
			label = r[0]
		}
	}
	if d := total.Rescale(2).Units - 100000000; d < -2 || d > 2 {
		t.Errorf("trial allocation total %s, want the budget 1000000 (to a fen or two of rounding)", total)
	}
	if !strings.Contains(label, "备选政策：reward_budget_2014.csv") {
		t.Errorf("trial label %q", label)
	}

	// The warehouse still holds the default allocation, and every report
	// was recorded as a run.
	w, err := warehouse.Open(context.Background(), wpath, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var alloc string
	if err := w.DB.QueryRow(`SELECT CAST(sum(allocation) AS VARCHAR) FROM marts.city_rewards WHERE year = 2014`).Scan(&alloc); err != nil {
		w.Close()
		t.Fatal(err)
	}
	if alloc != "1650352.61" {
		t.Errorf("the trial changed the warehouse: 2014 allocations add up to %s", alloc)
	}
	var ok, steps int
	if err := w.DB.QueryRow(`SELECT count(*) FILTER (WHERE job = 'report' AND status = 'ok'), count(*) FILTER (WHERE step = 'report' AND status = 'ok') FROM ops.runs`).Scan(&ok, &steps); err != nil {
		w.Close()
		t.Fatal(err)
	}
	if ok != 2 || steps != 1 {
		t.Errorf("ops.runs: %d report runs and %d report steps, want 2 and 1", ok, steps)
	}
	personalDataStaysOut(t, w, out)
	w.Close()

	if _, stderr, code := shequ(t, dir, "report", "--warehouse", wpath, "--year", "1999"); code != 2 || !strings.Contains(stderr, "1999") {
		t.Errorf("--year 1999: exit %d, %s", code, stderr)
	}
	if _, stderr, code := shequ(t, dir, "report", "--warehouse", wpath, "--out", out, "--year", "2019"); code != 1 || !strings.Contains(stderr, "no data for 2019") {
		t.Errorf("--year 2019: exit %d, %s", code, stderr)
	}
}

// TestReportStageOfAnEmptyWarehouse: the nightly run of a warehouse that
// has received nothing yet skips the reports instead of failing.
func TestReportStageOfAnEmptyWarehouse(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "inbox"), 0o755)
	stdout, stderr, code := shequ(t, dir, "run", "--inbox", "inbox", "--warehouse", "w.duckdb", "--out", "out")
	if code != 0 || !strings.Contains(stdout, "- report: skipped (数据仓库还没有数据") || !strings.Contains(stdout, "the warehouse holds no data yet") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := shequ(t, dir, "report", "--warehouse", "w.duckdb", "--out", "out"); code != 1 || !strings.Contains(stderr, "no data yet") {
		t.Errorf("shequ report on an empty warehouse: exit %d, %s", code, stderr)
	}
}

// personalDataStaysOut scans every file under out for the staff names and
// masked ID numbers the demo warehouse holds, rejected rows' values too.
func personalDataStaysOut(t *testing.T, w *warehouse.Warehouse, out string) {
	t.Helper()
	rows, err := w.DB.Query(`SELECT staff_name FROM raw.staff UNION SELECT id_number_masked FROM raw.staff WHERE id_number_masked IS NOT NULL
		UNION SELECT value FROM raw.rejects WHERE "column" IN ('staff_name', 'id_number') AND length(value) >= 2`)
	if err != nil {
		t.Fatal(err)
	}
	var personal []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		personal = append(personal, s)
	}
	rows.Close()
	if len(personal) < 100 {
		t.Fatalf("only %d personal strings", len(personal))
	}
	files := 0
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		var text strings.Builder
		switch filepath.Ext(p) {
		case ".xlsx":
			zr, err := zip.OpenReader(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, zf := range zr.File {
				rc, _ := zf.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				text.Write(b)
			}
			zr.Close()
		case ".parquet":
			var s sql.NullString
			if err := w.DB.QueryRow(`SELECT string_agg(CAST(t AS VARCHAR), '|') FROM read_parquet('` + filepath.ToSlash(p) + `') t`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			text.WriteString(s.String)
		default:
			b, _ := os.ReadFile(p)
			text.Write(b)
		}
		for _, s := range personal {
			if strings.Contains(text.String(), s) {
				t.Errorf("%s contains personal data %q", p, s)
			}
		}
		return nil
	})
	if files < 50 {
		t.Errorf("scanned %d files", files)
	}
}
