package xlsx

import "fmt"

// filler fills merged ranges while a sheet streams by. Rows arrive in order,
// every row number from 1 (excelize's iterator also visits rows missing from
// the XML). A range becomes active at its top row, where its top-left value
// is taken, and stays active to its bottom row.
type filler struct {
	merges   []mergeRange // sorted by r1
	next     int          // first range not yet active
	active   []activeRange
	width    int // columns covered by the active ranges together
	maxCells int
}

type activeRange struct {
	mergeRange
	val string
}

// errOverlap: the active ranges cover more columns than a sheet has, which
// only overlapping ranges (an invalid sheet) can do.
var errOverlap = fmt.Errorf("merged ranges overlap")

// row applies the merged ranges to row n. cells are the row's own values;
// own says whether any of them is non-empty. Ranges are filled only in rows
// that carry a value of their own: a row whose only content would be the
// continuation of merged cells is blank in the sheet and stays blank (else a
// district name merged a few rows too far would make data rows of nothing,
// and a record merged over two rows would be read twice).
func (f *filler) row(n int, cells []string, own bool) ([]string, error) {
	if len(f.active) > 0 {
		k := 0
		for _, a := range f.active {
			if int(a.r2) >= n {
				f.active[k] = a
				k++
			} else {
				f.width -= int(a.c2-a.c1) + 1
			}
		}
		clear(f.active[k:])
		f.active = f.active[:k]
	}
	for f.next < len(f.merges) && int(f.merges[f.next].r1) <= n {
		m := f.merges[f.next]
		f.next++
		if int(m.r2) < n {
			continue
		}
		var val string
		if c := int(m.c1) - 1; c < len(cells) {
			val = cells[c]
		}
		f.active = append(f.active, activeRange{m, val})
		if f.width += int(m.c2-m.c1) + 1; f.width > maxCols {
			return cells, errOverlap
		}
	}
	if !own || len(f.active) == 0 {
		return cells, nil
	}
	for _, a := range f.active {
		c1, c2 := int(a.c1), min(int(a.c2), f.maxCells)
		for len(cells) < c2 {
			cells = append(cells, "")
		}
		for c := c1; c <= c2; c++ {
			cells[c-1] = a.val
		}
	}
	return cells, nil
}
