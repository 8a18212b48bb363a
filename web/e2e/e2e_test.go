// Package e2e drives the web application with a real headless Chromium:
// a district clerk signs in, uploads the district's files of the sample's
// first batch one by one, reads each receipt and downloads the annotated
// workbook; the planner reads the submission board. Every request the
// pages make and every console message is recorded: none may leave the
// application's origin, none may be an error. Screenshots for the README
// go to docs/.
package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"shequ/etl/clean"
	"shequ/pipeline"
	"shequ/samples"
	"shequ/warehouse"
	"shequ/web"
	"shequ/web/account"
)

var root = filepath.Join("..", "..")

// chromium finds Debian's Chromium. Without it the test is skipped on a
// developer's machine and fails in CI, where scripts/test-deps installs
// it.
func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "" {
		t.Skip("chromium is not installed (scripts/test-deps installs it); skipped outside CI")
	}
	t.Fatal("chromium is not installed: scripts/test-deps installs it")
	return ""
}

// recorder keeps what the browser did: every request, console call,
// exception and log entry.
type recorder struct {
	mu       sync.Mutex
	requests []string
	console  []string
	problems []string // console errors, exceptions, browser log errors
}

func (r *recorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.requests = append(r.requests, e.Request.URL)
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range e.Args {
			args = append(args, string(a.Value))
		}
		line := fmt.Sprintf("console.%s %s", e.Type, strings.Join(args, " "))
		r.console = append(r.console, line)
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
			r.problems = append(r.problems, line)
		}
	case *runtime.EventExceptionThrown:
		r.problems = append(r.problems, "exception: "+(&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error())
	case *cdplog.EventEntryAdded:
		line := fmt.Sprintf("log %s %s: %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL)
		r.console = append(r.console, line)
		if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
			r.problems = append(r.problems, line)
		}
	}
}

func (r *recorder) snapshot() (requests, console, problems []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests), slices.Clone(r.console), slices.Clone(r.problems)
}

// The district of the test and its files of the first batch.
const district = "临江区"

var users = map[string]account.User{
	"lj":      {Name: "lj", Role: account.District, District: district},
	"qs":      {Name: "qs", Role: account.District, District: "青山区"},
	"planner": {Name: "planner", Role: account.Planner},
}

func password(name string) string { return name + "-password-e2e" }

