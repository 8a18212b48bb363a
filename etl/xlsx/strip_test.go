package xlsx

import (
	"bytes"
	"strings"
	"testing"
)

// rowBytes lists the bytes of each row of a worksheet part.
func rowBytes(t *testing.T, data []byte) [][]byte {
	t.Helper()
	l, err := layout(data)
	if err != nil {
		t.Fatalf("layout: %v\n%s", err, data)
	}
	var out [][]byte
	for _, r := range l.rows {
		out = append(out, data[r.start:r.end])
	}
	return out
}

// FuzzStripSplice: whatever worksheet XML stripSheet accepts, splicing
// the stripped sheet with the original gives back every original row, byte
// for byte and in order, and the rest of the sheet as it was.
func FuzzStripSplice(f *testing.F) {
	for _, p := range sampleParts(f, "xl/worksheets/sheet") {
		f.Add(p.data, uint64(0b1011))
	}
	f.Add([]byte(sheetXML(`<dimension ref="A1:B9"/><sheetData><row r="2"><c r="A2"><v>1</v></c></row><row><c r="B3" x14ac:n="1"/></row><row r="9"/></sheetData><mergeCells><mergeCell ref="A3:B4"/></mergeCells>`)), uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, mask uint64) {
		keep := map[int]bool{}
		for i := 0; i < 64; i++ {
			if mask&(1<<i) != 0 {
				keep[i+1] = true
			}
		}
		stripped, l, err := stripSheet(data, keep)
		if err != nil {
			return
		}
		back, err := spliceSheet(stripped, data, l)
		if err != nil {
			if strings.Contains(err.Error(), "prefix") {
				return // an attribute prefix the root does not declare
			}
			t.Fatalf("splice: %v", err)
		}
		want, got := rowBytes(t, data), rowBytes(t, back)
		if len(got) != len(want) {
			t.Fatalf("%d rows back, want %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("row %d: %q, want %q", i, got[i], want[i])
			}
		}
		lb := mustLayout(t, back)
		if !bytes.Equal(data[:l.dataStart], back[:lb.dataStart]) || !bytes.Equal(data[l.dataEnd:], back[lb.dataEnd:]) {
			t.Fatalf("the sheet around its rows changed:\n%s\n%s", data, back)
		}
	})
}

func mustLayout(t *testing.T, data []byte) *sheetLayout {
	t.Helper()
	l, err := layout(data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
