package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"

	"shequ/etl"
)

// Magic numbers of the containers a submission may arrive in.
var (
	zipMagic = []byte("PK\x03\x04")
	// cfbMagic starts an OLE compound file: a legacy .xls workbook, or an
	// .xlsx package that Excel encrypted with an opening password.
	cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// IsZip and IsCFB report whether the first bytes of a file are a zip local
// file header or an OLE compound file header. etl/read uses them to route a
// file before its extension.
func IsZip(head []byte) bool { return bytes.HasPrefix(head, zipMagic) }

// IsCFB reports whether head starts with the OLE compound file signature.
func IsCFB(head []byte) bool { return bytes.HasPrefix(head, cfbMagic) }

// Chinese explanations for the district, one per reason.
const (
	zhCorrupt   = "文件已损坏或不是有效的 Excel 文件，无法读取，请检查后重新报送。"
	zhEncrypted = "文件已加密或设置了打开密码，无法读取，请取消密码后重新报送。"
	zhLegacyXLS = "文件是旧版 Excel 97-2003 (.xls) 格式，无法读取，请用 Excel 另存为 .xlsx 后重新报送。"
	zhODS       = "文件是 OpenDocument 表格 (.ods) 格式，无法读取，请用 Excel 另存为 .xlsx 后重新报送。"
	zhXLSB      = "文件是 Excel 二进制工作簿 (.xlsb) 格式，无法读取，请用 Excel 另存为 .xlsx 后重新报送。"
	zhZipBomb   = "文件内容异常（解压后体积与压缩体积之比过高），疑似恶意文件，已隔离，请检查后重新报送。"
	zhEmpty     = "文件为空（0 字节），没有任何内容，请重新报送。"
	zhNoSheets  = "工作簿中没有任何工作表，文件已损坏，请检查后重新报送。"
	zhNotExcel  = "文件不是 Excel 工作簿（可能是压缩包或 Word 等其他文件），无法读取，请报送 .xlsx 或 CSV 文件。"
	zhInMemory  = "文件解压后的内容过大（工作表、样式或图片过多），无法读取，请删除多余的工作表、图片或格式，或拆分为多个文件后重新报送。"
)

func zhTooLarge(limit int64) string {
	return fmt.Sprintf("文件过大（超过 %s），无法读取，请拆分为多个文件后重新报送。", humanBytes(limit))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

// Formats etl/xlsx recognises but cannot read: their FileError (reason
// etl.ReasonFormat) wraps one of these, for etl/read to convert the file
// when it can.
var (
	// ErrLegacyXLS: an OLE compound file holding a workbook of Excel 97-2003
	// (.xls) or of WPS (.et), or another OLE file that is no Word or
	// PowerPoint document.
	ErrLegacyXLS = errors.New("legacy .xls (BIFF) workbook")
	// ErrODS: an OpenDocument spreadsheet (.ods).
	ErrODS = errors.New("OpenDocument spreadsheet")
)

func fileErr(path, reason, zh string, err error) *etl.FileError {
	return &etl.FileError{File: path, Reason: reason, Zh: zh, Err: err}
}

// ratioMinPart is the uncompressed size above which a part's compression
// ratio is checked: tiny parts (an empty styles.xml) compress absurdly well
// and are harmless.
const ratioMinPart = 1 << 20

// checkZip looks at the central directory only (declared sizes; archive/zip
// refuses to inflate a part beyond its declared size, so they cannot lie
// upwards: their sum is what reading every part once can inflate at most)
// and rejects a package that would unpack to too much: in all, in any
// part of a high compression ratio, in the parts excelize holds in memory
// while the workbook is open, or in a part excelize decodes whole when it
// opens the workbook.
func checkZip(path string, files []*zip.File, ix *zipIndex, lim etl.Limits) *etl.FileError {
	var total, inMemory uint64
	parsed := ix.parsedParts()
	for _, zf := range files {
		u, c := zf.UncompressedSize64, zf.CompressedSize64
		if u > ratioMinPart && (c == 0 || u/c > uint64(lim.MaxRatio)) {
			return fileErr(path, etl.ReasonZipBomb, zhZipBomb,
				fmt.Errorf("part %q unpacks %d bytes from %d (ratio over %d)", zf.Name, u, c, lim.MaxRatio))
		}
		if total += u; total < u || total > uint64(lim.MaxUnzipBytes) {
			return fileErr(path, etl.ReasonTooLarge, zhTooLarge(lim.MaxUnzipBytes),
				fmt.Errorf("package unpacks to more than %d bytes", lim.MaxUnzipBytes))
		}
		if heldInMemory(zf, lim.MaxXMLInMemory) {
			if inMemory += u; inMemory > uint64(lim.MaxInMemoryBytes) {
				return fileErr(path, etl.ReasonTooLarge, zhInMemory,
					fmt.Errorf("the parts held in memory unpack to more than %d bytes (%d parts so far)", lim.MaxInMemoryBytes, len(files)))
			}
		}
		if parsed[partKey(zf.Name)] && u > maxParsedPart {
			return fileErr(path, etl.ReasonTooLarge, zhInMemory,
				fmt.Errorf("part %q unpacks to %d bytes, over the %d a part decoded whole may", zf.Name, u, maxParsedPart))
		}
	}
	if n := ix.sheetCount(); n > lim.MaxSheets {
		return fileErr(path, etl.ReasonTooLarge,
			fmt.Sprintf("工作簿中的工作表过多（%d 个，超过 %d 个），无法读取，请删除多余的工作表或拆分为多个文件后重新报送。", n, lim.MaxSheets),
			fmt.Errorf("workbook has %d sheets, limit %d", n, lim.MaxSheets))
	}
	return nil
}

// checkSST scans each shared-string part that excelize would spool to disk
// (larger than MaxXMLInMemory), before excelize spools it: excelize decodes
// one string at a time into memory, and indexes the table at about 40 bytes
// a string. The smaller tables are read whole into memory (sharedStrings)
// and their strings checked as cells are read.
func checkSST(path string, files []*zip.File, lim etl.Limits) *etl.FileError {
	maxStrings := int(lim.MaxInMemoryBytes / 40)
	for _, zf := range files {
		if partKey(zf.Name) != "xl/sharedstrings.xml" || zf.UncompressedSize64 <= uint64(lim.MaxXMLInMemory) {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fileErr(path, etl.ReasonCorrupt, zhCorrupt, err)
		}
		n, err := scanSST(rc, sheetTextLimits("si", lim.MaxCellChars))
		rc.Close()
		var tl *textTooLong
		switch {
		case errors.As(err, &tl):
			return fileErr(path, etl.ReasonTooLarge, zhLongText("", tl, lim.MaxCellChars), fmt.Errorf("shared strings: %w", err))
		case err != nil:
			return fileErr(path, etl.ReasonCorrupt, zhCorrupt, fmt.Errorf("shared strings: %w", err))
		case n > maxStrings:
			return fileErr(path, etl.ReasonTooLarge, zhInMemory,
				fmt.Errorf("shared strings: %d strings, limit %d", n, maxStrings))
		}
	}
	return nil
}

// zhLongText explains text longer than a cell may hold: in a sheet (at a
// row), or in the shared strings (sheet "").
func zhLongText(sheet string, tl *textTooLong, maxChars int) string {
	where := "文件中"
	if sheet != "" {
		where = fmt.Sprintf("工作表“%s”第 %d 行", sheet, tl.at)
	}
	if !tl.cell {
		return fmt.Sprintf("%s有一段超长的内容（超过 %s），不是正常的表格内容，无法读取，请检查后重新报送。", where, humanBytes(tl.bytes))
	}
	return fmt.Sprintf("%s有单元格的内容超过 %d 个字符（Excel 单元格的上限），无法读取，请删减后重新报送。", where, maxChars)
}

// maxParsedPart bounds a part that excelize decodes whole into its structs
// when it opens a workbook (styles, workbook, relationships): decoded, it
// takes about ten times its size.
const maxParsedPart = 16 << 20

// partKey is a part's name as compared here: slashes, any case.
func partKey(name string) string { return strings.ToLower(strings.ReplaceAll(name, "\\", "/")) }

// heldInMemory reports whether excelize keeps a part in memory when it opens
// the package (ReadZipReader): every part but the worksheets
// ("xl/worksheets/sheet…") and shared strings larger than xmlInMemory.
func heldInMemory(zf *zip.File, xmlInMemory int64) bool {
	if zf.UncompressedSize64 <= uint64(xmlInMemory) {
		return true
	}
	name := partKey(zf.Name)
	return name != "xl/sharedstrings.xml" && !strings.HasPrefix(name, "xl/worksheets/sheet")
}

// classifyCFB tells an encrypted OOXML package (an OLE file holding an
// EncryptionInfo stream) from a legacy .xls workbook or other OLE document.
// If the compound file's directory cannot be read (a damaged or truncated
// file), the whole file is searched for the UTF-16LE directory name
// "EncryptionInfo"; without it the file is corrupt.
func classifyCFB(path string, f *os.File) *etl.FileError {
	encrypted, other, err := cfbStreams(f)
	if err != nil {
		if _, serr := f.Seek(0, io.SeekStart); serr != nil {
			return fileErr(path, etl.ReasonCorrupt, zhCorrupt, serr)
		}
		found, serr := containsStream(bufio.NewReaderSize(f, 64<<10), utf16le("EncryptionInfo"))
		switch {
		case serr != nil:
			return fileErr(path, etl.ReasonCorrupt, zhCorrupt, serr)
		case !found:
			return fileErr(path, etl.ReasonCorrupt, zhCorrupt, fmt.Errorf("damaged OLE compound file: %w", err))
		}
		encrypted = true
	}
	switch {
	case encrypted:
		return fileErr(path, etl.ReasonEncrypted, zhEncrypted,
			fmt.Errorf("OLE compound file with an EncryptionInfo stream: password-protected workbook"))
	case other != "":
		return fileErr(path, etl.ReasonFormat, zhNotExcel, fmt.Errorf("OLE compound file with a %q stream: not a workbook", other))
	}
	return fileErr(path, etl.ReasonFormat, zhLegacyXLS,
		fmt.Errorf("%w (OLE compound file without encryption streams); save it as .xlsx", ErrLegacyXLS))
}

// cfbStreams reads the compound file's directory: whether it holds an
// encrypted OOXML package, or the main stream of a Word or PowerPoint
// document (other names it).
func cfbStreams(f *os.File) (encrypted bool, other string, err error) {
	defer func() {
		if recover() != nil {
			encrypted, other, err = false, "", errCFBPanic
		}
	}()
	doc, err := mscfb.New(f)
	if err != nil {
		return false, "", err
	}
	for _, e := range doc.File {
		switch e.Name {
		case "EncryptionInfo", "EncryptedPackage":
			encrypted = true
		case "WordDocument", "PowerPoint Document":
			other = e.Name
		}
	}
	return encrypted, other, nil
}

var errCFBPanic = fmt.Errorf("unreadable OLE directory")

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// containsStream reports whether needle occurs in r, reading it in chunks.
func containsStream(r io.Reader, needle []byte) (bool, error) {
	buf := make([]byte, 64<<10)
	keep := 0
	for {
		n, err := r.Read(buf[keep:])
		data := buf[:keep+n]
		if bytes.Contains(data, needle) {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		keep = min(len(needle)-1, len(data))
		copy(buf, data[len(data)-keep:])
	}
}

// odsEncrypted reports whether an OpenDocument package's manifest lists
// encrypted parts (a document saved with a password).
func odsEncrypted(files []*zip.File) bool {
	for _, zf := range files {
		if partKey(zf.Name) != "meta-inf/manifest.xml" || zf.UncompressedSize64 > maxParsedPart {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return false
		}
		found, _ := containsStream(rc, []byte("encryption-data"))
		rc.Close()
		return found
	}
	return false
}

// notWorkbook explains a zip package without an XML workbook or without
// worksheets: an OpenDocument spreadsheet, a binary .xlsb workbook, another
// kind of zip file (a Word document, an archive), or a damaged workbook.
func notWorkbook(path string, files []*zip.File) *etl.FileError {
	excel := false
	for _, zf := range files {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		excel = excel || strings.HasPrefix(name, "xl/")
		switch {
		case name == "mimetype" && zf.UncompressedSize64 < 256:
			if rc, err := zf.Open(); err == nil {
				b, _ := io.ReadAll(io.LimitReader(rc, 256))
				rc.Close()
				if bytes.Contains(b, []byte("opendocument.spreadsheet")) {
					if odsEncrypted(files) {
						return fileErr(path, etl.ReasonEncrypted, zhEncrypted, fmt.Errorf("%w with a password", ErrODS))
					}
					return fileErr(path, etl.ReasonFormat, zhODS, fmt.Errorf("%w, not OOXML", ErrODS))
				}
			}
		case strings.HasSuffix(name, ".bin") && strings.Contains(name, "workbook"):
			return fileErr(path, etl.ReasonFormat, zhXLSB, fmt.Errorf("binary workbook (.xlsb), not .xlsx"))
		}
	}
	if !excel {
		return fileErr(path, etl.ReasonFormat, zhNotExcel, fmt.Errorf("zip file without an xl/ folder: not an Excel workbook"))
	}
	return fileErr(path, etl.ReasonCorrupt, zhNoSheets, fmt.Errorf("package holds no workbook or no worksheets"))
}
