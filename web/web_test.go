package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"context"

	"shequ/etl/clean"
	"shequ/warehouse"
	"shequ/web/account"
	"shequ/web/data"
)

// city is the package's warehouse: the sample's first batch uploaded
// through the web application, each district's files by its clerk and
// the city-wide files by the planner, in the order of their numbers.
var sample struct {
	env      *testEnv
	receipts map[string]Receipt // by file name
	err      error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shequ-web-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		e, err := newEnv(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "web tests:", err)
			return 1
		}
		defer e.close()
		defer closeFull()
		sample.env = e
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// loadCity uploads the first batch once, for the tests that read it.
func loadCity(t *testing.T) *testEnv {
	t.Helper()
	e := sample.env
	if sample.receipts != nil {
		return e
	}
	entries, err := os.ReadDir(sampleBatch1)
	if err != nil {
		t.Fatal(err)
	}
	clients := map[string]*client{}
	sample.receipts = map[string]Receipt{}
	for _, ent := range entries {
		who := uploaderOf(ent.Name())
		c := clients[who]
		if c == nil {
			c = e.client(t)
			c.login(who)
			clients[who] = c
		}
		sample.receipts[ent.Name()] = c.uploadFile(filepath.Join(sampleBatch1, ent.Name()))
	}
	e.waitFresh(t)
	return e
}

// TestUploadReceipts: every file of the first batch, uploaded one by one
// by its district (or the planner), gets a receipt at once with exactly
// the problems samples/expected/expected_rejects.csv lists for it, and the
// counts of expected_files.csv.
func TestUploadReceipts(t *testing.T) {
	loadCity(t)
	want := expectedRejects(t, "..")
	for _, ps := range want {
		for i, p := range ps {
			if p.column == "id_number" { // never stored, shown or sent whole (DOMAIN.md §5)
				ps[i].value = clean.MaskID(clean.Code(p.value))
			}
		}
	}
	for name, r := range sample.receipts {
		if r.Status != "loaded" {
			t.Errorf("%s: status %s (%s), want loaded", name, r.Status, r.ReasonZh)
		}
		got := sortProblems(receiptProblems(name, r))
		exp := sortProblems(want[name])
		if !slices.Equal(got, exp) {
			t.Errorf("%s: receipt problems\n got %q\nwant %q", name, got, exp)
		}
		for _, p := range r.Problems {
			if p.MessageZh == "" {
				t.Errorf("%s row %d: no Chinese message", name, p.Row)
			}
		}
	}
	if r := sample.receipts["03_临江区2013年度项目及人员.xlsx"]; r.RowsLoaded != 57 || r.RowsRejected != 2 || r.ReceiptURL == "" {
		t.Errorf("03: loaded %d rejected %d receipt %q; want 57, 2 and a receipt", r.RowsLoaded, r.RowsRejected, r.ReceiptURL)
	}
}

