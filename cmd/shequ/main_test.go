package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode"
	"unicode/utf8"

	"shequ/models/modelstest"
	"shequ/samples"
	"shequ/warehouse"
)

// bin is the shequ binary built once for the end-to-end tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shequ-bin-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "shequ")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// shequ runs the binary and returns its stdout, stderr and exit status.
func shequ(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	return shequIn(t, dir, "", args...)
}

// TestDemoEndToEnd runs `shequ demo` as a planner would on a fresh clone:
// every mart of the sample city equals the expected one, and the same
// binary's `shequ sql` reads the warehouse it left.
func TestDemoEndToEnd(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := shequ(t, dir, "demo")
	if code != 0 {
		t.Fatalf("shequ demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"ingest: 14 new files of 14 (14 loaded, 0 duplicate, 0 quarantined); 2037 rows loaded, 9 rejected, 1 warned",
		"ingest: 8 new files of 22 (7 loaded, 1 duplicate, 0 quarantined); 256 rows loaded, 0 rejected, 0 warned",
		"shequ-demo/shequ.duckdb"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	wpath := filepath.Join(dir, "shequ-demo", "shequ.duckdb")

	t.Run("marts equal the expected ones", func(t *testing.T) {
		w, err := warehouse.Open(context.Background(), wpath, warehouse.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		diffs, err := modelstest.CompareExpected(context.Background(), w.DB, samples.FS)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffs {
			t.Error(d)
		}
	})

	t.Run("sql reads the demo warehouse", func(t *testing.T) {
		out, errOut, code := shequ(t, dir, "sql", "--warehouse", wpath, "-c",
			"SELECT district, sum(communities) AS communities, sum(covered) AS covered FROM marts.coverage WHERE year = 2014 GROUP BY district ORDER BY district")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"临江区", "青山区", "(2 rows)"} {
			if !strings.Contains(out, want) {
				t.Errorf("sql output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("sql refuses to write", func(t *testing.T) {
		_, errOut, code := shequ(t, dir, "sql", "--warehouse", wpath, "-c", "DELETE FROM raw.submissions")
		if code != 1 || !strings.Contains(errOut, "read-only") {
			t.Errorf("exit %d, stderr %q; want 1 and a read-only refusal", code, errOut)
		}
	})

	t.Run("demo runs again in place", func(t *testing.T) {
		if _, errOut, code := shequ(t, dir, "demo"); code != 0 {
			t.Errorf("second demo exited %d: %s", code, errOut)
		}
	})
}

func TestSecondWriterIsToldWhoHoldsTheWarehouse(t *testing.T) {
	dir := t.TempDir()
	wpath := filepath.Join(dir, "w.duckdb")
	w, err := warehouse.Open(context.Background(), wpath, warehouse.Options{Command: "shequ ingest --inbox districts"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	os.Mkdir(filepath.Join(dir, "inbox"), 0o755)
	_, errOut, code := shequ(t, dir, "ingest", "--warehouse", wpath, "--inbox", filepath.Join(dir, "inbox"))
	if code != 1 {
		t.Fatalf("second writer exited %d, want 1; stderr %q", code, errOut)
	}
	for _, want := range []string{"being written by pid " + strconv.Itoa(os.Getpid()), "(shequ ingest --inbox districts)", "正被进程"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("message %q lacks %q", errOut, want)
		}
	}
	if strings.Contains(errOut, "Could not set lock") {
		t.Errorf("DuckDB's own lock error leaked: %q", errOut)
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string // in stdout or stderr
	}{
		{[]string{"help"}, 0, "shequ demo"},
		{[]string{"help", "ingest"}, 0, "Example:"},
		{[]string{"ingest", "--help"}, 0, "--inbox"},
		{[]string{"build", "-h"}, 0, "--select"},
		{[]string{}, 2, "Usage: shequ <command>"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"ingest", "--no-such-flag"}, 2, "-no-such-flag"},
		{[]string{"runs", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"version"}, 0, "shequ "},
		{[]string{"ingest", "--inbox", filepath.Join(dir, "missing"), "--warehouse", filepath.Join(dir, "w.duckdb")}, 1, "is not a directory"},
	}
	for _, tt := range tests {
		out, errOut, code := shequ(t, dir, tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("shequ %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), code, tt.code, tt.want, out, errOut)
		}
	}
}

// TestMistypedPathsCreateNothing: only ingest, run and demo create a
// warehouse (and say so); a mistyped --warehouse or --inbox leaves nothing
// behind, and an empty inbox is said to be empty.
func TestMistypedPathsCreateNothing(t *testing.T) {
	dir := t.TempDir()
	nothere := filepath.Join(dir, "nothere.duckdb")
	for _, args := range [][]string{
		{"build", "--warehouse", nothere},
		{"test", "--warehouse", nothere},
		{"report", "--warehouse", nothere, "--out", filepath.Join(dir, "out")},
		{"ingest", "--warehouse", nothere, "--inbox", filepath.Join(dir, "nope")},
		{"run", "--warehouse", nothere, "--inbox", filepath.Join(dir, "nope"), "--out", filepath.Join(dir, "out")},
	} {
		_, stderr, code := shequ(t, dir, args...)
		if code != 1 {
			t.Errorf("shequ %v: exit %d, want 1", args, code)
		}
		if _, err := os.Stat(nothere); err == nil {
			t.Fatalf("shequ %v created %s", args, nothere)
		}
		if !strings.Contains(stderr, "nothere.duckdb") && !strings.Contains(stderr, "nope") {
			t.Errorf("shequ %v: the error does not name the path: %s", args, stderr)
		}
	}
	empty := filepath.Join(dir, "inbox")
	os.MkdirAll(empty, 0o755)
	stdout, stderr, code := shequ(t, dir, "ingest", "--warehouse", nothere, "--inbox", empty)
	if code != 0 || !strings.Contains(stdout, "新建数据仓库") || !strings.Contains(stdout, "收件箱为空") {
		t.Errorf("ingest of an empty inbox into a new warehouse: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestIngestShowsItsRejectsAtOnce: right after `shequ ingest` on a warehouse
// never built, the hint it prints runs as printed and shows that ingest's
// rejects, from the snapshot readers use.
func TestIngestShowsItsRejectsAtOnce(t *testing.T) {
	dir := t.TempDir()
	if _, err := samples.CopyBatch("batch1", filepath.Join(dir, "inbox")); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := shequ(t, dir, "ingest", "--warehouse", "w.duckdb")
	if code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	var hint string
	for _, line := range strings.Split(stdout, "\n") {
		if _, h, ok := strings.Cut(line, "rejected and warned rows: "); ok {
			hint = h
		}
	}
	want := bin + ` sql --warehouse w.duckdb -c 'SELECT * FROM marts.rejects'`
	if hint != want {
		t.Fatalf("hint %q, want %q\n%s", hint, want, stdout)
	}
	// Run it as printed (the shell's quoting undone).
	out, errOut, code := shequ(t, dir, "sql", "--warehouse", "w.duckdb", "-c", "SELECT * FROM marts.rejects", "--format", "csv")
	if code != 0 {
		t.Fatalf("the hint failed: exit %d\n%s", code, errOut)
	}
	if n := strings.Count(strings.TrimSpace(out), "\n"); n != 10 {
		t.Errorf("the hint shows %d rejects, want batch1's 10:\n%s", n, out)
	}
}

// TestCLISaysWhatWasMeant: an unknown flag says so, a mistyped command or
// district gets the one meant, a typo in SQL is a syntax error (not a
// refusal), and SHOW TABLES lists the warehouse's tables.
func TestCLISaysWhatWasMeant(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ingset"}, 2, "did you mean ingest?"},
		{[]string{"build", "--selct", "coverage"}, 2, "unknown flag -selct"},
		{[]string{"build", "--selct", "coverage"}, 2, "did you mean --select?"},
	} {
		out, errOut, code := shequ(t, dir, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("shequ %v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
	wh := demoWarehouse(t)
	out, errOut, code := shequ(t, dir, "sql", "--warehouse", wh, "-c", "SELEC 1")
	if code != 1 || strings.Contains(errOut, "refused") || !strings.Contains(strings.ToLower(errOut), "syntax error") {
		t.Errorf("sql SELEC 1: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = shequ(t, dir, "sql", "--warehouse", wh, "-c", "SHOW TABLES", "--format", "csv")
	if code != 0 || !strings.Contains(out, "coverage") {
		t.Errorf("sql SHOW TABLES: exit %d, no marts.coverage\n%s%s", code, out, errOut)
	}
	out, errOut, code = shequ(t, dir, "receipts", "--warehouse", wh, "--district", "临江")
	if code != 2 || !strings.Contains(errOut, "did you mean 临江区?") {
		t.Errorf("receipts --district 临江: exit %d\n%s%s", code, out, errOut)
	}
}

// TestReadOnlyFolder: a user who may not write the warehouse's folder is
// told so (not "open lock file: permission denied"), and can still read
// the run history without being told a job is writing.
func TestReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := shequ(t, dir, "demo")
	if code != 0 {
		t.Fatalf("demo: %d\n%s%s", code, stdout, stderr)
	}
	wh := filepath.Join(dir, "shequ-demo", "shequ.duckdb")
	run := func(args ...string) (string, string, int) {
		return runBin(t, dir, func(cmd *exec.Cmd) {
			if os.Getuid() == 0 {
				// root writes everywhere: run as nobody, who may read only.
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
		}, args...)
	}
	if os.Getuid() == 0 {
		for _, p := range []string{filepath.Dir(dir), dir, filepath.Dir(wh), filepath.Dir(bin)} {
			os.Chmod(p, 0o755)
		}
		filepath.WalkDir(filepath.Dir(wh), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Dir(p) == filepath.Dir(wh) {
				os.Chmod(p, 0o644)
			}
			return nil
		})
	} else {
		os.Chmod(filepath.Dir(wh), 0o555)
		defer os.Chmod(filepath.Dir(wh), 0o755)
	}
	_, errOut, code := run("build", "--warehouse", wh)
	if code != 1 || !strings.Contains(errOut, "not writable") || !strings.Contains(errOut, "没有写权限") {
		t.Errorf("build in a folder this user may not write: exit %d\n%s", code, errOut)
	}
	out, errOut, code := run("runs", "--warehouse", wh)
	if code != 0 || strings.Contains(errOut, "a job is writing") || !strings.Contains(out, "demo") {
		t.Errorf("runs by a reader: exit %d\n%s%s", code, out, errOut)
	}
	// A reader writes the reports from the published snapshot, without
	// the writer's lock, and is told the report is not recorded.
	reportsOut := filepath.Join(dir, "reader-out")
	os.MkdirAll(reportsOut, 0o777)
	os.Chmod(reportsOut, 0o777)
	out, errOut, code = run("report", "--warehouse", wh, "--out", reportsOut, "--year", "2014")
	if code != 0 || !strings.Contains(out, "not recorded as a run") {
		t.Errorf("report by a reader: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(reportsOut, "2014", "社区服务年度报告_2014.xlsx")); err != nil {
		t.Errorf("the reader's report was not written: %v", err)
	}
}

// TestPrintedHintsRun runs every command the demo and an ingest print for
// people to type, as printed (by a shell), and each must succeed: the
// program as it was started, the warehouse named, the SQL quoted.
func TestPrintedHintsRun(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := shequ(t, dir, "demo")
	if code != 0 {
		t.Fatalf("demo: %d\n%s", code, errOut)
	}
	if _, err := samples.CopyBatch("batch1", filepath.Join(dir, "inbox2")); err != nil {
		t.Fatal(err)
	}
	more, errOut, code := shequ(t, dir, "ingest", "--warehouse", "other.duckdb", "--inbox", "inbox2")
	if code != 0 {
		t.Fatalf("ingest: %d\n%s", code, errOut)
	}
	var hints []string
	for _, line := range strings.Split(out+more, "\n") {
		line = strings.TrimSpace(line)
		if _, h, ok := strings.Cut(line, "rows: "); ok {
			line = h
		}
		if strings.HasPrefix(line, bin+" sql ") {
			hints = append(hints, line)
		}
	}
	if len(hints) < 3 {
		t.Fatalf("%d hints found in:\n%s%s", len(hints), out, more)
	}
	for _, h := range hints {
		cmd := exec.Command("sh", "-c", h)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CI=true")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s\n  failed: %v\n%s", h, err, b)
		}
	}
}

// TestErrorsChineseFirst: every error a user meets is printed Chinese
// first — its first line, after "shequ CMD: ", starts with Chinese — and
// English after it, with the stable code where there is one.
func TestErrorsChineseFirst(t *testing.T) {
	dir := t.TempDir()
	wh := demoWarehouse(t)
	for _, c := range []struct {
		args []string
		code int
		zh   string // in the first line
		en   string // in the lines after
	}{
		{[]string{"ingset"}, 2, "未知命令 \"ingset\"，是不是 ingest？", "did you mean ingest?"},
		{[]string{"help", "nope"}, 2, "未知命令", "unknown command"},
		{[]string{"build", "--selct", "coverage"}, 2, "未知参数 -selct，是不是 --select？", "unknown flag -selct"},
		{[]string{"build", "--warehouse", filepath.Join(dir, "nothere.duckdb")}, 1, "找不到数据仓库", "warehouse_missing: no warehouse at"},
		{[]string{"runs", "--warehouse", filepath.Join(dir, "nothere.duckdb")}, 1, "找不到数据仓库", "warehouse_missing: open warehouse"},
		{[]string{"ingest", "--inbox", filepath.Join(dir, "nope"), "--warehouse", filepath.Join(dir, "x.duckdb")}, 1, "收件箱", "inbox_missing: inbox"},
		{[]string{"report", "--warehouse", wh, "--year", "1999"}, 2, "年份 1999 不在 2000 至 2100 之间", "is not a year between 2000 and 2100"},
		{[]string{"sql", "--warehouse", wh, "-c", "SELEC 1"}, 1, "语法错误", "syntax error"},
		{[]string{"sql", "--warehouse", wh, "-c", "SELECT * FROM nope"}, 1, "不存在", "nope does not exist"},
		{[]string{"sql", "--warehouse", wh, "-c", "DROP TABLE marts.coverage"}, 1, "已拒绝：DROP 会修改数据仓库", "sql_refused: refused: DROP would change the warehouse"},
		{[]string{"receipts", "--warehouse", wh, "--district", "临江"}, 2, "没有来自“临江”的报送，是不是“临江区”？", "did you mean 临江区?"},
		{[]string{"query", "--warehouse", wh, "coverag"}, 2, "没有名为 \"coverag\" 的保存查询", "no saved query"},
		{[]string{"close", "--warehouse", wh, "--year", "2014"}, 2, "须注明修改人", "by_missing"},
		{[]string{"build", "--warehouse", wh, "--memory-limit", "lots"}, 2, "内存上限 \"lots\" 无法识别", "is not an amount of memory"},
		{[]string{"settings", "--warehouse", wh, "set", "city.nope", "x", "--by", "a", "--reason", "b"}, 2, "", ""},
	} {
		out, errOut, code := shequ(t, dir, c.args...)
		lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
		head, rest := lines[0], strings.Join(lines[1:], "\n")
		_, msg, _ := strings.Cut(head, ": ")
		first, _ := utf8.DecodeRuneInString(msg)
		if code != c.code || !unicode.Is(unicode.Han, first) || !strings.Contains(head, c.zh) || !strings.Contains(rest, c.en) {
			t.Errorf("shequ %v: exit %d (want %d); want a first line in Chinese with %q and then %q:\n%s%s", c.args, code, c.code, c.zh, c.en, out, errOut)
		}
	}
}
