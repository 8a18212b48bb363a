package bundle_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/reports"
	"shequ/reports/bundle"
	"shequ/reports/reportstest"
	"shequ/warehouse"
)

// The sample city's warehouse and every report of 2013 and 2014 written
// from it, once for the package's tests.
var (
	db      *sql.DB
	out     string
	results = map[int]*bundle.Result{}
)

// now is the time of writing the reports say.
var now = time.Date(2015, 2, 1, 10, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	reportstest.Main(m, func(w *warehouse.Warehouse, dir string) error {
		db = w.DB
		out = filepath.Join(dir, "out")
		for _, year := range []int{2013, 2014} {
			res, err := bundle.Write(context.Background(), db, bundle.Options{Out: out, Year: year, City: reportstest.City, Now: now})
			if err != nil {
				return err
			}
			results[year] = res
		}
		return nil
	})
}

func annualBook(year int) string {
	return filepath.Join(out, fmt.Sprint(year), fmt.Sprintf("社区服务年度报告_%d.xlsx", year))
}

func detailsBook(year int) string {
	return filepath.Join(out, fmt.Sprint(year), fmt.Sprintf("社区服务项目明细_%d.xlsx", year))
}

func allocationBook(year int) string {
	return filepath.Join(out, fmt.Sprint(year), fmt.Sprintf("市级奖励资金分配表_%d.xlsx", year))
}

func open(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sheetTable reads a sheet's table: the header row is the first whose
// first cell is want; rows follow until a blank first cell. It returns
// the rows as heading → raw cell value, and the cell names.
func sheetTable(t *testing.T, f *excelize.File, sheet, want string) (rows []map[string]string, cells []map[string]string) {
	t.Helper()
	all, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	h := -1
	for i, r := range all {
		if len(r) > 0 && r[0] == want {
			h = i
			break
		}
	}
	if h < 0 {
		t.Fatalf("sheet %s: no header row starting %q", sheet, want)
	}
	head := all[h]
	for i := h + 1; i < len(all) && len(all[i]) > 0 && all[i][0] != ""; i++ {
		row, names := map[string]string{}, map[string]string{}
		for j, name := range head {
			if j < len(all[i]) {
				row[name] = all[i][j]
			}
			names[name], _ = excelize.CoordinatesToCellName(j+1, i+1)
		}
		rows = append(rows, row)
		cells = append(cells, names)
	}
	return rows, cells
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}

func near(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

// fen reads yuan as an exact number of fen.
func fen(t *testing.T, s string) int64 {
	t.Helper()
	d, err := reports.ParseDecimal(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return d.Rescale(2).Units
}

func highlighted(t *testing.T, f *excelize.File, sheet, ref string) bool {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Fill.Color {
		if strings.EqualFold(c, "FFC7CE") {
			return true
		}
	}
	return false
}

func numFmt(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, _ := f.GetCellStyle(sheet, ref)
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return fmt.Sprint(st.NumFmt)
}

// TestWorkbookSheetsAndLayout: the annual report has the findings on its
// cover, a sheet per topic with a row per district, the policy and the
// files as appendices; the projects, centres and files one by one are in
// the details workbook.
func TestWorkbookSheetsAndLayout(t *testing.T) {
	f := open(t, annualBook(2014))
	want := []string{"封面", "覆盖率", "未覆盖社区", "评估星级", "不合格项目", "项目经费", "市级奖励", "示范点与拨付", "达标情况", "承接机构",
		"附录一 政策参数", "附录二 报送情况", "附录三 数据质量"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sheets %v, want %v", got, want)
	}
	cover, err := f.GetRows("封面")
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(cover)
	for _, s := range []string{"江州市2014年度社区服务年度报告", "数据截至", "2015-01-10", "#7", "主要情况", "城市社区覆盖率", "临江区：", "青山区："} {
		if !strings.Contains(text, s) {
			t.Errorf("cover lacks %q", s)
		}
	}
	appendix, _ := f.GetRows("附录三 数据质量")
	if !strings.Contains(fmt.Sprint(appendix), "未发现数据质量问题") {
		t.Errorf("附录三 数据质量: %v", appendix)
	}
	d := open(t, detailsBook(2014))
	details := []string{"封面", "项目人员", "项目经费", "评估", "服务内容", "功能室", "站点补贴", "拨付", "承接机构", "报送文件"}
	if got := d.GetSheetList(); strings.Join(got, ",") != strings.Join(details, ",") {
		t.Errorf("details' sheets %v, want %v", got, details)
	}
	files, _ := d.GetRows("报送文件")
	if !strings.Contains(fmt.Sprint(files), "truth/staff.csv") || !strings.Contains(fmt.Sprint(files), "人员名册") {
		t.Errorf("报送文件 lacks truth/staff.csv as 人员名册: %v", files)
	}
	for _, sheet := range want[1:] {
		p, err := f.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 3 {
			t.Errorf("%s: panes %+v, %v; want the header frozen", sheet, p, err)
		}
		pl, _ := f.GetPageLayout(sheet)
		if pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s: page layout %+v, want A4 fitted to the width", sheet, pl)
		}
	}
	// Filters, charts: in the package.
	zr, err := zip.OpenReader(annualBook(2014))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	charts, filters := 0, 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
		if strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			b := read(t, zf)
			if bytes.Contains(b, []byte("<autoFilter")) {
				filters++
			}
		}
	}
	if charts != 3 {
		t.Errorf("%d charts, want 3 (coverage against target, stars, reward allocation)", charts)
	}
	// Every table with rows has a filter: 不合格项目 has none in 2014.
	if filters != len(want)-2 {
		t.Errorf("%d sheets with a filter, want %d", filters, len(want)-2)
	}
}

