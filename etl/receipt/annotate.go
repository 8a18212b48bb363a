package receipt

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/etl"
	etlcsv "shequ/etl/csv"
	"shequ/etl/validate"
	"shequ/etl/xlsx"
)

// maxCommentChars bounds the text of one comment (Excel allows 32 767
// characters; excelize 32 512).
const maxCommentChars = 30_000

// maxMessagesPerCell bounds the messages joined into one comment.
const maxMessagesPerCell = 50

// maxSizedColumns is the most columns of a CSV copy given a width of
// their own.
const maxSizedColumns = 256

// commentWork bounds the work of commenting cells of a large workbook:
// excelize finds a row's height by scanning the sheet's rows, several
// times per comment, so a comment costs about 8 × the sheet's rows.
const commentWork = 400_000_000

// annotatedCopy opens the original file, marks the problems in it and
// inserts an empty receipt sheet first. It returns the workbook and the
// receipt sheet's name, or a nil workbook and the note saying why there is
// no copy; notes may also come with a workbook.
//
// With strip, a workbook is edited as a copy stripped to the rows with
// problems (xlsx.StripRows), and sp says how to splice the other rows back
// when saving; sp is nil when the workbook itself was opened.
func annotatedCopy(src, format, encoding string, problems []Problem, lim Limits, strip bool) (f *excelize.File, sheet string, notes []string, sp *splice) {
	fi, err := os.Stat(src)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, "", []string{NoteNoCopy}, nil
	}
	if fi.Size() > lim.MaxAnnotateBytes {
		return nil, "", []string{NoteTooLarge}, nil
	}
	// A workbook excelize cannot handle must not cost the district its
	// receipt: any panic below falls back to the receipt sheet alone.
	defer func() {
		if r := recover(); r != nil {
			if f != nil {
				f.Close()
			}
			sp.remove()
			f, sheet, notes, sp = nil, "", []string{NoteNoCopy}, nil
		}
	}()
	switch format {
	case "xlsx":
		// Counted first, by a byte scan of each sheet: a workbook too
		// large for a copy is neither stripped nor opened.
		last, err := xlsx.LastRows(src)
		if err != nil {
			return nil, "", []string{NoteNoCopy}, nil
		}
		n := 0
		for _, r := range last {
			n += r
		}
		if n > lim.MaxAnnotateRows {
			return nil, "", []string{NoteTooLarge}, nil
		}
		if strip {
			sp = stripCopy(src, problems, lim)
		}
		f, sheet, notes = xlsxCopy(src, sp, last, problems, lim)
		if f == nil {
			sp.remove()
			sp = nil
		}
		return f, sheet, notes, sp
	case "csv":
		f, sheet, notes = csvCopy(src, encoding, problems, lim)
		return f, sheet, notes, nil
	}
	return nil, "", []string{NoteNoCopy}, nil
}

// A splice is a workbook copy edited stripped to its rows with problems.
type splice struct {
	stripped string // the stripped copy excelize edits (in dir)
	dir      string
	st       *xlsx.Stripped
}

// stripCopy writes the stripped copy of the original, or returns nil when
// the original is not one xlsx.StripRows rewrites.
func stripCopy(src string, problems []Problem, lim Limits) *splice {
	keep := map[string]map[int]bool{}
	for _, p := range problems {
		if keep[p.Sheet] == nil {
			keep[p.Sheet] = map[int]bool{}
		}
		keep[p.Sheet][p.Row] = true
	}
	dir, err := os.MkdirTemp("", "shequ-receipt-")
	if err != nil {
		return nil
	}
	sp := &splice{stripped: filepath.Join(dir, "stripped.xlsx"), dir: dir}
	if sp.st, err = xlsx.StripRows(src, sp.stripped, keep, lim.MaxUnzipBytes); err != nil {
		sp.remove()
		return nil
	}
	return sp
}

// save writes f, edited from the stripped copy, to w with the original's
// other rows spliced back.
func (sp *splice) save(f *excelize.File, w io.Writer) error {
	out := filepath.Join(sp.dir, "edited.xlsx")
	if err := f.SaveAs(out); err != nil {
		return err
	}
	return xlsx.SpliceRows(out, sp.st, w)
}

