package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"

	"shequ/etl"
	"shequ/etl/etltest"
)

// The formats etl/read converts are told apart: an OLE file holding a
// workbook (ErrLegacyXLS) from one holding a Word document, an
// OpenDocument spreadsheet (ErrODS) from one saved with a password.
func TestConvertibleFormats(t *testing.T) {
	dir := t.TempDir()
	ods := func(name string, encrypted bool) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		files := map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office:document-content/>",
			"META-INF/manifest.xml": `<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"/></manifest:manifest>`}
		if encrypted {
			files["META-INF/manifest.xml"] = `<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>`
		}
		for n, d := range files {
			w, _ := zw.Create(n)
			w.Write([]byte(d))
		}
		zw.Close()
		return etltest.WriteFile(t, dir, name, buf.Bytes())
	}
	cases := []struct {
		path   string
		reason string
		is     error
	}{
		{etltest.WriteFile(t, dir, "book.xls", etltest.OLEFile("Workbook", []byte("BIFF"))), etl.ReasonFormat, ErrLegacyXLS},
		{etltest.WriteFile(t, dir, "book95.xls", etltest.OLEFile("Book", []byte("BIFF5"))), etl.ReasonFormat, ErrLegacyXLS},
		{etltest.WriteFile(t, dir, "doc.xls", etltest.OLEFile("WordDocument", []byte("Word"))), etl.ReasonFormat, nil},
		{etltest.WriteFile(t, dir, "ppt.xls", etltest.OLEFile("PowerPoint Document", []byte("ppt"))), etl.ReasonFormat, nil},
		{ods("sheet.ods", false), etl.ReasonFormat, ErrODS},
		{ods("locked.ods", true), etl.ReasonEncrypted, ErrODS},
	}
	for _, c := range cases {
		_, err := Open(c.path, etl.DefaultLimits)
		etltest.WantReason(t, err, c.path, c.reason)
		if c.is != nil && !errors.Is(err, c.is) || c.is == nil && (errors.Is(err, ErrLegacyXLS) || errors.Is(err, ErrODS)) {
			t.Errorf("%s: %v, want it to wrap %v", c.path, err, c.is)
		}
	}
}
