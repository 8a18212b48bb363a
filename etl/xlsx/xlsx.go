// Package xlsx reads an .xlsx workbook as an etl.Book, streaming each sheet
// so that memory stays bounded however large the sheet.
//
// excelize opens the package and lists the sheets. Each sheet's rows are
// read by sheetRows, a byte-level reader of the worksheet XML that gives
// exactly what excelize's row iterator gives (a differential fuzz test
// holds it to that) at four to six times its speed (BENCHMARKS.md);
// whatever XML it does not read exactly as excelize does, it hands to
// excelize's iterator, which stays the reference. StripRows and SpliceRows
// (strip.go) let the receipts edit a large workbook without excelize
// decoding its sheets.
//
// What it adds to excelize:
//   - the package is checked before excelize unpacks it: file size, total
//     unpacked size and compression ratio (zip bombs), the unpacked size of
//     the parts excelize holds in memory together and of those it decodes
//     whole, the number of sheets, a large shared-string table's strings,
//     and the OLE files that are not .xlsx at all (password-protected
//     workbooks, legacy .xls);
//   - while the sheets stream, the cells of the whole workbook are counted
//     and each cell's length is held to Excel's 32 767 characters (the
//     pre-scan bounds the XML text of a cell before either reader holds it);
//   - merged ranges are filled with their top-left value (excelize's
//     streaming reader does not report merges; a byte pre-scan of the sheet
//     XML finds them without loading the sheet);
//   - rows carry their real row number, also across rows missing from the
//     XML;
//   - a sheet whose XML breaks off is reported instead of read short;
//   - panics inside excelize become errors.
//
// Every error that means the file cannot be read is an *etl.FileError with a
// Chinese explanation for the district; errors from os (a missing file) are
// returned as they are.
package xlsx

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/xuri/excelize/v2"

	"shequ/etl"
)

// Book is an opened .xlsx workbook. It is not safe for concurrent use.
type Book struct {
	path   string
	lim    etl.Limits
	fh     *os.File
	zr     *zip.Reader
	f      *excelize.File
	tmpDir string // excelize's spooled sheets; removed by Close
	sheets []etl.SheetInfo
	parts  map[string]*zip.File
	// fast: sheets are read by sheetRows, not excelize's iterator (not
	// when the package has two members of one name: which one excelize
	// takes is its own affair).
	fast    bool
	sstZF   *zip.File
	sst     []string
	sstErr  error
	sstRead bool
	// sheetCells is the most cells one pass over each sheet has read so
	// far; bookCells their sum, bounded by MaxBookCells.
	sheetCells map[string]int64
	bookCells  int64
}

var _ etl.Book = (*Book)(nil)

// Open opens the workbook at path. Zero fields of lim take their value from
// etl.DefaultLimits. The Book must be closed.
func Open(path string, lim etl.Limits) (_ *Book, err error) {
	lim = lim.OrDefault()
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	b := &Book{path: path, lim: lim, fh: fh, sheetCells: map[string]int64{}}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("xlsx: %s is a directory", path)
	}
	size := fi.Size()
	if size > lim.MaxFileBytes {
		return nil, fileErr(path, etl.ReasonTooLarge, zhTooLarge(lim.MaxFileBytes),
			fmt.Errorf("file is %d bytes, limit %d", size, lim.MaxFileBytes))
	}
	if size == 0 {
		return nil, fileErr(path, etl.ReasonEmpty, zhEmpty, nil)
	}
	head := make([]byte, len(cfbMagic))
	n, _ := io.ReadFull(fh, head)
	if IsCFB(head[:n]) {
		return nil, classifyCFB(path, fh)
	}
	zr, err := zip.NewReader(fh, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fileErr(path, etl.ReasonCorrupt, zhCorrupt, fmt.Errorf("not a readable zip package: %w", err))
	}
	ix := newZipIndex(zr.File)
	if fe := checkZip(path, zr.File, ix, lim); fe != nil {
		return nil, fe
	}
	if fe := checkSST(path, zr.File, lim); fe != nil {
		return nil, fe
	}
	b.zr = zr
	if ix.workbookPath() == "" {
		return nil, notWorkbook(path, zr.File)
	}
	if b.tmpDir, err = os.MkdirTemp("", "shequ-xlsx-"); err != nil {
		return nil, err
	}
	if err := b.openExcelize(); err != nil {
		return nil, fileErr(path, etl.ReasonCorrupt, zhCorrupt, err)
	}
	if len(b.sheets) == 0 {
		return nil, notWorkbook(path, zr.File)
	}
	b.parts = ix.sheetParts()
	var sstOK bool
	b.sstZF, sstOK = sstPart(zr.File)
	b.fast = !ix.dup && sstOK && !excelizeOnly
	return b, nil
}