func (sp *splice) remove() {
	if sp != nil {
		os.RemoveAll(sp.dir)
	}
}

// xlsxCopy opens the original, or its stripped copy when sp is set, and
// marks the problems. last is the last row of each sheet of the original
// (excelize's iterator steps through every row number, so a sheet's count
// is its last row, blank rows included).
func xlsxCopy(src string, sp *splice, last map[string]int, problems []Problem, lim Limits) (*excelize.File, string, []string) {
	xmlLimit := min(int64(16<<20), lim.MaxUnzipBytes)
	open := src
	if sp != nil {
		open = sp.stripped
	}
	f, err := excelize.OpenFile(open, excelize.Options{UnzipSizeLimit: lim.MaxUnzipBytes, UnzipXMLSizeLimit: xmlLimit})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, "", []string{NoteTooLarge}
		}
		return nil, "", []string{NoteNoCopy}
	}
	fail := func(note string) (*excelize.File, string, []string) {
		f.Close()
		return nil, "", []string{note}
	}
	resolve := func(p Problem) (string, int, int) {
		if p.Sheet == "" {
			return "", 0, 0
		}
		if i, err := f.GetSheetIndex(p.Sheet); err == nil && i >= 0 {
			s := f.GetSheetName(i)
			if last[s] == 0 {
				return s, -1, 0 // an empty sheet
			}
			return s, last[s], 0
		}
		return "", 0, 0
	}
	marks := plan(f, problems, resolve, true)
	mk := newMarker(f)
	done, err := mk.commentAll(marks, lim, func(s string) int { return last[s] })
	if err != nil {
		return fail(NoteNoCopy)
	}
	for _, pm := range marks {
		id, err := mk.style(pm.orig, pm.err)
		if err == nil {
			err = f.SetCellStyle(pm.sheet, pm.cell, pm.cell, id)
		}
		if err != nil {
			return fail(NoteNoCopy)
		}
	}
	sheet, err := insertFirst(f)
	if err != nil {
		return fail(NoteNoCopy)
	}
	return f, sheet, commentNote(done, len(marks))
}

// commentNote says when not every marked cell got its comment.
func commentNote(done, marked int) []string {
	if done >= marked {
		return nil
	}
	return []string{fmt.Sprintf("问题单元格较多，副本中只有前 %d 个附有批注，其余 %d 个只标了颜色，原因见下表。", done, marked-done)}
}

// insertFirst adds the receipt sheet in front of the district's sheets
// and returns its name.
func insertFirst(f *excelize.File) (string, error) {
	name := uniqueSheetName(f)
	first := f.GetSheetList()
	if _, err := f.NewSheet(name); err != nil {
		return "", err
	}
	if len(first) > 0 {
		if err := f.MoveSheet(name, first[0]); err != nil {
			return "", err
		}
		// MoveSheet leaves the sheet-scoped defined names (print areas,
		// filter ranges) pointing at sheet positions: every sheet moved one
		// place to the right.
		if wb := f.WorkBook; wb != nil && wb.DefinedNames != nil {
			for i := range wb.DefinedNames.DefinedName {
				dn := &wb.DefinedNames.DefinedName[i]
				if dn.LocalSheetID != nil && *dn.LocalSheetID >= 0 {
					id := *dn.LocalSheetID + 1
					dn.LocalSheetID = &id
				}
			}
		}
	}
	if wb := f.WorkBook; wb != nil && wb.BookViews != nil {
		for i := range wb.BookViews.WorkBookView {
			wb.BookViews.WorkBookView[i].FirstSheet = 0
		}
	}
	return name, nil
}

// uniqueSheetName is Sheet, or another name when the district's workbook
// already has a sheet of that name.
func uniqueSheetName(f *excelize.File) string {
	free := func(n string) bool { i, err := f.GetSheetIndex(n); return err == nil && i < 0 }
	for _, n := range []string{Sheet, "报送" + Sheet} {
		if free(n) {
			return n
		}
	}
	for i := 2; ; i++ {
		if n := Sheet + strconv.Itoa(i); free(n) {
			return n
		}
	}
}

// csvRecord is one record of a CSV file and the line it starts on.
type csvRecord struct {
	line   int
	fields []string
}

