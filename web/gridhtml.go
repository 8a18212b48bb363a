package web

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

// A grid's rows are most of a dashboard page: the province's providers
// are some 20 000 cells. They are written here rather than by a template
// for each cell (which cost a page up to 100 ms), escaped exactly as
// html/template escapes the template they replace (grid.html's "cell"):
// text and attribute values with its HTML table, a link through its URL
// filter and normaliser. TestGridHTML compares the two.

// RowsHTML is the <tr> of each row, as grid.html showed them.
func (g *Grid) RowsHTML() template.HTML {
	var b strings.Builder
	for i := range g.Rows {
		writeRow(&b, &g.Rows[i], g.Rows[i].Key)
	}
	return template.HTML(b.String())
}

// TotalHTML is the total row's <tr>.
func (g *Grid) TotalHTML() template.HTML {
	var b strings.Builder
	if g.Total != nil {
		writeRow(&b, g.Total, "total")
	}
	return template.HTML(b.String())
}

func writeRow(b *strings.Builder, r *GridRow, key string) {
	b.WriteString(`<tr data-key="`)
	htmlEscape(b, key)
	b.WriteString(`">`)
	for i := range r.Cells {
		c := &r.Cells[i]
		b.WriteString(`<td class="`)
		if c.Numeric() {
			b.WriteString("num ")
		}
		htmlEscape(b, c.Class)
		b.WriteString(`" data-v="`)
		htmlEscape(b, c.Exact)
		b.WriteString(`">`)
		if c.Href != "" {
			b.WriteString(`<a href="`)
			href := c.Href
			if !isSafeURL(href) {
				href = "#ZgotmplZ"
			}
			htmlEscape(b, normalizeURL(href))
			b.WriteString(`">`)
			htmlEscape(b, c.Text)
			b.WriteString(`</a>`)
		} else {
			htmlEscape(b, c.Text)
		}
		b.WriteString(`</td>`)
	}
	b.WriteString(`</tr>`)
}

// htmlReplacement is html/template's table for text and quoted
// attribute values.
var htmlReplacement = []string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// htmlEscape writes s escaped as html/template escapes a string in text
// or in a quoted attribute (its htmlReplacer with its table; the runes
// it calls bad go through as they are).
func htmlEscape(b *strings.Builder, s string) {
	written := 0
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		if int(r) < len(htmlReplacement) {
			if repl := htmlReplacement[r]; repl != "" {
				b.WriteString(s[written:i])
				b.WriteString(repl)
				written = i + w
			}
		}
	}
	b.WriteString(s[written:])
}

// isSafeURL is html/template's: a URL with a scheme other than http,
// https or mailto is not shown.
func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		if !strings.EqualFold(protocol, "http") && !strings.EqualFold(protocol, "https") && !strings.EqualFold(protocol, "mailto") {
			return false
		}
	}
	return true
}

// normalizeURL is html/template's URL normaliser: what is not allowed in
// a URL is percent-encoded, valid escapes are kept.
func normalizeURL(s string) string {
	var b strings.Builder
	written := 0
	for i, n := 0, len(s); i < n; i++ {
		c := s[i]
		switch c {
		case '!', '#', '$', '&', '*', '+', ',', '/', ':', ';', '=', '?', '@', '[', ']', '-', '.', '_', '~':
			continue
		case '%':
			if i+2 < n && isHex(s[i+1]) && isHex(s[i+2]) {
				continue // a valid escape is kept
			}
		default:
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				continue
			}
		}
		b.WriteString(s[written:i])
		fmt.Fprintf(&b, "%%%02x", c)
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