// openExcelize opens the file with excelize and lists its sheets.
func (b *Book) openExcelize() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("excelize panicked opening the workbook: %v", p)
		}
	}()
	b.f, err = openFile(b.path, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    b.lim.MaxUnzipBytes,
		UnzipXMLSizeLimit: b.lim.MaxXMLInMemory,
		TmpDir:            b.tmpDir,
	})
	if err != nil {
		return err
	}
	for _, name := range b.f.GetSheetList() {
		visible, err := b.f.GetSheetVisible(name)
		if err != nil {
			return err
		}
		b.sheets = append(b.sheets, etl.SheetInfo{Name: name, Hidden: !visible})
	}
	return nil
}

// openFile is excelize.OpenFile; tests replace it.
var openFile = excelize.OpenFile

// rowSource is the part of *excelize.Rows the reader uses.
type rowSource interface {
	Next() bool
	Columns(...excelize.Options) ([]string, error)
	Error() error
	Close() error
}

// Format is "xlsx".
func (b *Book) Format() string { return "xlsx" }

// Encoding is empty: XML parts carry their own.
func (b *Book) Encoding() string { return "" }

// Sheets lists every sheet in workbook order, hidden ones included.
func (b *Book) Sheets() []etl.SheetInfo { return append([]etl.SheetInfo(nil), b.sheets...) }

// Close releases the file and removes excelize's temporary files.
func (b *Book) Close() error {
	var err error
	if b.f != nil {
		err = b.f.Close()
		b.f = nil
	}
	if b.fh != nil {
		b.fh.Close()
		b.fh = nil
	}
	if b.tmpDir != "" {
		if e := os.RemoveAll(b.tmpDir); err == nil {
			err = e
		}
		b.tmpDir = ""
	}
	return err
}

// Rows streams the rows of a sheet. Rows that hold no value at all are
// skipped; Num tells where each returned row is. A cell holding a formula
// without a saved result reads "" and is listed in the row's Uncached (by
// the fast sheet reader; excelize's iterator, which reads the rare sheets
// the fast reader leaves to it, does not tell). Every error from Rows or
// from the reader's Next is an *etl.FileError, except for a sheet name the
// workbook does not have.
func (b *Book) Rows(sheet string) (etl.RowReader, error) {
	if b.f == nil {
		return nil, errors.New("xlsx: book is closed")
	}
	found := false
	for _, s := range b.sheets {
		found = found || s.Name == sheet
	}
	if !found {
		return nil, fmt.Errorf("xlsx: %s has no sheet %q", b.path, sheet)
	}
	zf := b.parts[sheet]
	if zf == nil {
		return nil, b.corrupt(sheet, 0, errors.New("the sheet's XML part is missing"))
	}
	scan, err := b.prescan(zf)
	if err != nil {
		var tl *textTooLong
		switch {
		case errors.Is(err, errTooManyMerges):
			return nil, fileErr(b.path, etl.ReasonTooLarge,
				fmt.Sprintf("工作表“%s”中的合并单元格过多（超过 %d 个），无法读取，请取消合并后重新报送。", sheet, maxMerges), err)
		case errors.As(err, &tl):
			return nil, fileErr(b.path, etl.ReasonTooLarge, zhLongText(sheet, tl, b.lim.MaxCellChars), fmt.Errorf("sheet %q: %w", sheet, err))
		}
		return nil, b.corrupt(sheet, 0, err)
	}
	switch {
	case scan.disorder != 0:
		return nil, b.corrupt(sheet, scan.disorder, fmt.Errorf("row %d comes after a row with the same or a higher number", scan.disorder))
	case scan.dataOpen && !scan.dataClosed:
		return nil, b.corrupt(sheet, 0, errors.New("the sheet's XML ends inside its data"))
	}
	var rows rowSource
	if b.fast {
		rc, err := zf.Open()
		if err != nil {
			return nil, b.corrupt(sheet, 0, err)
		}
		rows = newSheetRows(rc, b.sharedStrings, func() (rowSource, error) { return b.excelizeRows(sheet) })
	} else if rows, err = b.excelizeRows(sheet); err != nil {
		return nil, b.corrupt(sheet, 0, err)
	}
	return &rowReader{
		b: b, sheet: sheet, rows: rows, lastRow: scan.lastRow,
		fill: filler{merges: scan.merges, maxCells: b.lim.MaxCells},
	}, nil
}