// TestAuth: sign-in, cookies, roles, tokens.
func TestAuth(t *testing.T) {
	e := sample.env
	t.Run("signed out", func(t *testing.T) {
		c := e.client(t)
		resp, _ := c.get("/board")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("GET /board signed out: %s %s, want a redirect to /login", resp.Status, resp.Header.Get("Location"))
		}
		resp, _ = c.get("/api/marts/coverage")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /api/marts signed out: %s, want 401", resp.Status)
		}
		resp, b := c.get("/login")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "登录") {
			t.Errorf("GET /login: %s", resp.Status)
		}
	})
	t.Run("cookie", func(t *testing.T) {
		c := e.client(t)
		resp, _ := c.tryLogin("planner", passwordOf("planner"))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %s", resp.Status)
		}
		var ck *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == sessionCookie {
				ck = k
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/", ck)
		}
		if resp, _ := c.get("/board"); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /board as planner: %s", resp.Status)
		}
		c.postForm("/logout", url.Values{}, true)
		if resp, _ := c.get("/board"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("GET /board after logout: %s, want a redirect", resp.Status)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		c := e.client(t)
		if resp, b := c.tryLogin("planner", "not the password"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "账户名或密码不正确") {
			t.Errorf("wrong password: %s", resp.Status)
		}
		if resp, _ := c.tryLogin("nobody", "whatever-password"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("no such account: %s", resp.Status)
		}
	})
	t.Run("roles", func(t *testing.T) {
		for _, tt := range []struct {
			user, path string
			want       int
		}{
			{"lj", "/board", http.StatusForbidden},
			{"lj", "/admin/audit", http.StatusForbidden},
			{"lj", "/portal", http.StatusOK},
			{"analyst", "/submissions", http.StatusForbidden},
			{"analyst", "/marts/coverage", http.StatusOK},
			{"planner", "/admin/users", http.StatusForbidden},
			{"admin", "/admin/users", http.StatusOK},
			{"admin", "/admin/audit", http.StatusOK},
			{"admin", "/admin/settings", http.StatusOK},
		} {
			c := e.client(t)
			c.login(tt.user)
			if resp, _ := c.get(tt.path); resp.StatusCode != tt.want {
				t.Errorf("%s GET %s: %s, want %d", tt.user, tt.path, resp.Status, tt.want)
			}
		}
	})
	t.Run("bearer token", func(t *testing.T) {
		tok := newToken(t, "analyst")
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/marts/coverage?year=2014", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("API with a token: %s", resp.Status)
		}
		req, _ = http.NewRequest(http.MethodGet, e.ts.URL+"/api/marts/coverage", nil)
		req.Header.Set("Authorization", "Bearer shequ_not-a-token")
		resp, _ = http.DefaultClient.Do(req)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("API with a wrong token: %s, want 401", resp.Status)
		}
		req, _ = http.NewRequest(http.MethodGet, e.ts.URL+"/board", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, _ = http.DefaultClient.Do(req)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a page with a token: %s, want 401 (tokens are for /api/)", resp.Status)
		}
	})
	t.Run("headers", func(t *testing.T) {
		c := e.client(t)
		resp, _ := c.get("/login")
		if got := resp.Header.Get("Content-Security-Policy"); got != CSP || !strings.Contains(got, "default-src 'none'") || strings.Contains(got, "unsafe") {
			t.Errorf("CSP %q", got)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}
	})
}

// newToken makes an API token for name as `shequ users token` does.
func newToken(t *testing.T, name string) string {
	t.Helper()
	var tok string
	err := sample.env.srv.wr.do(t.Context(), "token", false, func(ctx context.Context, w *warehouse.Warehouse) error {
		var err error
		if tok, err = (account.Store{DB: w.DB}).NewToken(ctx, name); err != nil {
			return err
		}
		return sample.env.srv.users.load(ctx, w.DB)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestCSRF: a form without its token is refused, and so is a form from
// another site.
func TestCSRF(t *testing.T) {
	e := sample.env
	c := e.client(t)
	c.login("admin")
	for _, path := range []string{"/logout", "/password", "/admin/users", "/admin/settings"} {
		resp, b := c.postForm(path, url.Values{"name": {"mallory"}, "role": {"admin"}}, false)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "CSRF") {
			t.Errorf("POST %s without the CSRF token: %s, want 403", path, resp.Status)
		}
	}
	if _, ok := e.srv.users.get("mallory"); ok {
		t.Fatal("an account was made by a form without its CSRF token")
	}
	// A multipart upload with neither the header nor the field.
	var body bytes.Buffer
	body.WriteString("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n年度,项目编号\r\n--X--\r\n")
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/submissions", &body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=X")
	if resp, _ := c.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload without the CSRF token: %s, want 403", resp.Status)
	}
	// The right token, from another site's page.
	form := url.Values{"csrf": {c.csrf}, "name": {"mallory"}, "role": {"admin"}}
	req, _ = http.NewRequest(http.MethodPost, e.ts.URL+"/admin/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, _ := c.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST from another origin: %s, want 403", resp.Status)
	}
	// With the token the same form works.
	if resp, b := c.postForm("/admin/users", url.Values{"name": {"newclerk"}, "role": {"district"}, "district": {"临江区"}}, true); resp.StatusCode != http.StatusOK ||
		!strings.Contains(string(b), "一次性密码") {
		t.Errorf("POST /admin/users with the token: %s", resp.Status)
	}
}

