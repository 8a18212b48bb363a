package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/pipeline"
	"shequ/web/webtest"
)

// The dashboard's tests read the whole sample city: both batches, built,
// 2013 closed (version 1, signed by 张三), the figures of
// samples/expected.
var full struct {
	once sync.Once
	env  *testEnv
	err  error
}

// fullCity starts the web application on the whole sample city, once.
func fullCity(t testing.TB) *testEnv {
	t.Helper()
	full.once.Do(func() {
		dir, err := os.MkdirTemp("", "shequ-web-full-")
		if err != nil {
			full.err = err
			return
		}
		var accounts []webtest.Account
		for _, u := range testUsers {
			accounts = append(accounts, webtest.Account{User: u.User, Password: u.password})
		}
		cfg, err := webtest.SampleCity(context.Background(), dir, accounts, 2013)
		if err != nil {
			full.err = err
			return
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		srv, err := New(context.Background(), Config{Pipeline: pipeline.New(cfg), TrustProxy: true, Log: log})
		if err != nil {
			full.err = err
			return
		}
		srv.wr.rebuildDelay = 50 * time.Millisecond
		e := &testEnv{dir: dir, srv: srv}
		e.ts = httptest.NewServer(srv)
		full.env = e
	})
	if full.err != nil {
		t.Fatal(full.err)
	}
	return full.env
}

// closeFull stops the whole city's server (TestMain).
func closeFull() {
	if full.env != nil {
		full.env.close()
		os.RemoveAll(full.env.dir)
	}
}

// expected reads samples/expected/NAME.csv as records keyed by column.
func expected(t testing.TB, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "samples", "expected", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// getOK reads a page and fails the test unless it is 200.
func (c *client) getOK(path string) []byte {
	c.t.Helper()
	resp, b := c.get(path)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %s\n%.2000s", path, resp.Status, b)
	}
	return b
}

// sameNumber compares an exact value of a page with one of the expected
// CSV: the same number (decimals as written, doubles to 1e-9), or the
// same text.
func sameNumber(got, want string) bool {
	if got == want {
		return true
	}
	var g, w float64
	if _, err := fmt.Sscan(got, &g); err != nil {
		return false
	}
	if _, err := fmt.Sscan(want, &w); err != nil {
		return false
	}
	d := g - w
	return d < 1e-9 && d > -1e-9
}

// TestOverview opens the overview of each year as a planner and checks
// the coverage and the allocation against samples/expected, the totals,
// last year's column, and that every district links to its drill-down.
func TestOverview(t *testing.T) {
	e := fullCity(t)
	c := e.client(t)
	c.login("planner")
	cov := expected(t, "coverage")
	rewards := expected(t, "city_rewards")
	for _, year := range []string{"2013", "2014"} {
		page := c.getOK("/overview?year=" + year)
		grids := parseGrids(t, page)
		for _, kind := range []string{"urban", "rural"} {
			g := grids["coverage-"+kind]
			if g == nil {
				t.Fatalf("%s: no coverage-%s grid", year, kind)
			}
			var communities, covered int
			n := 0
			for _, w := range cov {
				if w["year"] != year || w["urban_rural"] != kind {
					continue
				}
				n++
				r := g.ByKey(w["district"])
				if r == nil {
					t.Errorf("%s %s: no row of %s", year, kind, w["district"])
					continue
				}
				for col, title := range map[string]string{"communities": "社区数", "covered": "已覆盖", "coverage_rate": "覆盖率",
					"target_rate": "目标", "meets_target": "达标", "shortfall": "距目标缺口（个）"} {
					if got := r.Cells[g.Col(title)].V; !sameNumber(got, w[col]) {
						t.Errorf("%s %s %s %s: %q, want %q", year, w["district"], kind, col, got, w[col])
					}
				}
				var a, b int
				fmt.Sscan(w["communities"], &a)
				fmt.Sscan(w["covered"], &b)
				communities += a
				covered += b
				if href := r.Cells[0].Href; !strings.HasPrefix(href, "/drill?") || !strings.Contains(href, "year="+year) {
					t.Errorf("%s %s: the district links to %q", year, w["district"], href)
				}
			}
			if len(g.Rows) != n {
				t.Errorf("%s %s: %d rows, want %d", year, kind, len(g.Rows), n)
			}
			if g.Total == nil || g.Total.Cells[g.Col("社区数")].V != fmt.Sprint(communities) || g.Total.Cells[g.Col("已覆盖")].V != fmt.Sprint(covered) {
				t.Errorf("%s %s: total %v, want %d communities, %d covered", year, kind, g.Total, communities, covered)
			}
			if year == "2014" {
				for _, r := range g.Rows {
					if r.Cells[g.Col("2013 年覆盖率")].V == "" {
						t.Errorf("2014 %s %s: no 2013 figure", kind, r.Key)
					}
				}
			}
		}
		g := grids["rewards"]
		sum := 0.0
		for _, w := range rewards {
			if w["year"] != year {
				continue
			}
			r := g.ByKey(w["district"])
			if r == nil {
				t.Fatalf("%s: no allocation of %s", year, w["district"])
			}
			for col, title := range map[string]string{"allocation": "分配金额（元）", "entitlement": "应得奖励（元）", "eligible_projects": "合格项目", "eligible_spending": "合格支出（元）"} {
				if got := r.Cells[g.Col(title)].V; !sameNumber(got, w[col]) {
					t.Errorf("%s %s %s: %q, want %q", year, w["district"], col, got, w[col])
				}
			}
			var a float64
			fmt.Sscan(w["allocation"], &a)
			sum += a
		}
		var tot float64
		fmt.Sscan(g.Total.Cells[g.Col("分配金额（元）")].V, &tot)
		if d := tot - sum; d > 0.001 || d < -0.001 {
			t.Errorf("%s: total allocation %v, want %v", year, tot, sum)
		}
		for _, id := range []string{"stars", "funds", "staffing", "sites", "quality"} {
			if grids[id] == nil || len(grids[id].Rows) != 2 {
				t.Errorf("%s: grid %s has no row per district", year, id)
			}
		}
	}
}

// dashPages are every dashboard page of the sample city, as a planner
// opens them.
func dashPages() []string {
	return []string{
		"/overview?year=2014", "/overview?year=2013&version=1", "/overview?year=2014&version=working",
		"/drill?year=2014", "/drill?year=2013&district=青山区", "/drill?year=2014&district=临江区&street=白沙镇",
		"/drill?year=2014&district=临江区&community=519902001001", "/project?year=2014&code=LJ2014-001",
		"/allocation?year=2014", "/allocation?year=2014&budget=1500000&rate=0.3", "/allocation?year=2013&version=1",
		"/providers?year=2014", "/providers?year=2013&version=1",
		"/scorecard", "/scorecard?district=青山区",
	}
}

// TestExports exports every page and compares each workbook with the
// page: the same sheets, rows, totals and text, a chart where the page
// has one.
func TestExports(t *testing.T) {
	e := fullCity(t)
	c := e.client(t)
	c.login("planner")
	pages := dashPages()
	sort.Strings(pages)
	for _, p := range pages {
		page := c.getOK(p)
		path, query, _ := strings.Cut(p, "?")
		book := c.getOK(path + ".xlsx?" + query)
		checkWorkbook(t, p, page, book)
	}
}

// truthUncovered are the sample's uncovered communities of a year and
// district, derived from samples/truth: roster communities no project of
// the year lists. By code, with their names.
func truthUncovered(t testing.TB, year, district string) map[string]string {
	t.Helper()
	served := map[string]bool{}
	for _, r := range truthCSV(t, "project_communities.csv")[1:] { // year,project_code,community_code
		if r[0] == year {
			served[r[2]] = true
		}
	}
	out := map[string]string{}
	for _, r := range truthCSV(t, "communities.csv")[1:] { // year,district,street,community_code,community_name,…
		if r[0] == year && r[1] == district && !served[r[3]] {
			out[r[3]] = r[4]
		}
	}
	return out
}

// TestDrillDown follows the drill-down from the overview to a source row
// and its receipt: the overview's district links to the district's page,
// whose uncovered communities are those of samples/truth, by name; a
// street lists its communities; a community lists the projects serving
// it and the rows it came from (file, sheet, row), which are in the
// sample's file at that row; the row's receipt opens.
func TestDrillDown(t *testing.T) {
	e := fullCity(t)
	c := e.client(t)
	c.login("planner")
	for _, year := range []string{"2013", "2014"} {
		ov := parseGrids(t, c.getOK("/overview?year="+year))
		for _, district := range []string{"临江区", "青山区"} {
			row := ov["coverage-rural"].ByKey(district)
			href := row.Cells[ov["coverage-rural"].Col("未覆盖")].Href
			if !strings.HasSuffix(href, "#uncovered") {
				t.Fatalf("%s %s: the uncovered count links to %q", year, district, href)
			}
			page := parseGrids(t, c.getOK(strings.TrimSuffix(href, "#uncovered")))
			ug := page["uncovered"]
			want := truthUncovered(t, year, district)
			got := map[string]string{}
			for _, r := range ug.Rows {
				got[r.Key] = r.Cells[ug.Col("社区名称")].Text
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s %s: uncovered communities\n %v\nwant (samples/truth)\n %v", year, district, got, want)
			}
			var communities int
			for _, w := range expected(t, "coverage") {
				if w["year"] == year && w["district"] == district {
					var n int
					fmt.Sscan(w["communities"], &n)
					communities += n
				}
			}
			if tot := page["streets"].Total; tot == nil || tot.Cells[page["streets"].Col("社区")].V != fmt.Sprint(communities) {
				t.Errorf("%s %s: the streets total %v communities, want %d", year, district, tot, communities)
			}
			if len(page["projects"].Rows) == 0 {
				t.Errorf("%s %s: no projects", year, district)
			}
		}
	}

	// Down to a community of a street, to the row of the roster it came
	// from, and its receipt.
	dist := parseGrids(t, c.getOK("/drill?year=2014&district="+url.QueryEscape("临江区")))
	streetHref := dist["streets"].Rows[0].Cells[0].Href
	street := parseGrids(t, c.getOK(streetHref))
	comm := street["communities"]
	if len(comm.Rows) == 0 {
		t.Fatalf("no communities on %s", streetHref)
	}
	code := comm.Rows[0].Key
	cpage := c.getOK(comm.Rows[0].Cells[comm.Col("社区编码")].Href)
	cg := parseGrids(t, cpage)
	lin := cg["lineage"]
	var roster *pageRow
	for i, r := range lin.Rows {
		if r.Cells[0].V == "communities" {
			roster = &lin.Rows[i]
		}
	}
	if roster == nil {
		t.Fatalf("community %s: no roster row among its sources %v", code, lin.Rows)
	}
	file, sheet, rowNo := roster.Cells[lin.Col("文件")].Text, roster.Cells[lin.Col("工作表")].Text, roster.Cells[lin.Col("行")].Text
	if !sourceRowHolds(t, filepath.Join("..", "samples", "inbox", file), sheet, rowNo, code) {
		t.Errorf("community %s: %s %s row %s does not hold it", code, file, sheet, rowNo)
	}
	rc := c.getOK(roster.Cells[lin.Col("报送编号")].Href)
	if !strings.Contains(string(rc), "回执") || !strings.Contains(string(rc), filepath.Base(file)) {
		t.Errorf("the receipt of %s did not open", file)
	}
	if len(cg["projects"].Rows) == 0 {
		t.Errorf("community %s: no project serves it", code)
	}
	// The project's page, with its rows of every kind.
	ppage := parseGrids(t, c.getOK(cg["projects"].Rows[0].Cells[0].Href))
	kinds := map[string]bool{}
	for _, r := range ppage["lineage"].Rows {
		kinds[r.Cells[0].V] = true
	}
	for _, k := range []string{"projects", "staff", "expenditures", "activities", "evaluations"} {
		if !kinds[k] {
			t.Errorf("the project's sources lack %s: %v", k, kinds)
		}
	}
}

// sourceRowHolds reports whether row rowNo (a spreadsheet's row number,
// or a CSV's line) of sheet of a sample file holds text.
func sourceRowHolds(t testing.TB, path, sheet, rowNo, text string) bool {
	t.Helper()
	n, err := strconv.Atoi(rowNo)
	if err != nil {
		t.Fatalf("row %q", rowNo)
	}
	if strings.HasSuffix(path, ".csv") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		return n <= len(lines) && strings.Contains(lines[n-1], text)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return n <= len(rows) && strings.Contains(strings.Join(rows[n-1], "|"), text)
}

// TestAllocation: the allocation of each year is samples/expected's; a
// trial of a smaller budget scales every district's eligible spending
// exactly (checked in rational arithmetic, rounded half away from zero
// to the fen), a trial of a larger one pays every entitlement, a trial
// changes nothing stored; 2013 shows its closed version, signed by 张三,
// and its working figures equal to its official ones.
func TestAllocation(t *testing.T) {
	e := fullCity(t)
	c := e.client(t)
	c.login("planner")
	for _, year := range []string{"2013", "2014"} {
		g := parseGrids(t, c.getOK("/allocation?year="+year))["allocation"]
		n := 0
		for _, w := range expected(t, "city_rewards") {
			if w["year"] != year {
				continue
			}
			n++
			r := g.ByKey(w["district"])
			for col, title := range map[string]string{"allocation": "分配金额（元）", "entitlement": "应得奖励（元）", "share": "占比", "scale": "分配系数"} {
				if got := r.Cells[g.Col(title)].V; !sameNumber(got, w[col]) {
					t.Errorf("%s %s %s: %s, want %s", year, w["district"], col, got, w[col])
				}
			}
		}
		if len(g.Rows) != n {
			t.Errorf("%s: %d rows, want %d", year, len(g.Rows), n)
		}
	}
	before := c.getOK("/api/marts/city_rewards")
	for _, budget := range []string{"1500000", "1234567.89", "100", "9999999"} {
		grids := parseGrids(t, c.getOK("/allocation?year=2014&budget="+budget))
		tg := grids["trial"]
		if tg == nil {
			t.Fatalf("budget %s: no trial", budget)
		}
		b, _ := new(big.Rat).SetString(budget)
		total := new(big.Rat)
		spend := map[string]*big.Rat{}
		ent := map[string]*big.Rat{}
		for _, r := range tg.Rows {
			s, _ := new(big.Rat).SetString(grids["allocation"].ByKey(r.Key).Cells[grids["allocation"].Col("合格支出（元）")].V)
			spend[r.Key] = s
			total.Add(total, s)
			ent[r.Key], _ = new(big.Rat).SetString(r.Cells[tg.Col("试算应得（元）")].V)
		}
		entTotal := new(big.Rat)
		for _, v := range ent {
			entTotal.Add(entTotal, v)
		}
		sum := new(big.Rat)
		for _, r := range tg.Rows {
			want := ent[r.Key]
			if b.Cmp(entTotal) < 0 {
				q := new(big.Rat).Quo(new(big.Rat).Mul(spend[r.Key], b), total)
				want = fenHalfAway(q)
			}
			got, _ := new(big.Rat).SetString(r.Cells[tg.Col("试算分配（元）")].V)
			if got.Cmp(want) != 0 {
				t.Errorf("budget %s, %s: trial %s, want %s", budget, r.Key, got.FloatString(2), want.FloatString(2))
			}
			sum.Add(sum, got)
		}
		if b.Cmp(entTotal) < 0 && new(big.Rat).Sub(sum, b).Abs(new(big.Rat).Sub(sum, b)).Cmp(big.NewRat(int64(len(tg.Rows)), 100)) > 0 {
			t.Errorf("budget %s: the trial allocates %s", budget, sum.FloatString(2))
		}
	}
	// A trial of the year's own rate is the allocation itself.
	grids := parseGrids(t, c.getOK("/allocation?year=2014&rate=0.33"))
	for _, r := range grids["trial"].Rows {
		if d := r.Cells[grids["trial"].Col("差额（元）")].V; d != "0.00" && d != "0" {
			t.Errorf("the trial of the year's own rate differs for %s by %s", r.Key, d)
		}
	}
	if after := c.getOK("/api/marts/city_rewards"); string(after) != string(before) {
		t.Error("a trial changed marts.city_rewards")
	}
	if resp, _ := c.get("/allocation?year=2014&budget=-5"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a negative budget: %s, want 400", resp.Status)
	}
	closed := parseGrids(t, c.getOK("/allocation?year=2013"))
	v := closed["versions"]
	if v == nil || len(v.Rows) != 1 || v.Rows[0].Cells[v.Col("签发人")].Text != "张三" {
		t.Fatalf("2013's versions: %+v", v)
	}
	for _, r := range closed["compare"].Rows {
		if d := r.Cells[closed["compare"].Col("差额（元）")].V; d != "0.00" && d != "0" {
			t.Errorf("2013 %s: working and official differ by %s", r.Key, d)
		}
	}
	v1 := parseGrids(t, c.getOK(v.Rows[0].Cells[0].Href))
	texts := func(g *pageGrid) (out [][]string) {
		for _, r := range g.Rows {
			out = append(out, r.Texts())
		}
		return out
	}
	if fmt.Sprint(texts(v1["allocation"])) != fmt.Sprint(texts(closed["allocation"])) {
		t.Error("2013 version 1 differs from its official figures")
	}
	if resp, _ := c.get("/allocation?year=2013&version=7"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a version that does not exist: %s, want 404", resp.Status)
	}
}

// fenHalfAway rounds a positive amount to the fen, half away from zero.
func fenHalfAway(x *big.Rat) *big.Rat {
	fen := new(big.Rat).Mul(x, big.NewRat(100, 1))
	n := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(fen.Num(), big.NewInt(2)), fen.Denom()), new(big.Int).Mul(fen.Denom(), big.NewInt(2)))
	return new(big.Rat).SetFrac(n, big.NewInt(100))
}

