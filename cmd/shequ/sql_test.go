package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/samples"
)

var (
	demoOnce sync.Once
	demoPath string
	demoErr  error
)

// demoWarehouse runs `shequ demo` once for these tests and returns its
// warehouse, whose snapshot the readers open.
func demoWarehouse(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shequ-sql-")
		if err != nil {
			demoErr = err
			return
		}
		cmd := exec.Command(bin, "demo", "--dir", filepath.Join(dir, "demo"))
		cmd.Env = append(os.Environ(), "CI=true")
		if out, err := cmd.CombinedOutput(); err != nil {
			demoErr = fmt.Errorf("shequ demo: %v\n%s", err, out)
			return
		}
		demoPath = filepath.Join(dir, "demo", "shequ.duckdb")
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoPath
}

// shequIn runs the binary with stdin.
func shequIn(t *testing.T, dir, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runBin(t, dir, func(cmd *exec.Cmd) { cmd.Stdin = strings.NewReader(stdin) }, args...)
}

// runBin runs the binary in dir with CI=true, after setup changes the
// command (its input, environment or user), and returns its stdout,
// stderr and exit status.
func runBin(t *testing.T, dir string, setup func(*exec.Cmd), args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true")
	if setup != nil {
		setup(cmd)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func TestSQLScripts(t *testing.T) {
	wh := demoWarehouse(t)
	dir := t.TempDir()
	coverage := "SELECT district, sum(communities) AS communities, sum(covered) AS covered FROM marts.coverage WHERE year = 2014 GROUP BY district ORDER BY district"

	t.Run("formats", func(t *testing.T) {
		tests := []struct {
			args []string
			want string
		}{
			{[]string{"--format", "csv"}, "district,communities,covered\n临江区,21,12\n青山区,20,12\n"},
			{[]string{"--format", "json"}, `[` + "\n" + `  {"district": "临江区", "communities": 21, "covered": 12},` + "\n" + `  {"district": "青山区", "communities": 20, "covered": 12}` + "\n]\n"},
			{[]string{"--format", "markdown"}, "| district | communities | covered |\n|---|--:|--:|\n| 临江区 | 21 | 12 |\n| 青山区 | 20 | 12 |\n"},
			{nil, "district │ communities │ covered\n─────────┼─────────────┼────────\n临江区   │          21 │      12\n青山区   │          20 │      12\n(2 rows)\n"},
		}
		for _, tt := range tests {
			args := append([]string{"sql", "--warehouse", wh, "-c", coverage}, tt.args...)
			out, errOut, code := shequ(t, dir, args...)
			if code != 0 || out != tt.want {
				t.Errorf("shequ %v: exit %d, stderr %s\n got %q\nwant %q", tt.args, code, errOut, out, tt.want)
			}
		}
	})

	t.Run("xlsx and csv files", func(t *testing.T) {
		xl := filepath.Join(dir, "out", "coverage.xlsx")
		if _, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", coverage+"; FROM marts.rejects", "--out", xl); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		f, err := excelize.OpenFile(xl)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := strings.Join(f.GetSheetList(), ","); got != "result 1,result 2" {
			t.Errorf("sheets %s, want one per result", got)
		}
		if v, _ := f.GetCellValue("result 1", "A2"); v != "临江区" {
			t.Errorf("A2 = %q", v)
		}
		if p, err := f.GetPanes("result 1"); err != nil || !p.Freeze {
			t.Errorf("header not frozen: %+v %v", p, err)
		}
		c := filepath.Join(dir, "coverage.csv")
		if _, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", coverage, "--format", "csv", "--bom", "--out", c); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		b, _ := os.ReadFile(c)
		if !bytes.HasPrefix(b, []byte("\ufeffdistrict,communities,covered\n临江区,21,12")) {
			t.Errorf("csv file %q", b)
		}
		if _, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", "SELECT 1; SELECT 2", "--out", c); code != 1 || !strings.Contains(errOut, "--format xlsx") {
			t.Errorf("two results to one csv: exit %d, %s", code, errOut)
		}
	})

	t.Run("standard input and files", func(t *testing.T) {
		out, errOut, code := shequIn(t, dir, "SET VARIABLE year = 2014;\nCREATE TEMP TABLE d AS SELECT DISTINCT district FROM marts.coverage;\nSELECT count(*) AS districts FROM d;\n", "sql", "--warehouse", wh)
		if code != 0 || !strings.Contains(out, "districts\n─────────\n        2\n(1 row)") {
			t.Errorf("stdin script: exit %d, stderr %s, stdout\n%s", code, errOut, out)
		}
		script := filepath.Join(dir, "report.sql")
		os.WriteFile(script, []byte("-- a report\nSELECT 1;\n\nSELECT year,\n       no_such_column\nFROM marts.coverage;\n"), 0o644)
		_, errOut, code = shequ(t, dir, "sql", "--warehouse", wh, script)
		// DuckDB's LINE is renumbered to the line of the file.
		for _, want := range []string{"statement 2 at line 4 of report.sql", `Referenced column "no_such_column" not found`, "  LINE 5:        no_such_column\n                 ^"} {
			if code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr %q lacks %q", code, errOut, want)
			}
		}
	})

	t.Run("writes are refused before anything runs", func(t *testing.T) {
		exported := filepath.Join(dir, "exported.csv")
		_, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c",
			fmt.Sprintf("COPY (SELECT 1 AS a) TO '%s'; DELETE FROM raw.submissions; DROP TABLE marts.coverage; ATTACH '%s' AS live", exported, wh))
		for _, want := range []string{"shequ sql: 已拒绝：分析查询只读取数据仓库，不能读写其他文件", "（共 4 处，详见下文）",
			"statement 1 at line 1: sql_refused: refused: COPY … TO writes a file", "--out FILE",
			"statement 2 at line 1: sql_refused: refused: DELETE", "statement 3 at line 1: sql_refused: refused: DROP", "statement 4 at line 1: sql_refused: refused: ATTACH", "read-only"} {
			if code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr %q lacks %q", code, errOut, want)
			}
		}
		if _, err := os.Stat(exported); err == nil {
			t.Error("the COPY ran although the script was refused")
		}
		// An export alone is refused too: --out is how results are kept.
		if _, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", fmt.Sprintf("COPY (SELECT 1 AS a) TO '%s'", exported)); code != 1 || !strings.Contains(errOut, "--format") {
			t.Errorf("COPY … TO: exit %d, %s; want 1 and --format … --out", code, errOut)
		}
		if _, err := os.Stat(exported); err == nil {
			t.Error("COPY … TO wrote a file")
		}
		// The snapshot is unchanged.
		out, _, _ := shequ(t, dir, "sql", "--warehouse", wh, "-c", "SELECT count(*) AS n FROM raw.submissions", "--format", "csv")
		if out != "n\n22\n" {
			t.Errorf("submissions after the refusals: %q", out)
		}
	})
}

