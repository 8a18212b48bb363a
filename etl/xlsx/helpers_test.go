package xlsx

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shequ/etl"
)

// samples is the folder of the sample submissions.
const samples = "../../samples/inbox"

func open(t testing.TB, path string) *Book {
	t.Helper()
	b, err := Open(path, etl.DefaultLimits)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// part is one member of a hand-built zip package; body, if set, writes a
// large member as a stream.
type part struct {
	name string
	data string
	body func(w io.Writer) error
}

// minimalParts are the package parts around worksheets named sheet1..n.
func minimalParts(sheetNames ...string) []part {
	var ct, wb, rels strings.Builder
	ct.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`)
	wb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, name := range sheetNames {
		fmt.Fprintf(&ct, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, name, i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	ct.WriteString(`</Types>`)
	wb.WriteString(`</sheets></workbook>`)
	rels.WriteString(`</Relationships>`)
	return []part{
		{name: "[Content_Types].xml", data: ct.String()},
		{name: "_rels/.rels", data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{name: "xl/workbook.xml", data: wb.String()},
		{name: "xl/_rels/workbook.xml.rels", data: rels.String()},
	}
}

// sheetXML wraps sheet content in a worksheet element.
func sheetXML(inner string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + inner + `</worksheet>`
}

// writeZip writes a zip package to dir/name and returns its path.
func writeZip(t testing.TB, dir, name string, parts []part) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if p.body != nil {
			err = p.body(w)
		} else {
			_, err = io.WriteString(w, p.data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// oneSheet writes a workbook of one sheet "S" with the given sheet XML.
func oneSheet(t testing.TB, inner string) string {
	t.Helper()
	parts := append(minimalParts("S"), part{name: "xl/worksheets/sheet1.xml", data: sheetXML(inner)})
	return writeZip(t, t.TempDir(), "s.xlsx", parts)
}

// samplePart is a part of a sample workbook, for fuzz seeds.
type samplePart struct {
	book, name string
	data       []byte
}

// sampleParts reads the parts of every sample workbook whose name starts
// with one of the prefixes.
func sampleParts(tb testing.TB, prefixes ...string) []samplePart {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(samples, "*/*.xlsx"))
	var out []samplePart
	for _, p := range files {
		zr, err := zip.OpenReader(p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, zf := range zr.File {
			for _, pre := range prefixes {
				if strings.HasPrefix(zf.Name, pre) {
					rc, err := zf.Open()
					if err != nil {
						tb.Fatal(err)
					}
					data, err := io.ReadAll(rc)
					rc.Close()
					if err != nil {
						tb.Fatal(err)
					}
					out = append(out, samplePart{p, zf.Name, data})
					break
				}
			}
		}
		zr.Close()
	}
	return out
}
