package rewards_test

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"shequ/reports"
	"shequ/reports/rewards"
)

// allocation makes the allocation report's data for a small city: district
// 东区 with a passed project capped at its standard (300 000 + 250 000 >
// 500 000) and a failed one; 西区 with one passed project. budget "" means
// none; alloc gives the mart's allocations.
func allocation(t *testing.T, budget string, alloc map[string]string) *reports.Data {
	t.Helper()
	set, err := reports.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	def := set.Definition("allocation")
	d := reports.MustDecimal
	sheet := func(sqlFile, source string) *reports.Sheet {
		for _, s := range def.Sheets {
			if (sqlFile != "" && s.SQL == sqlFile) || (source != "" && s.Source == source) {
				return s
			}
		}
		t.Fatalf("no sheet %s%s", sqlFile, source)
		return nil
	}
	var budgetNum reports.Value
	if budget != "" {
		budgetNum = d(budget)
	}
	policy := reports.NewTable(sheet("rewards_policy.sql", ""), []string{"parameter", "label", "value", "source", "number"}, [][]reports.Value{
		{"reward_rate", "奖励比例", "33%", "seed 001 §(十二)", d("0.330000")},
		{"reward_budget", "年度预算（元）", budget, "test", budgetNum},
		{"evaluation_pass_stars", "合格星级", "3 星及以上", "seed 004", d("3.000000")},
	})
	projects := reports.NewTable(sheet("rewards_projects.sql", ""),
		[]string{"district", "project_code", "project_name", "annual_score", "annual_stars", "eligible", "district_funding", "street_funding", "standard_amount"},
		[][]reports.Value{
			{"东区", "P1", "一", 91.5, int64(5), true, d("300000.00"), d("250000.00"), d("500000.00")},
			{"东区", "P2", "二", 60.0, int64(0), false, d("100000.00"), d("0.00"), d("500000.00")},
			{"西区", "P3", "三", 75.0, int64(3), true, d("123456.78"), d("0.01"), d("500000.00")},
		})
	ent := map[string]string{"东区": "165000.00", "西区": "40740.74"}
	spend := map[string]string{"东区": "500000.00", "西区": "123456.79"}
	// The mart's scale and shares, as the mart gives them: min(1, budget /
	// Σ exact entitlement) and allocation / Σ allocation.
	scale := 1.0
	if budget != "" {
		total := 0.33 * (500000.00 + 123456.79)
		if b, _ := strconv.ParseFloat(budget, 64); b < total {
			scale = b / total
		}
	}
	var allocTotal float64
	for _, a := range alloc {
		f, _ := strconv.ParseFloat(a, 64)
		allocTotal += f
	}
	var rows [][]reports.Value
	for _, district := range []string{"东区", "西区"} {
		f, _ := strconv.ParseFloat(alloc[district], 64)
		rows = append(rows, []reports.Value{district, int64(1), d(spend[district]), 0.33, d(ent[district]), scale, d(alloc[district]), f / allocTotal})
	}
	table := reports.NewTable(sheet("", "marts.city_rewards"),
		[]string{"district", "eligible_projects", "eligible_spending", "reward_rate", "entitlement", "scale", "allocation", "share"}, rows)
	return &reports.Data{
		Def: def, Filter: reports.Filter{Year: 2014}, City: "某市", Title: "某市2014年度市级社区服务奖励资金分配表",
		Stamp:  &reports.Stamp{RunID: 1, PolicyDigest: "p", InputDigest: "i", Policy: []reports.PolicyFile{{Table: "reward_rates", File: "models/policy/reward_rates.csv", Origin: "default", SHA256: "x", Rows: 4}}},
		Now:    time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC),
		Sheets: []*reports.Table{table, projects, policy},
	}
}

// section returns the calculation's section whose title ends with title.
func section(t *testing.T, g *reports.Grid, title string) *reports.Section {
	t.Helper()
	for _, s := range g.Sections {
		if strings.HasSuffix(s.Title, title) {
			return s
		}
	}
	t.Fatalf("no section %s", title)
	return nil
}

// district returns the calculation's row of a district as displayed text.
func district(t *testing.T, g *reports.Grid, name string) []string {
	t.Helper()
	sec := section(t, g, "各区奖励分配")
	for _, r := range sec.Rows {
		if r[0].Value == name {
			var out []string
			for _, c := range r {
				out = append(out, reports.DisplayAs(c.Value, c.Format))
			}
			return out
		}
	}
	t.Fatalf("no row of %s", name)
	return nil
}

