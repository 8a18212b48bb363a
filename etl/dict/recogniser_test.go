package dict

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"shequ/etl/clean"
)

// refMatch and refRecognise are header recognition as it was before the
// Recogniser remembered normalised cells: every cell normalised again for
// every kind.
func refMatch(k *Kind, cell string) (Field, bool) {
	ix := indexes[k]
	if e, ok := ix.full[clean.HeaderFull(cell)]; ok {
		p, pct := convert(e.col, e.unit)
		return Field{Column: e.col, Pow10: p, Percent: pct}, true
	}
	key, unit := clean.HeaderKey(cell)
	e, ok := ix.base[key]
	if !ok {
		return Field{}, false
	}
	if unit == "" {
		unit = e.unit
	}
	p, pct := convert(e.col, unit)
	return Field{Column: e.col, Pow10: p, Percent: pct}, true
}

func refRecogniseAs(k *Kind, cells []string) *Layout {
	have := map[string]bool{}
	l := &Layout{Kind: k}
	for i, cell := range cells {
		if clean.HeaderFull(cell) == "" {
			continue
		}
		fd, ok := refMatch(k, cell)
		fd.Index, fd.Header = i, cell
		if ok && !have[fd.Column.Name] {
			have[fd.Column.Name] = true
		} else {
			fd.Column, fd.Pow10, fd.Percent = nil, 0, false
		}
		l.Fields = append(l.Fields, fd)
	}
	if !k.identifies(have) {
		return nil
	}
	l.Score = len(have)
	return l
}

func refRecognise(cells []string) *Layout {
	var best *Layout
	for _, k := range Kinds {
		l := refRecogniseAs(k, cells)
		if l == nil {
			continue
		}
		if best == nil || l.Score > best.Score {
			best = l
		}
	}
	return best
}

// TestRecogniserAsBefore compares the Recogniser, reused across rows as a
// sheet's header search does, with the recognition it replaced, on random
// rows of headers, aliases, units, noise and data.
func TestRecogniserAsBefore(t *testing.T) {
	var pool []string
	for _, k := range Kinds {
		for _, c := range k.Columns {
			pool = append(pool, c.Header)
			pool = append(pool, c.Aliases...)
		}
	}
	pool = append(pool, "", " ", "序号", "备注", "2015", "临江区", "LJ2013-001", "合计", "(万元)", "资金来源")
	units := []string{"", "(万元)", "（元）", "(平方米)", "(%)", "(镇)", "【平方公里】"}
	noise := []string{"", " ", "\n", "\u3000", "_x000D_", "\u00a0"}
	r := rand.New(rand.NewPCG(3, 4))
	rec := NewRecogniser()
	for i := 0; i < 5000; i++ {
		cells := make([]string, 1+r.IntN(14))
		for j := range cells {
			c := pool[r.IntN(len(pool))]
			if r.IntN(3) == 0 {
				c = noise[r.IntN(len(noise))] + c + units[r.IntN(len(units))] + noise[r.IntN(len(noise))]
			}
			cells[j] = c
		}
		want := refRecognise(cells)
		if got := rec.Recognise(cells); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ngot  %+v\nwant %+v", cells, got, want)
		}
		if got := Recognise(cells); !reflect.DeepEqual(got, want) {
			t.Fatalf("Recognise %q:\ngot  %+v\nwant %+v", cells, got, want)
		}
		for _, k := range Kinds {
			if got, want := RecogniseAs(k, cells), refRecogniseAs(k, cells); !reflect.DeepEqual(got, want) {
				t.Fatalf("RecogniseAs %s %q:\ngot  %+v\nwant %+v", k.Name, cells, got, want)
			}
		}
	}
}