// TestProviders: the providers of each year are samples/expected's, with
// their projects, failures and standing; a district account may not open
// the page (a provider works across districts).
func TestProviders(t *testing.T) {
	e := fullCity(t)
	c := e.client(t)
	c.login("planner")
	for _, year := range []string{"2013", "2014"} {
		g := parseGrids(t, c.getOK("/providers?year="+year))["providers"]
		n := 0
		for _, w := range expected(t, "provider_standing") {
			if w["year"] != year {
				continue
			}
			n++
			r := g.ByKey(w["provider_credit_code"])
			if r == nil {
				t.Errorf("%s: no row of %s", year, w["provider_credit_code"])
				continue
			}
			for col, title := range map[string]string{"provider": "机构名称", "projects": "项目数", "failed_evaluations": "年度评估不合格",
				"disqualified": "已取消综合中心运营资格", "centres_while_disqualified": "取消资格后新承接的综合中心"} {
				if got := r.Cells[g.Col(title)].V; !sameNumber(got, w[col]) {
					t.Errorf("%s %s %s: %s, want %s", year, w["provider_credit_code"], col, got, w[col])
				}
			}
		}
		if len(g.Rows) != n {
			t.Errorf("%s: %d providers, want %d", year, len(g.Rows), n)
		}
	}
	lj := e.client(t)
	lj.login("lj")
	for _, p := range []string{"/providers?year=2014", "/providers.xlsx?year=2014"} {
		if resp, _ := lj.get(p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a district account GET %s: %s, want 403", p, resp.Status)
		}
	}
}

