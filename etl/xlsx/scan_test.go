package xlsx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`

func TestScanSheet(t *testing.T) {
	tests := []struct {
		name     string
		xml      string
		merges   []mergeRange
		lastRow  int
		rows     int
		disorder int
		open     bool
		closed   bool
	}{
		{
			name: "plain",
			xml: sheetHead + `<dimension ref="A1:C5"/><sheetData><row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c></row>` +
				`<row r="3"><c r="A3"><v>1</v></c></row><row r="5"/></sheetData>` +
				`<mergeCells count="3"><mergeCell ref="A1:C1"/><mergeCell ref="B3:B5"/><mergeCell ref="A4:B4"/></mergeCells></worksheet>`,
			merges:  []mergeRange{{1, 1, 1, 3}, {3, 2, 5, 2}, {4, 1, 4, 2}},
			lastRow: 5, rows: 3, open: true, closed: true,
		},
		{
			name: "prefixes, single quotes, spaces around =, reversed and $ refs",
			xml: `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
				`<x:row  r = '2' ><x:c r="A2"><x:v>1</x:v></x:c></x:row><x:row r="4"></x:row></x:sheetData>` +
				`<x:mergeCells><x:mergeCell ref='C3:A1' /><x:mergeCell  ref="$B$7:$D$9"/></x:mergeCells></x:worksheet>`,
			merges:  []mergeRange{{1, 1, 3, 3}, {7, 2, 9, 4}},
			lastRow: 4, rows: 2, open: true, closed: true,
		},
		{
			name:    "rows without r count on from the previous row, as excelize does",
			xml:     sheetHead + `<sheetData><row><c><v>1</v></c></row><row r="5"/><row/><row spans="1:2"/></sheetData></worksheet>`,
			lastRow: 7, rows: 4, open: true, closed: true,
		},
		{
			name: "markup hidden in comments, CDATA and text is not seen",
			xml: sheetHead + `<!-- <mergeCell ref="A1:B2"/> <row r="9"> --><sheetData>` +
				`<row r="1"><c t="inlineStr"><is><t><![CDATA[<row r="50"><mergeCell ref="A1:Z9"/>]]></t></is></c></row>` +
				`<row r="2"><c t="inlineStr"><is><t>&lt;row r="60"&gt; mergeCell ref="A1:B2"</t></is></c></row>` +
				`<?pi <row r="70"> ?></sheetData><mergeCells><mergeCell ref="A2:A3"/></mergeCells></worksheet>`,
			merges:  []mergeRange{{2, 1, 3, 1}},
			lastRow: 2, rows: 2, open: true, closed: true,
		},
		{
			name:    "an attribute value holding '>' does not end the tag",
			xml:     sheetHead + `<sheetData><row x14ac:note="a>b" r="3"/></sheetData><mergeCells><mergeCell extra="1>0" ref="A1:B1"/></mergeCells></worksheet>`,
			merges:  []mergeRange{{1, 1, 1, 2}},
			lastRow: 3, rows: 1, open: true, closed: true,
		},
		{
			name: "single cells, bad refs and mergeCells (plural) are not ranges",
			xml: sheetHead + `<sheetData/><mergeCells count="5"><mergeCell ref="B2"/><mergeCell ref="A0:B2"/>` +
				`<mergeCell ref="XFE1:XFF2"/><mergeCell ref="A1:B1048577"/><mergeCell ref=""/><mergeCell/><mergeCellx ref="A1:B1"/></mergeCells></worksheet>`,
			open: true, closed: true,
		},
		{
			name:    "rows out of order",
			xml:     sheetHead + `<sheetData><row r="2"/><row r="5"/><row r="4"/><row r="3"/></sheetData></worksheet>`,
			lastRow: 3, rows: 4, disorder: 4, open: true, closed: true,
		},
		{
			name:    "truncated inside sheetData",
			xml:     sheetHead + `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2`,
			lastRow: 2, rows: 2, open: true,
		},
		{
			name: "a chart sheet has no sheetData",
			xml:  `<chartsheet><sheetPr/><drawing r:id="rId1"/></chartsheet>`,
		},
		{
			name:    "rows after sheetData are not counted",
			xml:     sheetHead + `<sheetData><row r="1"/></sheetData><row r="9"/></worksheet>`,
			lastRow: 1, rows: 1, open: true, closed: true,
		},
	}
	for _, tc := range tests {
		for _, window := range []int{64, 65, 67, 100, 4096, scanWindow} {
			got, err := scanSheetWindow(iotest.HalfReader(strings.NewReader(tc.xml)), window)
			if err != nil {
				t.Fatalf("%s (window %d): %v", tc.name, window, err)
			}
			want := &sheetScan{merges: tc.merges, lastRow: tc.lastRow, rows: tc.rows, disorder: tc.disorder, dataOpen: tc.open, dataClosed: tc.closed}
			if len(got.merges) == 0 {
				got.merges = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (window %d):\n got %+v\nwant %+v", tc.name, window, got, want)
			}
		}
	}
}