// csvCopy writes the CSV's records to the sheet DataSheet, each on the row
// of the line it starts on (the row number the problems use), every value
// as text. The sheet is streamed; its comments are added first, while it is
// still empty, and the fills go with the cells.
func csvCopy(src, encoding string, problems []Problem, lim Limits) (*excelize.File, string, []string) {
	// Read as the ingest read it: the same encoding, delimiter (comma,
	// tab, semicolon) and line ends (a lone CR too), so the copy's rows
	// and numbers are the ones the problems name.
	book, err := etlcsv.Open(src, etl.Limits{})
	if err != nil {
		return nil, "", []string{NoteNoCopy}
	}
	defer book.Close()
	rr, err := book.Rows("")
	if err != nil {
		return nil, "", []string{NoteNoCopy}
	}
	defer rr.Close()
	var (
		recs  []csvRecord
		notes []string
	)
	for {
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 1
			if len(recs) > 0 {
				line = recs[len(recs)-1].line
			}
			notes = append(notes, fmt.Sprintf("原文件第 %d 行之后的内容无法解析，副本只包含此前的行。", line))
			break
		}
		if row.Num > lim.MaxAnnotateRows {
			return nil, "", []string{NoteTooLarge}
		}
		recs = append(recs, csvRecord{row.Num, append([]string(nil), row.Cells...)})
	}
	var widths []int
	for i, rec := range recs {
		if len(rec.fields) > excelize.MaxColumns {
			recs[i].fields = rec.fields[:excelize.MaxColumns]
			if len(notes) == 0 || !strings.Contains(notes[len(notes)-1], "列") {
				notes = append(notes, fmt.Sprintf("原文件有的行超过 %d 列，副本只包含前 %d 列。", excelize.MaxColumns, excelize.MaxColumns))
			}
		}
		for j, v := range recs[i].fields {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			if v != "" && widths[j] < 48 {
				widths[j] = max(widths[j], runewidth.StringWidth(v))
			}
		}
	}

	f := excelize.NewFile()
	fail := func(note string) (*excelize.File, string, []string) {
		f.Close()
		return nil, "", []string{note}
	}
	if err := f.SetSheetName("Sheet1", Sheet); err != nil {
		return fail(NoteNoCopy)
	}
	if _, err := f.NewSheet(DataSheet); err != nil {
		return fail(NoteNoCopy)
	}
	lastLine := -1 // no rows at all
	if len(recs) > 0 {
		lastLine = recs[len(recs)-1].line
	}
	resolve := func(Problem) (string, int, int) { return DataSheet, lastLine, len(widths) }
	// Not styled: looking a cell up would make the empty sheet grow rows,
	// and every comment scans them.
	marks := plan(f, problems, resolve, false)
	mk := newMarker(f)
	done, err := mk.commentAll(marks, lim, func(string) int { return 0 })
	if err != nil {
		return fail(NoteNoCopy)
	}
	notes = append(notes, commentNote(done, len(marks))...)
	styles := map[[2]int]int{} // row, column → style
	for _, pm := range marks {
		id, err := mk.style(0, pm.err)
		if err != nil {
			return fail(NoteNoCopy)
		}
		styles[[2]int{pm.row, pm.col}] = id
	}

	sw, err := f.NewStreamWriter(DataSheet)
	if err != nil {
		return fail(NoteNoCopy)
	}
	// Column widths for the columns a person reads; a file of thousands of
	// columns (16 384 in a hostile one) keeps the default width beyond
	// them: a width per column made such a receipt take minutes.
	for j, w := range widths[:min(len(widths), maxSizedColumns)] {
		if err := sw.SetColWidth(j+1, j+1, float64(min(max(w+2, 6), 50))); err != nil {
			return fail(NoteNoCopy)
		}
	}
	var row []any
	for _, rec := range recs {
		row = row[:0]
		for j, v := range rec.fields {
			id := styles[[2]int{rec.line, j + 1}]
			switch {
			case id != 0:
				// Marked: written even when empty, to carry the fill.
				row = append(row, excelize.Cell{StyleID: id, Value: v})
			case v != "":
				// A string: numbers stored as text stay text, digits exact.
				row = append(row, v)
			default:
				row = append(row, nil)
			}
		}
		// A mark right of the record's last field (a missing value).
		for j := len(rec.fields); j < len(widths); j++ {
			if id := styles[[2]int{rec.line, j + 1}]; id != 0 {
				for len(row) < j {
					row = append(row, nil)
				}
				row = append(row, excelize.Cell{StyleID: id})
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(rec.line), row); err != nil {
			return fail(NoteNoCopy)
		}
	}
	if err := sw.Flush(); err != nil {
		return fail(NoteNoCopy)
	}
	return f, Sheet, notes
}