// TestScorecard: each district's trend has a row per year, its urban and
// rural coverage those of samples/expected, and a line chart.
func TestScorecard(t *testing.T) {
	e := fullCity(t)
	c := e.client(t)
	c.login("planner")
	grids := parseGrids(t, c.getOK("/scorecard"))
	byTitle := map[string]*pageGrid{}
	for _, g := range grids {
		byTitle[g.Title] = g
	}
	for _, w := range expected(t, "coverage") {
		g := byTitle[w["district"]]
		if g == nil {
			t.Fatalf("no scorecard of %s", w["district"])
		}
		if !strings.Contains(g.Chart, `"type":"line"`) {
			t.Errorf("%s: no line chart", w["district"])
		}
		r := g.ByKey(w["year"])
		col := map[string]string{"urban": "城市覆盖率", "rural": "农村覆盖率"}[w["urban_rural"]]
		if r == nil || !sameNumber(r.Cells[g.Col(col)].V, w["coverage_rate"]) {
			t.Errorf("%s %s %s: %v, want %s", w["district"], w["year"], col, r, w["coverage_rate"])
		}
	}
}

// isolationMarks give away a district: its name, its community codes (the
// sample's 12-digit codes start 519902 for 临江区, 519903 for 青山区) and
// its project codes.
var isolationMarks = map[string][]string{
	"临江区": {"临江区", "519902", "LJ20"},
	"青山区": {"青山区", "519903"},
}

