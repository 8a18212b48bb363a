package xlsx_test

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/reports"
	"shequ/reports/xlsx"
)

const definition = `
name: t
title: 测试报告
sheets:
  - name: 覆盖
    title: 覆盖率
    note: 说明
    source: marts.coverage
    totals: 合计
    columns:
      - {name: district, heading: 区}
      - {name: urban_rural, heading: 类型, values: {urban: 城市, rural: 农村}}
      - {name: rate, heading: 覆盖率, format: percent, highlight: ok=false}
      - {name: money, heading: 金额, format: yuan, total: sum}
    charts:
      - {type: column, category: district, series: [rate]}
  - name: 空
    title: 没有数据的表
    source: marts.coverage
    empty: 本年度没有项目。
    columns:
      - {name: district, heading: 区}
      - {name: n, heading: 数, format: int}
    charts:
      - {type: pie, category: district, series: [n]}
`

func book(t *testing.T, trial string) *excelize.File {
	t.Helper()
	set, err := reports.Load(fstest.MapFS{"definitions/t.yaml": {Data: []byte(definition)}}, "r")
	if err != nil {
		t.Fatal(err)
	}
	d := set.Definition("t")
	data := &reports.Data{
		Def: d, Filter: reports.Filter{Year: 2014}, City: "某市", Title: "某市2014年度测试报告", Trial: trial,
		Stamp: &reports.Stamp{RunID: 3, PolicyDigest: "abc", InputDigest: "def"},
		Now:   time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC),
		Sheets: []*reports.Table{
			reports.NewTable(d.Sheets[0], []string{"district", "urban_rural", "rate", "money", "ok"}, [][]reports.Value{
				{"东区", "urban", 0.5, reports.MustDecimal("1200.50"), false},
				{"西区", "rural", 1.0, reports.MustDecimal("800.25"), true},
			}),
			reports.NewTable(d.Sheets[1], []string{"district", "n"}, nil),
		},
	}
	f, err := xlsx.Build(data)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	f.Close()
	g, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestBook(t *testing.T) {
	f := book(t, "")
	if got := strings.Join(f.GetSheetList(), ","); got != "封面,覆盖,空" {
		t.Errorf("sheets %s", got)
	}
	for ref, want := range map[string]string{"A1": "覆盖率", "A3": "区", "A4": "东区", "B4": "城市", "C4": "0.5", "D4": "1200.5", "A6": "合计", "D6": "2000.75"} {
		if got, _ := f.GetCellValue("覆盖", ref, excelize.Options{RawCellValue: true}); got != want {
			t.Errorf("覆盖!%s = %q, want %q", ref, got, want)
		}
	}
	if got, _ := f.GetCellValue("覆盖", "D4"); got != "1,200.50" {
		t.Errorf("yuan shown as %q", got)
	}
	style := func(ref string) *excelize.Style {
		id, _ := f.GetCellStyle("覆盖", ref)
		s, _ := f.GetStyle(id)
		return s
	}
	if s := style("C4"); len(s.Fill.Color) == 0 || s.Fill.Color[0] != "FFC7CE" {
		t.Errorf("the rate below its target is not highlighted: %+v", s.Fill)
	}
	if s := style("C5"); len(s.Fill.Color) != 0 {
		t.Errorf("a rate meeting its target is highlighted: %+v", s.Fill)
	}
	if got, _ := f.GetCellValue("空", "A4"); got != "本年度没有项目。" {
		t.Errorf("empty sheet says %q", got)
	}
	if got, _ := f.GetCellValue("封面", "A1"); got != "某市2014年度测试报告" {
		t.Errorf("cover title %q", got)
	}
}

func TestTrialIsLabelled(t *testing.T) {
	f := book(t, "备选政策：x.csv")
	cover, _ := f.GetCellValue("封面", "A2")
	note, _ := f.GetCellValue("覆盖", "A2")
	if !strings.Contains(cover, "试算（备选政策：x.csv）") || !strings.HasPrefix(note, "【试算：备选政策：x.csv】") {
		t.Errorf("cover %q, note %q", cover, note)
	}
}