// The byte scanner and the encoding/xml scan agree on well-formed sheets,
// whatever the window and however the reader splits its input.
func TestScanSheetMatchesXMLDecoder(t *testing.T) {
	var b strings.Builder
	b.WriteString(sheetHead + `<sheetData>`)
	for r := 1; r <= 3000; r++ {
		if r%7 == 0 {
			continue // a gap
		}
		if r%11 == 0 {
			fmt.Fprintf(&b, `<row>`) // no r attribute
		} else {
			fmt.Fprintf(&b, `<row r="%d" spans="1:3">`, r)
		}
		fmt.Fprintf(&b, `<c r="A%d" t="inlineStr"><is><t>社区&lt;%d&gt; &amp; "q"</t></is></c><c r="B%d"><f>SUM(C1:C2)</f><v>%d.5</v></c></row>`, r, r, r, r)
	}
	b.WriteString(`</sheetData><mergeCells count="600">`)
	for i := 1; i <= 600; i++ {
		fmt.Fprintf(&b, `<mergeCell ref="A%d:B%d"/>`, i*5, i*5+1)
	}
	b.WriteString(`</mergeCells><pageMargins left="0.7"/></worksheet>`)
	x := b.String()
	want, err := scanSheetXML(strings.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	if len(want.merges) != 600 || want.rows == 0 || !want.dataClosed {
		t.Fatalf("reference scan found %d merges, %d rows", len(want.merges), want.rows)
	}
	for _, window := range []int{128, 129, 1000, 4093, scanWindow} {
		got, err := scanSheetWindow(iotest.OneByteReader(strings.NewReader(x)), window)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("window %d: byte scan %+v differs from xml scan (lastRow %d, rows %d)", window, got.lastRow, want.lastRow, want.rows)
		}
	}
}

func TestScanSheetUTF16(t *testing.T) {
	src := `<?xml version="1.0" encoding="UTF-16"?><worksheet><sheetData><row r="2"/></sheetData></worksheet>`
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, r := range src {
		b.WriteByte(byte(r))
		b.WriteByte(0)
	}
	if _, err := scanSheet(&b); err != errUTF16Part {
		t.Fatalf("err = %v, want errUTF16Part", err)
	}
}

func TestScanSheetTooManyMerges(t *testing.T) {
	r := &repeatReader{head: sheetHead + `<sheetData/><mergeCells>`, unit: `<mergeCell ref="A1:B2"/>`, n: maxMerges + 1}
	if _, err := scanSheet(r); err != errTooManyMerges {
		t.Fatalf("err = %v, want errTooManyMerges", err)
	}
}

