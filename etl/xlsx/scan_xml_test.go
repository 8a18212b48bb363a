package xlsx

import (
	"encoding/xml"
	"io"
)

// scanSheetXML is the pre-scan written with encoding/xml: the reference for
// the byte scanner, and the alternative measured in BenchmarkMergeScan. A
// malformed part is an error here.
func scanSheetXML(r io.Reader) (*sheetScan, error) {
	out := &sheetScan{}
	d := xml.NewDecoder(r)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return out.finish(), nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "sheetData":
				out.dataOpen = true
			case "row":
				if out.dataOpen && !out.dataClosed {
					r, has := rawAttr(t, "r")
					out.row(r, has)
				}
			case "mergeCell":
				if ref, has := rawAttr(t, "ref"); has {
					if err := out.merge(ref); err != nil {
						return nil, err
					}
				}
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" && out.dataOpen {
				out.dataClosed = true
			}
		}
	}
}

func rawAttr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}
