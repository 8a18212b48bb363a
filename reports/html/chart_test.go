package html

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"shequ/reports"
	"shequ/reports/reportstest"
)

// A city of seven districts: the coverage chart has 28 bars, each too
// narrow for its value laid flat ("30.6330.00" was printed before), the
// reward pie thin slices, the bar chart long category names.
const sevenDistricts = `
name: c
title: 图表
sheets:
  - name: 覆盖
    title: 覆盖率
    source: marts.coverage
    columns:
      - {name: district, heading: 区}
      - {name: urban_rate, heading: 城市覆盖率, format: percent}
      - {name: urban_target, heading: 城市目标, format: percent}
      - {name: rural_rate, heading: 农村覆盖率, format: percent}
      - {name: rural_target, heading: 农村目标, format: percent}
      - {name: money, heading: 分配金额（元）, format: yuan}
    charts:
      - {type: column, title: 各区覆盖率与目标, category: district, series: [urban_rate, urban_target, rural_rate, rural_target]}
      - {type: pie, title: 各区市级奖励资金分配, category: district, series: [money]}
      - {type: bar, title: 分配金额, category: district, series: [money]}
`

func sevenCharts(t *testing.T) []string {
	t.Helper()
	set, err := reports.Load(fstest.MapFS{"definitions/c.yaml": {Data: []byte(sevenDistricts)}}, "r")
	if err != nil {
		t.Fatal(err)
	}
	sh := set.Definition("c").Sheets[0]
	names := []string{"东晖区", "关宝区", "杏河县", "江长区", "碧柳县", "翠枫区", "龙乐区经济技术开发区管委会"}
	var rows [][]reports.Value
	for i, n := range names {
		money := reports.MustDecimal(fmt.Sprintf("%d.50", 1_234_567*(i+1)))
		if i == 6 {
			money = reports.MustDecimal("5123.00") // a sliver of the pie
		}
		rows = append(rows, []reports.Value{n, 0.3063 + float64(i)/100, 1.0, 0.30, 0.30, money})
	}
	tb := reports.NewTable(sh, []string{"district", "urban_rate", "urban_target", "rural_rate", "rural_target", "money"}, rows)
	var out []string
	for _, ch := range sh.Charts {
		out = append(out, chartSVG(ch, tb))
	}
	return out
}

// overlapScript measures every text of the page's charts as Chromium drew
// it and lists the pairs whose boxes overlap and the texts outside their
// chart, into <pre id="result">.
const overlapScript = `<script>
const out = [];
document.querySelectorAll('svg.chart').forEach((svg, n) => {
  const frame = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].map(t => ({t: t.textContent, r: t.getBoundingClientRect()}));
  texts.forEach(a => {
    if (a.r.left < frame.left - 0.5 || a.r.right > frame.right + 0.5 || a.r.top < frame.top - 0.5 || a.r.bottom > frame.bottom + 0.5)
      out.push({chart: n, a: a.t, b: '(outside the chart)'});
  });
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i].r, b = texts[j].r;
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 0.5 && h > 0.5) out.push({chart: n, a: texts[i].t, b: texts[j].t});
  }
  out.push({chart: n, texts: texts.length});
});
document.getElementById('result').textContent = JSON.stringify(out);
</script>`

// TestChartLabelsInChromium draws the seven districts' charts in headless
// Chromium at the page's width and checks that no two texts (values,
// categories, legend, title) overlap and none leaves its chart.
func TestChartLabelsInChromium(t *testing.T) {
	bin := reportstest.Program(t, "chromium", "chromium-browser", "google-chrome")
	var page strings.Builder
	page.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>` + chartCSS +
		` body { font: 14px/1.55 "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; } figure { width: 780px; margin: 8px; }</style></head><body>`)
	for _, s := range sevenCharts(t) {
		page.WriteString("<figure>" + s + "</figure>")
	}
	page.WriteString(`<pre id="result"></pre>` + overlapScript + `</body></html>`)
	file := filepath.Join(t.TempDir(), "charts.html")
	if err := os.WriteFile(file, []byte(page.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, _ := reportstest.Chromium(t, bin, "--window-size=900,2400", "--dump-dom", "file://"+filepath.ToSlash(file))
	m := regexp.MustCompile(`(?s)<pre id="result">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil || m[1] == "" {
		t.Fatalf("the measuring script gave nothing:\n%.2000s", dom)
	}
	var found []struct {
		Chart int
		A, B  string
		Texts int
	}
	if err := json.Unmarshal([]byte(strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(m[1])), &found); err != nil {
		t.Fatalf("%v: %s", err, m[1])
	}
	charts := 0
	for _, f := range found {
		switch {
		case f.Texts > 0:
			charts++
			if f.Texts < 8 {
				t.Errorf("chart %d has only %d texts", f.Chart, f.Texts)
			}
		default:
			t.Errorf("chart %d: %q overlaps %q", f.Chart, f.A, f.B)
		}
	}
	if charts != 3 {
		t.Errorf("%d charts measured, want 3", charts)
	}
}
