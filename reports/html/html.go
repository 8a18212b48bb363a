// Package html writes a report (reports.Data) as one self-contained HTML
// page: the styles inline, the charts drawn by the program as inline SVG,
// no script, font or anything else from elsewhere, so it reads the same
// offline, attached to a mail or opened from a USB stick. It shows the same
// figures as the workbook, in the same formats, with the cells that break a
// policy floor marked, and prints on A4 (a form, such as the yearly
// allocation, on its own portrait page, its calculation on landscape pages).
package html

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"shequ/reports"
)

// Write writes the page of a report to w.
func Write(w io.Writer, d *reports.Data) error {
	p := page{D: d, Form: d.Def.Layout == reports.LayoutForm, Orientation: d.Def.Orientation}
	for _, t := range d.Cover {
		ct := table(t)
		// A list under its title (主要情况) needs no header row saying it again.
		ct.NoHead = len(ct.Head) == 1 && ct.Head[0] == ct.Title
		p.Cover = append(p.Cover, ct)
	}
	inAppendix := false
	for _, t := range d.Sheets {
		if t.Sheet.Hidden {
			continue
		}
		s := section{ID: fmt.Sprintf("s%d", len(p.Sections)+1), Table: table(t), Appendix: t.Sheet.Appendix}
		if s.Appendix && !inAppendix {
			s.FirstAppendix, inAppendix = true, true
		}
		for _, ch := range t.Sheet.Charts {
			if len(t.Rows) > 0 {
				s.Charts = append(s.Charts, template.HTML(chartSVG(ch, t)))
			}
		}
		p.Sections = append(p.Sections, s)
	}
	for i, g := range d.Appendix {
		p.Grids = append(p.Grids, grid(g, fmt.Sprintf("g%d", i+1)))
	}
	for k, n := range d.Notes {
		p.Notes = append(p.Notes, fmt.Sprintf("%d. %s", k+1, n))
	}
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("write the page of report %s: %w", d.Def.Name, err)
	}
	return nil
}

type page struct {
	D           *reports.Data
	Form        bool
	Orientation string
	Cover       []htmlTable
	Sections    []section
	Grids       []htmlGrid
	Notes       []string
}

type section struct {
	ID     string
	Table  htmlTable
	Charts []template.HTML
	// Appendix sections print after the findings, the first from a new
	// page.
	Appendix, FirstAppendix bool
}

type htmlTable struct {
	NoHead             bool // the table's header row is left out
	Title, Note, Empty string
	Head               []string
	Rows               [][]htmlCell
	Totals             []htmlCell
}

type htmlCell struct {
	Text  string
	Class string
}

func class(format string, bad bool) string {
	var c []string
	if reports.Numeric(format) {
		c = append(c, "num")
	}
	if format == reports.FormatBool {
		c = append(c, "mid")
	}
	if bad {
		c = append(c, "bad")
	}
	return strings.Join(c, " ")
}

// long marks a text column given a wide width (a list of names): it wraps
// while the others keep to one line.
func long(c *reports.Column, class string) string {
	if (c.Format != reports.FormatText && c.Format != reports.FormatCode) || c.Width < 30 {
		return class
	}
	return strings.TrimSpace(class + " long")
}

func table(t *reports.Table) htmlTable {
	h := htmlTable{Title: t.Sheet.Title, Note: t.Sheet.Note, Empty: t.Sheet.EmptyText()}
	for _, c := range t.Sheet.Columns {
		h.Head = append(h.Head, c.Heading)
	}
	for i := range t.Rows {
		var row []htmlCell
		for _, c := range t.Sheet.Columns {
			row = append(row, htmlCell{Text: reports.Display(t.Get(i, c.Name), c), Class: long(c, class(c.Format, t.Highlighted(i, c)))})
		}
		h.Rows = append(h.Rows, row)
	}
	if t.Totals != nil && len(t.Rows) > 0 {
		for j, c := range t.Sheet.Columns {
			if j == 0 {
				h.Totals = append(h.Totals, htmlCell{Text: reports.Machine(t.Totals[0])})
				continue
			}
			h.Totals = append(h.Totals, htmlCell{Text: reports.Display(t.Totals[j], c), Class: class(c.Format, false)})
		}
	}
	return h
}

type htmlGrid struct {
	ID, Title string
	Lines     []string
	Sections  []htmlGridSection
}

type htmlGridSection struct {
	Title   string
	Notes   []string
	Head    []string
	Explain []string
	Rows    [][]htmlCell
	Totals  []htmlCell
}

