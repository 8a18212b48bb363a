package web

import (
	"archive/zip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"shequ/etl"
	"shequ/etl/read"
	"shequ/etl/sheet"
	"shequ/etl/validate"
)

// A district uploads only for itself: before a district's file reaches
// the inbox, its rows are read the way ingest reads them and every row
// that names a district — a roster's or a project's own, a staff,
// expenditure, activity or evaluation row's through its project, a
// facility row's through its community — must name the uploader's. Rows
// whose project or community is not known yet are let through: they wait
// (待关联) and can only ever attach to what the district submits.
//
// claims are what a file says about districts.
type claims struct {
	// districts counts the rows naming each district, with the first.
	districts map[string]*claimRow
	// refs are the projects (parent "project") and communities a row
	// points to, by year and code, with the first row.
	refs map[ref]*claimRow
	// defined are the projects and communities the file itself lists.
	defined map[ref]string
}

type ref struct {
	parent string // project | community
	year   int64
	code   string
}

type claimRow struct {
	sheet string
	row   int
	n     int
}

func (c claimRow) where() string {
	if c.sheet != "" {
		return fmt.Sprintf("工作表“%s”第 %d 行", c.sheet, c.row)
	}
	return fmt.Sprintf("第 %d 行", c.row)
}

// readClaims reads what the file at path says about districts. A file
// ingest cannot read gives no claims: ingest quarantines it with its
// reason.
func readClaims(path string) (*claims, error) {
	c := &claims{districts: map[string]*claimRow{}, refs: map[ref]*claimRow{}, defined: map[ref]string{}}
	book, err := read.Open(path, etl.DefaultLimits)
	if err != nil {
		if _, ok := etl.AsFileError(err); ok {
			return c, nil
		}
		return nil, err
	}
	defer book.Close()
	for _, si := range book.Sheets() {
		if err := c.readSheet(book, si.Name); err != nil {
			if _, ok := etl.AsFileError(err); ok {
				return c, nil
			}
			return nil, err
		}
	}
	return c, nil
}

func (c *claims) readSheet(book etl.Book, name string) error {
	rr, err := book.Rows(name)
	if err != nil {
		return err
	}
	defer rr.Close()
	sc, err := sheet.Open(rr)
	if errors.Is(err, io.EOF) || errors.Is(err, sheet.ErrNoHeader) {
		return nil
	}
	if err != nil {
		return err
	}
	k := sc.Layout.Kind
	idx := func(col string) int {
		for i, kc := range k.Columns {
			if kc.Name == col {
				return i
			}
		}
		return -1
	}
	iDistrict, iYear, iProject, iCommunity, iDate := idx("district"), idx("year"), idx("project_code"), idx("community_code"), idx("activity_date")
	v := validate.New(sc.Layout, validate.Options{})
	note := func(m map[string]*claimRow, key string, row int) {
		if cr := m[key]; cr != nil {
			cr.n++
			return
		}
		m[key] = &claimRow{sheet: name, row: row, n: 1}
	}
	for {
		line, err := sc.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if line.Type != sheet.Data {
			continue
		}
		o := v.Validate(line.Row)
		val := func(i int) any {
			if i < 0 || i >= len(o.Values) {
				return nil
			}
			return o.Values[i]
		}
		year, _ := val(iYear).(int64)
		if d, ok := val(iDate).(time.Time); ok {
			year = int64(d.Year())
		}
		d, _ := val(iDistrict).(string)
		switch k.Name {
		case "communities", "projects":
			if d != "" {
				note(c.districts, d, line.Num)
			}
			parent, i := "community", iCommunity
			if k.Name == "projects" {
				parent, i = "project", iProject
			}
			if code, ok := val(i).(string); ok && d != "" {
				c.defined[ref{parent, year, code}] = d
			}
		case "staff", "expenditures", "activities", "evaluations":
			if code, ok := val(iProject).(string); ok && year != 0 {
				r := ref{"project", year, code}
				if cr := c.refs[r]; cr != nil {
					cr.n++
				} else {
					c.refs[r] = &claimRow{sheet: name, row: line.Num, n: 1}
				}
			}
		case "facilities":
			if code, ok := val(iCommunity).(string); ok && year != 0 {
				r := ref{"community", year, code}
				if cr := c.refs[r]; cr != nil {
					cr.n++
				} else {
					c.refs[r] = &claimRow{sheet: name, row: line.Num, n: 1}
				}
			}
		}
	}
}

// foreignRows checks the claims of a district's file against the
// warehouse's current projects and communities: it returns, in Chinese,
// what in the file belongs to another district, or "" when nothing does.
func (c *claims) foreignRows(ctx context.Context, db *sql.DB, district string) (string, error) {
	type foreign struct {
		district string
		first    claimRow
		n        int
	}
	found := map[string]*foreign{}
	add := func(d string, cr claimRow) {
		f := found[d]
		if f == nil {
			f = &foreign{district: d, first: cr}
			found[d] = f
		}
		f.n += cr.n
	}
	for d, cr := range c.districts {
		if d != district {
			add(d, *cr)
		}
	}
	for r, cr := range c.refs {
		d, ok := c.defined[r]
		if !ok {
			q := `SELECT district FROM raw.projects WHERE superseded_by IS NULL AND year = ? AND project_code = ? LIMIT 1`
			if r.parent == "community" {
				q = `SELECT district FROM raw.communities WHERE superseded_by IS NULL AND year = ? AND community_code = ? LIMIT 1`
			}
			err := db.QueryRowContext(ctx, q, r.year, r.code).Scan(&d)
			if errors.Is(err, sql.ErrNoRows) {
				continue // not known yet: the row will wait for it
			}
			if err != nil {
				return "", err
			}
		}
		if d != district {
			add(d, *cr)
		}
	}
	if len(found) == 0 {
		return "", nil
	}
	var parts []string
	for _, f := range found {
		parts = append(parts, fmt.Sprintf("%d 行属于%s（例如%s）", f.n, f.district, f.first.where()))
	}
	sort.Strings(parts)
	return fmt.Sprintf("文件中有%s。贵单位只能报送%s的数据：请删去其他区的行后重新上传，或由市局汇总报送。", strings.Join(parts, "，"), district), nil
}

// zipProblem looks at an .xlsx (a zip package) before any reader opens
// it: a package that declares it unpacks to more than limit bytes, or a
// part compressed more than ratio times, is a zip bomb and is refused.
// The readers bound what they unpack too (etl/xlsx); this refuses it
// before they start. "" when the file is not a zip or is fine.
func zipProblem(path string, size, limit, ratio int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(f, head); err != nil || string(head) != "PK\x03\x04" {
		return ""
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return "" // not a readable zip: ingest says why
	}
	if len(zr.File) > 10000 {
		return fmt.Sprintf("工作簿包含 %d 个部件，超过上限 10000，疑似恶意文件，已拒收。", len(zr.File))
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(limit) {
			return fmt.Sprintf("工作簿解压后超过 %d MB，疑似“压缩炸弹”，已拒收。请检查文件后重新报送。", limit>>20)
		}
		if zf.UncompressedSize64 > 1<<20 && zf.CompressedSize64 > 0 && zf.UncompressedSize64/zf.CompressedSize64 > uint64(ratio) {
			return fmt.Sprintf("工作簿的部件 %s 压缩比超过 %d 倍，疑似“压缩炸弹”，已拒收。请检查文件后重新报送。", truncate(zf.Name, 60), ratio)
		}
	}
	return ""
}