// TestThrottle: after five wrong passwords an account is refused for a
// while, even with the right password and from another address; twenty
// from one address refuse that address for every account.
func TestThrottle(t *testing.T) {
	e := sample.env
	c := e.client(t)
	for i := 0; i < accountFailures; i++ {
		if resp, _ := c.tryLogin("qs", "wrong-password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %s", i+1, resp.Status)
		}
	}
	other := e.client(t)
	resp, b := other.tryLogin("qs", passwordOf("qs"))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "错误次数过多") {
		t.Errorf("the right password after %d wrong ones: %s, want 429 with Retry-After", accountFailures, resp.Status)
	}
	// The throttle ends: a quarter of an hour later the password works.
	e.srv.throttle.now = func() time.Time { return time.Now().Add(throttleWindow + time.Minute) }
	resp, _ = other.tryLogin("qs", passwordOf("qs"))
	e.srv.throttle.now = time.Now
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window: %s, want a sign-in", resp.Status)
	}

	guesser := e.client(t)
	for i := 0; i < addressFailures; i++ {
		guesser.tryLogin(fmt.Sprintf("guess%d", i), "wrong-password")
	}
	if resp, _ := guesser.tryLogin("planner", passwordOf("planner")); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("from an address with %d failures: %s, want 429", addressFailures, resp.Status)
	}
	if resp, _ := e.client(t).tryLogin("planner", passwordOf("planner")); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the same account from another address: %s, want a sign-in", resp.Status)
	}
}

// TestIsolation signs in as each district of the sample and reads every
// page, API response and download it can reach: none holds a row, a
// code or the name of the other district. Asking for the other district
// is refused; uploading its file is refused before anything is loaded.
func TestIsolation(t *testing.T) {
	e := loadCity(t)
	// What gives away a district: its name, its community codes (the
	// 12-digit codes of the sample start 519902 for 临江区, 519903 for
	// 青山区) and its project codes.
	marks := map[string][]string{
		"临江区": {"临江区", "519902", "LJ20"},
		"青山区": {"青山区", "519903"},
	}
	otherOf := map[string]string{"临江区": "青山区", "青山区": "临江区"}
	userOf := map[string]string{"临江区": "lj", "青山区": "qs"}
	planner := e.client(t)
	planner.login("planner")
	var all struct {
		Submissions []data.Submission `json:"submissions"`
	}
	_, b := planner.get("/api/submissions")
	json.Unmarshal(b, &all)

	for district, user := range userOf {
		t.Run(district, func(t *testing.T) {
			c := e.client(t)
			c.login(user)
			other := otherOf[district]
			seen := 0
			check := func(what string, body []byte) {
				t.Helper()
				seen++
				for _, m := range marks[other] {
					if bytes.Contains(body, []byte(m)) {
						i := bytes.Index(body, []byte(m))
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
			get("/portal")
			resp, tpl := c.get("/template.xlsx")
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /template.xlsx: %s", resp.Status)
			}
			check("the blank template", unzipText(t, tpl))
			if resp, _ := c.get("/board/reminder?year=2014&district=" + url.QueryEscape(other)); resp.StatusCode != http.StatusForbidden {
				t.Errorf("the other district's reminder: %s, want 403", resp.Status)
			}
			get("/submissions")
			get("/marts")
			get("/password")
			var mine struct {
				Submissions []data.Submission `json:"submissions"`
			}
			json.Unmarshal(get("/api/submissions"), &mine)
			if len(mine.Submissions) != 4 {
				t.Errorf("%s sees %d submissions, want its 4 files", district, len(mine.Submissions))
			}
			for _, s := range mine.Submissions {
				if s.District != district {
					t.Errorf("submission %d of %q listed", s.ID, s.District)
				}
				get(fmt.Sprintf("/submissions/%d", s.ID))
				get(fmt.Sprintf("/api/submissions/%d", s.ID))
				resp, b := c.get(fmt.Sprintf("/submissions/%d/receipt.xlsx", s.ID))
				if resp.StatusCode != http.StatusOK {
					t.Errorf("receipt of %d: %s", s.ID, resp.Status)
				}
				check(fmt.Sprintf("the receipt workbook of %d", s.ID), unzipText(t, b))
			}
			for _, m := range data.Marts() {
				resp, b := c.get("/api/marts/" + m)
				if data.MartCityOnly(m) {
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("GET /api/marts/%s: %s, want 403 (city only)", m, resp.Status)
					}
					continue
				}
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET /api/marts/%s: %s", m, resp.Status)
				}
				check("GET /api/marts/"+m, b)
				get("/marts/" + m)
			}
			// Every submission that is not theirs: not found, its receipt too.
			for _, s := range all.Submissions {
				if s.District == district {
					continue
				}
				for _, p := range []string{"/submissions/%d", "/api/submissions/%d", "/submissions/%d/receipt.xlsx"} {
					path := fmt.Sprintf(p, s.ID)
					if resp, b := c.get(path); resp.StatusCode != http.StatusNotFound {
						t.Errorf("GET %s (of %q): %s, want 404", path, s.District, resp.Status)
					} else {
						check("GET "+path, b)
					}
				}
			}
			for _, path := range []string{"/api/marts/coverage?district=" + url.QueryEscape(other), "/marts/coverage?district=" + url.QueryEscape(other)} {
				if resp, _ := c.get(path); resp.StatusCode != http.StatusForbidden {
					t.Errorf("GET %s: %s, want 403", path, resp.Status)
				}
			}
			var cov struct {
				Rows []map[string]any `json:"rows"`
			}
			_, b := c.get("/api/marts/coverage")
			json.Unmarshal(b, &cov)
			if len(cov.Rows) == 0 {
				t.Errorf("no coverage rows of %s", district)
			}
			if seen < 40 {
				t.Errorf("only %d responses checked", seen)
			}
			// The dashboard, its workbooks, SQL and the saved queries
			// (issue 17).
			dashboardIsolation(t, c, district, other)
		})
	}

	t.Run("another district's file is refused", func(t *testing.T) {
		c := e.client(t)
		c.login("lj")
		var before int
		e.srv.wr.do(t.Context(), "count", false, func(ctx context.Context, w *warehouse.Warehouse) error {
			return w.DB.QueryRowContext(ctx, `SELECT count(*) FROM raw.submissions`).Scan(&before)
		})
		f, _ := os.Open(filepath.Join(sampleBatch1, "05_青山区服务项目2013-2014.csv"))
		defer f.Close()
		resp, b := c.upload("我们的项目.csv", f)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "属于青山区") {
			t.Errorf("临江区 uploading 青山区's projects: %s %s, want 403 naming 青山区", resp.Status, b)
		}
		var after int
		e.srv.wr.do(t.Context(), "count", false, func(ctx context.Context, w *warehouse.Warehouse) error {
			return w.DB.QueryRowContext(ctx, `SELECT count(*) FROM raw.submissions`).Scan(&after)
		})
		if after != before {
			t.Errorf("the refused file reached the warehouse: %d submissions, then %d", before, after)
		}
	})
}

