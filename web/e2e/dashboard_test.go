package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"shequ/pipeline"
	"shequ/web"
	"shequ/web/webtest"
)

// TestDashboard is issue 17's end-to-end test: the planner opens every
// view of the whole sample city in Chromium (both batches, 2013 closed),
// checks the figures against samples/expected (coverage, the uncovered
// communities derived from samples/truth, the allocation, the
// providers), follows the drill-down by clicking from the overview to a
// community's source row in the sample's file and that file's receipt,
// exports every view and compares each workbook with the page's rows,
// reloads each page's own link and gets the same page, tries a budget,
// runs SQL; the charts are drawn; no request leaves the origin and no
// console message is an error. Screenshots go to docs/.
func TestDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	exe := chromium(t)
	base, stop := serveCity(t)
	defer stop()
	ctx, rec, cancel := startBrowser(t, exe)
	defer cancel()
	must := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("sign in as the planner",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "planner"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password("planner")),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.who`)),
	)
	// open navigates to path and waits for the page and its charts.
	open := func(path string) {
		t.Helper()
		must("open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
		waitCharts(t, ctx)
	}
	grids := func() map[string]*webtest.Grid {
		t.Helper()
		return webtest.ParseGrids(t, []byte(dom(t, ctx)))
	}
	here := func() string {
		u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	// exported fetches the page's workbook (its 导出 Excel link) and
	// compares it with the page, then reloads the page's own link and
	// compares the page with what it was.
	exported := func() {
		t.Helper()
		page := dom(t, ctx)
		what := here()
		b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
			const r = await fetch(document.querySelector('a[data-export]').href);
			if (!r.ok) { throw new Error('export: ' + r.status); }
			const b = new Uint8Array(await r.arrayBuffer());
			let s = ''; for (let i = 0; i < b.length; i += 0x8000) { s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000)); }
			return btoa(s); })()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("export of %s: %v", what, err)
		}
		book, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		webtest.CheckWorkbook(t, what, []byte(page), book)
		link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a.permalink').getAttribute('href')`))
		if err != nil {
			t.Fatal(err)
		}
		before := webtest.ParseGrids(t, []byte(page))
		open(link)
		after := grids()
		if gridText(before) != gridText(after) {
			t.Errorf("%s: the page's own link %s shows another page", what, link)
		}
	}

	// The overview of 2014, checked against samples/expected.
	open("/overview?year=2014")
	g := grids()
	checkCoverage(t, g, "2014")
	checkRewards(t, g["rewards"], "2014")
	screenshot(t, ctx, "web-overview.png")
	exported()
	open("/overview?year=2013&version=1")
	checkCoverage(t, grids(), "2013")
	exported()

	// Down from the overview, by clicking: 临江区's uncovered rural
	// communities, a street, a community, the row of the roster it came
	// from, the receipt of that file.
	open("/overview?year=2014")
	must("click 临江区's uncovered communities",
		chromedp.Click(chromedp.CSS(`section[data-grid="coverage-rural"] tr[data-key="临江区"] td:nth-child(4) a`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-grid="uncovered"]`)))
	waitCharts(t, ctx)
	g = grids()
	want := truthUncovered(t, "2014", district)
	got := map[string]string{}
	for _, r := range g["uncovered"].Rows {
		got[r.Key] = r.Cells[g["uncovered"].Col("社区名称")].Text
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("2014 %s's uncovered communities on the page\n %v\nwant (samples/truth)\n %v", district, got, want)
	}
	screenshot(t, ctx, "web-drill.png")
	exported()
	street := g["streets"].Rows[0].Key
	must("click the street "+street,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`section[data-grid="streets"] tr[data-key="%s"] td:first-child a`, street))),
		chromedp.WaitVisible(chromedp.CSS(`section[data-grid="communities"]`)))
	g = grids()
	code := g["communities"].Rows[0].Key
	exported()
	must("click the community "+code,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`section[data-grid="communities"] tr[data-key="%s"] td:first-child a`, code))),
		chromedp.WaitVisible(chromedp.CSS(`section[data-grid="lineage"]`)))
	g = grids()
	lin := g["lineage"]
	var roster *webtest.Row
	for i, r := range lin.Rows {
		if r.Cells[0].V == "communities" {
			roster = &lin.Rows[i]
		}
	}
	if roster == nil {
		t.Fatalf("community %s: no roster row among its sources", code)
	}
	file, sheet, row := roster.Cells[lin.Col("文件")].Text, roster.Cells[lin.Col("工作表")].Text, roster.Cells[lin.Col("行")].Text
	if !sourceRowHolds(t, filepath.Join(root, "samples", "inbox", file), sheet, row, code) {
		t.Errorf("community %s: %s %s row %s does not hold it", code, file, sheet, row)
	}
	screenshot(t, ctx, "web-community.png")
	exported()
	must("click the roster's receipt",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`section[data-grid="lineage"] tr[data-key="%s"] td:nth-child(2) a`, roster.Key))),
		chromedp.WaitVisible(chromedp.CSS(`dl.facts`)))
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(text, filepath.Base(file)) || !strings.Contains(text, "回执") {
		t.Errorf("the receipt of %s did not open: %.300s", file, text)
	}

	// A project's page.
	open("/project?year=2014&code=LJ2014-001")
	if g := grids(); len(g["lineage"].Rows) < 5 || len(g["evaluations"].Rows) != 2 {
		t.Errorf("the project's page: %d source groups, %d evaluations", len(g["lineage"].Rows), len(g["evaluations"].Rows))
	}
	screenshot(t, ctx, "web-project.png")
	exported()

	// The allocation, then a trial of another budget typed in the form.
	open("/allocation?year=2014")
	checkRewardsAllocation(t, grids()["allocation"], "2014")
	exported()
	must("try a budget",
		chromedp.SendKeys(chromedp.CSS(`#trial-form input[name=budget]`), "1500000"),
		chromedp.Click(chromedp.CSS(`#trial-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-grid="trial"]`)))
	waitCharts(t, ctx)
	if u := here(); !strings.Contains(u, "budget=1500000") {
		t.Errorf("the trial is not in the URL: %s", u)
	}
	g = grids()
	var sum float64
	for _, r := range g["trial"].Rows {
		v, _ := strconv.ParseFloat(r.Cells[g["trial"].Col("试算分配（元）")].V, 64)
		sum += v
	}
	if sum < 1499999.98 || sum > 1500000.02 {
		t.Errorf("the trial allocates %.2f of 1500000", sum)
	}
	checkRewardsAllocation(t, g["allocation"], "2014") // the official figures stay
	screenshot(t, ctx, "web-allocation.png")
	exported()
	open("/allocation?year=2013")
	if g := grids(); g["versions"] == nil || len(g["versions"].Rows) != 1 {
		t.Errorf("2013's closed version is not listed")
	}
	exported()

	// The providers and the scorecard.
	open("/providers?year=2014")
	g = grids()
	n := 0
	for _, w := range expectedCSV(t, "provider_standing") {
		if w["year"] != "2014" {
			continue
		}
		n++
		r := g["providers"].ByKey(w["provider_credit_code"])
		if r == nil || r.Cells[g["providers"].Col("项目数")].V != w["projects"] {
			t.Errorf("provider %s: %v, want %s projects", w["provider_credit_code"], r, w["projects"])
		}
	}
	if len(g["providers"].Rows) != n {
		t.Errorf("%d providers, want %d", len(g["providers"].Rows), n)
	}
	screenshot(t, ctx, "web-providers.png")
	exported()
	open("/scorecard")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('div.chart[data-drawn]').length`)); n != 2 {
		t.Errorf("%d scorecard charts drawn, want one per district", n)
	}
	screenshot(t, ctx, "web-scorecard.png")
	exported()
	open("/drill?year=2014")
	exported()

	// SQL, typed in the page, and a saved query from its form.
	must("run SQL",
		chromedp.Navigate(base+"/sql"),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name=q]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=q]`), "SELECT year, district, sum(allocation) AS allocation FROM marts.city_rewards GROUP BY ALL ORDER BY ALL"),
		chromedp.Click(chromedp.CSS(`#sql-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.sql-result`)))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('table.sql-result tbody tr')).map(tr => Array.from(tr.cells).map(td => td.textContent))`))
	if err != nil {
		t.Fatal(err)
	}
	var wantRows []string
	for _, w := range expectedCSV(t, "city_rewards") {
		wantRows = append(wantRows, w["year"]+" "+w["district"]+" "+w["allocation"])
	}
	var gotRows []string
	for _, r := range rows {
		gotRows = append(gotRows, strings.Join(r, " "))
	}
	if strings.Join(gotRows, "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("SQL on the page\n%s\nwant\n%s", strings.Join(gotRows, "\n"), strings.Join(wantRows, "\n"))
	}
	screenshot(t, ctx, "web-sql.png")
	must("a saved query",
		chromedp.Navigate(base+"/queries/uncovered_communities"),
		chromedp.WaitVisible(chromedp.CSS(`#query-form`)),
		chromedp.SetValue(chromedp.CSS(`#query-form input[name=year]`), "2014"),
		chromedp.SetValue(chromedp.CSS(`#query-form input[name=district]`), district),
		chromedp.Click(chromedp.CSS(`#query-form button[type=submit]`)),
		// The page ran the query with its defaults before the form was
		// sent: wait for the page the form brings, which writes the
		// values it ran with into the form.
		chromedp.WaitVisible(chromedp.CSS(`#query-form input[name=year][value="2014"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.sql-result`)))
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.sql-result tbody tr').length`)); n != len(want) {
		t.Errorf("uncovered_communities lists %d, want %d", n, len(want))
	}

	// Nothing left the origin; nothing went wrong in the pages.
	requests, console, problems := rec.snapshot()
	for _, u := range requests {
		if !strings.HasPrefix(u, base+"/") && u != base {
			t.Errorf("a request left the origin %s: %s", base, u)
		}
	}
	for _, p := range problems {
		t.Errorf("the browser reported: %s", p)
	}
	t.Logf("%d requests, all to %s; %d console messages", len(requests), base, len(console))
}

