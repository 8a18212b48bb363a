package xlsx_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
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

// TestChartTextIsDark reads the charts' XML: the axis labels and the
// legend are drawn in a dark grey at 10 pt or more, not in the theme's
// text colour lightened by 85 % (excelize's default, barely visible in
// print).
func TestChartTextIsDark(t *testing.T) {
	f := book(t, "")
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		charts++
		r, _ := zf.Open()
		x, _ := io.ReadAll(r)
		r.Close()
		parts := regexp.MustCompile(`(?s)<(?:c:)?(catAx|valAx|legend)>.*?</(?:c:)?(?:catAx|valAx|legend)>`).FindAllSubmatch(x, -1)
		if len(parts) == 0 {
			t.Errorf("%s: no axis or legend", zf.Name)
		}
		for _, p := range parts {
			rpr := regexp.MustCompile(`(?s)<(?:c:)?txPr>.*?<a:defRPr([^>]*)>(.*?)</a:defRPr>`).FindSubmatch(p[0])
			if rpr == nil {
				t.Errorf("%s %s: no text properties (the viewer's default is used)", zf.Name, p[1])
				continue
			}
			if m := regexp.MustCompile(`sz="(\d+)"`).FindSubmatch(rpr[1]); m == nil || len(m[1]) < 4 {
				t.Errorf("%s %s: text size %q, want 10 pt or more", zf.Name, p[1], rpr[1])
			}
			if bytes.Contains(rpr[2], []byte("lumOff")) {
				t.Errorf("%s %s: text colour lightened: %s", zf.Name, p[1], rpr[2])
				continue
			}
			m := regexp.MustCompile(`<a:srgbClr val="([0-9A-Fa-f]{6})"`).FindSubmatch(rpr[2])
			if m == nil {
				t.Errorf("%s %s: no explicit text colour: %s", zf.Name, p[1], rpr[2])
				continue
			}
			var r, g, bl int
			fmt.Sscanf(string(m[1]), "%02x%02x%02x", &r, &g, &bl)
			if lum := (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl)) / 255; lum > 0.3 {
				t.Errorf("%s %s: text colour %s is pale (luminance %.2f)", zf.Name, p[1], m[1], lum)
			}
		}
	}
	if charts == 0 {
		t.Fatal("no chart in the workbook")
	}
}
