package dict

import (
	"shequ/etl/clean"
)

// A Field is one column of a sheet as recognised from its header cell.
type Field struct {
	Index  int     // 0-based column index in the sheet
	Header string  // the header text as the district wrote it
	Column *Column // nil for an unknown extra column
	// Pow10 converts the header's unit to the column's canonical unit:
	// value × 10^Pow10 (万元 → 元 is 4, 平方米 → 平方公里 is -6).
	Pow10 int32
	// Percent is set when the header's unit is % (values are percentages).
	Percent bool
}

// Layout is a recognised header: the kind and each column's field.
type Layout struct {
	Kind   *Kind
	Fields []Field // one per non-empty header cell, in sheet order
	// Score is the number of distinct columns recognised.
	Score int
}

// Field returns the field of the named column, or nil.
func (l *Layout) Field(name string) *Field {
	for i := range l.Fields {
		if c := l.Fields[i].Column; c != nil && c.Name == name {
			return &l.Fields[i]
		}
	}
	return nil
}

// unitPow10 gives, for a canonical unit, the power of ten that converts a
// value in another unit to it.
var unitPow10 = map[string]map[string]int32{
	"元":    {"元": 0, "万元": 4, "千元": 3, "百万元": 6, "亿元": 8},
	"平方公里": {"平方公里": 0, "平方千米": 0, "km2": 0, "km²": 0, "公顷": -2, "平方米": -6, "m2": -6, "m²": -6, "㎡": -6},
	"平方米":  {"平方米": 0, "m2": 0, "m²": 0, "㎡": 0, "平米": 0, "平方公里": 6, "平方千米": 6},
	"人":    {"人": 0, "万人": 4, "人次": 0},
}

type headerEntry struct {
	col  *Column
	unit string // unit written in the alias itself, "" when none
}

type kindIndex struct {
	full map[string]headerEntry // HeaderFull of header and aliases
	base map[string]headerEntry // HeaderKey (unit stripped)
}

var indexes = map[*Kind]*kindIndex{}

func init() {
	for _, k := range Kinds {
		ix := &kindIndex{full: map[string]headerEntry{}, base: map[string]headerEntry{}}
		for i := range k.Columns {
			c := &k.Columns[i]
			for _, h := range append([]string{c.Header}, c.Aliases...) {
				full := clean.HeaderFull(h)
				key, unit := clean.HeaderKey(h)
				if _, dup := ix.full[full]; !dup {
					ix.full[full] = headerEntry{c, unit}
				}
				if _, dup := ix.base[key]; !dup {
					ix.base[key] = headerEntry{c, unit}
				}
			}
		}
		indexes[k] = ix
	}
}

// A Recogniser recognises header rows. It remembers how each distinct
// cell text normalises, so that a sheet's top rows, tried alone and in
// pairs against every kind, normalise each text once. It is not safe for
// concurrent use.
type Recogniser struct {
	memo map[string]normCell
}

type normCell struct {
	full, key, unit string
}

// NewRecogniser returns a Recogniser with nothing remembered.
func NewRecogniser() *Recogniser { return &Recogniser{memo: map[string]normCell{}} }

// Header returns clean.HeaderFull and clean.HeaderKey of a cell.
func (r *Recogniser) Header(cell string) (full, key, unit string) {
	n := r.norm(cell)
	return n.full, n.key, n.unit
}

func (r *Recogniser) norm(cell string) normCell {
	if n, ok := r.memo[cell]; ok {
		return n
	}
	var n normCell
	n.full = clean.HeaderFull(cell)
	n.key, n.unit = clean.HeaderKey(cell)
	r.memo[cell] = n
	return n
}

// match finds the column of kind k a header cell names.
func match(k *Kind, n normCell) (Field, bool) {
	ix := indexes[k]
	if e, ok := ix.full[n.full]; ok {
		p, pct := convert(e.col, e.unit)
		return Field{Column: e.col, Pow10: p, Percent: pct}, true
	}
	e, ok := ix.base[n.key]
	if !ok {
		return Field{}, false
	}
	unit := n.unit
	if unit == "" {
		unit = e.unit
	}
	p, pct := convert(e.col, unit)
	return Field{Column: e.col, Pow10: p, Percent: pct}, true
}

// convert returns the conversion of a value in unit to c's canonical unit.
// An unknown unit (a bracket that is not a unit, such as 街道(镇)) converts
// nothing.
func convert(c *Column, unit string) (int32, bool) {
	if unit == "%" {
		return 0, true
	}
	if m, ok := unitPow10[c.Unit]; ok {
		return m[unit], false
	}
	return 0, false
}

// Recognise matches one header row (already combined from two rows where
// the header has two) against every kind and returns the best layout, or
// nil when no kind is identified.
func Recognise(cells []string) *Layout { return NewRecogniser().Recognise(cells) }

// Recognise is Recognise with the Recogniser's memory.
func (r *Recogniser) Recognise(cells []string) *Layout {
	var best *Layout
	for _, k := range Kinds {
		l := r.recogniseAs(k, cells)
		if l == nil {
			continue
		}
		if best == nil || l.Score > best.Score {
			best = l
		}
	}
	return best
}

// RecogniseAs matches a header row against one kind.
func RecogniseAs(k *Kind, cells []string) *Layout { return NewRecogniser().recogniseAs(k, cells) }

func (r *Recogniser) recogniseAs(k *Kind, cells []string) *Layout {
	have := map[string]bool{}
	l := &Layout{Kind: k}
	for i, cell := range cells {
		n := r.norm(cell)
		if n.full == "" {
			continue
		}
		fd, ok := match(k, n)
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