// TestSQLSandbox tries, through the binary, what an analyst's SQL could
// do beyond the warehouse: read the ID key beside it, overwrite it with
// COPY … TO, turn on extension downloads, read /etc/passwd, attach the
// live file. Each is refused with a plain message and exit 1, for shequ sql
// and for a saved query of shequ query, and the warehouse, its snapshot
// and the key are unchanged.
func TestSQLSandbox(t *testing.T) {
	wh := demoWarehouse(t)
	dir := t.TempDir()
	key := wh + ".key"
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("the demo made no ID key: %v", err)
	}
	files := []string{wh, key, strings.TrimSuffix(wh, ".duckdb") + ".snapshot.duckdb"}
	sums := func() string {
		var b strings.Builder
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %x\n", f, sha256.Sum256(data))
		}
		return b.String()
	}
	before := sums()
	keyText, _ := os.ReadFile(key)
	tests := []struct{ sql, want string }{
		{fmt.Sprintf("SELECT * FROM read_text('%s')", key), "touch no other file"},
		{fmt.Sprintf("SELECT content FROM read_blob('%s')", key), "touch no other file"},
		{fmt.Sprintf("COPY (SELECT 1) TO '%s'", wh), "--out FILE"},
		{fmt.Sprintf("COPY (SELECT 1) TO '%s' (FORMAT parquet)", files[2]), "--out FILE"},
		{"SET autoinstall_known_extensions = true", "locked"},
		{"SELECT * FROM read_csv('/etc/passwd', sep = ':')", "touch no other file"},
		{fmt.Sprintf("ATTACH '%s' AS live", wh), "refused: ATTACH"},
		{fmt.Sprintf("SELECT * FROM glob('%s/*')", filepath.Dir(wh)), "touch no other file"},
		{"INSTALL httpfs", "no extension"},
	}
	for _, tt := range tests {
		out, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", tt.sql)
		if code != 1 || !strings.Contains(errOut, "refused: ") || !strings.Contains(errOut, tt.want) {
			t.Errorf("shequ sql -c %q: exit %d, stderr %q; want 1 and a refusal saying %q", tt.sql, code, errOut, tt.want)
		}
		if strings.Contains(out+errOut, strings.TrimSpace(string(keyText))) {
			t.Errorf("shequ sql -c %q printed the ID key", tt.sql)
		}
	}
	// A saved query of the analyst's own runs in the same session.
	qdir := filepath.Join(dir, "queries")
	os.Mkdir(qdir, 0o755)
	os.WriteFile(filepath.Join(qdir, "steal.sql"), []byte(fmt.Sprintf("-- @description: reads the key\nSELECT content FROM read_text('%s')\n", key)), 0o644)
	out, errOut, code := shequ(t, dir, "query", "steal", "--queries", qdir, "--warehouse", wh)
	if code != 1 || !strings.Contains(errOut, "touch no other file") || strings.Contains(out, strings.TrimSpace(string(keyText))) {
		t.Errorf("shequ query steal: exit %d, stdout %q, stderr %q; want 1 and a refusal", code, out, errOut)
	}
	if after := sums(); after != before {
		t.Errorf("files changed:\n%s\nwas\n%s", after, before)
	}
}