// serveCity serves the whole sample city with the test's accounts.
func serveCity(t *testing.T) (string, func()) {
	t.Helper()
	dir := t.TempDir()
	var accounts []webtest.Account
	for _, u := range users {
		accounts = append(accounts, webtest.Account{User: u, Password: password(u.Name)})
	}
	cfg, err := webtest.SampleCity(context.Background(), dir, accounts, 2013)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(context.Background(), web.Config{Pipeline: pipeline.New(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	return ts.URL, func() { ts.Close(); srv.Close() }
}

// startBrowser starts headless Chromium recording every request and console
// message.
func startBrowser(t *testing.T, exe string) (context.Context, *recorder, func()) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("no-pings", true), chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions"),
		chromedp.Flag("lang", "zh-CN"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 5*time.Minute)
	cancel := func() { cancelTime(); cancelCtx(); cancelAlloc() }
	rec := &recorder{}
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, rec.listen); err != nil {
		cancel()
		t.Fatal(err)
	}
	return ctx, rec, cancel
}

// waitCharts waits until every chart of the page is drawn.
func waitCharts(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === 'complete' &&
		document.querySelectorAll('div.chart').length === document.querySelectorAll('div.chart[data-drawn]').length`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the charts were not drawn: %v", err)
	}
}

// dom is the page as the browser has it.
func dom(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// gridText is every grid's rows as text, for comparing two loads of a
// page.
func gridText(gs map[string]*webtest.Grid) string {
	var b strings.Builder
	for _, id := range sortedKeys(gs) {
		g := gs[id]
		fmt.Fprintf(&b, "%s %s\n", id, g.Title)
		for _, r := range g.Rows {
			fmt.Fprintln(&b, r.Texts())
		}
		if g.Total != nil {
			fmt.Fprintln(&b, g.Total.Texts())
		}
	}
	return b.String()
}

func sortedKeys(m map[string]*webtest.Grid) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// expectedCSV reads samples/expected/NAME.csv as records keyed by column.
func expectedCSV(t *testing.T, name string) []map[string]string {
	t.Helper()
	recs := readCSV(t, filepath.Join(root, "samples", "expected", name+".csv"))
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

// same compares an exact value of the page with one of samples/expected.
func same(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && g-w < 1e-9 && w-g < 1e-9
}

// checkCoverage checks the overview's coverage grids of year against
// samples/expected/coverage.csv.
func checkCoverage(t *testing.T, g map[string]*webtest.Grid, year string) {
	t.Helper()
	for _, w := range expectedCSV(t, "coverage") {
		if w["year"] != year {
			continue
		}
		grid := g["coverage-"+w["urban_rural"]]
		r := grid.ByKey(w["district"])
		if r == nil {
			t.Errorf("%s: no coverage of %s %s", year, w["district"], w["urban_rural"])
			continue
		}
		for col, title := range map[string]string{"communities": "社区数", "covered": "已覆盖", "coverage_rate": "覆盖率", "meets_target": "达标", "shortfall": "距目标缺口（个）"} {
			if got := r.Cells[grid.Col(title)].V; !same(got, w[col]) {
				t.Errorf("%s %s %s %s: %s, want %s", year, w["district"], w["urban_rural"], col, got, w[col])
			}
		}
	}
}

// checkRewards checks the overview's allocation of year.
func checkRewards(t *testing.T, g *webtest.Grid, year string) {
	t.Helper()
	for _, w := range expectedCSV(t, "city_rewards") {
		if w["year"] == year {
			if r := g.ByKey(w["district"]); r == nil || !same(r.Cells[g.Col("分配金额（元）")].V, w["allocation"]) {
				t.Errorf("%s %s: allocation %v, want %s", year, w["district"], r, w["allocation"])
			}
		}
	}
}

// checkRewardsAllocation checks the allocation page's table of year.
func checkRewardsAllocation(t *testing.T, g *webtest.Grid, year string) {
	t.Helper()
	for _, w := range expectedCSV(t, "city_rewards") {
		if w["year"] != year {
			continue
		}
		r := g.ByKey(w["district"])
		if r == nil {
			t.Errorf("%s: no allocation of %s", year, w["district"])
			continue
		}
		for col, title := range map[string]string{"allocation": "分配金额（元）", "entitlement": "应得奖励（元）", "share": "占比", "eligible_spending": "合格支出（元）"} {
			if got := r.Cells[g.Col(title)].V; !same(got, w[col]) {
				t.Errorf("%s %s %s: %s, want %s", year, w["district"], col, got, w[col])
			}
		}
	}
}

// truthUncovered are the uncovered communities of a year and district,
// from samples/truth: roster communities no project of the year lists.
func truthUncovered(t *testing.T, year, district string) map[string]string {
	t.Helper()
	served := map[string]bool{}
	for _, r := range truth(t, "project_communities.csv") {
		if r[0] == year {
			served[r[2]] = true
		}
	}
	out := map[string]string{}
	for _, r := range truth(t, "communities.csv") {
		if r[0] == year && r[1] == district && !served[r[3]] {
			out[r[3]] = r[4]
		}
	}
	return out
}

// sourceRowHolds reports whether row rowNo of sheet of a sample file
// (a CSV's line) holds text.
func sourceRowHolds(t *testing.T, path, sheet, rowNo, text string) bool {
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
