package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"shequ/internal/fastzip"
)

// Editing a large workbook with excelize means decoding every sheet it
// touches into memory and encoding it again on save: for a receipt's
// annotated copy, which changes a few hundred cells of a sheet of tens of
// thousands of rows, nearly all the work. StripRows and SpliceRows let the
// receipt do its edits on a small workbook instead:
//
//  1. StripRows copies the workbook with each worksheet's <sheetData>
//     down to the rows the caller names and the top rows of its merged
//     ranges (every other part, and everything else in the sheet, as it
//     is);
//  2. the caller edits that copy with excelize (styles and comments of
//     cells in the rows kept) and saves it;
//  3. SpliceRows writes the final workbook: excelize's parts, with each
//     stripped sheet's rows put back from the original — the rows excelize
//     wrote replacing the original rows of the same number.
//
// Both refuse (ErrNoStrip) a workbook they cannot rewrite exactly: XML
// their tokenizer leaves to excelize, element names with a namespace
// prefix, attribute prefixes the rewritten sheet does not declare, parts
// excelize renamed. The caller then edits the original with excelize.

// ErrNoStrip: the workbook is not one StripRows and SpliceRows rewrite.
var ErrNoStrip = errors.New("xlsx: the workbook cannot be stripped and spliced")

// Stripped holds what StripRows took out, for SpliceRows: each stripped
// worksheet part of the original, by name in the package, with where its
// rows are.
type Stripped struct {
	parts map[string]originalPart
}

type originalPart struct {
	data []byte
	l    *sheetLayout
}

// maxStripPart bounds a worksheet part held in memory to be rewritten.
const maxStripPart = 256 << 20