// dashboardIsolation reads, as district's clerk (c signed in), every
// dashboard page, its workbook, the SQL page and the saved queries with
// their downloads, following every link the pages give to deeper pages:
// none holds a mark of the other district. Asking for the other district,
// its community or its project is refused; the city's pages (providers, a
// trial of the allocation) are refused. It returns how many responses it
// checked.
func dashboardIsolation(t *testing.T, c *client, district, other string) int {
	t.Helper()
	seen := 0
	check := func(what string, body []byte) {
		t.Helper()
		seen++
		for _, m := range isolationMarks[other] {
			if i := bytes.Index(body, []byte(m)); i >= 0 {
				t.Errorf("%s holds %q of %s: …%s…", what, m, other, body[max(0, i-80):min(len(body), i+80)])
			}
		}
	}
	get := func(path string) []byte {
		t.Helper()
		resp, b := c.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
		check("GET "+path, b)
		return b
	}
	xlsx := func(path string) {
		t.Helper()
		p, q, _ := strings.Cut(path, "?")
		resp, b := c.get(p + ".xlsx?" + q)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s.xlsx: %s", p, resp.Status)
			return
		}
		check("the workbook of "+path, unzipText(t, b))
	}
	visited := map[string]bool{}
	var visit func(path string, depth int)
	visit = func(path string, depth int) {
		t.Helper()
		path, _, _ = strings.Cut(path, "#")
		if visited[path] || len(visited) > 80 {
			return
		}
		visited[path] = true
		page := get(path)
		xlsx(path)
		if depth == 0 {
			return
		}
		for _, g := range parseGrids(t, page) {
			rows := g.Rows
			if g.Total != nil {
				rows = append(rows[:len(rows):len(rows)], *g.Total)
			}
			for _, r := range rows {
				for _, cell := range r.Cells {
					if h := cell.Href; strings.HasPrefix(h, "/drill") || strings.HasPrefix(h, "/project") || strings.HasPrefix(h, "/allocation") || strings.HasPrefix(h, "/overview") {
						visit(h, depth-1)
					}
				}
			}
		}
	}
	for _, year := range []string{"2013", "2014"} {
		for _, p := range []string{"/overview?year=", "/drill?year=", "/allocation?year=", "/scorecard?year="} {
			visit(p+year, 3)
		}
	}
	o := url.QueryEscape(other)
	for _, p := range []string{"/overview?year=2014&district=" + o, "/drill?year=2014&district=" + o, "/overview.xlsx?year=2014&district=" + o,
		"/providers?year=2014", "/providers.xlsx?year=2014", "/allocation?year=2014&budget=1000000", "/allocation.xlsx?year=2014&rate=0.5"} {
		if resp, b := c.get(p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %s, want 403", p, resp.Status)
		} else {
			check("GET "+p, b)
		}
	}
	otherCode := map[string]string{"临江区": "519902001001", "青山区": "519903001001"}[other]
	otherProject := map[string]string{"临江区": "LJ2014-001", "青山区": "2014519903001"}[other]
	for _, p := range []string{"/drill?year=2014&community=" + otherCode, "/project?year=2014&code=" + otherProject} {
		if resp, b := c.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s (of %s): %s, want 404", p, other, resp.Status)
		} else {
			check("GET "+p, b)
		}
	}
	for _, q := range []string{"SELECT * FROM marts.coverage", "SELECT * FROM intermediate.community_years", "SELECT * FROM intermediate.lineage",
		"SELECT * FROM official.city_rewards", "SELECT * FROM staging.projects", "SELECT table_schema, table_name FROM information_schema.tables"} {
		get("/sql?q=" + url.QueryEscape(q))
		for _, f := range []string{"csv", "xlsx", "parquet"} {
			resp, b := c.get("/sql/result." + f + "?q=" + url.QueryEscape(q))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s as %s: %s", q, f, resp.Status)
			}
			if f == "xlsx" {
				b = unzipText(t, b)
			}
			check(q+" as "+f, b)
		}
	}
	for _, q := range []string{"/queries/uncovered_communities", "/queries/uncovered_by_district", "/queries/coverage_change",
		"/queries/reward_allocation", "/queries/projects_over_standard", "/queries/uncovered_communities?district=" + o} {
		get(q)
		p, qs, _ := strings.Cut(q, "?")
		resp, b := c.get(p + "/result.csv?" + qs)
		if resp.StatusCode == http.StatusOK {
			check(q+" as CSV", b)
		}
	}
	return seen
}

