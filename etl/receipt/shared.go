package receipt

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/etl"
	"shequ/etl/read"
)

// A file may hold the rows of several districts (a bureau's or an
// evaluator's file covering two districts). Each district then gets a
// receipt of its own rows (Info.Districts lists them all, Info.Drop the
// rows left out of this one): its counts, its problems, and a copy of its
// rows only. The copy is a new workbook, never the original edited: an
// edited original keeps the other districts' values in its shared strings
// and cached formulas even where its rows are removed. Rows keep their
// numbers, so the problem list and the district's own file agree; the
// values are as the ingest read them, without the original's formatting.

// noteShared is said on the receipt of one district's rows of a shared
// file: the districts, and what the copy holds when one follows.
func noteShared(info Info, copied bool) string {
	districts := strings.Join(info.Districts, "、")
	if info.District == "" {
		s := "本文件含" + districts + "的数据，各区各有回执。本回执只列出无法确定所属区的行（如项目编号或社区代码未登记、合计行）。"
		if copied {
			s += "副本只包含这些行，行号与原文件相同，未保留原格式。"
		}
		return s
	}
	d := info.District
	s := "本文件含" + districts + "的数据，各区各有回执。本回执只列出" + d + "的行及其问题，行数也只计" + d + "。"
	if copied {
		s += "副本只包含" + d + "的行，行号与原文件相同，未保留原格式。"
	}
	return s
}

// Paths lists where the receipts of a submission go: one per district of
// info.District ("临江区,青山区" for a shared file), or the one of Path.
func Paths(dir string, info Info) []string {
	ds := strings.Split(info.District, ",")
	if len(ds) < 2 {
		return []string{Path(dir, info)}
	}
	var out []string
	for _, d := range ds {
		one := info
		one.District = d
		out = append(out, Path(dir, one))
	}
	return out
}

// sharedRecord is one row of the original a district's copy holds.
type sharedRecord struct {
	num   int
	cells []string
}

// sharedSheet is one sheet of the copy: the original's name and the copy's.
type sharedSheet struct {
	orig, name string
	recs       []sharedRecord
	cols       int
}

