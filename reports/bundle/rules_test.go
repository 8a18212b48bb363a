package bundle_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/models"
	"shequ/reports"
	"shequ/reports/bundle"
	"shequ/reports/reportstest"
	"shequ/warehouse"
)

// The rules DOMAIN §6 corrected (issue #13) as a planner sees them in the
// workbook: the full-time staff a project needs, the surplus carried in,
// one subsidy row per site with its communities and whether it was
// already funded, and the providers' standing.

func TestWorkbookShowsStaffingCarryOverSitesAndProviders(t *testing.T) {
	staffing, _ := reportstest.Expected("staffing")
	funds, _ := reportstest.Expected("fund_use")
	sites, _ := reportstest.Expected("site_subsidies")
	providers, _ := reportstest.Expected("provider_standing")
	for _, year := range []int{2013, 2014} {
		y := fmt.Sprint(year)
		f := open(t, detailsBook(year))

		rows, cells := sheetTable(t, f, "项目人员", "区")
		byCode := map[string]int{}
		for i, r := range rows {
			byCode[r["项目编号"]] = i
		}
		n := 0
		for _, e := range staffing {
			if e["year"] != y {
				continue
			}
			i, ok := byCode[e["project_code"]]
			if !ok {
				t.Errorf("%s %s missing from 项目人员", y, e["project_code"])
				continue
			}
			n++
			r := rows[i]
			if r["全职人员"] != e["full_time_staff"] || r["应配全职人员"] != e["required_full_time"] {
				t.Errorf("%s %s: full-time %s of %s, want %s of %s", y, e["project_code"], r["全职人员"], r["应配全职人员"], e["full_time_staff"], e["required_full_time"])
			}
			short := strings.Contains(","+e["issues"]+",", ",full_time_staff,")
			if got := highlighted(t, f, "项目人员", cells[i]["全职人员"]); got != short {
				t.Errorf("%s %s: full-time highlighted %v, issues %q", y, e["project_code"], got, e["issues"])
			}
		}
		if n == 0 {
			t.Errorf("%d: no staffing row compared", year)
		}

		rows, cells = sheetTable(t, f, "项目经费", "区")
		byCode = map[string]int{}
		for i, r := range rows {
			byCode[r["项目编号"]] = i
		}
		for _, e := range funds {
			if e["year"] != y {
				continue
			}
			i := byCode[e["project_code"]]
			r := rows[i]
			if fen(t, r["上年结转（元）"]) != fen(t, e["carried_in"]) || fen(t, r["结余（元）"]) != fen(t, e["surplus"]) {
				t.Errorf("%s %s: carried in %s, surplus %s; want %s, %s", y, e["project_code"], r["上年结转（元）"], r["结余（元）"], e["carried_in"], e["surplus"])
			}
			if got := highlighted(t, f, "项目经费", cells[i]["结余（元）"]); got != (e["overspent"] == "true") {
				t.Errorf("%s %s: surplus highlighted %v, overspent %s", y, e["project_code"], got, e["overspent"])
			}
		}

		rows, cells = sheetTable(t, f, "站点补贴", "区")
		var want []string
		for _, e := range sites {
			if e["year"] == y {
				want = append(want, strings.Join([]string{e["project_code"], e["community_codes"], e["already_funded"],
					fmt.Sprint(fen(t, e["city_total"])), fmt.Sprint(fen(t, e["required_match"])), fmt.Sprint(fen(t, e["local_match"])), e["match_ok"]}, " "))
			}
		}
		var got []string
		for i, r := range rows {
			if r["区"] == "合计" {
				continue
			}
			yes := map[string]string{"是": "true", "否": "false"}
			got = append(got, strings.Join([]string{r["项目编号"], r["覆盖社区代码"], yes[r["已资助过（不重复资助）"]],
				fmt.Sprint(fen(t, r["市级补贴合计（元）"])), fmt.Sprint(fen(t, r["应配套（元）"])), fmt.Sprint(fen(t, r["区街配套（元）"])), yes[r["配套达标"]]}, " "))
			if r["覆盖社区"] == "" {
				t.Errorf("%s %s: no community names", y, r["项目编号"])
			}
			if h := highlighted(t, f, "站点补贴", cells[i]["区街配套（元）"]); h != (r["配套达标"] == "否") {
				t.Errorf("%s %s: match highlighted %v, ok %s", y, r["项目编号"], h, r["配套达标"])
			}
		}
		// The workbook orders by district, then project; expected by year and project.
		if strings.Join(sorted(got), "\n") != strings.Join(sorted(want), "\n") || len(got) == 0 {
			t.Errorf("%d 站点补贴:\n%s\nwant\n%s", year, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		rows, cells = sheetTable(t, f, "承接机构", "区")
		want, got = nil, nil
		for _, e := range providers {
			if e["year"] == y {
				yes := map[string]string{"true": "是", "false": "否"}
				want = append(want, strings.Join([]string{e["provider_credit_code"], e["provider"], e["projects"], e["failed_evaluations"], yes[e["disqualified"]], e["centres_while_disqualified"]}, " "))
			}
		}
		for i, r := range rows {
			got = append(got, strings.Join([]string{r["统一社会信用代码"], r["承接机构"], r["项目数"], r["年度评估未通过"], r["已取消中心运营资格"], r["取消资格后新承接中心数"]}, " "))
			if h := highlighted(t, f, "承接机构", cells[i]["年度评估未通过"]); h != (r["年度评估未通过"] != "0") {
				t.Errorf("%s %s: failed evaluations %s highlighted %v", y, r["承接机构"], r["年度评估未通过"], h)
			}
		}
		// Every sample provider works in one district: its district's row is its row.
		if strings.Join(sorted(got), "\n") != strings.Join(sorted(want), "\n") {
			t.Errorf("%d 承接机构:\n%s\nwant\n%s", year, strings.Join(sorted(got), "\n"), strings.Join(sorted(want), "\n"))
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// exactAllocations recomputes each district's allocation of a year from
// the mart's eligible spending, the year's reward rate and budget in
// exact fractions (math/big.Rat): rate × spending × min(1, budget /
// Σ rate × spending), rounded to the fen half away from zero (DOMAIN §6).
func exactAllocations(t *testing.T, db *sql.DB, year int) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT c.district, CAST(c.eligible_spending AS VARCHAR), CAST(r.rate AS VARCHAR), CAST(b.budget AS VARCHAR)
		FROM marts.city_rewards c
		JOIN policy.reward_rates r ON c.year >= r.year_from AND (r.year_to IS NULL OR c.year <= r.year_to)
		LEFT JOIN policy.reward_budget b ON b.year = c.year
		WHERE c.year = ?`, year)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ent := map[string]*big.Rat{}
	total := new(big.Rat)
	var budget *big.Rat
	for rows.Next() {
		var district, spending, rate string
		var b sql.NullString
		if err := rows.Scan(&district, &spending, &rate, &b); err != nil {
			t.Fatal(err)
		}
		s, _ := new(big.Rat).SetString(spending)
		r, _ := new(big.Rat).SetString(rate)
		ent[district] = new(big.Rat).Mul(r, s)
		total.Add(total, ent[district])
		if b.Valid {
			budget, _ = new(big.Rat).SetString(b.String)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	scale := big.NewRat(1, 1)
	if budget != nil && budget.Cmp(total) < 0 {
		scale = new(big.Rat).Quo(budget, total)
	}
	out := map[string]string{}
	for d, e := range ent {
		out[d] = new(big.Rat).Mul(e, scale).FloatString(2) // halves away from zero
	}
	return out
}

// A warehouse where one of 青山致远's centres fails its 2013 annual
// evaluation (so it runs the new centre 2014519903003 while disqualified)
// and the reward budgets scale both years: the providers' sheet
// highlights the award, and the allocation is the exact one, to the fen,
// in the mart, the workbook (form and calculation) and the page.
func TestDisqualifiedProviderAndBudgetedAllocation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := reportstest.Sample(ctx, filepath.Join(dir, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB.Exec(`UPDATE raw.evaluations SET facility_score = 0, team_score = 0, activity_score = 0, funding_score = 0, satisfaction = 0
		WHERE year = 2013 AND project_code = '2013519903003' AND stage = 'annual'`); err != nil {
		t.Fatal(err)
	}
	budget := filepath.Join(dir, "reward_budget.csv")
	if err := os.WriteFile(budget, []byte("year,budget\n2013,2000000.01\n2014,1234567.89\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := models.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Build(ctx, w.DB, models.BuildOptions{RunID: reportstest.RunID + 1, PolicyFiles: []string{budget}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, year := range []int{2013, 2014} {
		if _, err := bundle.Write(ctx, w.DB, bundle.Options{Out: out, Year: year, City: reportstest.City, NoExports: true, Now: now}); err != nil {
			t.Fatal(err)
		}
	}
	checkDisqualified(t, w, out)
	for _, year := range []int{2013, 2014} {
		checkAllocation(t, w, out, year)
	}
}

func checkDisqualified(t *testing.T, w *warehouse.Warehouse, out string) {
	t.Helper()
	book := filepath.Join(out, "2014", "社区服务项目明细_2014.xlsx")
	f := open(t, book)
	rows, cells := sheetTable(t, f, "承接机构", "区")
	found := false
	for i, r := range rows {
		bad := r["统一社会信用代码"] == "52519903N49377156B"
		if bad {
			found = true
			if r["已取消中心运营资格"] != "是" || r["取消资格起始"] != "2014年度起" || r["取消资格后新承接中心数"] != "1" || r["取消资格后新承接中心项目编号"] != "2014519903003" {
				t.Errorf("青山致远 in 2014: %v", r)
			}
		}
		for _, col := range []string{"已取消中心运营资格", "取消资格后新承接中心项目编号"} {
			if h := highlighted(t, f, "承接机构", cells[i][col]); h != bad {
				t.Errorf("%s %s highlighted %v", r["承接机构"], col, h)
			}
		}
	}
	if !found {
		t.Fatal("no row of 青山致远 (52519903N49377156B) on 承接机构 2014")
	}
	var n int
	if err := w.DB.QueryRow(`SELECT centres_while_disqualified FROM marts.provider_standing WHERE year = 2014 AND provider_credit_code = '52519903N49377156B' AND disqualified`).Scan(&n); err != nil || n != 1 {
		t.Errorf("marts.provider_standing: %d centres while disqualified, %v", n, err)
	}
	// The annual report lists the provider among those to watch, the
	// award highlighted, and counts it on 达标情况.
	a := open(t, filepath.Join(out, "2014", "社区服务年度报告_2014.xlsx"))
	rows, cells = sheetTable(t, a, "承接机构", "承接机构")
	found = false
	for i, r := range rows {
		if r["统一社会信用代码"] != "52519903N49377156B" {
			continue
		}
		found = true
		if r["已取消中心运营资格"] != "是" || r["取消资格起始"] != "2014年度起" || r["取消资格后新承接中心"] != "1" || r["新承接中心项目编号"] != "2014519903003" || r["服务的区"] != "青山区" {
			t.Errorf("青山致远 on the annual report: %v", r)
		}
		if !highlighted(t, a, "承接机构", cells[i]["新承接中心项目编号"]) {
			t.Error("the annual report does not highlight the centre awarded while disqualified")
		}
	}
	if !found {
		t.Error("the annual report does not list 青山致远 among the providers to watch")
	}
	rows, cells = sheetTable(t, a, "达标情况", "区")
	for i, r := range rows {
		if r["区"] == "全市" {
			continue
		}
		if want := map[string]string{"青山区": "1", "临江区": "0"}[r["区"]]; r["取消资格后新承接中心"] != want || highlighted(t, a, "达标情况", cells[i]["取消资格后新承接中心"]) != (want == "1") {
			t.Errorf("达标情况 %s: %s centres awarded while disqualified, want %s highlighted", r["区"], r["取消资格后新承接中心"], want)
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "2014", "社区服务年度报告_2014.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`<td class="[^"]*\bbad\b[^"]*">2014519903003</td>`).Match(page) {
		t.Error("the page does not highlight the centre awarded while disqualified")
	}
}

func checkAllocation(t *testing.T, w *warehouse.Warehouse, out string, year int) {
	t.Helper()
	exact := exactAllocations(t, w.DB, year)
	if len(exact) != 2 {
		t.Fatalf("%d: %d districts", year, len(exact))
	}
	rows, err := w.DB.Query(`SELECT district, CAST(allocation AS VARCHAR), scale FROM marts.city_rewards WHERE year = ?`, year)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d, a string
		var scale float64
		if err := rows.Scan(&d, &a, &scale); err != nil {
			t.Fatal(err)
		}
		if a != exact[d] || scale >= 1 {
			t.Errorf("%d %s: mart allocation %s (scale %v), exact %s", year, d, a, scale, exact[d])
		}
	}
	rows.Close()

	f := open(t, filepath.Join(out, fmt.Sprint(year), fmt.Sprintf("市级奖励资金分配表_%d.xlsx", year)))
	form, _ := sheetTable(t, f, "分配表", "区")
	calc := districtSteps(t, f)
	seen := 0
	for d, want := range exact {
		w := reports.MustDecimal(want).Units
		for _, r := range form {
			if r["区"] == d {
				seen++
				if fen(t, r["分配金额（元）"]) != w {
					t.Errorf("%d %s: form %s, exact %s", year, d, r["分配金额（元）"], want)
				}
			}
		}
		for _, r := range calc {
			if r["区"] == d {
				seen++
				// The calculation's own steps are Excel formulas, computed
				// when the workbook is opened (TestLibreOffice); the figure
				// it checks them against is the mart's.
				if fen(t, r["分配表金额（元）"]) != w {
					t.Errorf("%d %s: calculation's table figure %s; exact %s", year, d, r["分配表金额（元）"], want)
				}
			}
		}
	}
	if seen != 4 {
		t.Errorf("%d: %d allocations found in the workbook, want 4", year, seen)
	}
	page, err := os.ReadFile(filepath.Join(out, fmt.Sprint(year), fmt.Sprintf("市级奖励资金分配表_%d.html", year)))
	if err != nil {
		t.Fatal(err)
	}
	text := tag.ReplaceAllString(string(page), " ")
	for d, want := range exact {
		if s := reports.DisplayAs(reports.MustDecimal(want), reports.FormatYuan); !strings.Contains(text, s) {
			t.Errorf("%d %s: the page lacks the allocation %s", year, d, s)
		}
	}
}

// districtSteps reads the districts' section of 计算过程 (四、各区奖励分配):
// the rows below the header that has 差额（元）, up to the totals.
func districtSteps(t *testing.T, f *excelize.File) []map[string]string {
	t.Helper()
	all, err := f.GetRows("计算过程", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for h, head := range all {
		if len(head) == 0 || head[0] != "区" || !slices.Contains(head, "差额（元）") {
			continue
		}
		var out []map[string]string
		for _, r := range all[h+1:] {
			if len(r) == 0 || r[0] == "" || r[0] == "合计" {
				if len(out) > 0 {
					break
				}
				continue // the explanation row
			}
			if strings.HasPrefix(r[1], "=") {
				continue
			}
			row := map[string]string{}
			for j, name := range head {
				if j < len(r) {
					row[name] = r[j]
				}
			}
			out = append(out, row)
		}
		return out
	}
	t.Fatal("计算过程 has no districts' section")
	return nil
}
