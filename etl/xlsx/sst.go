package xlsx

import (
	"archive/zip"
	"bytes"
	"strings"
)

// The shared-string table, read for the fast sheet reader with the same
// tokenizer and the same rules as excelize's sharedStringsReader: excelize
// takes xl/sharedStrings.xml (the name in any case), decodes the root <sst> of the
// spreadsheet namespace, and gives each <si> as xlsxSI.String does. What the
// reader does not read exactly so (a strict-OOXML namespace, which excelize
// rewrites by byte replacement, a count that is no number, anything
// xmlTok leaves alone) is errFallback, and every sheet that needs a shared
// string then reads through excelize.

const (
	nsMain       = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	sharedString = "xl/sharedStrings.xml"
)

// sstPart finds the shared-string part as excelize does: by name in any
// case, the last of several winning. ok is false when there are several.
func sstPart(files []*zip.File) (part *zip.File, ok bool) {
	for _, zf := range files {
		if strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/")) == strings.ToLower(sharedString) {
			if part != nil {
				return nil, false
			}
			part = zf
		}
	}
	return part, true
}

// readSST reads the shared strings of zf (nil: the package has none).
func readSST(zf *zip.File) ([]string, error) {
	if zf == nil {
		return nil, nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := tokBufs.Get().(*[]byte)
	defer tokBufs.Put(buf)
	return parseSST(newXMLTok(rc, *buf))
}

func parseSST(z *xmlTok) ([]string, error) {
	for {
		if err := z.next(); err != nil {
			return nil, err
		}
		if z.kind != tokText {
			break
		}
		if len(bytes.TrimLeft(z.text, " \t\r\n")) > 0 {
			return nil, errFallback
		}
	}
	if z.kind == tokEOF {
		return nil, nil
	}
	if z.kind != tokStart || string(z.local) != "sst" || !rootInMain(z) ||
		!typedAttrs(z.attrs, "count", 'i', "uniqueCount", 'i') {
		return nil, errFallback
	}
	var out []string
	err := z.children(func() error {
		if string(z.local) != "si" {
			return z.skip()
		}
		s, err := richText(z)
		if strings.Contains(s, "purl.oclc.org") {
			return errFallback // excelize rewrites such text
		}
		out = append(out, s)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rootInMain reports whether the start tag just read is in the
// spreadsheet namespace, declared on itself.
func rootInMain(z *xmlTok) bool {
	want := []byte("xmlns")
	if len(z.name) > len(z.local) { // prefixed: xmlns:prefix
		want = append(want, ':')
		want = append(want, z.name[:len(z.name)-len(z.local)-1]...)
	}
	ns := ""
	for _, a := range z.attrs {
		if bytes.Equal(a.name, want) {
			ns = string(a.val)
		}
	}
	return ns == nsMain
}