// repeatReader yields head followed by n copies of unit.
type repeatReader struct {
	head, unit string
	n          int
	buf        []byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && (r.head != "" || r.n > 0) {
		if r.head != "" {
			r.buf = append(r.buf, r.head...)
			r.head = ""
			continue
		}
		r.buf = append(r.buf, r.unit...)
		r.n--
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func TestParseRange(t *testing.T) {
	for ref, want := range map[string]mergeRange{
		"A1:C2":             {1, 1, 2, 3},
		"c2:a1":             {1, 1, 2, 3},
		"$AA$10:$AB$11":     {10, 27, 11, 28},
		"XFD1:XFC1":         {1, 16383, 1, 16384},
		"A1048575:A1048576": {1048575, 1, 1048576, 1},
	} {
		got, ok := parseRange(ref)
		if !ok || got != want {
			t.Errorf("parseRange(%q) = %v, %v; want %v", ref, got, ok, want)
		}
	}
	for _, ref := range []string{"", "A1", "A1:A1", "A:B", "1:2", "A1:", ":B2", "A-1:B2", "XFE1:A1", "A0:B1", "A1:B1048577", "A1:B2:C3", "AAAAAAAAAAAAAAAAAAAAAAAAAAA1:B2", "A1:B99999999999"} {
		if got, ok := parseRange(ref); ok {
			t.Errorf("parseRange(%q) = %v, want not a range", ref, got)
		}
	}
}

// FuzzScanSheet: the byte scanner never panics, keeps its ranges inside the
// sheet, and agrees with encoding/xml on rows and ranges whenever the input
// is plain well-formed XML without entity references in attributes.
func FuzzScanSheet(f *testing.F) {
	f.Add([]byte(sheetHead + `<sheetData><row r="1"><c><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="A1:B2"/></mergeCells></worksheet>`))
	f.Add([]byte(`<!--x--><![CDATA[<row r="3">]]><sheetData><x:row r='2'/></sheetData>`))
	f.Add([]byte(`<sheetData><row r="2" a=">"/><row/></sheetData><mergeCell ref="$A$1:$C$3"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := scanSheetWindow(bytes.NewReader(data), 64)
		if err != nil {
			if err != errTooManyMerges && err != errUTF16Part {
				t.Fatal(err)
			}
			return
		}
		for _, m := range got.merges {
			if m.r1 < 1 || m.r1 > m.r2 || m.r2 > maxRows || m.c1 < 1 || m.c1 > m.c2 || m.c2 > maxCols {
				t.Fatalf("range out of bounds: %+v", m)
			}
		}
		if bytes.ContainsAny(data, "&\x00") || bytes.Contains(data, []byte("<!")) || bytes.Contains(data, []byte("<?")) {
			return
		}
		want, err := scanSheetXML(bytes.NewReader(data))
		if err != nil || !wellFormedAttrs(data) {
			return
		}
		whole, _ := scanSheetWindow(bytes.NewReader(data), scanWindow)
		if whole.lastRow != want.lastRow || whole.rows != want.rows || len(whole.merges) != len(want.merges) {
			t.Fatalf("byte scan %+v, xml scan %+v", whole, want)
		}
		// The text limits: text that encoding/xml finds inside one <c>, or
		// between two tags, beyond the limits fails the scan; a scan that
		// passes gives what the scan without limits gives.
		lim := textLimits{cellTag: "c", cellBytes: int64(len(data) / 4), runBytes: int64(len(data) / 3)}
		cell, run := xmlTextLengths(data)
		limited, err := scanSheetWith(bytes.NewReader(data), scanWindow, lim)
		var tl *textTooLong
		switch {
		case err == nil && (cell > lim.cellBytes || run > lim.runBytes):
			t.Fatalf("cell text %d, run %d within limits %+v", cell, run, lim)
		case err == nil && !reflect.DeepEqual(limited, whole):
			t.Fatalf("limited scan %+v, scan %+v", limited, whole)
		case err != nil && !errors.As(err, &tl):
			t.Fatal(err)
		}
	})
}

// xmlTextLengths are, as encoding/xml reads data, the most character data
// inside one <c> element (from its start tag to its end tag, or to the next
// <c>), and the longest run of character data.
func xmlTextLengths(data []byte) (cell, run int64) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	var n int64
	in := false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return cell, run
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "c" {
				in, n = true, 0
			}
		case xml.EndElement:
			if tok.Name.Local == "c" {
				in = false
			}
		case xml.CharData:
			run = max(run, int64(len(tok)))
			if in {
				n += int64(len(tok))
				cell = max(cell, n)
			}
		}
	}
}

func TestScanTextLimits(t *testing.T) {
	lim := textLimits{cellTag: "c", cellBytes: 100, runBytes: 1000}
	cases := []struct {
		name, xml string
		err       *textTooLong
	}{
		{"cells within", `<sheetData><row r="1"><c><v>` + strings.Repeat("1", 60) + `</v></c><c><is><t>` + strings.Repeat("长", 25) + `</t></is></c></row></sheetData>`, nil},
		{"long value", `<sheetData><row r="1"/><row r="7"><c><v>` + strings.Repeat("1", 101) + `</v></c></row></sheetData>`, &textTooLong{at: 7, cell: true, bytes: 100}},
		{"rich text runs add up", `<sheetData><row r="3"><c t="inlineStr"><is>` + strings.Repeat(`<r><t>abcdefghij</t></r>`, 10) + `</is></c></row></sheetData>`, &textTooLong{at: 3, cell: true, bytes: 100}},
		{"CDATA", `<sheetData><row r="2"><c><v><![CDATA[` + strings.Repeat("x", 200) + `]]></v></c></row></sheetData>`, &textTooLong{at: 2, cell: true, bytes: 100}},
		{"long text between rows", `<sheetData><row r="1"/>` + strings.Repeat(" ", 1001) + `<row r="2"/></sheetData>`, &textTooLong{at: 1, bytes: 1000}},
		{"long comment", `<sheetData><!--` + strings.Repeat("-", 2000) + `--></sheetData>`, &textTooLong{bytes: 1000}},
		// A tag the scan reads (within its window) is not text.
		{"long row attribute", `<sheetData><row r="1" spans="` + strings.Repeat("1", 2000) + `"/></sheetData>`, nil},
		// A tag it steps over is, and a cell's tags are the cell's.
		{"long cell attribute", `<sheetData><row r="1"><c r="A1" x="` + strings.Repeat("1", 2000) + `"/></row></sheetData>`, &textTooLong{at: 1, cell: true, bytes: 100}},
		{"long other attribute", `<sheetData><row r="1"/><cols x="` + strings.Repeat("1", 2000) + `"/></sheetData>`, &textTooLong{at: 1, bytes: 1000}},
	}
	for _, c := range cases {
		for _, window := range []int{64, 100, 4096, scanWindow} {
			if c.name == "long row attribute" && window < 4096 {
				continue // the tag is longer than the window: stepped over, it is text
			}
			_, err := scanSheetWith(strings.NewReader(sheetHead+c.xml+`</worksheet>`), window, lim)
			var tl *textTooLong
			if c.err == nil && err != nil || c.err != nil && (!errors.As(err, &tl) || *tl != *c.err) {
				t.Errorf("%s (window %d): err %v, want %+v", c.name, window, err, c.err)
			}
		}
	}
	// The shared strings: each <si>, however many runs it has.
	n, err := scanSST(strings.NewReader(`<sst><si><t>a</t></si><si><r><t>`+strings.Repeat("b", 90)+`</t></r></si><si/></sst>`), textLimits{cellTag: "si", cellBytes: 100, runBytes: 1000})
	if n != 3 || err != nil {
		t.Errorf("scanSST: %d, %v", n, err)
	}
	_, err = scanSST(strings.NewReader(`<sst><si><t>a</t></si><si>`+strings.Repeat(`<r><t>bbbbbbbbbb</t></r>`, 10)+`</si></sst>`), textLimits{cellTag: "si", cellBytes: 100, runBytes: 1000})
	var tl *textTooLong
	if !errors.As(err, &tl) || *tl != (textTooLong{at: 2, cell: true, bytes: 100}) {
		t.Errorf("scanSST: %v", err)
	}
}

// wellFormedAttrs is a rough guard for the differential check: encoding/xml's
// RawToken accepts some things (duplicate attributes, unquoted values in
// non-strict mode) that the byte scanner reads differently.
func wellFormedAttrs(data []byte) bool {
	return !bytes.Contains(data, []byte("xmlns")) && bytes.Count(data, []byte(" r=")) <= bytes.Count(data, []byte("<row")) &&
		bytes.Count(data, []byte("ref=")) <= bytes.Count(data, []byte("<mergeCell"))
}
