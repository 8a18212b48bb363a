package deltareport

import (
	"fmt"
	"html/template"
	"io"
	"time"

	"shequ/official"
)

var page = template.Must(template.New("delta").Funcs(template.FuncMap{"yuan": yuan, "kinds": kindsZh}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 24px; color: #222; font-size: 14px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
p.preview { color: #c00000; font-weight: bold; }
ul.summary { padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid #999; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #e7eef7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.sha { font-family: monospace; font-size: 11px; word-break: break-all; }
tr.indirect td.subs { color: #666; }
footer { margin-top: 24px; font-size: 11px; color: #666; }
@page { size: A4 landscape; margin: 12mm; }
@media print { body { margin: 0; font-size: 11px; } thead { display: table-header-group; } tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{- if .Meta.Preview}}<p class="preview">预览（未提交）：正式数据尚未改变。</p>{{end}}
<ul class="summary">{{range .Summary}}<li>{{.}}</li>{{end}}</ul>

<h2>一、市级奖励资金分配变动（元）</h2>
<table>
<thead><tr><th>区</th><th>第{{.D.From}}版分配金额</th><th>第{{.D.To}}版分配金额</th><th>变动金额</th></tr></thead>
<tbody>
{{- range .D.Allocation}}<tr><td>{{.District}}</td><td class="num">{{yuan .Old}}</td><td class="num">{{yuan .New}}</td><td class="num">{{yuan .Delta}}</td></tr>
{{end -}}
<tr><th>合计</th><td class="num">{{yuan .TotalOld}}</td><td class="num">{{yuan .TotalNew}}</td><td class="num">{{yuan .TotalDelta}}</td></tr>
</tbody>
</table>

<h2>二、变动的数据行</h2>
{{- if .Lines}}
<table>
<thead><tr><th>数据表</th><th>行</th><th>变动</th><th>字段</th><th>第{{.D.From}}版</th><th>第{{.D.To}}版</th><th>依据的报送</th></tr></thead>
<tbody>
{{- range .Lines}}<tr{{if not .Direct}} class="indirect"{{end}}><td>{{.Mart}}</td><td>{{.Key}}</td><td class="nowrap">{{.Change}}</td><td>{{.Column}}</td><td class="num">{{.Old}}</td><td class="num">{{.New}}</td><td class="subs">{{.Submissions}}</td></tr>
{{end -}}
</tbody>
</table>
{{- else}}<p>（无变动）</p>{{end}}

<h2>三、新增或更正的报送文件</h2>
<table>
<thead><tr><th>编号</th><th>文件</th><th>区</th><th>数据类型</th><th>接收时间</th><th>SHA-256</th></tr></thead>
<tbody>
{{- range .D.NewSubmissions}}<tr><td>{{.ID}}</td><td>{{.File}}</td><td>{{.District}}</td><td>{{kinds .Kinds}}</td><td>{{$.Time .ReceivedAt}}</td><td class="sha">{{.SHA256}}</td></tr>
{{end -}}
{{- range .D.Dropped}}<tr><td>{{.ID}}</td><td>{{.File}}（不再计入）</td><td>{{.District}}</td><td>{{kinds .Kinds}}</td><td>{{$.Time .ReceivedAt}}</td><td class="sha">{{.SHA256}}</td></tr>
{{end -}}
</tbody>
</table>
<footer>{{.Title}} · 生成时间 {{.Generated}} · shequ</footer>
</body>
</html>
`))

type pageData struct {
	Title                          string
	Meta                           Meta
	D                              *official.Delta
	Summary                        []string
	Lines                          []line
	TotalOld, TotalNew, TotalDelta string
	Generated                      string
}

// Time writes a time in the sign-off's zone.
func (pageData) Time(t time.Time) string { return t.In(official.Zone).Format("2006-01-02 15:04") }

// WriteHTML writes the page.
func WriteHTML(w io.Writer, d *official.Delta, m Meta) error {
	now := m.Now
	if now.IsZero() {
		now = time.Now()
	}
	p := pageData{Title: Title(d, m), Meta: m, D: d, Summary: summary(d, m), Lines: lines(d, m),
		TotalOld:   totalOf(d.Allocation, func(mv official.Move) string { return mv.Old }),
		TotalNew:   totalOf(d.Allocation, func(mv official.Move) string { return mv.New }),
		TotalDelta: totalOf(d.Allocation, func(mv official.Move) string { return mv.Delta }),
		Generated:  now.In(official.Zone).Format("2006-01-02 15:04"),
	}
	if err := page.Execute(w, p); err != nil {
		return fmt.Errorf("delta page: %w", err)
	}
	return nil
}