// unzipText is the text of every part of a zip (an .xlsx).
func unzipText(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	var out bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&out, rc)
		rc.Close()
	}
	return out.Bytes()
}

// heapWatch samples the heap while f runs and returns its growth.
func heapWatch(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// zeros is n bytes of a repeated line, made as they are read.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), z.n)
	for i := range p[:n] {
		p[i] = "年度,项目编号\n"[i%len("年度,项目编号\n")]
	}
	z.n -= n
	return int(n), nil
}

// TestUploadLimits: a 200 MB upload and a zip bomb are refused without
// the server holding them in memory; a file name never becomes a path.
func TestUploadLimits(t *testing.T) {
	e := sample.env
	c := e.client(t)
	c.login("lj")
	const big = 200 << 20
	multipartOf := func(n int64) (io.Reader, string) {
		head := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n"
		return io.MultiReader(strings.NewReader(head), &zeros{n}, strings.NewReader("\r\n--B--\r\n")), "multipart/form-data; boundary=B"
	}
	for _, tt := range []struct {
		name    string
		chunked bool
	}{{"200 MB with its length", false}, {"200 MB chunked", true}} {
		t.Run(tt.name, func(t *testing.T) {
			var status int
			grew := heapWatch(func() {
				body, ct := multipartOf(big)
				req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/submissions", body)
				req.Header.Set("Content-Type", ct)
				req.Header.Set("X-Csrf-Token", c.csrf)
				req.Header.Set("X-Forwarded-For", c.addr)
				if !tt.chunked {
					req.ContentLength = big + 200
				}
				resp, err := c.hc.Do(req)
				if err != nil {
					status = -1 // the server closed the connection mid-body: refused too
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			})
			if status != http.StatusRequestEntityTooLarge && status != -1 {
				t.Errorf("200 MB upload: status %d, want 413", status)
			}
			if grew > 64<<20 {
				t.Errorf("the heap grew by %d MB during a 200 MB upload", grew>>20)
			}
			t.Logf("status %d; heap grew by %.1f MB", status, float64(grew)/(1<<20))
		})
	}
	t.Run("zip bomb", func(t *testing.T) {
		bomb := zipBomb(t, 512<<20)
		var resp *http.Response
		var b []byte
		grew := heapWatch(func() { resp, b = c.upload("bomb.xlsx", bytes.NewReader(bomb)) })
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "压缩炸弹") {
			t.Errorf("zip bomb (%d KB unpacking to 512 MB): %s %s, want 422", len(bomb)>>10, resp.Status, b)
		}
		if grew > 64<<20 {
			t.Errorf("the heap grew by %d MB during the zip bomb", grew>>20)
		}
		t.Logf("%d KB bomb refused; heap grew by %.1f MB", len(bomb)>>10, float64(grew)/(1<<20))
	})
	t.Run("file names never become paths", func(t *testing.T) {
		f, _ := os.ReadFile(filepath.Join(sampleBatch1, "01_临江区社区名册2013-2014.xlsx"))
		f = append(f[:len(f):len(f)], []byte{}...)
		resp, b := c.upload(`..\..\..\etc/evil name.xlsx`, bytes.NewReader(f))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("upload: %s %s", resp.Status, b)
		}
		var r Receipt
		json.Unmarshal(b, &r)
		if r.File != "evil name.xlsx" || r.Status != "duplicate" {
			t.Errorf("receipt: file %q status %q; want the name shown as evil name.xlsx, a duplicate of 01", r.File, r.Status)
		}
		var names []string
		filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), "evil") {
				names = append(names, p)
			}
			return nil
		})
		if len(names) > 0 {
			t.Errorf("the client's name became a path: %v", names)
		}
		uploads, _ := filepath.Glob(filepath.Join(e.dir, "inbox", "临江区", "web-*.xlsx"))
		if len(uploads) == 0 {
			t.Errorf("no upload under inbox/临江区/web-*.xlsx")
		}
	})
	t.Run("not a spreadsheet", func(t *testing.T) {
		resp, _ := c.upload("run.sh", strings.NewReader("#!/bin/sh\n"))
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("run.sh: %s, want 415", resp.Status)
		}
	})
}

