package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"shequ/pipeline"
	"shequ/samples"
	"shequ/warehouse"
	"shequ/web/account"
)

// The accounts of the test city: a planner, an admin, an analyst and a
// clerk of each district of the sample.
var testUsers = []struct {
	account.User
	password string
}{
	{account.User{Name: "planner", Role: account.Planner}, "planner-password"},
	{account.User{Name: "admin", Role: account.Admin}, "admin-password"},
	{account.User{Name: "analyst", Role: account.Analyst}, "analyst-password"},
	{account.User{Name: "lj", Role: account.District, District: "临江区"}, "linjiang-password"},
	{account.User{Name: "qs", Role: account.District, District: "青山区"}, "qingshan-password"},
}

func passwordOf(name string) string {
	for _, u := range testUsers {
		if u.Name == name {
			return u.password
		}
	}
	return ""
}

// sampleBatch1 is the sample's first batch on disk.
var sampleBatch1 = filepath.Join("..", "samples", "inbox", "batch1")

// uploaderOf says who sends a file of the sample's first batch: each
// district its own files, the planner the city-wide ones.
func uploaderOf(name string) string {
	switch {
	case strings.Contains(name, "临江区"):
		return "lj"
	case strings.Contains(name, "青山区"):
		return "qs"
	}
	return "planner"
}

// testEnv is a warehouse with the test accounts and the web application
// serving it on loopback.
type testEnv struct {
	dir string
	srv *Server
	ts  *httptest.Server
	now time.Time
}

// newEnv makes a fresh warehouse in dir with the test accounts and starts
// the server on it.
func newEnv(dir string) (*testEnv, error) {
	ctx := context.Background()
	wpath := filepath.Join(dir, "shequ.duckdb")
	w, err := warehouse.Open(ctx, wpath, warehouse.Options{Command: "test"})
	if err != nil {
		return nil, err
	}
	st := account.Store{DB: w.DB}
	for _, u := range testUsers {
		if err := st.Add(ctx, u.User, u.password, false); err != nil {
			w.Close()
			return nil, err
		}
	}
	w.Close()
	cfg := pipeline.Resolve(pipeline.Config{Warehouse: wpath, Inbox: filepath.Join(dir, "inbox"), Out: filepath.Join(dir, "out"), City: "江州市"}, func(string) string { return "" })
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := New(ctx, Config{Pipeline: pipeline.New(cfg), TrustProxy: true, Log: log})
	if err != nil {
		return nil, err
	}
	srv.wr.rebuildDelay = 50 * time.Millisecond
	e := &testEnv{dir: dir, srv: srv}
	e.ts = httptest.NewServer(srv)
	return e, nil
}

func (e *testEnv) close() {
	e.ts.Close()
	e.srv.Close()
}

// client is a browser-like client: a cookie jar, no redirects followed,
// its own address (X-Forwarded-For, which the test server trusts).
type client struct {
	t    testing.TB
	e    *testEnv
	hc   *http.Client
	addr string
	csrf string
}

var clientAddrs = 0

