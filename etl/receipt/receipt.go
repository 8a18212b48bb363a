// Package receipt writes the receipt (回执) of one submission for the
// district that sent it (DOMAIN.md §3): an .xlsx whose first sheet 回执
// gives the file, its SHA-256, the submission number, the outcome and the
// counts of rows read, loaded, rejected and warned, then one line per
// problem; after it comes an annotated copy of the district's own data, in
// which every offending cell is filled red (error) or orange (warning) and
// carries a comment with the Chinese message, so the district can correct
// its file where it sees the problem.
//
// The package needs no database: ingest hands it the archived original
// file and the problems it found.
package receipt

import (
	"fmt"
	"io"
	"path"
	"path/filepath"

	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/etl/dict"
	"shequ/etl/validate"
	"shequ/internal/atomic"
	"shequ/internal/defaults"
)

// Statuses of a submission (marts.submissions.status).
const (
	Loaded      = "loaded"
	Duplicate   = "duplicate"
	Quarantined = "quarantined"
)

// Names of the sheets the receipt writes.
const (
	Sheet     = "回执" // the receipt itself, first
	DataSheet = "数据" // the copy of a CSV file
)

// Author is the author of the cell comments.
const Author = "shequ"

// Fill colours of offending cells: light fills (those of Excel's own
// "Bad" and "Neutral" styles), so the district's value stays legible on
// screen and in print; a solid red hid it.
const (
	ErrorFill   = "FFC7CE" // light red: the row was not loaded
	WarningFill = "FFEB9C" // light orange: the row was loaded with a flag
)

// Notes written on the receipt when no annotated copy follows it.
const (
	NoteTooLarge  = "文件较大，未附批注副本；请按问题清单逐条核对。"
	NoteNoCopy    = "未能打开原文件生成批注副本；请按问题清单逐条核对。"
	noteHowToRead = "后面的工作表是贵单位报送数据的副本：标红的单元格有错误（该行未入库），标橙的单元格有警告（该行已入库），批注中写明了原因。"
)

// Info describes the submission the receipt is for.
type Info struct {
	File       string // path relative to the inbox
	District   string // the district that sent it; "" when unknown
	SHA256     string
	Submission int64
	Status     string // Loaded, Duplicate or Quarantined
	Kinds      []string
	// Rows read, loaded, rejected and loaded with a warning.
	Read, Loaded, Rejected, Warned int
	// Released counts the rows that waited for a project or community and
	// loaded when a later submission brought it (they are in Loaded).
	Released int
	// Unrecorded counts the problems beyond the most a file records: they
	// are neither listed nor marked.
	Unrecorded int
	// Reason and ReasonZh say why a file was quarantined or is a duplicate.
	Reason, ReasonZh string
	ReceivedAt       time.Time
	// Districts lists every district whose rows a shared file holds (more
	// than one): the receipt is then one district's part (District; "" for
	// the rows of no district), its counts and problems that district's
	// (WriteShared writes such parts).
	Districts []string
}

// Problem is one problem of one row, with the sheet it is on ("" for CSV).
type Problem struct {
	Sheet string
	validate.Problem
	// Zh, when set, is the Chinese message as it was recorded (a receipt
	// written again from the warehouse); else it is made from Problem.
	Zh string
	// ReleasedBy is the submission that brought the project or community
	// the row waited for: the row has since loaded (已关联入库). 0 while the
	// problem stands.
	ReleasedBy int64
	// StillOut says that a released problem's row has other errors: the
	// reference now stands, the row stays out for the rest.
	StillOut bool
}

// MessageZh is the problem's Chinese message.
func (p Problem) MessageZh() string {
	msg := p.Zh
	if msg == "" {
		msg = p.Problem.MessageZh()
	}
	switch {
	case p.ReleasedBy != 0 && p.StillOut:
		msg += fmt.Sprintf("【第 %d 号报送已补齐所指的项目或社区；该行另有错误，仍未入库。】", p.ReleasedBy)
	case p.ReleasedBy != 0:
		msg += fmt.Sprintf("【已关联入库：第 %d 号报送补齐了所指的项目或社区，该行已自动入库。】", p.ReleasedBy)
	}
	return msg
}

