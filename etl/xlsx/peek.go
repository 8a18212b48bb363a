package xlsx

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"sort"

	"shequ/etl"
)

// A Peeked sheet is the first rows of one sheet of a workbook.
type Peeked struct {
	Name string
	Rows []etl.Row
}

// peekBytes bounds the XML a peek reads of one sheet.
const peekBytes = 4 << 20

type limitedReadCloser struct {
	io.Reader
	io.Closer
}

// errNoPeek stops a sheet Peek cannot read as the fast reader does.
var errNoPeek = errors.New("xlsx: the sheet needs the full reader")

// Peek is a quick look at a workbook: the first n rows with a value of
// each sheet, read with the fast sheet reader only — no excelize, no
// pre-scan of the whole sheet, so merged cells are not filled in and a
// sheet the fast reader hands over stops where it does. It is for guessing
// what a file holds (the kinds of its sheets, to order a batch), never for
// loading it: Open judges every file, and a file Peek cannot read gives an
// error here and its outcome there. The package's size and ratio limits
// are checked as Open checks them.
func Peek(path string, lim etl.Limits, n int) ([]Peeked, error) {
	lim = lim.OrDefault()
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > lim.MaxFileBytes {
		return nil, errors.New("xlsx: too large to peek at")
	}
	zr, err := zip.NewReader(fh, fi.Size())
	if err != nil {
		return nil, err
	}
	ix := newZipIndex(zr.File)
	if fe := checkZip(path, zr.File, ix, lim); fe != nil {
		return nil, fe
	}
	sstZF, ok := sstPart(zr.File)
	if !ok || ix.dup {
		return nil, errNoPeek
	}
	if sstZF != nil && sstZF.UncompressedSize64 > uint64(lim.MaxXMLInMemory) {
		return nil, errNoPeek
	}
	var sst []string
	var sstErr error
	sstRead := false
	strings := func() ([]string, error) {
		if !sstRead {
			sstRead = true
			sst, sstErr = readSST(sstZF)
		}
		return sst, sstErr
	}
	parts := ix.sheetParts()
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []Peeked
	for _, name := range names {
		p, err := peekSheet(parts[name], name, strings, lim, n)
		if err != nil {
			continue // Open will say what is wrong with it
		}
		out = append(out, p)
	}
	return out, nil
}

func peekSheet(zf *zip.File, name string, sst func() ([]string, error), lim etl.Limits, n int) (Peeked, error) {
	p := Peeked{Name: name}
	rc, err := zf.Open()
	if err != nil {
		return p, err
	}
	// A peek reads a little of each sheet: never more than peekBytes of
	// its XML, whatever a hostile first row holds.
	rows := newSheetRows(limitedReadCloser{io.LimitReader(rc, peekBytes), rc}, sst, func() (rowSource, error) { return nil, errNoPeek })
	defer rows.Close()
	for num := 1; len(p.Rows) < n && rows.Next(); num++ {
		cells, err := rows.Columns()
		if err != nil {
			break
		}
		if len(cells) > lim.MaxCells {
			break
		}
		blank := true
		for _, c := range cells {
			if c != "" {
				blank = false
				break
			}
		}
		if !blank {
			p.Rows = append(p.Rows, etl.Row{Num: num, Cells: append([]string(nil), cells...)})
		}
	}
	return p, nil
}