func grid(g *reports.Grid, id string) htmlGrid {
	out := htmlGrid{ID: id, Title: g.Title, Lines: g.Lines}
	cells := func(cs []reports.Cell) []htmlCell {
		var row []htmlCell
		for _, c := range cs {
			row = append(row, htmlCell{Text: reports.DisplayAs(c.Value, c.Format), Class: class(c.Format, c.Bad)})
		}
		return row
	}
	for _, s := range g.Sections {
		hs := htmlGridSection{Title: s.Title, Notes: s.Notes, Head: s.Header, Explain: s.Explain}
		for _, r := range s.Rows {
			hs.Rows = append(hs.Rows, cells(r))
		}
		if s.Total != nil {
			hs.Totals = cells(s.Total)
		}
		out.Sections = append(out.Sections, hs)
	}
	return out
}

// chartCSS styles the charts (svg.go draws them to these sizes).
const chartCSS = `svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
svg .chart-title { font-size: 15px; font-weight: bold; fill: #1f2328; }
svg .grid { stroke: #e5e7eb; stroke-width: 1; }
svg .axis-line { stroke: #8c959f; stroke-width: 1; }
svg .axis, svg .legend, svg .cat { font-size: 12px; fill: #1f2328; }
svg .value { font-size: 11px; fill: #1f2328; }
svg .slice { stroke: #fff; stroke-width: 2; }
svg .slice-label { font-size: 13px; font-weight: bold; fill: #fff; }
`

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"date": func(t interface{ Format(string) string }, layout string) string { return t.Format(layout) },
}).Parse(pageTemplate))

