package dict

import "testing"

func TestRecognise(t *testing.T) {
	tests := []struct {
		name   string
		cells  []string
		kind   string
		fields map[string]string // header → column
		pow10  map[string]int32  // column → pow10
	}{
		{
			name:  "roster with aliases, unit and extra columns",
			cells: []string{"序号", "年份", "所属区", "街道(镇)", "社区编码", "社区(村)名称", "城乡分类", "常住人口", "户籍人口", "辖区面积(平方米)", "备注"},
			kind:  "communities",
			fields: map[string]string{"年份": "year", "所属区": "district", "街道(镇)": "street", "社区编码": "community_code",
				"社区(村)名称": "community_name", "城乡分类": "urban_rural", "辖区面积(平方米)": "area_km2", "序号": "", "备注": ""},
			pow10: map[string]int32{"area_km2": -6, "resident_population": 0},
		},
		{
			name:   "projects in 万元 with header noise",
			cells:  []string{"年度", " 项目\n编号 ", "区县", "项目名称", "项目类型", "承接机构", "统一社会信用代码", "覆盖社区代码", "合同开始日期", "合同结束日期", "合同金额（万元）", "市级资金(万元)"},
			kind:   "projects",
			fields: map[string]string{" 项目\n编号 ": "project_code", "合同金额（万元）": "contract_amount", "市级资金(万元)": "city_funding"},
			pow10:  map[string]int32{"contract_amount": 4, "city_funding": 4},
		},
		{
			name:   "projects in yuan via alias",
			cells:  []string{"年度", "项目编号", "区", "项目名称", "承接机构", "统一社会信用代码", "服务社区代码", "合同起始日期", "合同截止日期", " 年度经费 "},
			kind:   "projects",
			fields: map[string]string{" 年度经费 ": "contract_amount", "服务社区代码": "community_codes"},
			pow10:  map[string]int32{"contract_amount": 0},
		},
		{
			name:   "expenditures wide",
			cells:  []string{"年度", "项目编号", "季度", "员工薪酬与福利", "办公及场地运作", "项目活动经费", "管理费", "税金", "合计"},
			kind:   "expenditures",
			fields: map[string]string{"员工薪酬与福利": "staff_pay", "税金": "tax", "合计": "total"},
		},
		{
			name:   "expenditures long",
			cells:  []string{"年度", "项目编号", "季度", "支出类别", "金额(元)", "说明"},
			kind:   "expenditures",
			fields: map[string]string{"支出类别": "category", "金额(元)": "amount", "说明": ""},
		},
		{
			name:   "activities",
			cells:  []string{" 项目编号 ", "服务日期", "服务细项编号", "活动 名称", "服务人次", "义工人次", "服务地点"},
			kind:   "activities",
			fields: map[string]string{"活动 名称": "activity_name", "服务人次": "participants"},
		},
		{
			name:   "evaluations",
			cells:  []string{"年度", "项目编号", "评估阶段", "服务设施得分", "服务队伍得分", "服务活动得分", "建设经费得分", "服务人次", "满意率", "评估机构"},
			kind:   "evaluations",
			fields: map[string]string{"服务人次": "person_times", "满意率": "satisfaction"},
		},
		{
			name:   "staff",
			cells:  []string{"序号", "年度", "项目编号", "姓名", "身份证号", "岗位", "是否注册社工", "职业资格", "是否党员", "用工形式", "年度人力成本(元)"},
			kind:   "staff",
			fields: map[string]string{"用工形式": "full_time", "身份证号": "id_number"},
		},
		{
			name:   "facilities",
			cells:  []string{"年度", "社区代码", "功能室名称", "面积(平方米)"},
			kind:   "facilities",
			fields: map[string]string{"面积(平方米)": "area_m2"},
			pow10:  map[string]int32{"area_m2": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Recognise(tt.cells)
			if l == nil {
				t.Fatalf("not recognised, want %s", tt.kind)
			}
			if l.Kind.Name != tt.kind {
				t.Fatalf("kind = %s, want %s", l.Kind.Name, tt.kind)
			}
			for _, f := range l.Fields {
				want, ok := tt.fields[f.Header]
				if !ok {
					continue
				}
				got := ""
				if f.Column != nil {
					got = f.Column.Name
				}
				if got != want {
					t.Errorf("header %q → %q, want %q", f.Header, got, want)
				}
			}
			for col, p := range tt.pow10 {
				f := l.Field(col)
				if f == nil {
					t.Errorf("no field for %s", col)
					continue
				}
				if f.Pow10 != p {
					t.Errorf("%s pow10 = %d, want %d", col, f.Pow10, p)
				}
			}
		})
	}
}

func TestRecogniseRejectsTitlesAndData(t *testing.T) {
	for _, cells := range [][]string{
		{"青山区2013-2014年社区（村）基本情况统计表"},
		{"1", "2013", "青山区", "广德街道", "519903001001", "东湖社区", "城镇", "29999"},
		{},
		{"年度", "项目编号"}, // too little to tell a kind
	} {
		if l := Recognise(cells); l != nil {
			t.Errorf("Recognise(%q) = %s, want nil", cells, l.Kind.Name)
		}
	}
}

// Every header and alias of the dictionary is recognised as its own column
// in a row made of its kind's template headers.
func TestTemplateHeadersRoundTrip(t *testing.T) {
	for _, k := range Kinds {
		var cells []string
		for _, c := range k.Columns {
			if k.Name == "expenditures" && (c.Name == "category" || c.Name == "amount") {
				continue
			}
			cells = append(cells, c.Header)
		}
		l := RecogniseAs(k, cells)
		if l == nil {
			t.Fatalf("%s: template header not recognised", k.Name)
		}
		for i, f := range l.Fields {
			if f.Column == nil {
				t.Errorf("%s: template header %q not matched", k.Name, cells[i])
			}
		}
		if best := Recognise(cells); best == nil || best.Kind != k {
			t.Errorf("%s: best kind for its own template is %v", k.Name, best)
		}
	}
}

func FuzzRecognise(f *testing.F) {
	f.Add("年度,项目编号,季度,支出类别,金额(元)")
	f.Add("序号,年份,所属区,街道(镇),社区编码,社区(村)名称,城乡分类,常住人口,户籍人口,辖区面积(平方米)")
	f.Add("合同金额（万元）,【万元】,(,),（）")
	f.Fuzz(func(t *testing.T, s string) {
		cells := splitComma(s)
		l := Recognise(cells)
		if l == nil {
			return
		}
		seen := map[string]bool{}
		for _, fd := range l.Fields {
			if fd.Column == nil {
				continue
			}
			if seen[fd.Column.Name] {
				t.Fatalf("column %s mapped twice", fd.Column.Name)
			}
			seen[fd.Column.Name] = true
			if fd.Index < 0 || fd.Index >= len(cells) {
				t.Fatalf("field index %d out of range", fd.Index)
			}
		}
		if l.Score != len(seen) {
			t.Fatalf("score %d, %d columns", l.Score, len(seen))
		}
	})
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
