package receipt

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/etl"
	"shequ/etl/read"
)

// A file may hold the rows of several districts (a bureau's or an
// evaluator's file covering two districts, a province's yearly file
// covering all of them). Each district then gets a receipt of its own
// rows (Info.Districts lists them all; WriteShared writes them): its
// counts, its problems, and a copy of its rows only. The copy is a new
// workbook, never the original edited: an edited original keeps the other
// districts' values in its shared strings and cached formulas even where
// its rows are removed. Rows keep their numbers, so the problem list and
// the district's own file agree; the values are as the ingest read them,
// without the original's formatting.

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

// Part is one receipt of a shared file: where it goes, its Info (its
// District, every district in Districts, its counts) and its problems.
type Part struct {
	Dst      string
	Info     Info
	Problems []Problem
}

// Every is what WriteShared's owner says of a row every part's copy holds:
// a title, a header, a note.
const Every = -1

// NoteSharedTooLarge is said on a district's receipt of a shared file when
// its rows of it are too many for a copy (Limits.MaxAnnotateRows).
const NoteSharedTooLarge = "本区在该文件中的数据行较多，未附批注副本；请按问题清单逐条核对。"

// WriteShared writes the receipts of a file holding the rows of several
// districts, one per part, as Write writes one: a part without a problem
// gets the summary (WriteSummary), the others a copy of their rows. The
// file is read once for all of the copies, whatever the number of
// districts. owner(sheet, row) says whose copy holds a row of the original
// (sheet "" for a CSV file's rows): a part's index, Every, or any other
// number for a row no copy holds. A part's copy holds at most
// lim.MaxAnnotateRows rows. It returns each part's error, nil when its
// receipt was written.
func WriteShared(src, format, encoding string, parts []Part, owner func(sheet string, row int) int, lim Limits) []error {
	lim = lim.OrDefault()
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	errs := make([]error, len(parts))
	want := make([]bool, len(parts))
	copies := false
	for i, p := range parts {
		want[i] = (format == "xlsx" || format == "csv") && p.Info.Status == Loaded && !Clean(p.Info, p.Problems)
		copies = copies || want[i]
	}
	var sp *spool
	if copies {
		sp = readShared(src, owner, want, lim)
		defer sp.close()
	}
	for i, p := range parts {
		switch {
		case Clean(p.Info, p.Problems):
			errs[i] = WriteSummary(p.Dst, p.Info)
		case !want[i]:
			// Nothing to copy (a workbook converted from .xls, a file not
			// loaded): Write lists the problems without reading the file.
			errs[i] = Write(p.Dst, src, format, encoding, p.Info, p.Problems, lim)
		default:
			errs[i] = sp.write(i, p, lim)
		}
	}
	return errs
}

// spool is a shared file read once: every row some part's copy holds,
// written to a temporary file, and where each part's rows are in it.
type spool struct {
	f *os.File
	// sheets are the original's sheets in order; a record names its
	// sheet by its index.
	sheets []sharedSheet
	// every are the records of rows every copy holds, mine[i] those of
	// part i alone, in the order read (their offsets grow).
	every []recordAt
	mine  [][]recordAt
	// full marks the parts with more rows than a copy holds.
	full []bool
	// csv: the original is a CSV file, its rows on DataSheet.
	csv bool
	// fail, when set, is why no part has a copy; notes are said on every
	// copy.
	fail  string
	notes []string
}

// recordAt is where a record is in the spool's file.
type recordAt struct {
	off int64
	n   int32
}

// readShared reads a shared file once into a spool, keeping the rows of
// the parts that want a copy.
func readShared(src string, owner func(sheet string, row int) int, want []bool, lim Limits) (sp *spool) {
	sp = &spool{mine: make([][]recordAt, len(want)), full: make([]bool, len(want))}
	defer func() {
		if r := recover(); r != nil {
			sp.fail = NoteNoCopy
		}
	}()
	book, err := read.Open(src, etl.Limits{MaxUnzipBytes: lim.MaxUnzipBytes})
	if err != nil {
		sp.fail = NoteNoCopy
		return sp
	}
	defer book.Close()
	if sp.f, err = os.CreateTemp("", "shequ-receipt-*"); err != nil {
		sp.fail = NoteNoCopy
		return sp
	}
	w := bufio.NewWriterSize(sp.f, 1<<20)
	var off int64
	var buf []byte
	// room says whether part i's copy may hold one row more.
	room := func(i int) bool {
		if len(sp.every)+len(sp.mine[i]) >= lim.MaxAnnotateRows {
			sp.full[i], sp.mine[i] = true, nil
		}
		return !sp.full[i]
	}
	csv := book.Format() == "csv"
	sp.csv = csv
	for si, info := range book.Sheets() {
		key, name := info.Name, info.Name
		if csv {
			key, name = "", DataSheet
		}
		sp.sheets = append(sp.sheets, sharedSheet{orig: key, name: name})
		rr, err := book.Rows(info.Name)
		if err != nil {
			sp.fail = NoteNoCopy
			return sp
		}
		lastNum := 0
		for {
			row, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				sp.notes = append(sp.notes, fmt.Sprintf("原文件“%s”第 %d 行之后的内容无法解析，副本只包含此前的行。", name, lastNum))
				break
			}
			lastNum = row.Num
			if row.Num > excelize.TotalRows {
				continue
			}
			who := owner(key, row.Num)
			switch {
			case who == Every:
				open := false
				for i := range want {
					open = (want[i] && room(i)) || open
				}
				if !open {
					// No copy has room left: nothing more is read.
					rr.Close()
					return sp
				}
			case who < 0 || who >= len(want) || !want[who] || !room(who):
				continue
			}
			cells := row.Cells[:min(len(row.Cells), excelize.MaxColumns)]
			buf = appendRecord(buf[:0], si, row.Num, cells)
			if _, err := w.Write(buf); err != nil {
				rr.Close()
				sp.fail = NoteNoCopy
				return sp
			}
			at := recordAt{off, int32(len(buf))}
			off += int64(len(buf))
			if who == Every {
				sp.every = append(sp.every, at)
			} else {
				sp.mine[who] = append(sp.mine[who], at)
			}
		}
		rr.Close()
	}
	if err := w.Flush(); err != nil {
		sp.fail = NoteNoCopy
	}
	return sp
}

