package webtest

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

// Grid is a grid as a page shows it: its table's header, rows and
// total, each cell's text, exact value (data-v) and link.
type Grid struct {
	ID, Title string
	Header    []string
	Rows      []Row
	Total     *Row
	Chart     string // the chart's JSON, if any
	Empty     string // what the page says instead of an empty table
}

// Row is a row of a grid.
type Row struct {
	Key   string
	Cells []Cell
}

// Cell is a cell of a grid: its text, exact value (data-v), link and
// class.
type Cell struct {
	Text, V, Href, Class string
}

// Texts are the row's cells as shown, "—" (nothing) as "".
func (r Row) Texts() []string {
	var out []string
	for _, c := range r.Cells {
		out = append(out, strings.TrimPrefix(c.Text, "—"))
	}
	return out
}

// ByKey returns the row whose key is k ("total": the total).
func (g *Grid) ByKey(k string) *Row {
	for i := range g.Rows {
		if g.Rows[i].Key == k {
			return &g.Rows[i]
		}
	}
	if k == "total" {
		return g.Total
	}
	return nil
}

// Col returns the index of the column titled title, or -1.
func (g *Grid) Col(title string) int {
	for i, h := range g.Header {
		if h == title {
			return i
		}
	}
	return -1
}

// ParseGrids reads every grid of a page (its HTML, as served or as the
// browser's DOM has it), by id.
func ParseGrids(t testing.TB, page []byte) map[string]*Grid {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Grid{}
	var order []string
	var walk func(n *html.Node, g *Grid, section string)
	walk = func(n *html.Node, g *Grid, section string) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "section" && attr(n, "data-grid") != "":
				g = &Grid{ID: attr(n, "data-grid")}
				out[g.ID] = g
				order = append(order, g.ID)
			case g != nil && n.Data == "h2" && g.Title == "":
				g.Title = text(n)
			case g != nil && n.Data == "p" && strings.Contains(attr(n, "class"), "empty"):
				g.Empty = text(n)
			case g != nil && n.Data == "div" && strings.Contains(attr(n, "class"), "chart"):
				g.Chart = attr(n, "data-chart")
			case g != nil && (n.Data == "thead" || n.Data == "tbody" || n.Data == "tfoot"):
				section = n.Data
			case g != nil && n.Data == "th" && section == "thead":
				g.Header = append(g.Header, text(n))
				return
			case g != nil && n.Data == "tr" && section != "thead":
				row := Row{Key: attr(n, "data-key")}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "td" {
						cell := Cell{Text: text(c), V: attr(c, "data-v"), Class: attr(c, "class")}
						for a := c.FirstChild; a != nil; a = a.NextSibling {
							if a.Type == html.ElementNode && a.Data == "a" {
								cell.Href = attr(a, "href")
							}
						}
						row.Cells = append(row.Cells, cell)
					}
				}
				if section == "tfoot" {
					g.Total = &row
				} else {
					g.Rows = append(g.Rows, row)
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, g, section)
		}
	}
	walk(doc, nil, "")
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return strings.TrimSpace(b.String())
}

// CheckWorkbook compares a page's grids with its workbook: a sheet per
// grid, in the page's order, the grid's title in A1, its header in row 2,
// then every row and the total, each cell's text as the page shows it
// (formatted by the cell's number format), "—" an empty cell.
func CheckWorkbook(t testing.TB, what string, page, book []byte) {
	t.Helper()
	grids := ParseGrids(t, page)
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatalf("%s: the export is not a workbook: %v", what, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != len(grids)+1 || sheets[0] != "说明" {
		t.Errorf("%s: sheets %q, want 说明 and one per grid (%d)", what, sheets, len(grids))
	}
	byTitle := map[string]string{}
	for _, s := range sheets[1:] {
		title, _ := f.GetCellValue(s, "A1")
		byTitle[title] = s
	}
	for _, g := range grids {
		s, ok := byTitle[g.Title]
		if !ok {
			t.Errorf("%s: no sheet for the grid %q", what, g.Title)
			continue
		}
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{g.Title}, g.Header}
		// a workbook's empty cell is "" as the page's "—" is
		for _, r := range g.Rows {
			want = append(want, r.Texts())
		}
		if g.Total != nil {
			want = append(want, g.Total.Texts())
		}
		if len(g.Rows) == 0 && g.Total == nil {
			want = [][]string{{g.Title}, {g.Empty}} // no table: what the page says instead
		}
		got := rows
		for i := range want {
			for len(got) > i && len(got[i]) < len(want[i]) {
				got[i] = append(got[i], "")
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s, %s: %d rows in the workbook, %d on the page", what, g.Title, len(got), len(want))
			continue
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("%s, %s, row %d:\n workbook %q\n page     %q", what, g.Title, i+1, got[i], want[i])
			}
		}
	}
	charts := 0
	for _, g := range grids {
		if g.Chart != "" {
			charts++
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			n++
		}
	}
	if n != charts {
		t.Errorf("%s: %d charts in the workbook, %d on the page", what, n, charts)
	}
}
