package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path"
	"strings"

	"golang.org/x/net/html/charset"
)

// The package parts that lead from the package root to each worksheet are
// resolved here exactly as excelize resolves them (workbook path from
// _rels/.rels, relationships of the workbook, targets relative to the
// workbook's folder), so that the merge pre-scan reads the same XML part that
// excelize streams. Only small parts are parsed, token by token.

const relOfficeDocument = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

// maxSmallPart bounds the workbook and relationship parts parsed here.
const maxSmallPart = 64 << 20

type zipIndex struct {
	byName  map[string]*zip.File
	byLower map[string]*zip.File
	dup     bool // two members have the same name
}

func newZipIndex(files []*zip.File) *zipIndex {
	ix := &zipIndex{byName: map[string]*zip.File{}, byLower: map[string]*zip.File{}}
	for _, zf := range files {
		name := strings.ReplaceAll(zf.Name, "\\", "/")
		if _, dup := ix.byName[name]; !dup {
			ix.byName[name] = zf
		} else {
			ix.dup = true
		}
		if _, dup := ix.byLower[strings.ToLower(name)]; !dup {
			ix.byLower[strings.ToLower(name)] = zf
		}
	}
	return ix
}

func (ix *zipIndex) get(name string) *zip.File {
	if zf := ix.byName[name]; zf != nil {
		return zf
	}
	return ix.byLower[strings.ToLower(name)]
}

type relationship struct{ id, typ, target string }

// readRels lists the relationships of a .rels part (nil if it is missing).
func (ix *zipIndex) readRels(name string) []relationship {
	var rels []relationship
	ix.eachStart(name, func(se xml.StartElement) {
		if se.Name.Local != "Relationship" {
			return
		}
		var r relationship
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			}
		}
		rels = append(rels, r)
	})
	return rels
}

// eachStart calls fn for every start element of a small XML part.
func (ix *zipIndex) eachStart(name string, fn func(xml.StartElement)) {
	zf := ix.get(name)
	if zf == nil || zf.UncompressedSize64 > maxSmallPart {
		return
	}
	rc, err := zf.Open()
	if err != nil {
		return
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, maxSmallPart))
	d.CharsetReader = charset.NewReaderLabel // as excelize does
	for {
		tok, err := d.Token()
		if err != nil {
			return
		}
		if se, ok := tok.(xml.StartElement); ok {
			fn(se)
		}
	}
}

// workbookPath is the workbook part named by the package relationships, or
// "" if there is none or it is missing from the package.
func (ix *zipIndex) workbookPath() string {
	for _, r := range ix.readRels("_rels/.rels") {
		if r.typ == relOfficeDocument {
			p := strings.TrimPrefix(r.target, "/")
			if ix.get(p) == nil {
				return ""
			}
			return p
		}
	}
	return ""
}

// relsPath is the relationships part of the workbook part wbPath.
func relsPath(wbPath string) string {
	wbDir := path.Dir(wbPath)
	p := "_rels/" + path.Base(wbPath) + ".rels"
	if wbDir != "." {
		p = strings.TrimPrefix(wbDir+"/"+p, "/")
	}
	return p
}

// parsedParts are the parts (by partKey) that excelize decodes whole when it
// opens a workbook.
func (ix *zipIndex) parsedParts() map[string]bool {
	parts := map[string]bool{"[content_types].xml": true, "_rels/.rels": true, "xl/styles.xml": true, "xl/calcchain.xml": true}
	if wb := ix.workbookPath(); wb != "" {
		parts[partKey(wb)] = true
		parts[partKey(relsPath(wb))] = true
	}
	for name := range ix.byLower {
		if strings.HasPrefix(name, "xl/theme/") {
			parts[name] = true
		}
	}
	return parts
}

// sheetCount is the number of sheets the workbook part lists.
func (ix *zipIndex) sheetCount() int {
	n := 0
	if wb := ix.workbookPath(); wb != "" {
		ix.eachStart(wb, func(se xml.StartElement) {
			if se.Name.Local == "sheet" {
				n++
			}
		})
	}
	return n
}

// sheetParts maps each sheet name of the workbook to its XML part.
func (ix *zipIndex) sheetParts() map[string]*zip.File {
	wbPath := ix.workbookPath()
	wbDir := path.Dir(wbPath)
	targets := map[string]string{}
	for _, r := range ix.readRels(relsPath(wbPath)) {
		if _, dup := targets[r.id]; !dup {
			targets[r.id] = r.target
		}
	}
	parts := map[string]*zip.File{}
	ix.eachStart(wbPath, func(se xml.StartElement) {
		if se.Name.Local != "sheet" {
			return
		}
		var name, id string
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				id = a.Value
			}
		}
		target, ok := targets[id]
		if !ok {
			return
		}
		p := strings.TrimPrefix(path.Clean(wbDir+"/"+target), "/")
		if strings.HasPrefix(target, "/") {
			p = strings.TrimPrefix(path.Clean(target), "/")
		}
		if zf := ix.get(p); zf != nil {
			if _, dup := parts[name]; !dup {
				parts[name] = zf
			}
		}
	})
	return parts
}