// A target is one cell of the copy that problems point at.
type target struct {
	sheet string
	col   int
	row   int
}

// A planned mark is one cell to fill and comment.
type planned struct {
	target
	cell string
	err  bool     // an error among its problems: red, else orange
	msgs []string // the Chinese messages, each once
	more int      // messages beyond maxMessagesPerCell
	orig int      // the cell's style in the original
}

// plan gathers the problems by the cell they mark. resolve names the
// copy's sheet of a problem ("" to leave it unmarked) and the sheet's last
// row and column (0: unknown; a last row of -1: no rows). A problem below
// the last row is not marked (a cell there would only grow the sheet); one
// without a column, or right of the last column, marks the row's first
// cell; one inside a merged range marks the range's top-left cell.
//
// With styled, each mark records the style of its cell in the original;
// without (a new sheet), the default style 0, and the sheet is not touched.
func plan(f *excelize.File, problems []Problem, resolve func(Problem) (string, int, int), styled bool) []*planned {
	byTarget := map[target]*planned{}
	seen := map[target]map[string]bool{}
	var order []*planned
	bySheet := map[string][]target{}
	for _, p := range problems {
		sheet, lastRow, lastCol := resolve(p)
		if sheet == "" || p.Row < 1 || p.Row > excelize.TotalRows || (lastRow != 0 && p.Row > lastRow) {
			continue
		}
		col := 1
		if l := strings.ToUpper(strings.TrimSpace(p.Letter)); l != "" {
			if n, err := excelize.ColumnNameToNumber(l); err == nil && n <= excelize.MaxColumns && (lastCol <= 0 || n <= lastCol) {
				col = n
			}
		}
		t := target{sheet, col, p.Row}
		pm := byTarget[t]
		if pm == nil {
			pm = &planned{target: t}
			byTarget[t] = pm
			seen[t] = map[string]bool{}
			order = append(order, pm)
			bySheet[sheet] = append(bySheet[sheet], t)
		}
		if p.Severity != validate.Warning {
			pm.err = true
		}
		if msg := p.MessageZh(); !seen[t][msg] {
			seen[t][msg] = true
			if len(pm.msgs) < maxMessagesPerCell {
				pm.msgs = append(pm.msgs, msg)
			} else {
				pm.more++
			}
		}
	}
	// A cell inside a merged range is shown by the range's top-left cell.
	moved := map[target]target{}
	for sheet, ts := range bySheet {
		mc, err := f.GetMergeCells(sheet, true)
		if err != nil || len(mc) == 0 {
			continue
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i].row < ts[j].row })
		for _, m := range mc {
			c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
			if err1 != nil || err2 != nil {
				continue
			}
			c1, c2 = min(c1, c2), max(c1, c2)
			r1, r2 = min(r1, r2), max(r1, r2)
			for i := sort.Search(len(ts), func(i int) bool { return ts[i].row >= r1 }); i < len(ts) && ts[i].row <= r2; i++ {
				if t := ts[i]; t.col >= c1 && t.col <= c2 && (t.col != c1 || t.row != r1) {
					moved[t] = target{sheet, c1, r1}
				}
			}
		}
	}
	if len(moved) > 0 {
		into := map[target]*planned{}
		var merged []*planned
		for _, pm := range order {
			to := pm.target
			if m, ok := moved[to]; ok {
				to = m
			}
			if x := into[to]; x != nil {
				x.err = x.err || pm.err
				for _, s := range pm.msgs {
					if !seen[to][s] {
						seen[to][s] = true
						x.msgs = append(x.msgs, s)
					}
				}
				x.more += pm.more
				continue
			}
			if seen[to] == nil {
				seen[to] = seen[pm.target]
			}
			pm.target = to
			into[to] = pm
			merged = append(merged, pm)
		}
		order = merged
	}
	var out []*planned
	for _, pm := range order {
		cell, err := excelize.CoordinatesToCellName(pm.col, pm.row)
		if err != nil {
			continue
		}
		pm.cell = cell
		if styled {
			id, err := f.GetCellStyle(pm.sheet, cell)
			if err != nil {
				continue // not a worksheet
			}
			pm.orig = id
		}
		out = append(out, pm)
	}
	return out
}

