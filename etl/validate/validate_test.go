package validate

import (
	"strings"
	"testing"
	"time"

	"shequ/etl"
	"shequ/etl/dict"
)

func layout(t *testing.T, header ...string) *dict.Layout {
	t.Helper()
	l := dict.Recognise(header)
	if l == nil {
		t.Fatalf("header %q not recognised", header)
	}
	return l
}

var projectHeader = []string{"年度", "项目编号", "区", "项目名称", "项目类型", "承接机构", "统一社会信用代码", "覆盖社区代码",
	"合同开始日期", "合同结束日期", "合同金额(万元)", "市级资金(万元)", "区级资金(万元)", "街道资金(万元)", "备注"}

func TestValidateProject(t *testing.T) {
	v := New(layout(t, projectHeader...), Options{})
	tests := []struct {
		name     string
		cells    []string
		problems []string // column:code:severity
		check    func(t *testing.T, rec []any)
	}{
		{
			name:  "clean row in 万元 with messy forms",
			cells: []string{"２０１３", "LJ2013-001", "临江区", "项目", "党群服务中心", "临江启航", "52519902M93894823Q", "519902001001、519902001002\n519902001003", "2013/1/1", "41639", "82.1", "29.556", "33.661", "18.883", "备注文字"},
			check: func(t *testing.T, rec []any) {
				if rec[0] != int64(2013) || rec[4] != "party_mass_centre" {
					t.Errorf("year/type = %v/%v", rec[0], rec[4])
				}
				if got := rec[7].([]string); strings.Join(got, ",") != "519902001001,519902001002,519902001003" {
					t.Errorf("codes = %v", got)
				}
				if got := rec[9].(time.Time); got.Format("2006-01-02") != "2013-12-31" {
					t.Errorf("end = %v", got)
				}
				if rec[10] != int64(82100000) { // 821000.00 yuan as cents
					t.Errorf("amount coefficient = %v, want 82100000", rec[10])
				}
			},
		},
		{
			name:     "bad check character and end before start",
			cells:    []string{"2013", "LJ2013-091", "临江区", "项目", "", "机构", "52519902M938948230", "519902001001", "2014-03-01", "2013-02-28", "10", "10", "", ""},
			problems: []string{"provider_credit_code:bad_check_character:error", "contract_end:end_before_start:error"},
		},
		{
			name:     "end before start",
			cells:    []string{"2014", "X", "青山区", "项目", "社会化服务", "机构", "52519902M93894823Q", "519902001001", "2014-03-01", "2013-02-28", "38", "15", "13", "10"},
			problems: []string{"contract_end:end_before_start:error"},
		},
		{
			name:     "funding mismatch is a warning",
			cells:    []string{"2014", "Y", "临江区", "项目", "", "机构", "52519902M93894823Q", "519902001001", "2014-01-01", "2014-12-31", "82.1", "20", "20", "20"},
			problems: []string{"contract_amount:funding_mismatch:warning"},
		},
		{
			name:     "funding within one yuan is fine",
			cells:    []string{"2014", "Y", "临江区", "项目", "", "机构", "52519902M93894823Q", "519902001001", "2014-01-01", "2014-12-31", "10", "5.00005", "5", ""},
			problems: nil,
		},
		{
			name:     "missing, bad number, zero amount, short code",
			cells:    []string{"", "Z", "临江区", "项目", "党群", "机构", "52519902M93894823Q", "51990311290", "2014-01-01", "2014-13-01", "0", "abc", "", ""},
			problems: []string{"year:missing_required:error", "project_type:invalid_enum:error", "community_codes:invalid_code:error", "contract_end:invalid_date:error", "contract_amount:out_of_range:error", "city_funding:invalid_number:error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := v.Validate(etl.Row{Num: 7, Cells: tt.cells})
			var got []string
			for _, p := range o.Problems {
				got = append(got, p.Column+":"+p.Code+":"+p.Severity)
				if p.Row != 7 || p.MessageZh() == "" || !strings.Contains(p.MessageZh(), "第7行") {
					t.Errorf("problem %+v: row or Chinese message wrong: %s", p, p.MessageZh())
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.problems, " ") {
				t.Errorf("problems = %v, want %v", got, tt.problems)
			}
			if tt.check != nil {
				if !o.OK() {
					t.Fatalf("row not OK: %v", got)
				}
				tt.check(t, o.Records[0])
			}
			if o.OK() != !HasError(o.Problems) {
				t.Error("OK disagrees with problems")
			}
		})
	}
}

func TestValidateProblemPlace(t *testing.T) {
	v := New(layout(t, "序号", "年份", "所属区", "街道(镇)", "社区编码", "社区(村)名称", "城乡分类", "常住人口", "户籍人口", "辖区面积(平方米)"), Options{})
	o := v.Validate(etl.Row{Num: 24, Cells: []string{"21", "2013", "青山区", "黄田镇", "51990311290", "新丰村", "农村", "1200", "", "3100000"}})
	if len(o.Problems) != 1 {
		t.Fatalf("problems = %+v", o.Problems)
	}
	p := o.Problems[0]
	if p.Row != 24 || p.Column != "community_code" || p.Letter != "E" || p.Header != "社区编码" || p.Value != "51990311290" || p.Code != InvalidCode {
		t.Errorf("problem = %+v", p)
	}
	if want := "第24行 E列「社区编码」：“51990311290”代码格式不正确（应为 12 位数字的统计用区划代码），该行未入库，请更正后重新报送。"; p.MessageZh() != want {
		t.Errorf("zh = %q\nwant %q", p.MessageZh(), want)
	}
	o = v.Validate(etl.Row{Num: 3, Cells: []string{"2", "２０１３", "青山区", "广德街道", "519903001002", "老街社区", "居委会", "３０８４", "1,788", "2599902"}})
	if !o.OK() {
		t.Fatalf("problems: %+v", o.Problems)
	}
	rec := o.Records[0]
	if rec[0] != int64(2013) || rec[5] != "urban" || rec[6] != int64(3084) || rec[7] != int64(1788) || rec[8] != int64(2599902) {
		t.Errorf("record = %v (area coefficient at scale 6 must be 2599902 for 2.599902 km²)", rec)
	}
	if o.Extra != `{"序号":"2"}` {
		t.Errorf("extra = %q", o.Extra)
	}
}

func TestValidateStaffMasksID(t *testing.T) {
	v := New(layout(t, "年度", "项目编号", "姓名", "身份证号", "岗位", "是否注册社工", "职业资格", "是否党员", "用工形式"), Options{IDKey: []byte("k")})
	o := v.Validate(etl.Row{Num: 2, Cells: []string{"2013", "\u200b2013519903001", "邓佳", "519903197805199247", "\u200b负责人", "1", "助理社工师", "否", "全职"}})
	if !o.OK() {
		t.Fatalf("problems: %+v", o.Problems)
	}
	id := o.Records[0][3].(IDValue)
	if id.Masked != "519903********9247" || len(id.Hash) != 64 {
		t.Errorf("id = %+v", id)
	}
	for _, v := range o.Records[0] {
		if s, ok := v.(string); ok && strings.Contains(s, "19780519") {
			t.Errorf("raw ID number kept in %q", s)
		}
	}
	if o.Records[0][1] != "2013519903001" || o.Records[0][4] != "lead" || o.Records[0][5] != true || o.Records[0][7] != false || o.Records[0][8] != true {
		t.Errorf("record = %v", o.Records[0])
	}
	o = v.Validate(etl.Row{Num: 59, Cells: []string{"2014", "2013519903001", "钱多多", "519903198003151230", "辅助人员", "否", "无", "0", "专职"}})
	if len(o.Problems) != 1 || o.Problems[0].Code != BadCheckCharacter || o.Problems[0].Letter != "D" {
		t.Errorf("problems = %+v", o.Problems)
	}
}

func TestValidateExpendituresWide(t *testing.T) {
	v := New(layout(t, "年度", "项目编号", "季度", "员工薪酬与福利", "办公及场地运作", "项目活动经费", "管理费", "税金", "合计"), Options{})
	o := v.Validate(etl.Row{Num: 2, Cells: []string{"2014", "LJ2013-004", "Q4", "235043.04", "25169.75", "17937.76", "2903.13", "11415", "292468.68"}})
	if !o.OK() || len(o.Problems) != 0 || len(o.Records) != 5 {
		t.Fatalf("outcome = %+v", o)
	}
	if r := o.Records[4]; r[3] != "tax" || r[4] != int64(1141500) || r[2] != int64(4) {
		t.Errorf("tax record = %v", r)
	}
	o = v.Validate(etl.Row{Num: 3, Cells: []string{"2014", "LJ2013-004", "第四季度", "1", "1", "1", "1", "1", "6"}})
	if !o.OK() || len(o.Problems) != 1 || o.Problems[0].Code != TotalMismatch || o.Problems[0].Severity != Warning {
		t.Errorf("total mismatch: %+v", o.Problems)
	}
}

func TestValidateActivityCatalogue(t *testing.T) {
	v := New(layout(t, "项目编号", "服务日期", "服务细项编号", "活动名称", "服务人次", "义工人次"), Options{Catalogue: map[string]bool{"1.1.1": true, "4.3.5": true}})
	for _, tt := range []struct {
		item, want, code string
	}{
		{"1.1.1 为社区内…", "1.1.1", ""},
		{"４．３．５", "4.3.5", ""},
		{"7.1.1", "", UnknownServiceItem},
		{"讲座", "", UnknownServiceItem},
	} {
		o := v.Validate(etl.Row{Num: 5, Cells: []string{"LJ2013-004", "2013-01-15", tt.item, "x", "40", ""}})
		if tt.code == "" {
			if !o.OK() || o.Records[0][2] != tt.want {
				t.Errorf("%q: %+v", tt.item, o)
			}
			continue
		}
		if o.OK() || o.Problems[0].Code != tt.code {
			t.Errorf("%q: problems %+v, want %s", tt.item, o.Problems, tt.code)
		}
	}
}

func TestLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := Letter(i); got != want {
			t.Errorf("Letter(%d) = %s, want %s", i, got, want)
		}
	}
}