// TestSQLCSVEscapesFormulas: text that a spreadsheet would evaluate comes
// out of shequ sql --format csv with a ' in front; numbers do not.
func TestSQLCSVEscapesFormulas(t *testing.T) {
	wh := demoWarehouse(t)
	dir := t.TempDir()
	q := `SELECT '=HYPERLINK("http://example.com/x","点击")' AS link, '=2+5' AS sum, '@P3' AS at, '-1+1' AS minus,
		-3 AS negative, -12.50::DECIMAL(18,2) AS amount, '青山区' AS district`
	want := "link,sum,at,minus,negative,amount,district\n\"'=HYPERLINK(\"\"http://example.com/x\"\",\"\"点击\"\")\",'=2+5,'@P3,'-1+1,-3,-12.50,青山区\n"
	out, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", q, "--format", "csv")
	if code != 0 || out != want {
		t.Errorf("exit %d, stderr %s\n got %q\nwant %q", code, errOut, out, want)
	}
	file := filepath.Join(dir, "out.csv")
	if _, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", q, "--out", file, "--bom"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(file)
	if string(b) != "\ufeff"+want {
		t.Errorf("file %q", b)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("the file's mode: %v %v", st.Mode(), err)
	}
}

func TestQueryCommand(t *testing.T) {
	wh := demoWarehouse(t)
	dir := t.TempDir()
	out, errOut, code := shequ(t, dir, "query", "--list")
	if code != 0 || !strings.Contains(out, "uncovered_communities") || !strings.Contains(out, "project_code text (required)") {
		t.Errorf("--list: exit %d %s\n%s", code, errOut, out)
	}

	// Files with rejected rows, against the sample's expected outcomes.
	out, errOut, code = shequ(t, dir, "query", "submissions_with_rejects", "--warehouse", wh, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, r := range recs[1:] {
		got = append(got, r[2]+" "+r[6])
	}
	f, _ := os.Open("../../samples/expected/expected_files.csv")
	exp, _ := csv.NewReader(f).ReadAll()
	f.Close()
	for _, r := range exp[1:] {
		if r[3] != "0" {
			want = append(want, r[0]+" "+r[3])
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files with rejects:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A district parameter matches files of several districts too.
	out, _, _ = shequ(t, dir, "query", "submissions_with_rejects", "--warehouse", wh, "--param", "district=临江区", "--format", "csv")
	if n := strings.Count(out, "\n") - 1; n != 3 {
		t.Errorf("临江区: %d files, want 3 (03, 09 and 12)\n%s", n, out)
	}

	_, errOut, code = shequ(t, dir, "query", "uncovered_communities", "--warehouse", wh, "--param", "year=二〇一四")
	if code != 2 || !strings.Contains(errOut, "parameter year") {
		t.Errorf("bad parameter: exit %d, %s", code, errOut)
	}
	_, errOut, code = shequ(t, dir, "query", "uncoverd", "--warehouse", wh)
	if code != 2 || !strings.Contains(errOut, "did you mean uncovered") {
		t.Errorf("misspelt query: exit %d, %s", code, errOut)
	}
	out, _, code = shequ(t, dir, "query", "project_card", "--show")
	if code != 0 || !strings.Contains(out, "WHERE py.project_code = $project_code") {
		t.Errorf("--show: exit %d\n%s", code, out)
	}
}

// TestConsoleThroughTmux types into `shequ sql` on a real terminal (a tmux
// pane) and reads the screen back.
func TestConsoleThroughTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed to drive the console through a terminal: apt-get install tmux")
	}
	wh := demoWarehouse(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock") // a server of our own
	hist := filepath.Join(dir, "history")
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", "sql", "-x", "150", "-y", "60",
		fmt.Sprintf("env SHEQU_HISTORY=%s %s sql --warehouse %s; echo console-exited-$?; sleep 60", hist, bin, wh))
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()
	screen := func() string { return tmux("capture-pane", "-p", "-t", "sql", "-S", "-200") }
	waitFor := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			s := screen()
			if strings.Contains(s, want) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q:\n%s", want, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// typeLine types a line and Enter. tmux takes an argument ending in
	// ";" for a command separator unless it is escaped.
	typeLine := func(s string) {
		if strings.HasSuffix(s, ";") {
			s = s[:len(s)-1] + `\;`
		}
		tmux("send-keys", "-t", "sql", "-l", s)
		tmux("send-keys", "-t", "sql", "Enter")
	}
	waitFor("shequ>")

	// A statement over two lines; the table comes back aligned.
	typeLine("SELECT district, sum(covered) AS covered")
	waitFor("  ...>")
	typeLine("FROM marts.coverage WHERE year = 2014 GROUP BY district ORDER BY district;")
	s := waitFor("(2 rows)")
	for _, want := range []string{
		"district │ covered\n─────────┼────────\n临江区   │      12\n青山区   │      12\n(2 rows)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks\n%s\n---\n%s", want, s)
		}
	}

	typeLine(".schema coverage")
	s = waitFor("shortfall     │ BIGINT")
	if !strings.Contains(s, "How far purchased services cover") {
		t.Errorf(".schema shows no description:\n%s", s)
	}

	typeLine("DELETE FROM raw.submissions;")
	waitFor("refused: DELETE")

	// Ctrl-C drops the statement being typed.
	tmux("send-keys", "-t", "sql", "-l", "SELECT 'never")
	tmux("send-keys", "-t", "sql", "C-c")
	typeLine(".mode csv")
	typeLine("SELECT count(*) AS communities FROM intermediate.community_years WHERE year = 2014;")
	s = waitFor("communities\n41")
	if strings.Contains(s, "never") && !strings.Contains(s, "shequ> SELECT 'never") {
		t.Errorf("the interrupted statement ran:\n%s", s)
	}

	// ↑ recalls the last statement.
	tmux("send-keys", "-t", "sql", "Up")
	waitFor("shequ> SELECT count(*) AS communities FROM intermediate.community_years WHERE year = 2014;")
	tmux("send-keys", "-t", "sql", "C-u")
	typeLine(".quit")
	waitFor("console-exited-0")

	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SELECT district, sum(covered) AS covered FROM marts.coverage WHERE year = 2014 GROUP BY district ORDER BY district;", ".schema coverage"} {
		if !strings.Contains(string(b), want+"\n") {
			t.Errorf("history lacks %q:\n%s", want, b)
		}
	}
}