// excelizeOnly turns the fast sheet reader off (the tests compare the two).
var excelizeOnly = false

// sharedStrings reads the workbook's shared strings once, for sheetRows.
// One too large for excelize to keep in memory is left to excelize.
func (b *Book) sharedStrings() ([]string, error) {
	if !b.sstRead {
		b.sstRead = true
		if b.sstZF != nil && b.sstZF.UncompressedSize64 > uint64(b.lim.MaxXMLInMemory) {
			b.sstErr = errFallback
		} else {
			b.sst, b.sstErr = readSST(b.sstZF)
		}
	}
	return b.sst, b.sstErr
}

func (b *Book) prescan(zf *zip.File) (*sheetScan, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return scanSheetWith(rc, scanWindow, sheetTextLimits("c", b.lim.MaxCellChars))
}

func (b *Book) excelizeRows(sheet string) (rows rowSource, err error) {
	defer func() {
		if p := recover(); p != nil {
			rows, err = nil, fmt.Errorf("excelize panicked opening the sheet: %v", p)
		}
	}()
	r, err := b.f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// corrupt reports a damaged sheet; row is 0 when no row is to blame.
func (b *Book) corrupt(sheet string, row int, err error) *etl.FileError {
	zh := fmt.Sprintf("工作表“%s”已损坏，无法完整读取，请用 Excel 打开检查后重新保存报送。", sheet)
	if row > 0 {
		zh = fmt.Sprintf("工作表“%s”第 %d 行附近已损坏，无法完整读取，请用 Excel 打开检查后重新保存报送。", sheet, row)
	}
	return fileErr(b.path, etl.ReasonCorrupt, zh, fmt.Errorf("sheet %q: %w", sheet, err))
}

type rowReader struct {
	b        *Book
	sheet    string
	rows     rowSource
	n        int // number of the current row
	returned int // number of the last row returned
	lastRow  int // number of the last <row> in the XML, from the pre-scan
	fill     filler
	cells    int64 // cells read in this pass
	err      error // sticky: io.EOF or a *etl.FileError
}

// Next returns the next row that holds a value. Its Cells stay valid at
// least until the following call of Next.
func (r *rowReader) Next() (row etl.Row, err error) {
	if r.err != nil {
		return etl.Row{}, r.err
	}
	defer func() {
		if p := recover(); p != nil {
			r.err = r.b.corrupt(r.sheet, r.n, fmt.Errorf("excelize panicked reading row %d: %v", r.n, p))
			row, err = etl.Row{}, r.err
		}
	}()
	for {
		if !r.rows.Next() {
			if e := r.rows.Error(); e != nil {
				return r.fail(r.b.corrupt(r.sheet, r.n, e))
			}
			if r.n < r.lastRow {
				// Reading broke off inside row n, or just after it.
				at := r.n
				if at <= r.returned {
					at++
				}
				return r.fail(r.b.corrupt(r.sheet, at,
					fmt.Errorf("the XML could not be read after row %d of %d", r.n, r.lastRow)))
			}
			return r.fail(io.EOF)
		}
		r.n++
		cells, e := r.rows.Columns()
		if e != nil {
			return r.fail(r.b.corrupt(r.sheet, r.n, fmt.Errorf("row %d: %w", r.n, e)))
		}
		if len(cells) > r.b.lim.MaxCells {
			return r.fail(fileErr(r.b.path, etl.ReasonTooLarge,
				fmt.Sprintf("工作表“%s”第 %d 行超过 %d 列，无法读取。", r.sheet, r.n, r.b.lim.MaxCells),
				fmt.Errorf("sheet %q row %d has %d cells, limit %d", r.sheet, r.n, len(cells), r.b.lim.MaxCells)))
		}
		// A formula without a saved result reads "" but is a value the
		// district wrote: a row of such formulas is no blank row.
		var uncached []etl.Formula
		if u, ok := r.rows.(interface{ Uncached() []etl.Formula }); ok {
			uncached = u.Uncached()
		}
		own := len(uncached) > 0
		for _, c := range cells {
			if own {
				break
			}
			own = c != ""
		}
		if cells, e = r.fill.row(r.n, cells, own); e != nil {
			return r.fail(r.b.corrupt(r.sheet, r.n, e))
		}
		if fe := r.count(len(cells)); fe != nil {
			return r.fail(fe)
		}
		if own {
			if fe := r.checkLength(cells); fe != nil {
				return r.fail(fe)
			}
			r.returned = r.n
			row := etl.Row{Num: r.n, Cells: cells}
			if len(uncached) > 0 {
				row.Uncached = uncached
			}
			return row, nil
		}
	}
}

// count adds a row's cells to the workbook's: a pass over a sheet counts
// only beyond what an earlier pass over it counted.
func (r *rowReader) count(n int) *etl.FileError {
	r.cells += int64(n)
	b := r.b
	if seen := b.sheetCells[r.sheet]; r.cells > seen {
		b.bookCells += r.cells - seen
		b.sheetCells[r.sheet] = r.cells
		if b.bookCells > b.lim.MaxBookCells {
			return fileErr(b.path, etl.ReasonTooLarge,
				fmt.Sprintf("工作簿的单元格过多（读到工作表“%s”第 %d 行时已超过 %d 个），无法读取，请删除多余的行列或拆分为多个文件后重新报送。", r.sheet, r.n, b.lim.MaxBookCells),
				fmt.Errorf("more than %d cells (sheet %q row %d)", b.lim.MaxBookCells, r.sheet, r.n))
		}
	}
	return nil
}

// checkLength refuses a cell longer than Excel's own limit.
func (r *rowReader) checkLength(cells []string) *etl.FileError {
	limit := r.b.lim.MaxCellChars
	for i, c := range cells {
		if len(c) > limit {
			if n := etl.CellChars(c); n > limit {
				col, _ := excelize.ColumnNumberToName(i + 1)
				return fileErr(r.b.path, etl.ReasonTooLarge,
					fmt.Sprintf("工作表“%s”第 %d 行 %s 列的内容超过 %d 个字符（Excel 单元格的上限），无法读取，请删减后重新报送。", r.sheet, r.n, col, limit),
					fmt.Errorf("sheet %q cell %s%d holds %d characters, limit %d", r.sheet, col, r.n, n, limit))
			}
		}
	}
	return nil
}

func (r *rowReader) fail(err error) (etl.Row, error) {
	r.err = err
	return etl.Row{}, err
}

// Close releases the sheet's temporary file handle, if any.
func (r *rowReader) Close() error {
	if r.rows == nil {
		return nil
	}
	err := r.rows.Close()
	r.rows = nil
	if r.err == nil {
		r.err = errors.New("xlsx: row reader is closed")
	}
	if errors.Is(err, excelize.ErrMaxRows) {
		err = nil // already reported by Next
	}
	return err
}

// LastRows gives the number of the last row of each worksheet of the
// workbook at path (0 for a sheet without rows), as excelize's row
// iterator would count them, from the byte pre-scan of each sheet's XML:
// without unpacking the workbook into memory or decoding its cells. Sheets
// whose part is missing are left out.
func LastRows(path string) (map[string]int, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	last := map[string]int{}
	for name, zf := range newZipIndex(zr.File).sheetParts() {
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		scan, err := scanSheet(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", name, err)
		}
		last[name] = scan.lastRow
	}
	return last, nil
}
