// Package etl owns the path of a district's file from the inbox to the raw
// layer of the warehouse: finding files, reading their sheets (etl/xlsx,
// etl/csv), cleaning values (etl/clean), recognising each sheet's kind from
// its header row (etl/dict), validating rows and loading them (etl/ingest).
//
// This file holds the domain types every reader and stage shares. It has no
// cgo dependency: only etl/ingest talks to the warehouse.
package etl

import (
	"errors"
	"fmt"

	"shequ/internal/defaults"
)

// A Row is one row of a sheet or a CSV file as the district wrote it.
type Row struct {
	// Num is the 1-based row number a spreadsheet program shows; for CSV it
	// is the line on which the record starts.
	Num int
	// Cells are the values left to right, starting at column A. Merged
	// ranges are filled with their top-left value. Numeric xlsx cells hold
	// the raw stored number (an Excel serial for dates, 0.85 for 85%).
	Cells []string
	// Uncached lists the cells of the row, left to right, that hold a
	// formula without a saved result: a workbook written by a program and
	// never opened and saved in Excel. Such a cell reads "" in Cells
	// although the district filled it; say ZhUncached, not that it is
	// empty. Nil for almost every row, and for CSV. Like Cells, a reader
	// may reuse it on its next row.
	Uncached []Formula
}

// A Formula is a cell whose formula has no saved result.
type Formula struct {
	Col  int    // 0-based index into Row.Cells
	Text string // the formula as written, without "="; "" for a cell that shares the formula of a cell above it
}

// UncachedAt reports the formula without a result at column col, if any.
func (r Row) UncachedAt(col int) (Formula, bool) {
	for _, f := range r.Uncached {
		if f.Col == col {
			return f, true
		}
	}
	return Formula{}, false
}

// ZhUncached explains an empty cell that holds a formula without a saved
// result.
const ZhUncached = "公式没有保存的计算结果（文件可能由程序生成、未在 Excel 中打开保存），请用 Excel 打开后保存再重新报送"

// RowReader streams the rows of one sheet in order. Next returns io.EOF
// after the last row.
type RowReader interface {
	Next() (Row, error)
	Close() error
}

// SheetInfo names one sheet of a workbook. A CSV file has one sheet whose
// name is empty.
type SheetInfo struct {
	Name   string
	Hidden bool
}

// A Book is an opened submission file: an .xlsx workbook, or a CSV file
// seen as a workbook of one unnamed sheet.
type Book interface {
	// Format is "xlsx" or "csv".
	Format() string
	// Encoding is the text encoding detected for a CSV file ("utf-8",
	// "utf-8-bom", "gb18030"); empty for xlsx.
	Encoding() string
	Sheets() []SheetInfo
	Rows(sheet string) (RowReader, error)
	Close() error
}

// Limits bound what reading one file may cost, so that a hostile or broken
// file is quarantined instead of exhausting memory or disk.
type Limits struct {
	// MaxFileBytes is the largest file accepted at all.
	MaxFileBytes int64
	// MaxUnzipBytes bounds the total uncompressed size of an xlsx package.
	MaxUnzipBytes int64
	// MaxRatio bounds the compression ratio of any large part of an xlsx
	// package (uncompressed / compressed); a higher ratio is a zip bomb.
	MaxRatio int64
	// MaxXMLInMemory is the size above which excelize spools a worksheet's
	// XML to a temporary file instead of holding it in memory.
	MaxXMLInMemory int64
	// MaxCells bounds the number of cells in one row.
	MaxCells int
	// MaxInMemoryBytes bounds the total unpacked size of the parts of an
	// xlsx package that excelize holds in memory while the workbook is open:
	// every part but the worksheets and shared strings larger than
	// MaxXMLInMemory, which it spools to disk. Many parts each small enough
	// to stay in memory add up (2 000 sheets of 1 MiB).
	MaxInMemoryBytes int64
	// MaxSheets bounds the number of sheets of a workbook.
	MaxSheets int
	// MaxBookCells bounds the cells read from a whole file, over all its
	// sheets: each row read counts its cells as the reader builds them (up
	// to its last value, so one value in column XFD counts 16 384). A sheet
	// read again does not count twice.
	MaxBookCells int64
	// MaxCellChars bounds the text of one cell, in characters as Excel
	// counts them (UTF-16 code units). Excel itself stores at most 32 767.
	MaxCellChars int
}

// DefaultLimits suit a province's quarterly files with a wide margin.
var DefaultLimits = Limits{
	MaxFileBytes:   2 << 30,  // 2 GiB on disk
	MaxUnzipBytes:  8 << 30,  // 8 GiB unpacked
	MaxRatio:       1000,     // real sheets compress ~10-40x; bombs 1000x+
	MaxXMLInMemory: 16 << 20, // spool sheets above 16 MiB
	MaxCells:       16384,    // Excel's own column limit
	// excelize's in-memory parts: styles, shared strings and sheets up to
	// 16 MiB each, pictures.
	MaxInMemoryBytes: 256 << 20,
	MaxSheets:        1000,
	MaxBookCells:     1 << 25, // 33.5 million: a full-height sheet of 32 columns
	MaxCellChars:     32767,   // Excel's own limit
}

// OrDefault fills the zero fields of l from DefaultLimits, and keeps the
// in-memory XML threshold within the unzip limit, as excelize requires.
func (l Limits) OrDefault() Limits {
	l = defaults.Fill(l, DefaultLimits)
	l.MaxXMLInMemory = min(l.MaxXMLInMemory, l.MaxUnzipBytes)
	return l
}

// CellChars is the length of s as Excel counts it for its limit of
// characters in a cell: UTF-16 code units.
func CellChars(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// Why a file could not be read at all. The values are stable English codes
// stored in marts.submissions.reason.
const (
	ReasonCorrupt   = "corrupt"
	ReasonEncrypted = "encrypted"
	ReasonTooLarge  = "too_large"
	ReasonZipBomb   = "zip_bomb"
	ReasonFormat    = "unsupported_format"
	ReasonUnknown   = "unknown_kind"
	ReasonEmpty     = "empty"
)

// A FileError says why a whole file was quarantined.
type FileError struct {
	File   string // path relative to the inbox
	Reason string // one of the Reason codes
	Zh     string // the same in Chinese, for the district
	Err    error  // underlying cause, may be nil
}

func (e *FileError) Error() string {
	msg := fmt.Sprintf("%s: %s", e.File, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *FileError) Unwrap() error { return e.Err }

// AsFileError reports whether err is (or wraps) a *FileError.
func AsFileError(err error) (*FileError, bool) {
	var fe *FileError
	ok := errors.As(err, &fe)
	return fe, ok
}