// zipBomb is an .xlsx whose one sheet unpacks to n bytes of rows.
func zipBomb(t *testing.T, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	io.WriteString(w, `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`)
	w, _ = zw.Create("xl/worksheets/sheet1.xml")
	row := []byte(strings.Repeat(`<row><c t="inlineStr"><is><t>年度</t></is></c></row>`, 1024))
	for written := int64(0); written < n; written += int64(len(row)) {
		w.Write(row)
	}
	zw.Close()
	return buf.Bytes()
}

// TestBoard: after the first batch, the planner's board for 2014 shows
// as missing exactly what the second batch brings: the fourth quarter's
// expenditures and activities and the annual evaluations of every
// project running then, in both districts; the reminder names them.
func TestBoard(t *testing.T) {
	e := loadCity(t)
	c := e.client(t)
	c.login("planner")
	resp, b := c.get("/board?year=2014")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /board: %s", resp.Status)
	}
	got := boardCells(string(b))
	// What the first batch lacks, from the clean rows of both batches:
	// the fourth quarter (its expenditures and activities come in the
	// second batch), the annual evaluations (the first batch has the
	// mid-term ones), and any quarter a project has no rows in at all.
	want := map[string]string{}
	exp, act := truthQuarters(t, "expenditures", 2014), truthQuarters(t, "activities", 2014)
	for _, p := range truthProjects(t, 2014) {
		for q := 1; q <= 4; q++ {
			if !p.runsIn(2014, q) {
				continue
			}
			key := fmt.Sprintf("%s/Q%d", p.code, q)
			if q == 4 || !exp[key] {
				want[fmt.Sprintf("%s/expenditures/Q%d", p.district, q)] += p.code + ","
			}
			if q == 4 || !act[key] {
				want[fmt.Sprintf("%s/activities/Q%d", p.district, q)] += p.code + ","
			}
		}
		want[p.district+"/evaluations/year"] += p.code + ","
	}
	for k, v := range want {
		want[k] = strings.TrimSuffix(v, ",")
	}
	for k, v := range got {
		if v.state == "ok" || v.state == "none" {
			continue
		}
		if want[k] != v.missing {
			t.Errorf("board %s: %s, missing %q; want missing %q", k, v.state, v.missing, want[k])
		}
	}
	for k, v := range want {
		if got[k].missing != v {
			t.Errorf("board %s: missing %q, want %q", k, got[k].missing, v)
		}
	}
	if !strings.Contains(string(b), "数据截至") || !strings.Contains(string(b), "催报通知") {
		t.Error("the board lacks its freshness line or its reminders")
	}
	// The reminder of 临江区 names each project missing and each problem.
	resp, b = c.get("/board/reminder?year=2014&district=" + url.QueryEscape("临江区"))
	txt := string(b)
	if resp.StatusCode != http.StatusOK || !strings.Contains(txt, "临江区民政局") || !strings.Contains(txt, "已逾期未报送") {
		t.Fatalf("reminder: %s\n%s", resp.Status, txt)
	}
	for _, code := range strings.Split(want["临江区/expenditures/Q4"], ",") {
		if !strings.Contains(txt, code) {
			t.Errorf("the reminder lacks project %s:\n%s", code, txt)
		}
	}
	if !strings.Contains(txt, "52519902M938948230") || !strings.Contains(txt, "需要更正的数据") {
		t.Errorf("the reminder lacks the problem to correct:\n%s", txt)
	}
}

