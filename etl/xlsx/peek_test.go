package xlsx

import (
	"path/filepath"
	"testing"

	"shequ/etl"
)

// TestPeekSeesTheHeaders: a peek at each sample workbook gives each
// sheet's first rows as the full reader gives them (merged cells aside).
func TestPeekSeesTheHeaders(t *testing.T) {
	files, _ := filepath.Glob("../../samples/inbox/*/*.xlsx")
	if len(files) == 0 {
		t.Fatal("no sample workbooks")
	}
	for _, f := range files {
		peeked, err := Peek(f, etl.Limits{}, 12)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		b, err := Open(f, etl.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range peeked {
			rr, err := b.Rows(p.Name)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range p.Rows {
				got, err := rr.Next()
				if err != nil {
					t.Fatalf("%s %s: full read ended at %d: %v", f, p.Name, i, err)
				}
				if got.Num != want.Num {
					t.Errorf("%s %s: peeked row %d, full reader row %d", f, p.Name, want.Num, got.Num)
				}
			}
			rr.Close()
		}
		b.Close()
		if len(peeked) == 0 {
			t.Errorf("%s: no sheet peeked", f)
		}
	}
}