// TestDashboardIsolation signs in as each district of the whole sample
// city (both batches, 2013 closed) and reads every dashboard page, export,
// SQL result and saved query it can reach.
func TestDashboardIsolation(t *testing.T) {
	e := fullCity(t)
	for district, user := range map[string]string{"临江区": "lj", "青山区": "qs"} {
		t.Run(district, func(t *testing.T) {
			c := e.client(t)
			c.login(user)
			other := map[string]string{"临江区": "青山区", "青山区": "临江区"}[district]
			if n := dashboardIsolation(t, c, district, other); n < 60 {
				t.Errorf("only %d responses checked", n)
			}
		})
	}
}

// TestProvidersDisqualified: a comprehensive centre that fails its annual
// evaluation disqualifies its provider from the next year on, and a
// centre awarded to it then is flagged. The sample city with a correction
// that fails 2013519903003's 2013 annual evaluation: its provider
// (青山致远社会工作服务社) holds the new centre 2014519903003 in 2014.
func TestProvidersDisqualified(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg, err := webtest.SampleCity(ctx, dir, []webtest.Account{{User: testUsers[0].User, Password: testUsers[0].password}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	fix := "年度,项目编号,评估阶段,服务设施得分,服务队伍得分,服务活动得分,建设经费得分,服务人次,满意率,评估机构\n2013,2013519903003,年度,5,5,5,5,100,10,社会组织评估研究院\n"
	os.MkdirAll(filepath.Join(cfg.Inbox, "batch3"), 0o755)
	if err := os.WriteFile(filepath.Join(cfg.Inbox, "batch3", "23_评估结果更正.csv"), []byte(fix), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.New(cfg).Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	srv, err := New(ctx, Config{Pipeline: pipeline.New(cfg), TrustProxy: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{dir: dir, srv: srv, ts: httptest.NewServer(srv)}
	defer e.close()
	c := e.client(t)
	c.login("planner")
	g := parseGrids(t, c.getOK("/providers?year=2014"))
	r := g["providers"].ByKey("52519903N49377156B")
	if r == nil {
		t.Fatal("no row of 52519903N49377156B")
	}
	if r.Cells[g["providers"].Col("已取消综合中心运营资格")].V != "true" || r.Cells[g["providers"].Col("取消资格后新承接的综合中心")].V != "1" ||
		r.Cells[g["providers"].Col("取消资格起始年度")].V != "2014" {
		t.Errorf("the disqualified provider: %v", r.Texts())
	}
	if g["providers"].Rows[0].Key != "52519903N49377156B" || !strings.Contains(r.Cells[0].Class, "hl") {
		t.Errorf("the disqualified provider is not first and highlighted: %v %q", g["providers"].Rows[0].Key, r.Cells[0].Class)
	}
	cg := g["centres"]
	if len(cg.Rows) != 1 || cg.Rows[0].Key != "2014519903003" {
		t.Errorf("the centres awarded while disqualified: %v", cg.Rows)
	}
	for _, other := range g["providers"].Rows[1:] {
		if strings.Contains(other.Cells[0].Class, "hl") {
			t.Errorf("%s is highlighted", other.Key)
		}
	}
	page := c.getOK("/providers?year=2014")
	checkWorkbook(t, "/providers?year=2014", page, c.getOK("/providers.xlsx?year=2014"))
}