func TestCalculationWithoutBudget(t *testing.T) {
	g, err := rewards.Calculation(allocation(t, "", map[string]string{"东区": "165000.00", "西区": "40740.74"}))
	if err != nil {
		t.Fatal(err)
	}
	got := district(t, g, "西区")
	// 区, projects, spending, rate, exact, entitlement, scale, allocation, share, table, difference.
	if want := "西区 1 123,456.79 33.00% 40740.7407 40,740.74 1.0000 40,740.74 19.80% 40,740.74 0.00"; strings.Join(got, " ") != want {
		t.Errorf("西区: %s\nwant  %s", strings.Join(got, " "), want)
	}
	sec := section(t, g, "各区奖励分配")
	r := sec.FirstRow
	if f := sec.Rows[0][7].Formula; f != fmt.Sprintf("ROUND(E%d*G%d,2)", r, r) {
		t.Errorf("allocation formula %s", f)
	}
	if f := sec.Rows[0][1].Formula; !strings.HasPrefix(f, "COUNTIFS(") {
		t.Errorf("eligible projects formula %s", f)
	}
	if got := reports.DisplayAs(sec.Total[7].Value, reports.FormatYuan); got != "205,740.74" {
		t.Errorf("allocation total %s", got)
	}
	// The project section caps 东区's P1 at its standard and counts P2 as 0.
	proj := section(t, g, "各项目计奖支出")
	if v := reports.DisplayAs(proj.Rows[0][10].Value, reports.FormatYuan); v != "500,000.00" {
		t.Errorf("P1 spending %s", v)
	}
	if v := reports.DisplayAs(proj.Rows[1][10].Value, reports.FormatYuan); v != "0.00" || !proj.Rows[1][5].Bad {
		t.Errorf("P2 spending %s, marked %v", v, proj.Rows[1][5].Bad)
	}
}

// The calculation prints at its size on landscape pages: the projects,
// last, on pages of their own with their header repeated; the parameters'
// numbers, which the formulas use, in column D, their sources spanning the
// columns after; no internal name of a parameter or a table.
func TestCalculationLayout(t *testing.T) {
	g, err := rewards.Calculation(allocation(t, "", map[string]string{"东区": "165000.00", "西区": "40740.74"}))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, s := range g.Sections {
		titles = append(titles, s.Title)
	}
	if got := strings.Join(titles, " "); got != "一、适用的政策参数 二、政策文件版本 三、各区奖励分配 四、各项目计奖支出" {
		t.Errorf("sections %s", got)
	}
	proj := section(t, g, "各项目计奖支出")
	if !proj.NewPage || !proj.RepeatHeader {
		t.Errorf("the projects' section does not start a page with its header repeated")
	}
	params := section(t, g, "适用的政策参数")
	if params.Column(2) != 4 || params.Column(3) != 5 || params.Span(3) != 7 {
		t.Errorf("the parameters' number is in column %d, their source from %d over %d", params.Column(2), params.Column(3), params.Span(3))
	}
	if f := section(t, g, "各区奖励分配").Rows[0][3].Formula; f != fmt.Sprintf("$D$%d", params.FirstRow) {
		t.Errorf("the rate is read from %s", f)
	}
	for _, s := range g.Sections {
		for _, r := range s.Rows {
			for _, c := range r {
				if v, ok := c.Value.(string); ok && (v == "reward_rate" || v == "reward_rates" || strings.Contains(v, "policy/")) {
					t.Errorf("%s shows %q", s.Title, v)
				}
			}
		}
	}
}

func TestCalculationWithBudget(t *testing.T) {
	g, err := rewards.Calculation(allocation(t, "100000", map[string]string{"东区": "80198.02", "西区": "19801.98"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(district(t, g, "东区")[5:9], " "); got != "165,000.00 0.4860 80,198.02 80.20%" {
		t.Errorf("东区: %s", got)
	}
	// A scaled allocation is exact too: a mart a fen off, as floating point
	// left it, is refused, not shown.
	_, err = rewards.Calculation(allocation(t, "100000", map[string]string{"东区": "80198.03", "西区": "19801.98"}))
	if err == nil || !strings.Contains(err.Error(), "东区 allocation 80198.03, computed 80198.02") {
		t.Errorf("a fen off after scaling: err = %v", err)
	}
}

// The figures shown are the mart's, once they are the exact rule's: with
// a budget of 100 000.01 each district gets entitlement × budget /
// Σ entitlement, rounded to the fen half away from zero (math/big).
func TestCalculationShowsTheMartsFigures(t *testing.T) {
	budget := "100000.01"
	total := new(big.Rat).Mul(big.NewRat(33, 100), big.NewRat(62345679, 100))
	want := map[string]string{}
	for district, e := range map[string]*big.Rat{"东区": big.NewRat(165000, 1), "西区": new(big.Rat).Mul(big.NewRat(33, 100), big.NewRat(12345679, 100))} {
		b, _ := new(big.Rat).SetString(budget)
		want[district] = new(big.Rat).Quo(new(big.Rat).Mul(e, b), total).FloatString(2)
	}
	g, err := rewards.Calculation(allocation(t, budget, want))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"东区", "西区"} {
		row := district(t, g, d)
		if w := reports.Thousands(want[d]); row[7] != w || row[9] != w || row[10] != "0.00" {
			t.Errorf("%s: allocation %s, table %s, difference %s; want %s", d, row[7], row[9], row[10], w)
		}
	}
}

func TestCalculationRefusesAWrongMart(t *testing.T) {
	_, err := rewards.Calculation(allocation(t, "", map[string]string{"东区": "165000.00", "西区": "40740.75"}))
	if err == nil || !strings.Contains(err.Error(), "西区 allocation 40740.75, computed 40740.74") {
		t.Errorf("err = %v", err)
	}
}