func read(t *testing.T, zf *zip.File) []byte {
	t.Helper()
	rc, err := zf.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWorkbookCoverageMatchesExpected(t *testing.T) {
	exp, err := reportstest.Expected("coverage")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, year := range []int{2013, 2014} {
		f := open(t, annualBook(year))
		rows, cells := sheetTable(t, f, "覆盖率", "区")
		for _, e := range exp {
			if e["year"] != fmt.Sprint(year) {
				continue
			}
			side := map[string]string{"urban": "城市", "rural": "农村"}[e["urban_rural"]]
			for i, r := range rows {
				if r["区"] != e["district"] {
					continue
				}
				n++
				if r[side+"社区数"] != e["communities"] || r[side+"已覆盖"] != e["covered"] || r[side+"尚需覆盖"] != e["shortfall"] {
					t.Errorf("%d %s %s: %v, want %v", year, e["district"], side, r, e)
				}
				if !near(num(t, r[side+"覆盖率"]), num(t, e["coverage_rate"])) || !near(num(t, r[side+"目标"]), num(t, e["target_rate"])) {
					t.Errorf("%d %s %s rate %s target %s, want %s %s", year, e["district"], side, r[side+"覆盖率"], r[side+"目标"], e["coverage_rate"], e["target_rate"])
				}
				ref := cells[i][side+"覆盖率"]
				if got := highlighted(t, f, "覆盖率", ref); got != (e["meets_target"] == "false") {
					t.Errorf("%d %s %s: highlighted %v, meets_target %s", year, e["district"], side, got, e["meets_target"])
				}
				if nf := numFmt(t, f, "覆盖率", ref); nf != "0.00%" {
					t.Errorf("coverage rate format %q", nf)
				}
			}
		}
	}
	if n != 8 {
		t.Errorf("compared %d coverage rows, want 8", n)
	}
}

func TestWorkbookFinanceAndEvaluationMatchExpected(t *testing.T) {
	costs, _ := reportstest.Expected("project_costs")
	funds, _ := reportstest.Expected("fund_use")
	evals, _ := reportstest.Expected("evaluation_scores")
	f := open(t, detailsBook(2013))
	rows, cells := sheetTable(t, f, "项目经费", "区")
	byCode := map[string]int{}
	for i, r := range rows {
		byCode[r["项目编号"]] = i
	}
	n := 0
	for _, e := range costs {
		if e["year"] != "2013" {
			continue
		}
		i, ok := byCode[e["project_code"]]
		if !ok {
			t.Errorf("project %s missing from 项目经费", e["project_code"])
			continue
		}
		n++
		r := rows[i]
		if fen(t, r["合同金额（元）"]) != fen(t, e["contract_amount"]) || fen(t, r["经费标准（元）"]) != fen(t, e["standard_amount"]) {
			t.Errorf("%s: %v, want %v", e["project_code"], r, e)
		}
		if e["cost_per_worker"] != "" && fen(t, r["人均成本（元）"]) != fen(t, e["cost_per_worker"]) {
			t.Errorf("%s cost per worker %s, want %s", e["project_code"], r["人均成本（元）"], e["cost_per_worker"])
		}
		ref := cells[i]["合同金额（元）"]
		if got := highlighted(t, f, "项目经费", ref); got != (e["within_standard"] == "false") {
			t.Errorf("%s contract highlighted %v, within_standard %s", e["project_code"], got, e["within_standard"])
		}
		if nf := numFmt(t, f, "项目经费", ref); nf != "#,##0.00" {
			t.Errorf("yuan format %q", nf)
		}
	}
	for _, e := range funds {
		if e["year"] != "2013" {
			continue
		}
		r := rows[byCode[e["project_code"]]]
		if fen(t, r["支出合计（元）"]) != fen(t, e["spent_total"]) || fen(t, r["结余（元）"]) != fen(t, e["surplus"]) ||
			!near(num(t, r["人员薪酬占比"]), num(t, e["staff_share"])) {
			t.Errorf("%s fund use %v, want %v", e["project_code"], r, e)
		}
		ref := cells[byCode[e["project_code"]]]["人员薪酬占比"]
		if got := highlighted(t, f, "项目经费", ref); got != (e["staff_share_ok"] == "false") {
			t.Errorf("%s staff share highlighted %v, ok %s", e["project_code"], got, e["staff_share_ok"])
		}
	}
	if n == 0 {
		t.Fatal("no project compared")
	}
	// The totals row adds the contracts up to the fen.
	all, _ := f.GetRows("项目经费", excelize.Options{RawCellValue: true})
	var total int64
	for _, e := range costs {
		if e["year"] == "2013" {
			total += fen(t, e["contract_amount"])
		}
	}
	found := false
	for _, r := range all {
		if len(r) > 3 && r[0] == "合计" {
			found = true
			if fen(t, r[3]) != total {
				t.Errorf("contract total %s, want %d fen", r[3], total)
			}
		}
	}
	if !found {
		t.Error("no totals row on 项目经费")
	}

	rows, _ = sheetTable(t, f, "评估", "区")
	stage := map[string]string{"mid": "中期", "annual": "年度", "final": "终期"}
	m := 0
	for _, e := range evals {
		if e["year"] != "2013" {
			continue
		}
		for _, r := range rows {
			if r["项目编号"] == e["project_code"] && r["评估阶段"] == stage[e["stage"]] {
				m++
				if !near(num(t, r["总分"]), num(t, e["total_score"])) || r["星级"] != e["stars"] {
					t.Errorf("%s %s: total %s stars %s, want %s %s", e["project_code"], e["stage"], r["总分"], r["星级"], e["total_score"], e["stars"])
				}
			}
		}
	}
	if m == 0 {
		t.Error("no evaluation compared")
	}
}

func TestAllocationMatchesExpected(t *testing.T) {
	exp, err := reportstest.Expected("city_rewards")
	if err != nil {
		t.Fatal(err)
	}
	for _, year := range []int{2013, 2014} {
		f := open(t, allocationBook(year))
		if got := f.GetSheetList(); strings.Join(got, ",") != "分配表,计算过程" {
			t.Errorf("%d: sheets %v", year, got)
		}
		pl, _ := f.GetPageLayout("分配表")
		if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "portrait" {
			t.Errorf("%d: 分配表 page layout %+v, want A4 portrait", year, pl)
		}
		rows, _ := sheetTable(t, f, "分配表", "区")
		var sum, total int64
		var shares float64
		n := 0
		for _, r := range rows {
			if r["区"] == "合计" {
				total = fen(t, r["分配金额（元）"])
				continue
			}
			for _, e := range exp {
				if e["year"] == fmt.Sprint(year) && e["district"] == r["区"] {
					n++
					if r["合格项目数"] != e["eligible_projects"] || fen(t, r["计奖支出（元）"]) != fen(t, e["eligible_spending"]) ||
						fen(t, r["应得奖励（元）"]) != fen(t, e["entitlement"]) || fen(t, r["分配金额（元）"]) != fen(t, e["allocation"]) ||
						!near(num(t, r["奖励比例"]), num(t, e["reward_rate"])) || !near(num(t, r["占比"]), num(t, e["share"])) ||
						!near(num(t, r["调整系数"]), num(t, e["scale"])) {
						t.Errorf("%d %s: %v, want %v", year, r["区"], r, e)
					}
					sum += fen(t, r["分配金额（元）"])
					shares += num(t, r["占比"])
				}
			}
		}
		if n != 2 || total != sum || total == 0 {
			t.Errorf("%d: %d districts; total %d fen, districts add up to %d fen", year, n, total, sum)
		}
		if !near(shares, 1) && (shares-1 > 1e-12 || 1-shares > 1e-12) {
			t.Errorf("%d: shares add up to %v", year, shares)
		}

		// The calculation recomputes every allocation with Excel formulas.
		calc, err := f.GetRows("计算过程")
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for i, r := range calc {
			if len(r) == 0 {
				continue
			}
			h, _ := excelize.CoordinatesToCellName(8, i+1)
			formula, _ := f.GetCellFormula("计算过程", h)
			if !strings.HasPrefix(formula, "ROUND(") {
				continue
			}
			got, err := f.CalcCellValue("计算过程", h, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatalf("%s: %v", h, err)
			}
			k, _ := excelize.CoordinatesToCellName(11, i+1)
			diff, err := f.CalcCellValue("计算过程", k, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range exp {
				if e["year"] == fmt.Sprint(year) && e["district"] == r[0] {
					checked++
					// excelize's own formula engine rounds 682300.905 down
					// (it divides by 0.010000000000000002); Excel and
					// LibreOffice round it to .91, as TestLibreOffice
					// checks exactly. Here: within a fen.
					want := num(t, e["allocation"])
					if g := num(t, got); g-want > 0.0100001 || want-g > 0.0100001 {
						t.Errorf("%d %s: =%s gives %s, want %s", year, r[0], formula, got, e["allocation"])
					}
					if d := num(t, diff); d > 0.0100001 || d < -0.0100001 {
						t.Errorf("%d %s: 差额 %s", year, r[0], diff)
					}
				}
			}
		}
		if checked != 2 {
			t.Errorf("%d: %d districts recomputed on 计算过程, want 2", year, checked)
		}
		// The parameters by their Chinese names, the documents by title and
		// 文号, the policy tables by their Chinese names: no internal name.
		text := fmt.Sprint(calc)
		for _, s := range []string{"奖励比例", "《深圳市社区服务“十二五”规划》（深府办〔2011〕111号）第（十二）项", "年度评估合格所需星级", "市级奖励比例", "系统默认"} {
			if !strings.Contains(text, s) {
				t.Errorf("%d: 计算过程 lacks %q", year, s)
			}
		}
		for _, s := range []string{"reward_rate", "seed 0", "evaluation_pass_stars", "policy/", "marts.", "default"} {
			if strings.Contains(text, s) {
				t.Errorf("%d: 计算过程 shows %q", year, s)
			}
		}
	}
}

var tag = regexp.MustCompile(`<[^>]+>`)

func TestHTMLIsSelfContainedWithTheSameFigures(t *testing.T) {
	exp, _ := reportstest.Expected("city_rewards")
	for _, name := range []string{"社区服务年度报告_2014.html", "市级奖励资金分配表_2014.html"} {
		b, err := os.ReadFile(filepath.Join(out, "2014", name))
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		for _, bad := range []string{"<script", "<link", "@import", "url(", "src=", "https://"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s contains %q: it must not load anything", name, bad)
			}
		}
		if n := strings.Count(page, "http://"); n != strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`) {
			t.Errorf("%s refers to http:// other than the SVG namespace", name)
		}
		text := tag.ReplaceAllString(page, " ")
		for _, e := range exp {
			if e["year"] != "2014" {
				continue
			}
			d, _ := reports.ParseDecimal(e["allocation"])
			want := reports.DisplayAs(d, reports.FormatYuan)
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks the allocation of %s, %s", name, e["district"], want)
			}
		}
		if !strings.Contains(text, "#7") {
			t.Errorf("%s lacks the run stamp", name)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "2014", "社区服务年度报告_2014.html"))
	if n := strings.Count(string(b), `<svg class="chart"`); n != 3 {
		t.Errorf("%d charts in the page, want 3", n)
	}
	if !strings.Contains(string(b), `class="num bad"`) {
		t.Error("no highlighted cell in the page")
	}
}

// TestSameFiguresInEveryFormat reads the 2014 allocation of each district
// from the workbook, the page, the CSV and the Parquet export.
func TestSameFiguresInEveryFormat(t *testing.T) {
	f := open(t, allocationBook(2014))
	rows, _ := sheetTable(t, f, "分配表", "区")
	xl := map[string]int64{}
	for _, r := range rows {
		xl[r["区"]] = fen(t, r["分配金额（元）"])
	}
	b, err := os.ReadFile(filepath.Join(out, "exports", "csv", "city_rewards", "year=2014", "city_rewards.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	page, _ := os.ReadFile(filepath.Join(out, "2014", "市级奖励资金分配表_2014.html"))
	glob := filepath.ToSlash(filepath.Join(out, "exports", "parquet", "city_rewards", "*", "*.parquet"))
	for _, r := range recs[1:] {
		district := r[col["district"]]
		c := fen(t, r[col["allocation"]])
		var pq string
		if err := db.QueryRow(`SELECT CAST(allocation AS VARCHAR) FROM read_parquet('`+glob+`', hive_partitioning = true) WHERE year = 2014 AND district = ?`, district).Scan(&pq); err != nil {
			t.Fatal(err)
		}
		if xl[district] != c || fen(t, pq) != c {
			t.Errorf("%s: workbook %d, csv %d, parquet %s", district, xl[district], c, pq)
		}
		d := reports.Decimal{Units: c, Scale: 2}
		if !strings.Contains(string(page), reports.DisplayAs(d, reports.FormatYuan)) {
			t.Errorf("%s: the page lacks %s", district, d)
		}
	}
}

// TestNoPersonalData scans every file written for the staff names and
// masked ID numbers of the sample rosters.
func TestNoPersonalData(t *testing.T) {
	personal, err := reportstest.Personal()
	if err != nil {
		t.Fatal(err)
	}
	if len(personal) < 100 {
		t.Fatalf("only %d personal strings to look for", len(personal))
	}
	scan := func(where, text string) {
		for _, p := range personal {
			if strings.Contains(text, p) {
				t.Errorf("%s contains personal data %q", where, p)
			}
		}
	}
	files := 0
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		rel, _ := filepath.Rel(out, p)
		switch filepath.Ext(p) {
		case ".xlsx":
			zr, err := zip.OpenReader(p)
			if err != nil {
				return err
			}
			for _, zf := range zr.File {
				scan(rel+"!"+zf.Name, string(read(t, zf)))
			}
			zr.Close()
			f := open(t, p)
			for _, sheet := range f.GetSheetList() {
				rows, _ := f.GetRows(sheet)
				scan(rel+"!"+sheet, fmt.Sprint(rows))
			}
		case ".parquet":
			rows, err := db.Query(`SELECT * FROM read_parquet('` + filepath.ToSlash(p) + `')`)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			var sb strings.Builder
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				fmt.Fprintln(&sb, vals...)
			}
			rows.Close()
			scan(rel, sb.String())
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scan(rel, string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Errorf("scanned %d files", files)
	}
}

func TestWriteRefusesWhatIsNotThere(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := bundle.Write(ctx, db, bundle.Options{Out: dir, Year: 2019}); err == nil || !strings.Contains(err.Error(), "no data for 2019: the warehouse has 2013, 2014") {
		t.Errorf("err = %v", err)
	}
	if _, err := bundle.Write(ctx, db, bundle.Options{Out: dir, Year: 2014, District: "东湖区"}); err == nil || !strings.Contains(err.Error(), "the districts are 临江区, 青山区") {
		t.Errorf("err = %v", err)
	}
}

func TestOneDistrict(t *testing.T) {
	dir := t.TempDir()
	res, err := bundle.Write(context.Background(), db, bundle.Options{Out: dir, Year: 2014, District: "临江区", City: reportstest.City, NoExports: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := "2014/市级奖励资金分配表_2014.xlsx 2014/市级奖励资金分配表_2014.html 2014/社区服务年度报告_2014_临江区.xlsx 2014/社区服务年度报告_2014_临江区.html 2014/社区服务项目明细_2014_临江区.xlsx"
	if got := strings.Join(res.Files, " "); got != want {
		t.Errorf("files %s\nwant %s", got, want)
	}
	f := open(t, filepath.Join(dir, "2014", "社区服务年度报告_2014_临江区.xlsx"))
	for _, sheet := range []string{"覆盖率", "评估星级", "项目经费"} {
		rows, _ := sheetTable(t, f, sheet, "区")
		if len(rows) != 2 || rows[0]["区"] != "临江区" || rows[1]["区"] != "合计" {
			t.Errorf("%s of 临江区's report: %v, want 临江区's row and the totals (合计, not 全市)", sheet, rows)
		}
	}
	d := open(t, filepath.Join(dir, "2014", "社区服务项目明细_2014_临江区.xlsx"))
	rows, _ := sheetTable(t, d, "项目人员", "区")
	for _, r := range rows {
		if r["区"] != "临江区" {
			t.Errorf("a row of %s in 临江区's details", r["区"])
		}
	}
}
