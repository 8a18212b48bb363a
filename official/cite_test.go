package official

import "testing"

func TestCite(t *testing.T) {
	p := &Profile{Documents: append([]Document(nil), DefaultDocuments...)}
	p.Documents[3].Number = "东府办〔2011〕65号"
	tests := []struct{ in, want string }{
		{"seed 001 §(十二)", "《深圳市社区服务“十二五”规划》（深府办〔2011〕111号）(十二)"},
		{"seed 000 §2(1)", "《深圳市社区党群服务中心政府购买项目服务标准》（深民函〔2016〕1223号）第二部分(1)"},
		{"seed 004 annex 1 §5(二)", "《东莞市社区综合服务中心示范点建设实施方案》（东府办〔2011〕65号）附件1第五部分(二)"},
		{"seed 000 table 4", "《深圳市社区党群服务中心政府购买项目服务标准》（深民函〔2016〕1223号）附件表四"},
		{"目标见政策参数（seed 003 §2）。", "目标见政策参数（《昆山市全面推进社区服务社会化工作方案》（昆政办发〔2016〕125号）第二部分）。"},
		{"（seed 004 附件2 §3、§6(二)）", "（《东莞市社区综合服务中心示范点建设实施方案》（东府办〔2011〕65号）附件2第三部分、第六部分(二)）"},
		{"seed 003 §5(2); split is an assumption", "《昆山市全面推进社区服务社会化工作方案》（昆政办发〔2016〕125号）第五部分(2)；拨付比例为默认设定"},
		{"assumption", "默认设定（政策文件未作规定）"},
		{"override reward_budget.csv", "调整文件 reward_budget.csv"},
		{"本市政策变更第1号（2015-01-02，王芳：预算）", "本市政策变更第1号（2015-01-02，王芳：预算）"},
		{"临江区", "临江区"},
	}
	for _, tt := range tests {
		if got := p.Cite(tt.in); got != tt.want {
			t.Errorf("Cite(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
	p.Documents[3].Number = ""
	if got := p.Cite("seed 004 §6(二)"); got != "《东莞市社区综合服务中心示范点建设实施方案》（文号未设置）第六部分(二)" {
		t.Errorf("a document without 文号: %q", got)
	}
}

func TestCheckSetting(t *testing.T) {
	for _, tt := range []struct {
		key, value string
		ok         bool
	}{
		{KeyCity, "江州市", true}, {KeyCode, "519900", true}, {KeyCode, "5199", false}, {"district.临江区", "519902", true},
		{"district.临江区", "", true}, {"doc.004.number", "东府办〔2011〕65号", true}, {"doc.004.title", "《方案》", false},
		{"doc.4.number", "x", false}, {"city.mayor", "x", false}, {KeyCity, " 江州市", false}, {KeyBureau, "a\nb", false},
	} {
		if err := CheckSetting(tt.key, tt.value); (err == nil) != tt.ok {
			t.Errorf("CheckSetting(%q, %q) = %v, want ok %v", tt.key, tt.value, err, tt.ok)
		}
	}
}
