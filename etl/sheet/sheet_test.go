package sheet

import (
	"errors"
	"io"
	"testing"

	"shequ/etl"
	"shequ/etl/clean"
)

// rows is an etl.RowReader over fixed rows, numbered from 1.
type rows struct {
	r []etl.Row
	i int
}

func newRows(cells ...[]string) *rows {
	rs := &rows{}
	for i, c := range cells {
		rs.r = append(rs.r, etl.Row{Num: i + 1, Cells: c})
	}
	return rs
}

func (r *rows) Next() (etl.Row, error) {
	if r.i >= len(r.r) {
		return etl.Row{}, io.EOF
	}
	r.i++
	return r.r[r.i-1], nil
}

func (r *rows) Close() error { return nil }

func TestOpenFindsHeader(t *testing.T) {
	tests := []struct {
		name       string
		rows       [][]string
		kind       string
		headerNum  int
		headerRows int
		firstData  int
		check      map[string]int // column → sheet index
	}{
		{
			name: "title rows above",
			rows: [][]string{
				{"青山区2013-2014年社区（村）基本情况统计表"},
				{"填报单位：青山区民政局"},
				{"序号", "年份", "所属区", "街道(镇)", "社区编码", "社区(村)名称", "城乡分类", "常住人口"},
				{"1", "2013", "青山区", "广德街道", "519903001001", "东湖社区", "城镇", "29999"},
			},
			kind: "communities", headerNum: 3, headerRows: 1, firstData: 4,
			check: map[string]int{"community_code": 4},
		},
		{
			name: "two-row header, parent not merged (CSV)",
			rows: [][]string{
				{"序号", "年度", "项目编号", "区县", "项目名称", "项目类型", "承接机构", "统一社会信用代码", "覆盖社区代码", "合同结束日期", "合同开始日期", "合同金额(万元)", "资金来源", "", ""},
				{"", "", "", "", "", "", "", "", "", "", "", "", "市级资金(万元)", "区级资金(万元)", "街道资金(万元)"},
				{"1", "2013", "2013519903001", "青山区"},
			},
			kind: "projects", headerNum: 2, headerRows: 2, firstData: 3,
			check: map[string]int{"city_funding": 12, "street_funding": 14, "contract_amount": 11},
		},
		{
			name: "two-row header, parent merged across and cells merged down (xlsx)",
			rows: [][]string{
				{"2013年度项目情况"},
				{"年度", "项目编号", "区", "项目名称", "承接机构", "统一社会信用代码", "覆盖社区代码", "合同开始日期", "合同结束日期", "合同金额(元)", "资金来源", "资金来源", "资金来源"},
				{"年度", "项目编号", "区", "项目名称", "承接机构", "统一社会信用代码", "覆盖社区代码", "合同开始日期", "合同结束日期", "合同金额(元)", "市级", "区级", "街道"},
				{"2013", "LJ2013-001"},
			},
			kind: "projects", headerNum: 3, headerRows: 1, firstData: 4,
			check: map[string]int{"city_funding": 10, "district_funding": 11, "street_funding": 12},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Open(newRows(tt.rows...))
			if err != nil {
				t.Fatal(err)
			}
			if sc.Layout.Kind.Name != tt.kind || sc.HeaderNum != tt.headerNum || sc.HeaderRows != tt.headerRows {
				t.Fatalf("got %s header at %d (%d rows), want %s at %d (%d rows)", sc.Layout.Kind.Name, sc.HeaderNum, sc.HeaderRows, tt.kind, tt.headerNum, tt.headerRows)
			}
			for col, idx := range tt.check {
				f := sc.Layout.Field(col)
				if f == nil || f.Index != idx {
					t.Errorf("%s at %v, want index %d", col, f, idx)
				}
			}
			l, err := sc.Next()
			if err != nil || l.Num != tt.firstData || l.Type != Data {
				t.Errorf("first line = %+v, %v; want data row %d", l, err, tt.firstData)
			}
		})
	}
}

