package html_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"shequ/reports"
	"shequ/reports/html"
)

const definition = `
name: t
title: 测试报告
cover:
  tables:
    - title: 文件
      source: marts.submissions
      columns: [{name: file, heading: 文件}]
sheets:
  - name: 覆盖
    title: 覆盖率
    note: 说明
    source: marts.coverage
    totals: 合计
    columns:
      - {name: district, heading: 区}
      - {name: rate, heading: 覆盖率, format: percent, highlight: ok=false}
      - {name: target, heading: 目标, format: percent}
      - {name: money, heading: 金额, format: yuan, total: sum}
    charts:
      - {type: column, category: district, series: [rate, target]}
      - {type: pie, category: district, series: [money]}
      - {type: bar, category: district, series: [money]}
`

func data(t *testing.T) *reports.Data {
	t.Helper()
	set, err := reports.Load(fstest.MapFS{"definitions/t.yaml": {Data: []byte(definition)}}, "r")
	if err != nil {
		t.Fatal(err)
	}
	def := set.Definition("t")
	sh := def.Sheets[0]
	rows := [][]reports.Value{
		{"东区<b>&", 0.5, 1.0, reports.MustDecimal("1200.50"), false},
		{"西区", 1.0, 1.0, reports.MustDecimal("800.25"), true},
	}
	return &reports.Data{
		Def: def, Filter: reports.Filter{Year: 2014}, City: "某市", Title: "某市2014年度测试报告",
		Stamp:  &reports.Stamp{RunID: 3, PolicyDigest: "abc", InputDigest: "def"},
		Now:    time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC),
		Cover:  []*reports.Table{reports.NewTable(def.Cover.Tables[0], []string{"file"}, [][]reports.Value{{"a.csv"}})},
		Sheets: []*reports.Table{reports.NewTable(sh, []string{"district", "rate", "target", "money", "ok"}, rows)},
	}
}

func TestPage(t *testing.T) {
	var b bytes.Buffer
	if err := html.Write(&b, data(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"<title>某市2014年度测试报告</title>",
		`<td class="num bad">50.00%</td>`, // the rate below its target
		`<td class="num">100.00%</td>`,
		"东区&lt;b&gt;&amp;",
		"<td>合计</td>",
		`<td class="num">2,000.75</td>`, // the total, exactly
		"运行 #3",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "<b>&") {
		t.Error("page has a script or unescaped text")
	}
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
	if len(svgs) != 3 {
		t.Fatalf("%d charts, want 3", len(svgs))
	}
	for _, s := range svgs {
		d := xml.NewDecoder(strings.NewReader(s))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("chart is not well-formed SVG: %v\n%s", err, s)
			}
		}
	}
	// In the column chart 100% is the full height, 50% half of it.
	heights := regexp.MustCompile(`<rect class="bar" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"`).FindAllStringSubmatch(svgs[0], -1)
	if len(heights) != 4 || heights[0][1] != "115.0" || heights[1][1] != "230.0" {
		t.Errorf("bar heights %v", heights)
	}
	if n := strings.Count(svgs[1], `class="slice"`); n != 2 {
		t.Errorf("%d pie slices", n)
	}
}
