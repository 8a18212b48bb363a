package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestUsersCommand: shequ users add, list, disable, enable, reset and
// token, as an admin would type them.
func TestUsersCommand(t *testing.T) {
	dir := t.TempDir()
	wh := []string{"--warehouse", filepath.Join(dir, "shequ.duckdb")}
	run := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		return shequIn(t, dir, stdin, append(args, wh...)...)
	}
	out, errOut, code := run("", "users", "add", "王芳", "--role", "planner")
	if code != 0 || !regexp.MustCompile(`一次性密码: \w{4}-\w{4}-\w{4}-\w{4}`).MatchString(out) {
		t.Fatalf("users add: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := run("", "users", "add", "lj", "--role", "district"); code != 2 || !strings.Contains(errOut, "--district") {
		t.Errorf("a district account without --district: exit %d, %s", code, errOut)
	}
	if _, errOut, code := run("", "users", "add", "x", "--role", "mayor"); code != 2 || !strings.Contains(errOut, "planner, district, analyst and admin") {
		t.Errorf("an unknown role: exit %d, %s", code, errOut)
	}
	if _, errOut, code := run("short\n", "users", "add", "ops", "--role", "admin", "--password-stdin"); code != 2 || !strings.Contains(errOut, "10") {
		t.Errorf("a short password: exit %d, %s", code, errOut)
	}
	out, _, code = run("a-long-enough-password\n", "users", "add", "ops", "--role", "admin", "--password-stdin")
	if code != 0 || strings.Contains(out, "一次性密码") {
		t.Errorf("--password-stdin: exit %d\n%s", code, out)
	}
	if _, _, code := run("", "users", "add", "lj", "--role", "district", "--district", "临江区"); code != 0 {
		t.Errorf("a district account: exit %d", code)
	}
	if _, errOut, code := run("", "users", "add", "lj", "--role", "planner"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("the same name again: exit %d, %s", code, errOut)
	}
	tok, _, code := run("", "users", "token", "ops")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(tok), "shequ_") {
		t.Errorf("users token: exit %d, %q", code, tok)
	}
	if _, _, code := run("", "users", "disable", "lj"); code != 0 {
		t.Errorf("users disable: exit %d", code)
	}
	out, _, code = run("", "users", "list")
	for _, want := range []string{"王芳", "planner", "one-time password not yet changed", "lj", "临江区", "disabled", "ops", "admin"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("users list lacks %q:\n%s", want, out)
		}
	}
	if _, _, code := run("", "users", "disable", "nobody"); code != 1 {
		t.Errorf("disabling no account: exit %d, want 1", code)
	}
}

// TestServeWeb: serve refuses a non-loopback address without TLS and
// demo accounts on a warehouse that is not a demo's; it serves the web
// application, takes a login and a token, and while it runs a command
// that would write the warehouse is told serve holds it.
func TestServeWeb(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon")
	}
	dir := t.TempDir()
	wh := filepath.Join(dir, "shequ.duckdb")
	paths := []string{"--warehouse", wh, "--inbox", filepath.Join(dir, "inbox")}
	if _, errOut, code := shequ(t, dir, append([]string{"serve", "--addr", "0.0.0.0:0"}, paths...)...); code != 2 || !strings.Contains(errOut, "--tls-cert") {
		t.Errorf("serve on 0.0.0.0 without TLS: exit %d, %s", code, errOut)
	}
	if _, errOut, code := shequ(t, dir, append([]string{"serve", "--demo-accounts"}, paths...)...); code != 2 || !strings.Contains(errOut, "shequ demo") {
		t.Errorf("--demo-accounts on another warehouse: exit %d, %s", code, errOut)
	}
	if _, _, code := shequIn(t, dir, "planner-password\n", append([]string{"users", "add", "planner", "--role", "planner", "--password-stdin"}, paths[:2]...)...); code != 0 {
		t.Fatalf("users add: exit %d", code)
	}
	tok, _, _ := shequ(t, dir, append([]string{"users", "token", "planner"}, paths[:2]...)...)
	tok = strings.TrimSpace(tok)

	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, paths...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(60 * time.Second):
		t.Fatal("serve never said where it listens")
	}

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.PostForm(base+"/login", url.Values{"name": {"planner"}, "password": {"planner-password"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "报送进度") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("login then the board: %s", resp.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/marts/coverage", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Mart string `json:"mart"`
	}
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || m.Mart != "coverage" {
		t.Errorf("GET /api/marts/coverage with a token: %s %+v", resp.Status, m)
	}
	var h struct {
		Status string `json:"status"`
	}
	getJSON(t, base+"/healthz", &h)
	if h.Status == "" {
		t.Error("/healthz says nothing")
	}
	_, errOut, code := shequ(t, dir, append([]string{"users", "add", "x", "--role", "analyst"}, paths[:2]...)...)
	if code != 1 || !strings.Contains(errOut, "shequ serve") {
		t.Errorf("users add while serve runs: exit %d, %s; want the holder named", code, errOut)
	}
}
