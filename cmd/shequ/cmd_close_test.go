package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shequ/internal/files"
)

// TestOfficialCommands runs the official-numbers commands as a planner
// would on a copy of the demo's warehouse: the profile and the policy
// changed with who and why, build --policy refused, 2014 closed, a new
// budget restated as version 2 with its delta, and version 1 still there
// byte for byte.
func TestOfficialCommands(t *testing.T) {
	dir := t.TempDir()
	wpath := filepath.Join(dir, "shequ.duckdb")
	if err := files.Copy(demoWarehouse(t), wpath); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	run := func(code int, wants []string, args ...string) string {
		t.Helper()
		args = append(args, "--warehouse", wpath)
		stdout, stderr, got := shequ(t, dir, args...)
		if got != code {
			t.Fatalf("shequ %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, stdout, stderr)
		}
		for _, w := range wants {
			if !strings.Contains(stdout+stderr, w) {
				t.Errorf("shequ %s: no %q in\n%s%s", strings.Join(args, " "), w, stdout, stderr)
			}
		}
		return stdout
	}
	run(2, []string{"--by NAME"}, "settings", "set", "city.name", "江州市")
	run(2, []string{"unknown setting"}, "settings", "set", "city.mayor", "x", "--by", "王芳", "--reason", "r")
	run(0, []string{"doc.004.number = 东府办〔2011〕65号"}, "settings", "set", "doc.004.number", "东府办〔2011〕65号", "--by", "王芳", "--reason", "补充文号")
	run(0, []string{"江州市", "东府办〔2011〕65号", "王芳", "默认"}, "settings", "show")
	run(0, []string{"doc.004.number", "补充文号"}, "settings", "history")

	budget := filepath.Join(dir, "reward_budget.csv")
	os.WriteFile(budget, []byte("year,budget\n2014,1000000\n"), 0o644)
	run(2, []string{"shequ policy set", "shequ report --policy"}, "build", "--policy", budget)
	run(0, []string{"policy version 1", "policy.reward_budget"}, "policy", "set", budget, "--by", "王芳", "--reason", "2014年预算")
	run(0, []string{"1000000", "本市政策变更第1号"}, "policy", "show", "reward_budget")
	run(0, []string{"version 1:", "王芳", "2014年预算"}, "policy", "history")

	run(0, []string{"close: 2014 version 1 signed by 张三"}, "close", "--year", "2014", "--by", "张三", "--note", "2014年度数据经局务会审定", "--out", out)
	run(1, []string{"already closed"}, "close", "--year", "2014", "--by", "张三", "--note", "again", "--out", out)
	v1 := filepath.Join(dir, "v1")
	run(0, []string{"verified", "市级奖励资金分配表_2014.xlsx"}, "closed", "--year", "2014", "--version", "1", "--out", v1)
	alloc1, _ := os.ReadFile(filepath.Join(out, "2014", "市级奖励资金分配表_2014.xlsx"))

	// A new budget: the working figures move, the official ones do not.
	os.WriteFile(budget, []byte("year,budget\n2014,1200000\n"), 0o644)
	run(0, []string{"policy version 2", "closed years keep the figures"}, "policy", "set", budget, "--by", "王芳", "--reason", "追加预算")
	run(0, []string{"policy version 2"}, "build")
	run(0, []string{"2014 is closed", "differ from the official ones"}, "report", "--out", out)
	run(2, []string{"--by NAME"}, "restate", "--year", "2014", "--reason", "追加预算", "--out", out)
	run(0, []string{"would change", "city_rewards 2", "nothing committed"}, "restate", "--year", "2014", "--reason", "追加预算", "--dry-run", "--out", out)
	run(0, []string{"restate: 2014 version 2 signed by 李四", "version 1 stays"}, "restate", "--year", "2014", "--by", "李四", "--reason", "追加预算", "--out", out)
	list := run(0, []string{"close", "restate", "张三", "李四"}, "closed")
	if strings.Count(list, "2014") < 2 {
		t.Errorf("closed lists:\n%s", list)
	}
	for _, f := range []string{"更正差异表_2014_v1-v2.xlsx", "更正差异表_2014_v1-v2.html", "更正预览_2014_v1-v2.html"} {
		if _, err := os.Stat(filepath.Join(out, "2014", f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(out, "2014", "更正差异表_2014_v1-v2.html"))
	for _, want := range []string{"200,000.00", "追加预算", "李四"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the delta page lacks %q", want)
		}
	}
	again := filepath.Join(dir, "v1-again")
	run(0, []string{"verified"}, "closed", "--year", "2014", "--version", "1", "--out", again)
	b, _ := os.ReadFile(filepath.Join(again, "2014", "市级奖励资金分配表_2014.xlsx"))
	if string(b) != string(alloc1) {
		t.Errorf("version 1's allocation is not the file it was closed with")
	}
	help, _, _ := shequ(t, dir, "help")
	for _, c := range []string{"settings", "policy", "close", "restate", "closed"} {
		if !strings.Contains(help, "  "+c+" ") {
			t.Errorf("shequ help lists no %s", c)
		}
	}
}
