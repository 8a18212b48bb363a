package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"shequ/warehouse"
)

// TestRowRules feeds small hand-written submissions and checks each
// outcome: what loads, what is rejected or warned, with which code.
func TestRowRules(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(inbox, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a_roster.csv", "年度,区,街道,社区代码,社区名称,城乡类型,常住人口\n"+
		"2015,东区,一街道,440101001001,甲社区,城市,\"12,000\"\n"+
		"2015,东区,一街道,440101001002,乙社区,农村,800\n"+
		"2015,东区,一街道,440101001002,乙社区重复,农村,800\n"+ // duplicate key
		"合计,,,,,,13000\n"+ // wrong: the rows above sum to 13 600
		"填表人：张三\n")
	write("b_projects.csv", "年度,项目编号,区,项目名称,承接机构,统一社会信用代码,覆盖社区代码,合同开始日期,合同结束日期,合同金额(元)\n"+
		"2015,P1,东区,项目一,机构,52519902M93894823Q,440101001001、440101001002,2015-01-01,2015-12-31,500000\n"+
		"2015,P2,东区,项目二,机构,52519902M93894823Q,440101009999,2015-01-01,2015-12-31,500000\n") // not in roster
	write("c_staff.csv", "年度,项目编号,姓名,岗位\n"+ // lacks the required 是否注册社工 column
		"2015,P1,王五,社工\n")
	write("d_eval.csv", "年度,项目编号,评估阶段,服务设施得分,满意率\n"+
		"2015,P1,年度,38,95%\n"+
		"2015,P3,年度,38,95%\n") // unknown project

	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	s := ingestOnce(t, w, inbox)
	got := map[string][3]int{}
	for _, f := range s.Files {
		got[f.File] = [3]int{f.Loaded, f.Rejected, f.Warned}
	}
	want := map[string][3]int{
		"a_roster.csv":   {2, 1, 0},
		"b_projects.csv": {1, 1, 0},
		"c_staff.csv":    {0, 1, 0},
		"d_eval.csv":     {1, 1, 0},
	}
	for f, w := range want {
		if got[f] != w {
			t.Errorf("%s: loaded/rejected/warned = %v, want %v", f, got[f], w)
		}
	}
	rejects := queryStrings(t, w.DB, `SELECT concat_ws('|', file, "row", "column", code, severity) FROM raw.rejects`)
	diffLines(t, "rejects", rejects, []string{
		"a_roster.csv|4|community_code|duplicate_key|error",
		"a_roster.csv|5|resident_population|total_mismatch|warning",
		"b_projects.csv|3|community_codes|community_not_in_roster|error",
		"c_staff.csv|2|registered_sw|missing_required|error",
		"d_eval.csv|3|project_code|unknown_project|error",
	})
	var population int
	w.DB.QueryRow(`SELECT sum(resident_population) FROM raw.communities`).Scan(&population)
	if population != 12800 {
		t.Errorf("loaded population %d, want 12800 (thousands separator read, duplicate not loaded)", population)
	}
}