// commentAll comments the planned cells, up to lim.MaxComments and the
// work commentWork allows given the rows each sheet holds now. It returns
// how many it commented.
func (m *marker) commentAll(marks []*planned, lim Limits, rows func(sheet string) int) (int, error) {
	work := 0
	for i, pm := range marks {
		work += 8 * (rows(pm.sheet) + 1)
		if i >= lim.MaxComments || work > commentWork {
			return i, nil
		}
		text := strings.Join(pm.msgs, "\n")
		if pm.more > 0 {
			text += fmt.Sprintf("\n……另有 %d 条问题，见回执。", pm.more)
		}
		if err := m.comment(pm.sheet, pm.cell, text, len(pm.msgs)); err != nil {
			return i, err
		}
	}
	return len(marks), nil
}

type styleKey struct {
	orig int
	err  bool
}

type marker struct {
	f        *excelize.File
	styles   map[styleKey]int
	comments map[string]map[string]excelize.Comment // sheet → cell → the district's own comment
}

func newMarker(f *excelize.File) *marker {
	return &marker{f: f, styles: map[styleKey]int{}, comments: map[string]map[string]excelize.Comment{}}
}

// style returns the cell style orig with its fill replaced by the colour
// of the severity; everything else (font, border, number format,
// alignment, protection) is kept.
func (m *marker) style(orig int, isErr bool) (int, error) {
	key := styleKey{orig, isErr}
	if id, ok := m.styles[key]; ok {
		return id, nil
	}
	// Only the fill changes: the district's own font stays, and the light
	// fill keeps it legible.
	colour := WarningFill
	if isErr {
		colour = ErrorFill
	}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}
	var id int
	st, err := m.f.GetStyle(orig)
	if err == nil && st != nil {
		st.Fill = fill
		id, err = m.f.NewStyle(st)
		if err != nil {
			// Keep at least the number format, so a date stays a date.
			id, err = m.f.NewStyle(&excelize.Style{Fill: fill, NumFmt: st.NumFmt, CustomNumFmt: st.CustomNumFmt})
		}
	}
	if err != nil || st == nil {
		id, err = m.f.NewStyle(&excelize.Style{Fill: fill})
	}
	if err != nil {
		return 0, err
	}
	m.styles[key] = id
	return id, nil
}

// comment puts text in the comment of a cell, after the district's own
// comment on it if there is one.
func (m *marker) comment(sheet, cell, text string, lines int) error {
	own, ok := m.comments[sheet]
	if !ok {
		own = map[string]excelize.Comment{}
		if cs, err := m.f.GetComments(sheet); err == nil {
			for _, c := range cs {
				own[c.Cell] = c
			}
		}
		m.comments[sheet] = own
	}
	if c, ok := own[cell]; ok {
		var old strings.Builder
		old.WriteString(c.Text)
		for _, r := range c.Paragraph {
			old.WriteString(r.Text)
		}
		if err := m.f.DeleteComment(sheet, cell); err != nil {
			return err
		}
		delete(own, cell)
		prefix := "原批注"
		if c.Author != "" {
			prefix += "（" + c.Author + "）"
		}
		text = prefix + "：" + old.String() + "\n\n" + text
		lines += 2 + strings.Count(old.String(), "\n")
	}
	text = truncateUTF16(text, maxCommentChars)
	return m.f.AddComment(sheet, excelize.Comment{
		Cell: cell, Author: Author, Text: text,
		Width: 360, Height: uint(min(40+45*lines, 600)),
	})
}

// truncateUTF16 cuts s to at most n UTF-16 units.
func truncateUTF16(s string, n int) string {
	k := 0
	for i, r := range s {
		k += utf16.RuneLen(r)
		if k > n {
			return s[:i]
		}
	}
	return s
}