// TestAmbiguousRate: a satisfaction rate written as a plain number above
// 1 and below 10 is never guessed at; 0.85, 85, 85% and 1 read as they
// always did, and "1.2%" is 1.2 % since its sign says so.
func TestAmbiguousRate(t *testing.T) {
	v := New(layout(t, "年度", "项目编号", "评估阶段", "服务设施得分", "服务队伍得分", "服务活动得分", "建设经费得分", "服务人次", "满意率"), Options{})
	cases := []struct {
		cell string
		want int64 // coefficient at scale 6; -1: rejected as ambiguous
	}{
		{"0.85", 850000}, {"85", 850000}, {"85%", 850000}, {"1", 1000000}, {"100", 1000000}, {"10", 100000},
		{"1.2%", 12000}, {"1.2", -1}, {"1.5", -1}, {"9.99", -1}, {"５", -1},
	}
	for _, c := range cases {
		o := v.Validate(etl.Row{Num: 5, Cells: []string{"2014", "2014519903001", "年度", "30", "15", "15", "15", "900", c.cell}})
		if c.want < 0 {
			if len(o.Problems) != 1 || o.Problems[0].Code != AmbiguousValue || o.Problems[0].Column != "satisfaction" {
				t.Errorf("%q: problems %+v, want one ambiguous_value", c.cell, o.Problems)
				continue
			}
			zh := o.Problems[0].MessageZh()
			if !strings.Contains(zh, "比例") || !strings.Contains(zh, "%") || !strings.Contains(zh, "含义不明确") {
				t.Errorf("%q: message %q does not give both readings", c.cell, zh)
			}
			continue
		}
		if !o.OK() {
			t.Errorf("%q: problems %+v", c.cell, o.Problems)
			continue
		}
		if got := o.Records[0][8]; got != c.want {
			t.Errorf("%q: stored %v, want %d", c.cell, got, c.want)
		}
	}
}