// StateZh words what a problem means for its row now: 错误 or 警告, 错误（待关联）
// for a row that waits for its project or community, 已关联入库 for one that
// has since loaded.
func (p Problem) StateZh() string {
	switch {
	case p.ReleasedBy != 0 && p.StillOut:
		return StateResolved
	case p.ReleasedBy != 0:
		return StateReleased
	case p.Severity == validate.Error && validate.Reference(p.Code):
		return StateWaiting
	}
	return SeverityZh(p.Severity)
}

// States of a problem besides its severity.
const (
	StateReleased = "已关联入库"
	StateResolved = "已补齐（该行另有错误）"
	StateWaiting  = "错误（待关联）"
)

// Limits bound the work of writing one receipt. Zero fields take their
// value from DefaultLimits.
type Limits struct {
	// MaxAnnotateBytes is the largest original file that gets an annotated
	// copy (its size on disk).
	MaxAnnotateBytes int64
	// MaxAnnotateRows is the most rows (all sheets together; for CSV, lines)
	// an original may have to get an annotated copy.
	MaxAnnotateRows int
	// MaxUnzipBytes bounds the unpacked size of an xlsx opened for the copy.
	MaxUnzipBytes int64
	// MaxListed is the most problems listed on the receipt sheet and marked
	// in the copy; the rest are counted in a line.
	MaxListed int
	// MaxComments is the most cells of the copy that get a comment; cells
	// beyond it are still filled.
	MaxComments int
}

// DefaultLimits are the limits used for zero fields.
var DefaultLimits = Limits{
	MaxAnnotateBytes: 20 << 20,
	MaxAnnotateRows:  200_000,
	MaxUnzipBytes:    1 << 30,
	MaxListed:        100_000,
	MaxComments:      20_000,
}

// OrDefault fills the zero fields of l from DefaultLimits, as
// etl.Limits.OrDefault does for reading, and keeps MaxAnnotateRows within
// what a sheet holds.
func (l Limits) OrDefault() Limits {
	l = defaults.Fill(l, DefaultLimits)
	l.MaxAnnotateRows = min(l.MaxAnnotateRows, excelize.TotalRows)
	return l
}

// StatusZh words a status for the district.
func StatusZh(status string) string {
	switch status {
	case Loaded:
		return "已入库"
	case Duplicate:
		return "重复报送"
	case Quarantined:
		return "已隔离"
	}
	return status
}

// SeverityZh words a severity: 错误 or 警告.
func SeverityZh(s string) string {
	switch s {
	case validate.Error:
		return "错误"
	case validate.Warning:
		return "警告"
	}
	return s
}

// KindsZh words the kinds of a file in Chinese, 、-separated.
func KindsZh(kinds []string) string {
	var zh []string
	for _, k := range kinds {
		if d := dict.ByName(k); d != nil {
			zh = append(zh, d.Zh)
		} else {
			zh = append(zh, k)
		}
	}
	return strings.Join(zh, "、")
}