func (e *testEnv) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	clientAddrs++
	return &client{t: t, e: e, addr: fmt.Sprintf("10.0.%d.%d", clientAddrs/250, clientAddrs%250+1),
		hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(req *http.Request) (*http.Response, []byte) {
	c.t.Helper()
	req.Header.Set("X-Forwarded-For", c.addr)
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (c *client) get(path string) (*http.Response, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.ts.URL+path, nil)
	resp, b := c.do(req)
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp, b
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// postForm posts a form as the page's own form would: with its CSRF
// token unless withCSRF is false.
func (c *client) postForm(path string, form url.Values, withCSRF bool) (*http.Response, []byte) {
	c.t.Helper()
	if withCSRF {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.e.ts.URL)
	return c.do(req)
}

// login signs in and fails the test unless it works.
func (c *client) login(name string) {
	c.t.Helper()
	resp, b := c.tryLogin(name, passwordOf(name))
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: %s\n%s", name, resp.Status, b)
	}
	c.get("/") // the CSRF token of the session
	c.get("/marts")
}

func (c *client) tryLogin(name, password string) (*http.Response, []byte) {
	c.t.Helper()
	form := url.Values{"name": {name}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// upload sends a file to POST /api/submissions as the page's script does
// (the CSRF token in X-Csrf-Token), under name.
func (c *client) upload(name string, content io.Reader) (*http.Response, []byte) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	io.Copy(fw, content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+"/api/submissions", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Csrf-Token", c.csrf)
	req.Header.Set("Origin", c.e.ts.URL)
	return c.do(req)
}

func (c *client) uploadFile(path string) Receipt {
	c.t.Helper()
	f, err := os.Open(path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	resp, b := c.upload(filepath.Base(path), f)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("upload %s: %s\n%s", path, resp.Status, b)
	}
	var r Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		c.t.Fatalf("upload %s: %v\n%s", path, err, b)
	}
	return r
}

// waitFresh waits until the uploads are built into the snapshot.
func (e *testEnv) waitFresh(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for e.srv.wr.state().Updating || e.srv.wr.queued() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the marts were not rebuilt within a minute of the uploads")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// expectedProblem is a line of samples/expected/expected_rejects.csv.
type expectedProblem struct {
	file, sheet, row, column, code, value string
}

func (p expectedProblem) String() string {
	return fmt.Sprintf("%s!%s:%s %s %s %q", p.file, p.sheet, p.row, p.column, p.code, p.value)
}

// expectedRejects reads the sample's expected problems, by file name.
func expectedRejects(t testing.TB, root string) map[string][]expectedProblem {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "samples", "expected", "expected_rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]expectedProblem{}
	for _, r := range recs[1:] { // file,sheet,row,column,reason,severity,value,…
		name := filepath.Base(r[0])
		out[name] = append(out[name], expectedProblem{file: name, sheet: r[1], row: r[2], column: r[3], code: r[4], value: r[6]})
	}
	return out
}

// receiptProblems turns a receipt's problems into the same form.
func receiptProblems(name string, r Receipt) []expectedProblem {
	var out []expectedProblem
	for _, p := range r.Problems {
		out = append(out, expectedProblem{file: name, sheet: p.Sheet, row: fmt.Sprint(p.Row), column: p.Column, code: p.Code, value: p.Value})
	}
	return out
}

func sortProblems(ps []expectedProblem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	sort.Strings(out)
	return out
}

// truthProject is a project of samples/truth/projects.csv.
type truthProject struct {
	code, district string
	start, end     time.Time
}

// runsIn reports whether the project's contract runs in quarter q of
// year.
func (p truthProject) runsIn(year, q int) bool {
	from := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 3, -1)
	return !p.end.Before(from) && !p.start.After(to)
}

// truthProjects reads the sample's projects of year, by code.
func truthProjects(t testing.TB, year int) []truthProject {
	t.Helper()
	recs := truthCSV(t, "projects.csv")
	var out []truthProject
	for _, r := range recs[1:] { // year,project_code,district,…,contract_start(8),contract_end(9)
		if r[0] != fmt.Sprint(year) {
			continue
		}
		start, _ := time.Parse(time.DateOnly, r[8])
		end, _ := time.Parse(time.DateOnly, r[9])
		out = append(out, truthProject{code: r[1], district: r[2], start: start, end: end})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

func truthCSV(t testing.TB, name string) [][]string {
	t.Helper()
	b, err := fs.ReadFile(samples.FS, "truth/"+name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// truthQuarters is the set "code/quarter" of the projects with rows of
// a quarterly kind in year: expenditures (by their quarter) or activities
// (by their date).
func truthQuarters(t testing.TB, kind string, year int) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, r := range truthCSV(t, kind+".csv")[1:] {
		switch kind {
		case "expenditures": // year,project_code,quarter,…
			if r[0] == fmt.Sprint(year) {
				out[r[1]+"/Q"+r[2]] = true
			}
		case "activities": // project_code,activity_date,…
			d, _ := time.Parse(time.DateOnly, r[1])
			if d.Year() == year {
				out[fmt.Sprintf("%s/Q%d", r[0], (int(d.Month())+2)/3)] = true
			}
		}
	}
	return out
}