// TestReadersDuringIngestAndBuild runs twenty read-only queries at once,
// over and over, in processes of their own, while another process ingests
// a batch of files and builds the models: the writer is never kept out,
// every query succeeds, and every result is of one build (marts and raw
// of the same snapshot agree).
func TestReadersDuringIngestAndBuild(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "shequ.duckdb")
	inbox := filepath.Join(dir, "inbox")
	if _, err := samples.CopyBatch("batch1", inbox); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := shequ(t, dir, "run", "--warehouse", wh, "--inbox", inbox, "--out", filepath.Join(dir, "out")); code != 0 {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := samples.CopyBatch("batch2", inbox); err != nil {
		t.Fatal(err)
	}
	const check = `SELECT (SELECT count(*) FROM marts.submissions) AS marts, (SELECT count(*) FROM raw.submissions) AS raw,
		(SELECT sum(rows_loaded) FROM marts.submissions) = (SELECT sum(rows_loaded) FROM raw.submissions) AS same_rows,
		(SELECT count(*) FROM marts.coverage) AS coverage_rows`
	consistent := regexp.MustCompile(`^marts,raw,same_rows,coverage_rows\n(14,14|22,22),true,8\n$`)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	var mu sync.Mutex
	seen := map[string]int{}
	var failures []string
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				cmd := exec.Command(bin, "sql", "--warehouse", wh, "--format", "csv", "-c", check)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				mu.Lock()
				if err != nil || !consistent.MatchString(stdout.String()) {
					failures = append(failures, fmt.Sprintf("%v: %q %q", err, stdout.String(), stderr.String()))
				} else {
					seen[strings.Split(stdout.String(), "\n")[1][:5]]++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // the readers are under way
	out, errOut, code := shequ(t, dir, "run", "--warehouse", wh, "--inbox", inbox, "--out", filepath.Join(dir, "out"))
	time.Sleep(500 * time.Millisecond) // and read the new snapshot
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Errorf("the writer was kept out or failed: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "8 new files of 22") {
		t.Errorf("second run did not ingest batch2:\n%s", out)
	}
	for i, f := range failures {
		if i == 10 {
			t.Errorf("… %d more", len(failures)-i)
			break
		}
		t.Errorf("reader: %s", f)
	}
	t.Logf("results seen: %v", seen)
	if seen["14,14"] == 0 || seen["22,22"] == 0 {
		t.Errorf("readers saw %v; want results of both builds", seen)
	}
	var n int
	for _, c := range seen {
		n += c
	}
	if n < 20 {
		t.Errorf("only %d queries ran", n)
	}
}