// Path is where the receipt of a submission goes under dir:
// <dir>/<district or "unknown">/<submission>_<file name without extension>_回执.xlsx.
// Characters that cannot appear in a file name are replaced by "_".
func Path(dir string, info Info) string {
	district := safeName(info.District, 100)
	if district == "" {
		district = "unknown"
	}
	base := path.Base(strings.ReplaceAll(info.File, `\`, "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
	name := safeName(base, 150)
	if name == "" {
		name = "file"
	}
	return filepath.Join(dir, district, fmt.Sprintf("%d_%s_回执.xlsx", info.Submission, name))
}

// safeName makes s usable as one file-name element of at most limit bytes.
func safeName(s string, limit int) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			r = '_'
		}
		if b.Len()+utf8.RuneLen(r) > limit {
			break
		}
		b.WriteRune(r)
	}
	out := strings.Trim(b.String(), " .")
	if strings.Trim(out, "_. ") == "" {
		return "" // nothing left of the name
	}
	return out
}

// Write writes the receipt of a submission to dst, through a temporary
// file in dst's directory (created if missing) renamed into place.
//
// src is the archived original, format "xlsx" or "csv", and encoding the
// CSV's text encoding ("utf-8", "utf-8-bom" or "gb18030"; "" detects it).
// A quarantined or duplicate submission gets the 回执 sheet only, as does
// an original too large to annotate (lim) or one that cannot be opened or
// annotated: a line on the receipt then says so. Write fails only on bad
// arguments or when dst cannot be written.
func Write(dst, src, format, encoding string, info Info, problems []Problem, lim Limits) error {
	lim = lim.OrDefault()
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	annotate := info.Status != Quarantined && info.Status != Duplicate
	listed := listedOf(problems, lim)
	if annotate {
		switch format {
		case "xlsx", "xls", "et", "ods":
		case "csv":
			switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(encoding), "_", "-")) {
			case "", "utf-8", "utf8", "utf-8-bom", "utf8-bom", "utf-8-sig", "gb18030", "gbk", "gb2312", "cp936", "utf-16le", "utf-16be":
			default:
				return fmt.Errorf("receipt: unknown CSV encoding %q", encoding)
			}
		default:
			return fmt.Errorf("receipt: unknown format %q", format)
		}
	}
	var notes []string
	if annotate && format != "xlsx" && format != "csv" {
		// A workbook converted from .xls, .et or .ods: the district's own
		// file cannot be written back with marks; the list says it all.
		annotate = false
		notes = append(notes, fmt.Sprintf("原文件为 .%s 格式，未附批注副本；请按问题清单逐条核对（也可另存为 .xlsx 后报送，即可收到批注副本）。", format))
	}
	// A workbook is first edited stripped to its rows with problems; if
	// that copy cannot be made, it is edited whole.
	for _, strip := range stripOrder {
		if !annotate {
			break
		}
		f, sheet, n, sp := annotatedCopy(src, format, encoding, standing(listed), lim, strip)
		notes = n
		if f == nil {
			break
		}
		// A copy of a workbook keeps the district's selected sheet:
		// select the receipt instead. A new workbook (the copy of a CSV
		// file) already has the receipt selected, and selecting again
		// would read the streamed data sheet back into memory.
		err := finish(f, sheet, dst, info, problems, listed, notes, true, format == "xlsx", sp)
		f.Close()
		sp.remove()
		if err == nil {
			return nil
		}
		// Something in the district's workbook cannot be written back:
		// the receipt goes out without the copy.
		notes = []string{NoteNoCopy}
		if sp == nil {
			break
		}
	}
	return listOnly(dst, info, problems, listed, notes)
}

// listOnly writes a receipt without a copy: the 回执 sheet alone.
func listOnly(dst string, info Info, all, listed []Problem, notes []string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", Sheet); err != nil {
		return err
	}
	return finish(f, Sheet, dst, info, all, listed, notes, false, false, nil)
}

// listedOf is what of problems a receipt lists and marks: the first
// lim.MaxListed.
func listedOf(problems []Problem, lim Limits) []Problem {
	return problems[:min(len(problems), lim.MaxListed)]
}

// NoteClean is the note of the receipt of a file in which no row had a
// problem: it comes without a copy of the data.
const NoteClean = "全部数据行均已入库，无错误、无警告，故不附数据副本（原文件已原样存档，以上摘要即为处理结果）。"

// Clean says whether a submission's receipt needs no annotated copy: a
// loaded file in which no row had a problem (none listed, none beyond
// the listed ones, none released later).
func Clean(info Info, problems []Problem) bool {
	return info.Status == Loaded && len(problems) == 0 && info.Unrecorded == 0 && info.Rejected == 0 && info.Warned == 0 && info.Released == 0
}

// WriteSummary writes the receipt of a Clean submission to dst (as Write
// does): the 回执 sheet alone, the file, its SHA-256, the submission and
// the counts, with NoteClean. Annotating a copy in which nothing is marked
// cost more than loading the file; the district's file is archived
// byte for byte.
func WriteSummary(dst string, info Info) error {
	return listOnly(dst, info, nil, nil, []string{NoteClean})
}

// stripOrder: how a workbook's copy is tried, stripped first (tests
// compare it with the whole workbook edited).
var stripOrder = []bool{true, false}

// finish writes the receipt sheet into f and saves f to dst.
func finish(f *excelize.File, sheet, dst string, info Info, all, listed []Problem, notes []string, copied, selectFirst bool, sp *splice) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("receipt: %v", r)
		}
	}()
	if err := writeReceipt(f, sheet, info, all, listed, notes, copied); err != nil {
		return fmt.Errorf("receipt: %w", err)
	}
	if selectFirst {
		f.SetActiveSheet(0)
	}
	f.SetZipWriter(fastZip)
	if sp != nil {
		return atomic.WriteFileMode(dst, atomic.Private, atomic.PrivateDir, func(w io.Writer) error { return sp.save(f, w) })
	}
	return save(f, dst)
}

// save writes f to dst through a temporary file.
func save(f *excelize.File, dst string) error {
	return atomic.WriteFileMode(dst, atomic.Private, atomic.PrivateDir, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	})
}

// Title is the first cell of the receipt sheet.
const Title = "报送回执"

// Labels of the lines of the receipt sheet (column A; the value is in B).
const (
	LabelFile       = "文件"
	LabelDistrict   = "报送单位"
	LabelSHA256     = "SHA-256"
	LabelSubmission = "报送编号"
	LabelReceived   = "接收时间"
	LabelStatus     = "处理结果"
	LabelKinds      = "数据类型"
	LabelRead       = "读取行数"
	LabelLoaded     = "入库行数"
	LabelRejected   = "退回行数"
	LabelWarned     = "警告行数"
	LabelReleased   = "已关联入库"
	LabelWaiting    = "待关联行数"
	LabelReason     = "原因"
	LabelNote       = "说明"
	LabelHint       = "提示"
)

// A line is one labelled line of the receipt sheet.
type line struct {
	Label string
	Value any
}

// Columns of the problem table.
var tableHeader = []string{"工作表", "行", "列", "字段", "值", "级别", "代码", "说明"}

// Widest width of each table column (the 说明 column wraps).
var maxWidth = []int{24, 8, 6, 24, 36, 6, 26, 90}

type receiptStyles struct {
	title, label, value, header, wrap, err, warn int
}

func newReceiptStyles(f *excelize.File) (receiptStyles, error) {
	var s receiptStyles
	var err error
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	for _, x := range []struct {
		id *int
		st *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}}},
		{&s.label, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&s.value, &excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}}},
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true},
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.wrap, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&s.err, &excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "C00000"},
			Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&s.warn, &excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "C65911"},
			Alignment: &excelize.Alignment{Vertical: "top"}}},
	} {
		if *x.id, err = f.NewStyle(x.st); err != nil {
			return s, err
		}
	}
	return s, nil
}

// writeReceipt fills the receipt sheet: a title, one labelled line per
// fact (value in column B, merged across B:H), a blank row, then the
// table of problems under a frozen header with an autofilter.
func writeReceipt(f *excelize.File, sh string, info Info, all, listed []Problem, notes []string, copied bool) error {
	st, err := newReceiptStyles(f)
	if err != nil {
		return err
	}
	cell := func(col string, r int) string { return fmt.Sprintf("%s%d", col, r) }
	if err := f.SetCellStr(sh, "A1", Title); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A1", "A1", st.title); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, 1, 26); err != nil {
		return err
	}
	var lines []line
	add := func(label string, value any) { lines = append(lines, line{label, value}) }
	district := info.District
	if district == "" {
		district = "（未识别）"
	}
	received := ""
	if !info.ReceivedAt.IsZero() {
		received = info.ReceivedAt.Format("2006-01-02 15:04:05")
	}
	status := StatusZh(info.Status)
	if info.Status == Loaded && info.Rejected > 0 {
		status += fmt.Sprintf("（其中 %d 行有错误，未入库）", info.Rejected)
	}
	kinds := KindsZh(info.Kinds)
	if kinds == "" {
		kinds = "（未识别）"
	}
	add(LabelFile, info.File)
	add(LabelDistrict, district)
	add(LabelSHA256, info.SHA256)
	add(LabelSubmission, info.Submission)
	add(LabelReceived, received)
	add(LabelStatus, status)
	add(LabelKinds, kinds)
	add(LabelRead, info.Read)
	add(LabelLoaded, info.Loaded)
	add(LabelRejected, info.Rejected)
	add(LabelWarned, info.Warned)
	if info.Released > 0 {
		add(LabelReleased, fmt.Sprintf("%d 行（原因所指的项目或社区已由后来的报送补齐，已自动入库，计入入库行数）", info.Released))
	}
	if w := waitingRows(all); w > 0 {
		add(LabelWaiting, fmt.Sprintf("%d 行（所指的项目或社区尚未报送；报送后这些行将自动入库，无需重新报送本文件）", w))
	}
	if r := reasonZh(info); r != "" {
		add(LabelReason, r)
	}
	if info.Unrecorded > 0 {
		notes = append(notes, fmt.Sprintf("共 %d 条问题，下表列出前 %d 条，其余 %d 条未逐条记录；请先更正所列问题，再检查文件其余部分后重新报送。",
			len(all)+info.Unrecorded, len(listed), len(all)-len(listed)+info.Unrecorded))
	} else if len(all) > len(listed) {
		notes = append(notes, fmt.Sprintf("共 %d 条问题，下表列出前 %d 条，其余未列出。", len(all), len(listed)))
	}
	if len(info.Districts) > 1 {
		notes = append([]string{noteShared(info, copied)}, notes...)
	}
	for _, n := range notes {
		add(LabelNote, n)
	}
	if copied && len(listed) > 0 {
		add(LabelHint, noteHowToRead)
	}
	row := 2
	for _, l := range lines {
		if err := f.SetCellStr(sh, cell("A", row), l.Label); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell("A", row), cell("A", row), st.label); err != nil {
			return err
		}
		if err := f.SetCellValue(sh, cell("B", row), l.Value); err != nil {
			return err
		}
		if err := f.MergeCell(sh, cell("B", row), cell("H", row)); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell("B", row), cell("B", row), st.value); err != nil {
			return err
		}
		row++
	}
	row++ // a blank row before the table

	hdr := row
	if err := f.SetSheetRow(sh, cell("A", hdr), &tableHeader); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, cell("A", hdr), cell("H", hdr), st.header); err != nil {
		return err
	}
	widths := make([]int, len(tableHeader))
	for i, h := range tableHeader {
		widths[i] = runewidth.StringWidth(h) + 2 // room for the filter button
	}
	for _, l := range lines {
		widths[0] = max(widths[0], runewidth.StringWidth(l.Label))
	}
	sheets := map[string]string{} // problem sheet → sheet of the copy
	if copied {
		for _, s := range f.GetSheetList() {
			if s != sh {
				sheets[s] = s
			}
		}
	}
	type wrapped struct{ value, message int } // display widths of the wrapping cells
	var rowsWrapped []wrapped
	row++
	for _, p := range listed {
		var r any = p.Row
		if p.Row <= 0 {
			r = ""
		}
		vals := []any{p.Sheet, r, p.Letter, fieldOf(p), p.Value, p.StateZh(), p.Code, p.MessageZh()}
		if err := f.SetSheetRow(sh, cell("A", row), &vals); err != nil {
			return err
		}
		// Values are text whatever they look like (a code keeps its digits).
		if err := f.SetCellStr(sh, cell("E", row), p.Value); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell("A", row), cell("H", row), st.wrap); err != nil {
			return err
		}
		sev := st.warn
		if p.ReleasedBy != 0 {
			sev = st.wrap
		} else if p.Severity == validate.Error {
			sev = st.err
		}
		if err := f.SetCellStyle(sh, cell("F", row), cell("F", row), sev); err != nil {
			return err
		}
		if target := linkTarget(p, sheets); target != "" {
			if err := f.SetCellHyperLink(sh, cell("B", row), target, "Location"); err != nil {
				return err
			}
		}
		ws := make([]int, len(vals))
		for i, v := range vals {
			ws[i] = runewidth.StringWidth(fmt.Sprint(v))
			widths[i] = max(widths[i], ws[i])
		}
		rowsWrapped = append(rowsWrapped, wrapped{ws[4], ws[7]})
		row++
	}
	last := row - 1
	if len(listed) == 0 {
		if err := f.SetCellStr(sh, cell("A", row), "未发现问题。"); err != nil {
			return err
		}
		if err := f.MergeCell(sh, cell("A", row), cell("H", row)); err != nil {
			return err
		}
	}
	merged := 0 // width of B:H, where the summary values are
	for i := range widths {
		widths[i] = min(widths[i]+2, maxWidth[i])
		if i > 0 {
			merged += widths[i]
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, col, col, float64(widths[i])); err != nil {
			return err
		}
	}
	// Wrapped text does not grow a merged row, and not every program grows
	// a row to fit it: give long lines their height.
	lineCount := func(w, width int) int { return max(1, (w+width-3)/max(width-2, 1)) }
	for i, l := range lines {
		if n := lineCount(runewidth.StringWidth(fmt.Sprint(l.Value)), merged); n > 1 {
			if err := f.SetRowHeight(sh, 2+i, float64(16*n)); err != nil {
				return err
			}
		}
	}
	for i, w := range rowsWrapped {
		if n := max(lineCount(w.value, widths[4]), lineCount(w.message, widths[7])); n > 1 {
			if err := f.SetRowHeight(sh, hdr+1+i, float64(16*n)); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{
		Freeze: true, YSplit: hdr, TopLeftCell: cell("A", hdr+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: cell("A", hdr+1), ActiveCell: cell("A", hdr+1), Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	if last > hdr {
		if err := f.AutoFilter(sh, cell("A", hdr)+":"+cell("H", last), nil); err != nil {
			return err
		}
	}
	// Printed on landscape pages, one page wide.
	landscape, one, auto, fit := "landscape", 1, 0, true
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &auto}); err != nil {
		return err
	}
	return f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// waitingRows counts the rows that wait for a project or community: rows
// whose every standing error is a reference.
func waitingRows(ps []Problem) int {
	type key struct {
		sheet string
		row   int
	}
	orphan := map[key]bool{}
	for _, p := range ps {
		if p.Severity != validate.Error || p.ReleasedBy != 0 {
			continue
		}
		k := key{p.Sheet, p.Row}
		ref := validate.Reference(p.Code)
		if was, ok := orphan[k]; ok {
			orphan[k] = was && ref
		} else {
			orphan[k] = ref
		}
	}
	n := 0
	for _, ok := range orphan {
		if ok {
			n++
		}
	}
	return n
}

// standing drops the problems of rows that have since loaded: the
// annotated copy marks only what the district must still act on.
func standing(ps []Problem) []Problem {
	for i, p := range ps {
		if p.ReleasedBy != 0 {
			out := append([]Problem(nil), ps[:i]...)
			for _, q := range ps[i+1:] {
				if q.ReleasedBy == 0 {
					out = append(out, q)
				}
			}
			return out
		}
	}
	return ps
}

// reasonZh is the reason shown for a quarantined or duplicate file.
func reasonZh(info Info) string {
	if info.ReasonZh != "" {
		return info.ReasonZh
	}
	if info.Reason != "" {
		return info.Reason
	}
	switch info.Status {
	case Duplicate:
		return "文件内容与此前的一次报送完全相同，本次未重复入库。"
	case Quarantined:
		return "文件无法读取，未入库。"
	}
	return ""
}

// fieldOf names the column of a problem: its header as written, else its
// dictionary name.
func fieldOf(p Problem) string {
	if h := strings.TrimSpace(p.Header); h != "" {
		return h
	}
	return p.Column
}

// linkTarget is the in-workbook link to the cell a problem marks, or "".
func linkTarget(p Problem, sheets map[string]string) string {
	name := p.Sheet
	if name == "" {
		name = DataSheet
	}
	s, ok := sheets[name]
	if !ok || p.Row <= 0 || p.Row > excelize.TotalRows {
		return ""
	}
	col := p.Letter
	if _, err := excelize.ColumnNameToNumber(col); err != nil || col == "" {
		col = "A"
	}
	return fmt.Sprintf("'%s'!%s%d", strings.ReplaceAll(s, "'", "''"), strings.ToUpper(col), p.Row)
}
