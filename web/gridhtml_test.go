package web

import (
	"bytes"
	"html/template"
	"testing"
)

// TestGridHTML: a grid's rows written in Go are what grid.html's former
// template for each cell wrote, byte for byte, whatever the text, the
// class, the exact value and the link hold.
func TestGridHTML(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(`{{define "cell"}}<td class="{{if .Numeric}}num {{end}}{{.Class}}" data-v="{{.Exact}}">{{if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}` +
		`{{define "rows"}}{{range .Rows}}<tr data-key="{{.Key}}">{{range .Cells}}{{template "cell" .}}{{end}}</tr>{{end}}{{end}}` +
		`{{define "total"}}{{with .Total}}<tr data-key="total">{{range .Cells}}{{template "cell" .}}{{end}}</tr>{{end}}{{end}}`))
	texts := []string{"", "青山区", `<b>"A&B"</b> 'x' + y`, "\x00nul", "\uFDD0\uFFFE\uFFFF ok", "1,234.50", "–", "a\u2028b", "bad \xff\xfe utf-8 \xe4\xb8"}
	hrefs := []string{"", "/drill?year=2014&district=青山区", "/project?code=A B#x", "javascript:alert(1)", "JavaScript:x", "http://e.x/?q=<>\"'", "mailto:a@b", "/a%20b%zz?x=é&y=+", "a/b:c", "data:x", "/x%4", "/x%41%4g%", "/q?\xff=1"}
	var g Grid
	for i, text := range texts {
		for j, href := range hrefs {
			row := GridRow{Key: text + href}
			row.Cells = append(row.Cells,
				Cell{Text: text, Exact: href, Href: href, Class: texts[(i+j)%len(texts)]},
				Cell{Text: href, Exact: text, Class: "bad", Format: Money},
				Cell{Text: text, Format: Int, Href: hrefs[(i+j)%len(hrefs)]})
			g.Rows = append(g.Rows, row)
		}
	}
	g.Total = &g.Rows[len(g.Rows)-1]
	for _, part := range []struct {
		name string
		got  template.HTML
	}{{"rows", g.RowsHTML()}, {"total", g.TotalHTML()}} {
		var want bytes.Buffer
		if err := tmpl.ExecuteTemplate(&want, part.name, &g); err != nil {
			t.Fatal(err)
		}
		if string(part.got) != want.String() {
			t.Errorf("%s:\n%s\nwant\n%s", part.name, part.got, want.String())
		}
	}
}