// appendRecord encodes a row: its sheet's index, its number, its cells.
func appendRecord(buf []byte, sheet, num int, cells []string) []byte {
	buf = binary.AppendUvarint(buf, uint64(sheet))
	buf = binary.AppendUvarint(buf, uint64(num))
	buf = binary.AppendUvarint(buf, uint64(len(cells)))
	for _, c := range cells {
		buf = binary.AppendUvarint(buf, uint64(len(c)))
		buf = append(buf, c...)
	}
	return buf
}

// errDamaged is a spooled row that does not decode.
var errDamaged = errors.New("receipt: a spooled row is damaged")

// decodeRecord decodes what appendRecord encoded.
func decodeRecord(b []byte) (sheet, num int, cells []string, err error) {
	// next decodes a number, at most most.
	next := func(most uint64) int {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > most {
			err, b = errDamaged, nil
			return 0
		}
		b = b[n:]
		return int(v)
	}
	sheet, num = next(math.MaxInt32), next(math.MaxInt32)
	cells = make([]string, next(uint64(len(b))))
	for j := range cells {
		n := next(uint64(len(b)))
		if err == nil && n > len(b) {
			err = errDamaged
		}
		if err != nil {
			return 0, 0, nil, err
		}
		cells[j], b = string(b[:n]), b[n:]
	}
	return sheet, num, cells, err
}

// close removes the spool's file.
func (sp *spool) close() {
	if sp.f != nil {
		sp.f.Close()
		os.Remove(sp.f.Name())
	}
}

// sheetsOf reads back the rows of part i's copy, by sheet, in the
// original's order.
func (sp *spool) sheetsOf(i int) ([]*sharedSheet, error) {
	out := make([]*sharedSheet, len(sp.sheets))
	for k := range sp.sheets {
		sh := sp.sheets[k]
		out[k] = &sh
	}
	every, mine := sp.every, sp.mine[i]
	var buf []byte
	for len(every) > 0 || len(mine) > 0 {
		var at recordAt
		if len(mine) == 0 || (len(every) > 0 && every[0].off < mine[0].off) {
			at, every = every[0], every[1:]
		} else {
			at, mine = mine[0], mine[1:]
		}
		buf = slices.Grow(buf[:0], int(at.n))[:at.n]
		if _, err := sp.f.ReadAt(buf, at.off); err != nil {
			return nil, err
		}
		k, num, cells, err := decodeRecord(buf)
		if err != nil || k >= len(out) {
			return nil, cmp.Or(err, errDamaged)
		}
		sh := out[k]
		sh.recs = append(sh.recs, sharedRecord{num, cells})
		sh.cols = max(sh.cols, len(cells))
	}
	return out, nil
}

// write writes part i's receipt, with the copy of its rows when it has
// one.
func (sp *spool) write(i int, p Part, lim Limits) error {
	listed := listedOf(p.Problems, lim)
	f, sheet, notes := sp.copyOf(i, standing(listed), lim)
	if f == nil {
		return listOnly(p.Dst, p.Info, p.Problems, listed, notes)
	}
	defer f.Close()
	return finish(f, sheet, p.Dst, p.Info, p.Problems, listed, notes, true, false, nil)
}

// copyOf makes the copy of part i's rows: every sheet of the original
// under its name (a CSV's rows on DataSheet), the problems marked and
// commented. It returns the workbook and its receipt sheet's name, or a
// nil workbook and the note saying why there is no copy.
func (sp *spool) copyOf(i int, problems []Problem, lim Limits) (f *excelize.File, sheet string, notes []string) {
	switch {
	case sp.fail != "":
		return nil, "", []string{sp.fail}
	case sp.full[i]:
		return nil, "", []string{NoteSharedTooLarge}
	}
	defer func() {
		if r := recover(); r != nil {
			if f != nil {
				f.Close()
			}
			f, sheet, notes = nil, "", []string{NoteNoCopy}
		}
	}()
	sheets, err := sp.sheetsOf(i)
	if err != nil {
		return nil, "", []string{NoteNoCopy}
	}
	notes = append(notes, sp.notes...)
	csv := sp.csv
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
	resolve := func(p Problem) (string, int, int) {
		sh := byOrig[p.Sheet]
		if csv {
			sh = byOrig[""]
		}
		if sh == nil {
			return "", 0, 0
		}
		// Only the rows the copy holds are marked (the caller gives a
		// part its own rows' problems).
		if _, found := slices.BinarySearchFunc(sh.recs, p.Row, func(r sharedRecord, row int) int { return cmp.Compare(r.num, row) }); !found {
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