// sharedCopy writes the copy of a shared file for one district: every
// sheet of the original under its name (a CSV's rows on DataSheet), the
// rows of drop left out, the problems marked and commented. It returns
// the workbook and its receipt sheet's name, or a nil workbook and the
// note saying why there is no copy.
func sharedCopy(src string, problems []Problem, lim Limits, drop map[string]map[int]bool) (f *excelize.File, sheet string, notes []string) {
	defer func() {
		if r := recover(); r != nil {
			if f != nil {
				f.Close()
			}
			f, sheet, notes = nil, "", []string{NoteNoCopy}
		}
	}()
	// Every row left out is still read: when one sheet's alone pass the
	// most a copy reads, the copy would be given up, so the file is not
	// read at all (a province's file shared by its 134 districts would be
	// read once per district only to find that).
	for _, rows := range drop {
		if len(rows) > lim.MaxAnnotateRows {
			return nil, "", []string{NoteTooLarge}
		}
	}
	book, err := read.Open(src, etl.Limits{MaxUnzipBytes: lim.MaxUnzipBytes})
	if err != nil {
		return nil, "", []string{NoteNoCopy}
	}
	defer book.Close()
	csv := book.Format() == "csv"
	if csv {
		// A CSV file is one sheet, whatever name its rows were recorded by.
		all := map[int]bool{}
		for _, rows := range drop {
			for r := range rows {
				all[r] = true
			}
		}
		drop = map[string]map[int]bool{"": all}
	}
	var sheets []*sharedSheet
	total := 0
	for _, si := range book.Sheets() {
		key, name := si.Name, si.Name
		if csv {
			key, name = "", DataSheet
		}
		sh := &sharedSheet{orig: key, name: name}
		rr, err := book.Rows(si.Name)
		if err != nil {
			return nil, "", []string{NoteNoCopy}
		}
		lastNum := 0
		for {
			row, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				notes = append(notes, fmt.Sprintf("原文件“%s”第 %d 行之后的内容无法解析，副本只包含此前的行。", name, lastNum))
				break
			}
			lastNum = row.Num
			if total++; total > lim.MaxAnnotateRows {
				rr.Close()
				return nil, "", []string{NoteTooLarge}
			}
			if drop[key][row.Num] || row.Num > excelize.TotalRows {
				continue
			}
			cells := append([]string(nil), row.Cells...)
			if len(cells) > excelize.MaxColumns {
				cells = cells[:excelize.MaxColumns]
			}
			sh.recs = append(sh.recs, sharedRecord{row.Num, cells})
			sh.cols = max(sh.cols, len(cells))
		}
		rr.Close()
		sheets = append(sheets, sh)
	}

	f = excelize.NewFile()
	fail := func(note string) (*excelize.File, string, []string) {
		f.Close()
		return nil, "", []string{note}
	}
	// The receipt sheet first, under a name no sheet of the original has.
	sheet = Sheet
	for taken := true; taken; {
		taken = false
		for _, sh := range sheets {
			if sh.name == sheet {
				taken, sheet = true, "报送"+sheet
			}
		}
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(NoteNoCopy)
	}
	byOrig := map[string]*sharedSheet{}
	for _, sh := range sheets {
		if _, err := f.NewSheet(sh.name); err != nil {
			return fail(NoteNoCopy)
		}
		byOrig[sh.orig] = sh
	}
	// Only the problems of rows the copy holds are marked; the others are
	// not this district's (the caller gives it none).
	resolve := func(p Problem) (string, int, int) {
		sh := byOrig[p.Sheet]
		if csv {
			sh = byOrig[""]
		}
		if sh == nil || drop[sh.orig][p.Row] {
			return "", 0, 0
		}
		last := -1
		if len(sh.recs) > 0 {
			last = sh.recs[len(sh.recs)-1].num
		}
		return sh.name, last, sh.cols
	}
	marks := plan(f, problems, resolve, false)
	mk := newMarker(f)
	done, err := mk.commentAll(marks, lim, func(string) int { return 0 })
	if err != nil {
		return fail(NoteNoCopy)
	}
	notes = append(notes, commentNote(done, len(marks))...)
	styles := map[target]int{}
	for _, pm := range marks {
		id, err := mk.style(0, pm.err)
		if err != nil {
			return fail(NoteNoCopy)
		}
		styles[pm.target] = id
	}
	for _, sh := range sheets {
		if err := writeShared(f, sh, styles); err != nil {
			return fail(NoteNoCopy)
		}
	}
	return f, sheet, notes
}

// writeShared streams a sheet of the copy: each kept row at its number,
// numbers as numbers, other values as text, marked cells filled.
func writeShared(f *excelize.File, sh *sharedSheet, styles map[target]int) error {
	sw, err := f.NewStreamWriter(sh.name)
	if err != nil {
		return err
	}
	widths := make([]int, min(sh.cols, maxSizedColumns))
	for _, rec := range sh.recs {
		for j, v := range rec.cells {
			if j < len(widths) && widths[j] < 48 {
				widths[j] = max(widths[j], runewidth.StringWidth(v))
			}
		}
	}
	for j, w := range widths {
		if err := sw.SetColWidth(j+1, j+1, float64(min(max(w+2, 6), 50))); err != nil {
			return err
		}
	}
	var row []any
	for _, rec := range sh.recs {
		row = row[:0]
		n := len(rec.cells)
		for j := n; j < sh.cols; j++ {
			if styles[target{sh.name, j + 1, rec.num}] != 0 {
				n = j + 1
			}
		}
		for j := 0; j < n; j++ {
			v := ""
			if j < len(rec.cells) {
				v = rec.cells[j]
			}
			var value any
			if v != "" {
				value = v
				if looksNumeric(v) {
					value, _ = strconv.ParseFloat(v, 64)
				}
			}
			if id := styles[target{sh.name, j + 1, rec.num}]; id != 0 {
				row = append(row, excelize.Cell{StyleID: id, Value: value})
				continue
			}
			row = append(row, value)
		}
		if err := sw.SetRow("A"+strconv.Itoa(rec.num), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// looksNumeric says whether a value the reader gave is a plain number
// (written as a number in the copy): no code with leading zeros, no
// exponent, no more digits than a float keeps.
func looksNumeric(v string) bool {
	if v == "" || len(v) > 15 || strings.ContainsAny(v, "eE+ ") {
		return false
	}
	d := strings.TrimPrefix(v, "-")
	if len(d) > 1 && d[0] == '0' && d[1] != '.' {
		return false
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}