// TestPortalAndBoard is the end-to-end test.
func TestPortalAndBoard(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	exe := chromium(t)
	base, stop := serve(t)
	defer stop()

	profile := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile), chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("no-pings", true), chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions"),
		chromedp.Flag("lang", "zh-CN"),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()

	rec := &recorder{}
	if err := chromedp.Do(ctx); err != nil { // the browser and its tab
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, rec.listen); err != nil {
		t.Fatal(err)
	}
	must := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	login := func(name string) {
		t.Helper()
		must("sign in as "+name,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=name]`), name),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password(name)),
			chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.who`)),
		)
	}

	// The clerk uploads the district's files one by one and reads each
	// receipt as it comes.
	login("lj")
	must("the portal", chromedp.WaitVisible(chromedp.ID("drop")))
	want := expectedRejects(t)
	files := districtFiles(t)
	ids := map[string]string{}
	for i, f := range files {
		must("upload "+filepath.Base(f), chromedp.SetUploadFiles(chromedp.ID("file"), []string{f}))
		n := i + 1
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll('#receipts .rcpt').length === %d && !document.querySelector('#receipts .pending')`, n),
			chromedp.WithPollingTimeout(60*time.Second))); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('receipts').innerText`))
			t.Fatalf("no receipt for %s: %v\n%s", filepath.Base(f), err, page)
		}
		card, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const c = document.querySelector('#receipts .rcpt');
			return [c.className, c.dataset.submission || '', c.querySelector('h3').textContent]; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(card[0], "failed") {
			t.Fatalf("%s was not taken: %s", filepath.Base(f), card[2])
		}
		ids[filepath.Base(f)] = card[1]
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('#receipts .rcpt:first-child tbody tr')).map(tr => Array.from(tr.cells).map(td => td.textContent))`))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows { // 工作表, 行, 列, 填写的值, 原因, 代码
			got = append(got, fmt.Sprintf("%s!%s %s %q", r[0], r[1], r[5], r[3]))
			if r[4] == "" {
				t.Errorf("%s row %s: no reason shown", filepath.Base(f), r[1])
			}
		}
		sort.Strings(got)
		if exp := want[filepath.Base(f)]; !slices.Equal(got, exp) {
			t.Errorf("%s: the receipt shows\n %q\nwant (expected_rejects.csv)\n %q", filepath.Base(f), got, exp)
		}
	}
	screenshot(t, ctx, "web-portal.png")

	// The annotated workbook of the file with problems.
	withProblems := "03_临江区2013年度项目及人员.xlsx"
	dl := t.TempDir()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	must("download the annotated workbook",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			yes := true
			_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`.rcpt[data-submission="%s"] a.receipt-download`, ids[withProblems]))),
	)
	var saved string
	dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
	defer dcancel()
	_ = dctx
	go func() {
		<-dctx.Done()
		if dctx.Err() == context.DeadlineExceeded {
			reqs, _, probs := rec.snapshot()
			ents, _ := os.ReadDir(dl)
			t.Logf("no download after 30s: last requests %q, problems %q, files %v", reqs[max(0, len(reqs)-5):], probs, ents)
		}
	}()
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			saved = filepath.Join(dl, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	text := workbookText(t, saved)
	for _, w := range []string{"回执", "52519902M938948230", "519902101203"} {
		if !strings.Contains(text, w) {
			t.Errorf("the annotated workbook lacks %q", w)
		}
	}
	if strings.Contains(text, "青山区") {
		t.Error("the 临江区 receipt mentions 青山区")
	}

	// The receipt page of that file.
	must("the receipt page", chromedp.Navigate(base+"/submissions/"+ids[withProblems]), chromedp.WaitVisible(chromedp.CSS(`table.problems`)))
	screenshot(t, ctx, "web-receipt.png")
	pageText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	for _, w := range []string{"数据截至", "52519902M938948230", "不在 2013 年社区名册中"} {
		if !strings.Contains(pageText, w) {
			t.Errorf("the receipt page lacks %q", w)
		}
	}

	// The planner's board.
	must("sign out", chromedp.Click(chromedp.CSS(`.who button`)), chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)))
	login("planner")
	must("the board", chromedp.Navigate(base+"/board?year=2014"), chromedp.WaitVisible(chromedp.CSS(`table.board`)))
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('table.board td.cell')).map(td => [td.dataset.district, td.dataset.kind, td.dataset.period, td.dataset.state, td.dataset.missing])`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range cells {
		got[c[0]+"/"+c[1]+"/"+c[2]] = c[3] + " " + c[4]
	}
	exp := expectedBoard(t)
	for k, v := range exp {
		if got[k] != v {
			t.Errorf("board %s: %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(exp) {
		t.Errorf("the board has %d cells, want %d", len(got), len(exp))
	}
	// A reminder is read when opened.
	must("open the reminder", chromedp.Click(chromedp.CSS(`details.reminder[data-district="临江区"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`details.reminder[data-district="临江区"][data-loaded="yes"] textarea`)))
	reminder, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('details.reminder[data-district="临江区"] textarea').value`))
	for _, w := range []string{"临江区民政局", "已逾期未报送", "功能室", "需要更正的数据", "52519902M938948230"} {
		if !strings.Contains(reminder, w) {
			t.Errorf("the reminder lacks %q:\n%s", w, reminder)
		}
	}
	screenshot(t, ctx, "web-board.png")

	// Nothing left the origin; nothing went wrong in the pages.
	requests, console, problems := rec.snapshot()
	if len(requests) < 10 {
		t.Errorf("only %d requests recorded", len(requests))
	}
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

// serve makes a warehouse with the test accounts and serves the web
// application on it.
func serve(t *testing.T) (string, func()) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	wpath := filepath.Join(dir, "shequ.duckdb")
	w, err := warehouse.Open(ctx, wpath, warehouse.Options{Command: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if err := (account.Store{DB: w.DB}).Add(ctx, u, password(u.Name), false); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	cfg := pipeline.Resolve(pipeline.Config{Warehouse: wpath, Inbox: filepath.Join(dir, "inbox"), Out: filepath.Join(dir, "out"), City: "江州市"}, func(string) string { return "" })
	srv, err := web.New(ctx, web.Config{Pipeline: pipeline.New(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	return ts.URL, func() { ts.Close(); srv.Close() }
}

// districtFiles are the district's files of the first batch, in order.
func districtFiles(t *testing.T) []string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join(root, "samples", "inbox", "batch1"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), district) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) != 4 {
		t.Fatalf("%d files of %s in the first batch, want 4", len(out), district)
	}
	return out
}

// expectedRejects is samples/expected/expected_rejects.csv as the
// receipt shows it: sheet!row code "value", by file name (ID numbers
// masked, as they are stored and shown).
func expectedRejects(t *testing.T) map[string][]string {
	t.Helper()
	recs := readCSV(t, filepath.Join(root, "samples", "expected", "expected_rejects.csv"))
	out := map[string][]string{}
	for _, r := range recs[1:] { // file,sheet,row,column,reason,severity,value,…
		v := r[6]
		if r[3] == "id_number" {
			v = clean.MaskID(clean.Code(v))
		}
		name := filepath.Base(r[0])
		out[name] = append(out[name], fmt.Sprintf("%s!%s %s %q", r[1], r[2], r[4], v))
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func truth(t *testing.T, name string) [][]string {
	t.Helper()
	b, err := fs.ReadFile(samples.FS, "truth/"+name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// expectedBoard is the 2014 board once 临江区 has sent its files of the
// first batch and 青山区 nothing, from the sample's clean rows: 临江区 has
// its roster, projects and staff, and the expenditures of the first three
// quarters (the fourth comes in the second batch); it lacks every
// activity, evaluation and facility file. 青山区 lacks everything, and its
// project kinds cannot be checked without its projects.
func expectedBoard(t *testing.T) map[string]string {
	t.Helper()
	type project struct {
		code       string
		start, end time.Time
	}
	var projects []project
	for _, r := range truth(t, "projects.csv") { // year,project_code,district,…,contract_start,contract_end
		if r[0] == "2014" && r[2] == district {
			s, _ := time.Parse(time.DateOnly, r[8])
			e, _ := time.Parse(time.DateOnly, r[9])
			projects = append(projects, project{r[1], s, e})
		}
	}
	sort.Slice(projects, func(i, j int) bool { return projects[i].code < projects[j].code })
	staff, spent := map[string]bool{}, map[string]bool{}
	for _, r := range truth(t, "staff.csv") {
		if r[0] == "2014" {
			staff[r[1]] = true
		}
	}
	for _, r := range truth(t, "expenditures.csv") { // year,project_code,quarter
		if r[0] == "2014" && r[2] != "4" {
			spent[r[1]+"/"+r[2]] = true
		}
	}
	runs := func(p project, q int) bool {
		from := time.Date(2014, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		return !p.end.Before(from) && !p.start.After(from.AddDate(0, 3, -1))
	}
	cell := func(missing []string) string {
		if len(missing) == 0 {
			return "ok "
		}
		return "late " + strings.Join(missing, ",")
	}
	out := map[string]string{
		district + "/communities/year": "ok ", district + "/projects/year": "ok ", district + "/facilities/year": "late ",
		"青山区/communities/year": "late ", "青山区/projects/year": "late ", "青山区/facilities/year": "late ",
		"青山区/staff/year": "blocked ", "青山区/evaluations/year": "blocked ",
	}
	var noStaff, all []string
	for _, p := range projects {
		all = append(all, p.code)
		if !staff[p.code] {
			noStaff = append(noStaff, p.code)
		}
	}
	out[district+"/staff/year"] = cell(noStaff)
	out[district+"/evaluations/year"] = cell(all)
	for q := 1; q <= 4; q++ {
		var exp, act []string
		for _, p := range projects {
			if !runs(p, q) {
				continue
			}
			act = append(act, p.code)
			if q == 4 || !spent[fmt.Sprintf("%s/%d", p.code, q)] {
				exp = append(exp, p.code)
			}
		}
		out[fmt.Sprintf("%s/expenditures/Q%d", district, q)] = cell(exp)
		out[fmt.Sprintf("%s/activities/Q%d", district, q)] = cell(act)
		out[fmt.Sprintf("青山区/expenditures/Q%d", q)] = "blocked "
		out[fmt.Sprintf("青山区/activities/Q%d", q)] = "blocked "
	}
	return out
}

// workbookText is the text of every part of a downloaded .xlsx.
func workbookText(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("the download is not a workbook: %v", err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&b, rc)
		rc.Close()
	}
	return b.String()
}

// screenshot writes a full-page PNG of the page to docs/ for the README.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(root, "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