// StripRows writes to dst a copy of the workbook at src whose worksheets
// hold only the rows keep names for their sheet (by sheet name; row
// numbers as a spreadsheet shows them) and the top row of each merged
// range.
// A package that unpacks to more than maxUnzip bytes is refused.
func StripRows(src, dst string, keep map[string]map[int]bool, maxUnzip int64) (*Stripped, error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
	}
	ix := newZipIndex(zr.File)
	if ix.dup || total > uint64(maxUnzip) {
		return nil, ErrNoStrip
	}
	bySheet := ix.sheetParts()
	rowsOf := map[*zip.File]map[int]bool{}
	for name, zf := range bySheet {
		rowsOf[zf] = keep[name]
	}
	st := &Stripped{parts: map[string]originalPart{}}
	err = writeZipFile(dst, func(zw *zip.Writer) error {
		for _, zf := range zr.File {
			keepRows, isSheet := rowsOf[zf]
			if !isSheet {
				if err := zw.Copy(zf); err != nil {
					return err
				}
				continue
			}
			data, err := readPart(zf)
			if err != nil {
				return err
			}
			out, l, err := stripSheet(data, keepRows)
			if err != nil {
				return err
			}
			// Stored, not deflated: only excelize reads the stripped copy.
			if err := writePart(zw, zf, out, zip.Store); err != nil {
				return err
			}
			st.parts[zf.Name] = originalPart{data, l}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// SpliceRows writes to w the workbook at out (excelize's save of the copy
// StripRows made) with the original rows of each stripped sheet merged
// back.
func SpliceRows(out string, st *Stripped, w io.Writer) error {
	zo, err := zip.OpenReader(out)
	if err != nil {
		return err
	}
	defer zo.Close()
	found := 0
	// The receipt's copy: deflated at the fastest level, as the receipt
	// package saves the rest of it.
	zw := fastzip.NewWriter(w)
	for _, zf := range zo.File {
		o, ok := st.parts[zf.Name]
		if !ok {
			if err := zw.Copy(zf); err != nil {
				return err
			}
			continue
		}
		found++
		edited, err := readPart(zf)
		if err != nil {
			return err
		}
		data, err := spliceSheet(edited, o.data, o.l)
		if err != nil {
			return err
		}
		if err := writePart(zw, zf, data, zip.Deflate); err != nil {
			return err
		}
	}
	if found != len(st.parts) {
		return ErrNoStrip // excelize renamed or dropped a sheet part
	}
	return zw.Close()
}

func writeZipFile(path string, fill func(*zip.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(f)
	if err := fill(zw); err != nil {
		return err
	}
	return zw.Close()
}

func readPart(zf *zip.File) ([]byte, error) {
	if zf.UncompressedSize64 > maxStripPart {
		return nil, ErrNoStrip
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, maxStripPart+1))
}

func writePart(zw *zip.Writer, like *zip.File, data []byte, method uint16) error {
	h := like.FileHeader
	h.Method = method
	h.CompressedSize64, h.UncompressedSize64, h.CRC32 = 0, 0, 0
	w, err := zw.CreateHeader(&h)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// sheetLayout is where a worksheet part's rows are.
type sheetLayout struct {
	dataStart, dataEnd int // the <sheetData> element: from its start tag to past its end
	dimStart, dimEnd   int // the <dimension> element, if any (dimEnd 0 if none)
	rows               []rowSpan
	merges             []mergeRange
	attrPrefixes       map[string]bool // namespace prefixes of attributes inside sheetData
	declared           map[string]bool // prefixes the root element declares; "" the default namespace
}

type rowSpan struct{ num, start, end int }

// layout reads a worksheet part held whole.
func layout(data []byte) (*sheetLayout, error) {
	z := &xmlTok{buf: data, data: data, eof: true, prolog: true}
	l := &sheetLayout{attrPrefixes: map[string]bool{}, declared: map[string]bool{}}
	root, dataDepth := true, -1
	for {
		start := z.pos
		if err := z.next(); err != nil {
			return nil, ErrNoStrip
		}
		switch z.kind {
		case tokEOF:
			if dataDepth >= 0 || l.dataEnd == 0 {
				return nil, ErrNoStrip // no complete <sheetData>
			}
			return l, nil
		case tokText:
			if _, ok := decodeText(z.text); !ok {
				return nil, ErrNoStrip
			}
		case tokEnd:
			switch {
			case dataDepth < 0:
			case z.depth == dataDepth-1: // </sheetData>
				l.dataEnd, dataDepth = z.pos, -1
			case z.depth == dataDepth: // </row>
				l.rows[len(l.rows)-1].end = z.pos
			}
		case tokStart:
			if root {
				root = false
				if len(z.name) != len(z.local) {
					return nil, ErrNoStrip
				}
				for _, a := range z.attrs {
					if string(a.name) == "xmlns" {
						l.declared[""] = string(a.val) == nsMain
					} else if bytes.HasPrefix(a.name, []byte("xmlns:")) {
						l.declared[string(a.local)] = true
					}
				}
				continue
			}
			switch {
			case dataDepth >= 0:
				if len(z.name) != len(z.local) {
					return nil, ErrNoStrip // a prefixed element among the rows
				}
				for _, a := range z.attrs {
					if len(a.name) != len(a.local) {
						l.attrPrefixes[string(a.name[:len(a.name)-len(a.local)-1])] = true
					}
				}
				if z.depth == dataDepth+1 && !z.selfClose || z.depth == dataDepth && z.selfClose {
					if string(z.local) != "row" {
						return nil, ErrNoStrip
					}
					num := 1
					if len(l.rows) > 0 {
						num = l.rows[len(l.rows)-1].num + 1
					}
					for _, a := range z.attrs {
						if string(a.local) == "r" { // as excelize reads it, prefix or not
							n, err := strconv.Atoi(string(a.val))
							if err != nil || n < 0 {
								return nil, ErrNoStrip
							}
							if n > 0 {
								num = n
							}
						}
					}
					if len(l.rows) > 0 && num <= l.rows[len(l.rows)-1].num {
						return nil, ErrNoStrip
					}
					l.rows = append(l.rows, rowSpan{num, start, z.pos}) // a <row> closes later
				}
			case string(z.local) == "sheetData" && l.dataEnd == 0 && l.dataStart == 0:
				l.dataStart = start
				if z.selfClose {
					l.dataEnd = z.pos
				} else {
					dataDepth = z.depth
				}
			case string(z.local) == "dimension" && l.dimEnd == 0:
				l.dimStart = start
				if err := z.skip(); err != nil {
					return nil, ErrNoStrip
				}
				l.dimEnd = z.pos
			case string(z.local) == "mergeCell":
				for _, a := range z.attrs {
					if string(a.name) == "ref" {
						if m, ok := parseRange(string(a.val)); ok {
							l.merges = append(l.merges, m)
						}
					}
				}
			}
		}
	}
}

// stripSheet keeps the rows named and the top rows of the merged ranges;
// it returns the original's layout too, for spliceSheet.
func stripSheet(data []byte, keep map[int]bool) ([]byte, *sheetLayout, error) {
	l, err := layout(data)
	if err != nil {
		return nil, nil, err
	}
	if !l.declared[""] {
		return nil, nil, ErrNoStrip // rows not in the spreadsheet namespace by default
	}
	tops := map[int]bool{}
	for _, m := range l.merges {
		tops[int(m.r1)] = true
	}
	var b bytes.Buffer
	b.Grow(l.dataStart + len(data) - l.dataEnd + 4096)
	b.Write(data[:l.dataStart])
	b.WriteString("<sheetData>")
	for _, r := range l.rows {
		if keep[r.num] || tops[r.num] {
			b.Write(data[r.start:r.end])
		}
	}
	b.WriteString("</sheetData>")
	b.Write(data[l.dataEnd:])
	return b.Bytes(), l, nil
}

// spliceSheet puts the original's rows back into the edited sheet: the
// edited sheet's rows win, the original's other rows come as they are, in
// row order; the original's <dimension> is kept. o is the original's
// layout.
func spliceSheet(edited, original []byte, o *sheetLayout) ([]byte, error) {
	e, err := layout(edited)
	if err != nil {
		return nil, err
	}
	if !e.declared[""] {
		return nil, ErrNoStrip
	}
	for p := range o.attrPrefixes {
		if p != "xml" && !e.declared[p] {
			return nil, fmt.Errorf("%w: attribute prefix %q is not declared in the edited sheet", ErrNoStrip, p)
		}
	}
	var b bytes.Buffer
	b.Grow(len(edited) + len(original))
	head := edited[:e.dataStart]
	if e.dimEnd > 0 && o.dimEnd > 0 && e.dimEnd <= e.dataStart {
		b.Write(head[:e.dimStart])
		b.Write(original[o.dimStart:o.dimEnd])
		b.Write(head[e.dimEnd:])
	} else {
		b.Write(head)
	}
	b.WriteString("<sheetData>")
	i, j := 0, 0
	for i < len(e.rows) || j < len(o.rows) {
		switch {
		case j == len(o.rows) || i < len(e.rows) && e.rows[i].num <= o.rows[j].num:
			r := e.rows[i]
			b.Write(edited[r.start:r.end])
			if j < len(o.rows) && o.rows[j].num == r.num {
				j++
			}
			i++
		default:
			r := o.rows[j]
			b.Write(original[r.start:r.end])
			j++
		}
	}
	b.WriteString("</sheetData>")
	b.Write(edited[e.dataEnd:])
	return b.Bytes(), nil
}