type boardCell struct{ state, missing string }

var cellRE = regexp.MustCompile(`data-district="([^"]+)" data-kind="([^"]+)" data-period="([^"]+)" data-state="([^"]+)" data-missing="([^"]*)"`)

// boardCells reads the board's cells from its page: district/kind/period.
func boardCells(page string) map[string]boardCell {
	out := map[string]boardCell{}
	for _, m := range cellRE.FindAllStringSubmatch(page, -1) {
		out[m[1]+"/"+m[2]+"/"+m[3]] = boardCell{state: m[4], missing: m[5]}
	}
	return out
}

// TestAccountsSettingsAudit: an admin makes an account, whose one-time
// password must be changed at the first sign-in; changes a deadline,
// which the board then uses; and reads all of it, with the uploads,
// downloads and refused logins, in the audit log.
func TestAccountsSettingsAudit(t *testing.T) {
	e := loadCity(t)
	admin := e.client(t)
	admin.login("admin")
	resp, b := admin.postForm("/admin/users", url.Values{"name": {"zhangwei"}, "role": {"planner"}}, true)
	m := regexp.MustCompile(`<code>(\w{4}-\w{4}-\w{4}-\w{4})</code>`).FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("POST /admin/users: %s, no one-time password shown", resp.Status)
	}
	once := string(m[1])

	u := e.client(t)
	resp, _ = u.tryLogin("zhangwei", once)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/password" {
		t.Fatalf("first sign-in with the one-time password: %s → %s, want /password", resp.Status, resp.Header.Get("Location"))
	}
	u.get("/password")
	if resp, _ := u.get("/board"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/password" {
		t.Errorf("the board before choosing a password: %s → %s", resp.Status, resp.Header.Get("Location"))
	}
	if resp, _ := u.postForm("/password", url.Values{"current": {once}, "password": {"short"}, "again": {"short"}}, true); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a short new password: %s, want 400", resp.Status)
	}
	if resp, _ := u.postForm("/password", url.Values{"current": {once}, "password": {"zhangwei's own password"}, "again": {"zhangwei's own password"}}, true); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing a password: %s", resp.Status)
	}
	if resp, _ := u.get("/board"); resp.StatusCode != http.StatusOK {
		t.Errorf("the board after choosing a password: %s", resp.Status)
	}
	if resp, _ := e.client(t).tryLogin("zhangwei", once); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the one-time password after the change: %s, want 401", resp.Status)
	}

	// Evaluations of 2014 due at the end of 2099: the board says 待报, not 逾期.
	admin.get("/admin/settings")
	if resp, _ := admin.postForm("/admin/settings", url.Values{"due_evaluations_year": {"85-12-31"}}, true); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /admin/settings: %s", resp.Status)
	}
	defer admin.postForm("/admin/settings", url.Values{"due_evaluations_year": {"1-01-31"}}, true)
	_, b = admin.get("/board?year=2014")
	if got := boardCells(string(b))["青山区/evaluations/year"].state; got != "open" {
		t.Errorf("evaluations due 2099-12-31: board cell %q, want open (待报)", got)
	}
	if resp, b := admin.postForm("/admin/settings", url.Values{"due_evaluations_year": {"1-13-40"}}, true); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a date that is none: %s %s", resp.Status, b)
	}

	e.client(t).tryLogin("admin", "a wrong password")
	_, b = admin.get("/admin/audit")
	page := string(b)
	for _, want := range []string{"登录", "登录失败", "上传报送", "下载", "修改设置", "新建账户", "修改密码", "zhangwei", "evaluations year: 1-01-31 → 85-12-31", "10.0."} {
		if !strings.Contains(page, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
}