func TestOpenNoHeader(t *testing.T) {
	if _, err := Open(newRows([]string{"a", "b"}, []string{"1", "2"})); !errors.Is(err, ErrNoHeader) {
		t.Errorf("err = %v, want ErrNoHeader", err)
	}
	if _, err := Open(newRows()); err != io.EOF {
		t.Errorf("empty sheet: err = %v, want io.EOF", err)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		cells []string
		want  LineType
	}{
		{[]string{"", " ", "\u00a0", "\u200b"}, Blank},
		{nil, Blank},
		{[]string{"合计", "", "", "", "", "", "", "86000"}, Total},
		{[]string{"", "合 计", "", "1"}, Total},
		{[]string{"总计："}, Data}, // a colon makes it something else; kept as data to be validated
		{[]string{"填表人：张三", "", "审核人：李四"}, Note},
		{[]string{"备注：面积单位为平方米"}, Note},
		{[]string{"注：1. 人口为常住人口"}, Note},
		{[]string{"2013", "青山区", "广德街道"}, Data},
		{[]string{"2013", "", "LJ2013-001", "青山区", "合计"}, Data}, // a total word in the 4th filled cell is data
	}
	for _, tt := range tests {
		if got := Classify(tt.cells); got != tt.want {
			t.Errorf("Classify(%q) = %s, want %s", tt.cells, got, tt.want)
		}
	}
}

// A row whose values all lie outside the header's columns (one value in
// column XFD) is blank: it is no data row to reject, and no total or note.
func TestValuesOutsideHeaderBlank(t *testing.T) {
	far := func(v string) []string {
		c := make([]string, 16384)
		c[16383] = v
		return c
	}
	header := []string{"年度", "项目编号", "", "季度", "支出类别", "金额(元)"}
	sc, err := Open(newRows(
		header,
		append([]string{"2013", "LJ2013-001", "", "Q1", "税金", "100"}, far("x")[6:]...),
		far("1"),
		[]string{"", "", "说明", "", "", ""}, // under the header's empty cell
		append(make([]string, 7), "合计"),
		append(make([]string, 6), "填表人：张三"),
		[]string{"", "", "", "", "", "100"},
		[]string{"合计", "", "", "", "", "100"},
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []LineType{Data, Blank, Blank, Blank, Blank, Data, Total}
	for i, w := range want {
		l, err := sc.Next()
		if err != nil || l.Num != i+2 || l.Type != w {
			t.Errorf("row %d: %s, %v; want %s", i+2, l.Type, err, w)
		}
	}
}

// A row whose only values are formulas without a saved result (they read
// "") is a data row under the header, for validation to explain; outside
// the header's columns it is blank. Rows read with the header keep their
// formulas.
func TestUncachedFormulaRows(t *testing.T) {
	rr := newRows(
		[]string{"年度", "项目编号", "季度", "支出类别", "金额(元)"},
		[]string{"2013", "LJ2013-001", "Q1", "税金", ""},
		[]string{"", "", "", "", ""},
		[]string{"", "", "", "", "", ""},
	)
	rr.r[1].Uncached = []etl.Formula{{Col: 4, Text: "SUM(F2:H2)"}}
	rr.r[2].Uncached = []etl.Formula{{Col: 4, Text: "E2*2"}}
	rr.r[3].Uncached = []etl.Formula{{Col: 5, Text: "E2*2"}}
	sc, err := Open(rr)
	if err != nil {
		t.Fatal(err)
	}
	rr.r[1].Uncached[0].Text = "changed by the reader"
	for i, w := range []LineType{Data, Data, Blank} {
		l, err := sc.Next()
		if err != nil || l.Type != w {
			t.Errorf("row %d: %s, %v; want %s", i+2, l.Type, err, w)
		}
		if i == 0 {
			if f, ok := l.UncachedAt(4); !ok || f.Text != "SUM(F2:H2)" {
				t.Errorf("row 2: %+v", l.Uncached)
			}
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("title\n年度,项目编号,季度,支出类别,金额(元)\n2013,LJ,Q1,税金,1\n合计,,,,1\n填表人：x")
	f.Add("年度,项目编号,资金来源\n,,市级资金\n1,2")
	f.Fuzz(func(t *testing.T, s string) {
		var cells [][]string
		line := []string{}
		start := 0
		for i := 0; i <= len(s); i++ {
			if i == len(s) || s[i] == '\n' || s[i] == ',' {
				line = append(line, s[start:i])
				start = i + 1
				if i == len(s) || s[i] == '\n' {
					cells = append(cells, line)
					line = []string{}
				}
			}
		}
		sc, err := Open(newRows(cells...))
		if err != nil {
			return
		}
		last := sc.HeaderNum
		for {
			l, err := sc.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Num <= last {
				t.Fatalf("row %d after %d", l.Num, last)
			}
			last = l.Num
			// A row is blank when the header's columns hold nothing.
			known := false
			for _, f := range sc.Layout.Fields {
				known = known || f.Index < len(l.Cells) && clean.Text(l.Cells[f.Index]) != ""
			}
			if known == (l.Type == Blank) {
				t.Fatalf("row %d is %s, values in the header's columns: %v", l.Num, l.Type, known)
			}
		}
	})
}
