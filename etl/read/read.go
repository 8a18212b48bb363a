// Package read opens a submission file of any accepted format as an
// etl.Book, choosing the reader from the file's first bytes rather than its
// name: a zip package or an OLE compound file goes to etl/xlsx (which also
// recognises password-protected workbooks, legacy .xls and .ods), text goes
// to etl/csv (UTF-16 text by its byte-order mark). An .xls, WPS .et or
// .ods workbook is read through an .xlsx copy LibreOffice makes
// (convert.go), when it is installed.
package read

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shequ/etl"
	"shequ/etl/csv"
	"shequ/etl/xlsx"
)

// sniffLen is how much of the file is looked at to tell its format.
const sniffLen = 8 << 10

// Open opens the file at path. A file that cannot be read at all gives an
// *etl.FileError whose File is path and whose Zh explains why to the
// district. Other errors (the file is missing, not readable by this
// process, a directory) are operational and returned as they are.
func Open(path string, lim etl.Limits) (etl.Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("read: %s is a directory", path)
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	head = head[:n]
	if n == 0 {
		return nil, &etl.FileError{File: path, Reason: etl.ReasonEmpty,
			Zh: "文件为空（0 字节），没有任何内容，请重新报送。"}
	}
	if xlsx.IsZip(head) || xlsx.IsCFB(head) {
		b, err := xlsx.Open(path, lim)
		if err != nil {
			if format := convertFormat(path, err); format != "" {
				return openConverted(path, format, lim.OrDefault(), err)
			}
			return nil, err // not a nil *xlsx.Book in a non-nil interface
		}
		return b, nil
	}
	if kind := markup(head); kind != "" {
		return nil, &etl.FileError{File: path, Reason: etl.ReasonFormat,
			Zh:  fmt.Sprintf("文件实际是%s格式（常见于从业务系统导出的“xls”文件），无法读取，请用 Excel 打开后另存为 .xlsx 再重新报送。", kind),
			Err: fmt.Errorf("%s document, not a spreadsheet", kind)}
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".csv" || ext == ".txt" || looksLikeText(head) || utf16BOM(head) {
		b, err := csv.Open(path, lim)
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	return nil, &etl.FileError{File: path, Reason: etl.ReasonFormat,
		Zh:  "不支持的文件格式，无法读取，请报送 Excel 工作簿（.xlsx）或 CSV 文件。",
		Err: fmt.Errorf("unrecognised content (starts % x)", head[:min(8, len(head))])}
}

// markup tells an HTML page or an XML document (Excel 2003 "XML
// Spreadsheet") that a system exported under a spreadsheet's name.
func markup(head []byte) string {
	s := bytes.TrimLeft(bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	lower := bytes.ToLower(s[:min(len(s), 512)])
	switch {
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")),
		bytes.HasPrefix(lower, []byte("<table")), bytes.HasPrefix(lower, []byte("<meta")):
		return "网页（HTML）"
	case bytes.HasPrefix(lower, []byte("<?xml")):
		if bytes.Contains(lower, []byte("<html")) {
			return "网页（HTML）"
		}
		return "XML"
	}
	return ""
}

// looksLikeText reports whether head is plausibly text in an 8-bit
// encoding: no NUL byte, and almost no other control characters.
func looksLikeText(head []byte) bool {
	ctl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1A:
			ctl++
		}
	}
	return ctl*100 <= len(head)
}

// utf16BOM reports whether head starts with a UTF-16 byte-order mark, as
// Excel's "Unicode text" does (tab-separated text, often named .txt or .xls).
func utf16BOM(head []byte) bool {
	return bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
}