const pageTemplate = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="shequ">
<meta name="shequ-stamp" content="{{.D.Stamp.Line}}">
<title>{{.D.Title}}</title>
<style>
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --head: #ddebf7; --total: #f2f2f2; --bad-bg: #ffc7ce; --bad: #9c0006; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font: 14px/1.55 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 0 0 6px; padding-top: 8px; border-top: 3px solid #2f5597; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.trial { color: #c00000; font-weight: bold; border: 2px solid #c00000; padding: 6px 10px; margin: 8px 0 16px; }
dl.facts { display: grid; grid-template-columns: 8em 1fr; gap: 4px 16px; margin: 0 0 18px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
nav ol { columns: 2; margin: 0 0 12px; }
section { margin: 28px 0 0; }
.note { color: var(--muted); font-size: 13px; margin: 0 0 10px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; font-weight: 600; }
th.explain { background: #fff; font-weight: normal; font-style: italic; font-size: 11px; color: var(--muted); }
.grid td:first-child { white-space: nowrap; }
td { white-space: nowrap; }
td.long { white-space: normal; min-width: 24em; }
.grid td, .form td { white-space: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mid { text-align: center; }
td.bad { background: var(--bad-bg); color: var(--bad); }
tfoot td { background: var(--total); font-weight: bold; }
figure { margin: 8px 0 12px; max-width: 780px; }
` + chartCSS + `.form { max-width: 760px; margin: 0 auto; }
.form h1 { text-align: center; font-size: 22px; }
.form .unit { display: flex; justify-content: space-between; color: var(--muted); font-size: 13px; }
.form table { width: 100%; }
.form ol.notes { padding-left: 0; list-style: none; font-size: 13px; }
.signatures { display: flex; justify-content: space-between; margin: 36px 0 8px; font-size: 14px; }
.signatures span { white-space: nowrap; }
.seal { text-align: right; margin: 24px 0 0; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); margin-top: 32px; padding-top: 8px; }
@page { size: A4 {{.Orientation}}; margin: 12mm 10mm; }
@page calc { size: A4 landscape; margin: 10mm; }
@media print {
  /* Findings first: the title, the facts and the findings on the first
     page; then one topic after the other, each kept on one page where it
     fits, its heading with its table; the appendices from a new page;
     a table's header rows again on every page it runs over. */
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  header { break-after: page; }
  section { margin: 0 0 8mm; break-inside: avoid; }
  section.appendix-first { break-before: page; }
  h2, h3, .note, figure { break-after: avoid; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  thead th { position: static; }
  table { font-size: 9pt; }
  th, td { padding: 2px 5px; }
  tr, figure { break-inside: avoid; }
  figure { max-width: 165mm; margin: 2mm 0; }
  .scroll { overflow: visible; }
  .grid { page: calc; break-before: page; }
  .grid table { font-size: 9pt; }
  footer { margin-top: 6mm; }
}
</style>
</head>
<body>
<main>
{{- if .Form}}
<div class="form">
<h1>{{.D.Title}}</h1>
{{- if .D.Trial}}<p class="trial">试算（{{.D.Trial}}）：按备选政策计算，不是正式结果，不得作为拨付依据。</p>{{end}}
{{- range .Sections}}
<div class="unit"><span>单位：元</span><span>{{if not $.D.Stamp.DataAsOf.IsZero}}数据截至 {{date $.D.Stamp.DataAsOf "2006年1月2日"}}{{end}}</span></div>
{{template "table" .Table}}
{{- end}}
{{- if .Notes}}
<h3>说明</h3>
<ol class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ol>
{{- end}}
{{- if .D.Def.Signatures}}
<div class="signatures">{{range .D.Def.Signatures}}<span>{{.}}：____________</span>{{end}}</div>
<p class="seal">（盖章）&emsp;&emsp;&emsp;&emsp;年&emsp;&emsp;月&emsp;&emsp;日</p>
{{- end}}
</div>
{{- else}}
<header>
<h1>{{.D.Title}}</h1>
{{- if .D.Trial}}<p class="trial">试算（{{.D.Trial}}）：按备选政策计算，不是正式结果。</p>{{else}}<p class="sub">{{.D.Def.Description}}</p>{{end}}
<dl class="facts">
<dt>城市</dt><dd>{{if .D.City}}{{.D.City}}{{else}}—{{end}}</dd>
<dt>年度</dt><dd>{{.D.Filter.Year}}</dd>
<dt>范围</dt><dd>{{if .D.Filter.District}}{{.D.Filter.District}}{{else}}全市{{end}}</dd>
<dt>数据截至</dt><dd>{{if .D.Stamp.DataAsOf.IsZero}}—{{else}}{{date .D.Stamp.DataAsOf "2006-01-02 15:04"}}{{end}}</dd>
<dt>生成时间</dt><dd>{{date .D.Now "2006-01-02 15:04"}}</dd>
<dt>数据状态</dt><dd>{{.D.Stamp.Line}}</dd>
</dl>
<nav><h3>目录</h3><ol>{{range .Sections}}<li><a href="#{{.ID}}">{{.Table.Title}}</a></li>{{end}}{{range .Grids}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}</ol></nav>
{{- range .Cover}}
<h3>{{.Title}}</h3>
{{template "table" .}}
{{- end}}
</header>
{{- range .Sections}}
<section id="{{.ID}}"{{if .FirstAppendix}} class="appendix appendix-first"{{else if .Appendix}} class="appendix"{{end}}>
<h2>{{.Table.Title}}</h2>
{{- if .Table.Note}}<p class="note">{{.Table.Note}}</p>{{end}}
{{- range .Charts}}<figure>{{.}}</figure>{{end}}
{{template "table" .Table}}
</section>
{{- end}}
{{- end}}
{{- range .Grids}}
<section class="grid" id="{{.ID}}">
<h2>{{.Title}}</h2>
{{- range .Lines}}<p class="note">{{.}}</p>{{end}}
{{- range .Sections}}
<h3>{{.Title}}</h3>
{{- range .Notes}}<p class="note">{{.}}</p>{{end}}
<div class="scroll"><table>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>{{if .Explain}}<tr>{{range .Explain}}<th class="explain">{{.}}</th>{{end}}</tr>{{end}}</thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</td>{{end}}</tr>{{end}}</tbody>
{{- if .Totals}}<tfoot><tr>{{range .Totals}}<td{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</td>{{end}}</tr></tfoot>{{end}}
</table></div>
{{- end}}
</section>
{{- end}}
<footer>{{.D.Title}} · {{.D.Stamp.Line}} · 生成时间 {{date .D.Now "2006-01-02 15:04"}} · shequ</footer>
</main>
</body>
</html>
{{define "table"}}<div class="scroll"><table>
{{- if not .NoHead}}
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
{{- end}}
<tbody>{{if .Rows}}{{range .Rows}}<tr>{{range .}}<td{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</td>{{end}}</tr>{{end}}{{else}}<tr><td colspan="{{len .Head}}">{{.Empty}}</td></tr>{{end}}</tbody>
{{- if .Totals}}<tfoot><tr>{{range .Totals}}<td{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</td>{{end}}</tr></tfoot>{{end}}
</table></div>{{end}}
`
