package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"shequ/etl"
	"shequ/etl/clean"
	"shequ/etl/dict"
	"shequ/etl/read"
	"shequ/etl/receipt"
	"shequ/etl/sheet"
	"shequ/etl/validate"
	"shequ/warehouse"
)

// loader ingests one file.
type loader struct {
	w        *warehouse.Warehouse
	opt      *Options
	refs     *refs
	file     Found
	progress func(rows int)

	tx        *warehouse.Tx
	sub       int64
	res       *FileResult
	ov        *overlay
	apps      map[string]*warehouse.Appender
	rejects   *warehouse.Appender
	keys      map[string]map[string]int // kind → key → first row
	districts map[string]bool
	kinds     map[string]bool
	problems  []receipt.Problem // for the receipt, up to maxListed
	format    string
	encoding  string
}

// maxListed bounds the problems kept in memory for one file's receipt;
// every problem is in raw.rejects whatever their number.
const maxListed = 100_000

// quarantine is returned inside the loader for a file that cannot be read.
type quarantine struct{ fe *etl.FileError }

func (q *quarantine) Error() string { return q.fe.Error() }

func (l *loader) run(ctx context.Context) (*FileResult, error) {
	f := l.file
	sha, err := hashFile(f.Path)
	if err != nil {
		return nil, err
	}
	l.res = &FileResult{File: f.Rel, SHA256: sha}
	var n int
	if err := l.w.DB.QueryRowContext(ctx, `SELECT count(*) FROM raw.submissions WHERE file = ? AND sha256 = ?`, f.Rel, sha).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return l.res, nil // received before: nothing to do
	}
	var dupOf sql.NullInt64
	if err := l.w.DB.QueryRowContext(ctx, `SELECT min(submission_id) FROM raw.submissions WHERE sha256 = ? AND status = 'loaded'`, sha).Scan(&dupOf); err != nil {
		return nil, err
	}
	arch, err := archive(l.opt.Archive, f.Path, sha, f.Rel)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if dupOf.Valid {
		var district sql.NullString
		if err := l.w.DB.QueryRowContext(ctx, `SELECT district FROM raw.submissions WHERE submission_id = ?`, dupOf.Int64).Scan(&district); err != nil {
			return nil, err
		}
		l.res.District = district.String
		l.res.Status = StatusDuplicate
		l.res.Reason = fmt.Sprintf("same content as submission %d", dupOf.Int64)
		l.res.ReasonZh = fmt.Sprintf("与第 %d 号报送文件内容完全相同，未重复入库", dupOf.Int64)
		if err := l.record(ctx, arch, dupOf.Int64); err != nil {
			return nil, err
		}
		l.writeReceipt(arch)
		return l.res, nil
	}
	err = l.load(ctx, arch)
	var q *quarantine
	if errors.As(err, &q) {
		*l.res = FileResult{File: f.Rel, SHA256: sha, Status: StatusQuarantined,
			Reason: q.fe.Reason + ": " + errText(q.fe.Err), ReasonZh: q.fe.Zh}
		if q.fe.Err == nil {
			l.res.Reason = q.fe.Reason
		}
		l.problems = nil
		if err := l.record(ctx, arch, 0); err != nil {
			return nil, err
		}
		l.writeReceipt(arch)
		return l.res, nil
	}
	if err != nil {
		return nil, err
	}
	l.writeReceipt(arch)
	return l.res, nil
}

// writeReceipt writes the district's receipt once the file's outcome is
// committed. A receipt that cannot be written is logged, never fatal: the
// data and its rejects are already in the warehouse.
func (l *loader) writeReceipt(arch string) {
	if l.opt.Receipts == "" {
		return
	}
	r := l.res
	info := receipt.Info{File: r.File, District: r.District, SHA256: r.SHA256, Submission: r.Submission, Status: r.Status,
		Kinds: r.Kinds, Read: r.Read, Loaded: r.Loaded, Rejected: r.Rejected, Warned: r.Warned,
		Reason: r.Reason, ReasonZh: r.ReasonZh, ReceivedAt: time.Now()}
	dst := receipt.Path(l.opt.Receipts, info)
	if err := receipt.Write(dst, arch, l.format, l.encoding, info, l.problems, receipt.Limits{MaxAnnotateRows: 50_000}); err != nil {
		l.opt.Log.Warn("receipt not written", "file", r.File, "err", err)
		return
	}
	r.Receipt = dst
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// record writes the submission row alone (a duplicate or a quarantined file).
func (l *loader) record(ctx context.Context, arch string, dupOf int64) error {
	tx, err := l.w.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	l.tx = tx
	if l.sub, err = nextSubmission(ctx, tx); err != nil {
		return err
	}
	l.res.Submission = l.sub
	if err := l.insertSubmission(ctx, arch, "", "", dupOf); err != nil {
		return err
	}
	return tx.Commit()
}

func nextSubmission(ctx context.Context, tx *warehouse.Tx) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT coalesce(max(submission_id), 0) + 1 FROM raw.submissions`).Scan(&id)
	return id, err
}

// opened is a recognised sheet ready to load.
type opened struct {
	name string
	rr   etl.RowReader
	sc   *sheet.Scanner
}

// load reads and loads the file in one transaction.
func (l *loader) load(ctx context.Context, arch string) (err error) {
	book, err := read.Open(arch, l.opt.Limits)
	if err != nil {
		if fe, ok := etl.AsFileError(err); ok {
			return &quarantine{fe: fe}
		}
		return &quarantine{fe: &etl.FileError{File: l.file.Rel, Reason: etl.ReasonCorrupt, Zh: "文件无法读取，请检查后重新报送。", Err: err}}
	}
	defer book.Close()
	l.format, l.encoding = book.Format(), book.Encoding()

	var sheets []opened
	defer func() {
		for _, s := range sheets {
			s.rr.Close()
		}
	}()
	for _, si := range book.Sheets() {
		rr, err := book.Rows(si.Name)
		if err != nil {
			return l.unreadable(err)
		}
		sc, err := sheet.Open(rr)
		switch {
		case err == io.EOF:
			rr.Close()
			continue
		case errors.Is(err, sheet.ErrNoHeader):
			rr.Close()
			l.res.Unrecognised = append(l.res.Unrecognised, si.Name)
			continue
		case err != nil:
			rr.Close()
			return l.unreadable(err)
		}
		sheets = append(sheets, opened{name: si.Name, rr: rr, sc: sc})
	}
	if len(sheets) == 0 {
		return &quarantine{fe: &etl.FileError{File: l.file.Rel, Reason: etl.ReasonUnknown,
			Err: errors.New("no sheet has a header row of a known submission kind"),
			Zh:  "未能识别报送类型：没有找到社区名册、服务项目、人员名册、经费支出、服务记录、评估结果或功能室的表头行，请使用标准模板（shequ template）。"}}
	}
	// References point to earlier kinds: load sheets in kind order.
	sort.SliceStable(sheets, func(i, j int) bool { return sheets[i].sc.Layout.Kind.Order < sheets[j].sc.Layout.Kind.Order })

	l.tx, err = l.w.Begin(ctx)
	if err != nil {
		return err
	}
	defer l.tx.Rollback()
	if l.sub, err = nextSubmission(ctx, l.tx); err != nil {
		return err
	}
	l.res.Submission = l.sub
	l.res.Status = StatusLoaded
	l.ov = newOverlay(l.refs)
	l.apps = map[string]*warehouse.Appender{}
	l.keys = map[string]map[string]int{}
	l.districts = map[string]bool{}
	l.kinds = map[string]bool{}
	if l.rejects, err = l.tx.Appender(ctx, "raw", "rejects"); err != nil {
		return err
	}
	for _, s := range sheets {
		if err := l.loadSheet(ctx, s); err != nil {
			return err
		}
	}
	for _, a := range l.apps {
		if err := a.Close(); err != nil {
			return err
		}
	}
	if err := l.rejects.Close(); err != nil {
		return err
	}
	if err := l.supersede(ctx); err != nil {
		return err
	}
	for k := range l.kinds {
		l.res.Kinds = append(l.res.Kinds, k)
	}
	sort.Slice(l.res.Kinds, func(i, j int) bool { return dict.ByName(l.res.Kinds[i]).Order < dict.ByName(l.res.Kinds[j]).Order })
	var ds []string
	for d := range l.districts {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	l.res.District = strings.Join(ds, ",")
	if err := l.insertSubmission(ctx, arch, book.Format(), book.Encoding(), 0); err != nil {
		return err
	}
	if err := l.tx.Commit(); err != nil {
		return err
	}
	l.ov.commit()
	return nil
}

// unreadable turns a read error in the middle of a file into quarantine.
func (l *loader) unreadable(err error) error {
	if fe, ok := etl.AsFileError(err); ok {
		return &quarantine{fe: fe}
	}
	return &quarantine{fe: &etl.FileError{File: l.file.Rel, Reason: etl.ReasonCorrupt, Err: err,
		Zh: "文件内容损坏，读取中途出错，请重新导出后报送。"}}
}

func (l *loader) insertSubmission(ctx context.Context, arch, format, encoding string, dupOf int64) error {
	r := l.res
	_, err := l.tx.Exec(ctx, `INSERT INTO raw.submissions (submission_id, file, sha256, size_bytes, modified_at, received_at, status,
		format, encoding, kinds, district, rows_read, rows_loaded, rows_rejected, rows_warned, reason, reason_zh, duplicate_of, archive_path, run_id)
		VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.sub, r.File, r.SHA256, l.file.Size, l.file.ModTime.UTC(), r.Status,
		nullStr(format), nullStr(encoding), nullStr(strings.Join(r.Kinds, ",")), nullStr(r.District),
		r.Read, r.Loaded, r.Rejected, r.Warned, nullStr(r.Reason), nullStr(r.ReasonZh), nullInt(dupOf), arch, nullInt(l.opt.RunID))
	return err
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(i int64) any {
	if i == 0 {
		return nil
	}
	return i
}

// loadSheet validates and appends every data row of one sheet.
func (l *loader) loadSheet(ctx context.Context, s opened) error {
	k := s.sc.Layout.Kind
	v := validate.New(s.sc.Layout, validate.Options{Catalogue: l.opt.Catalogue, IDKey: l.opt.IDKey})
	tot := newTotals(s.sc.Layout)
	col := columnIndex(k)
	for {
		line, err := s.sc.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return l.unreadable(err)
		}
		switch line.Type {
		case sheet.Blank, sheet.Note:
			continue
		case sheet.Total:
			for _, p := range tot.check(line.Row) {
				if err := l.reject(s.name, p); err != nil {
					return err
				}
			}
			continue
		}
		tot.add(line.Row)
		l.res.Read++
		o := v.Validate(line.Row)
		if o.OK() {
			l.references(s.sc.Layout, col, line.Row, &o)
		}
		for _, p := range o.Problems {
			if err := l.reject(s.name, p); err != nil {
				return err
			}
		}
		if !o.OK() {
			l.res.Rejected++
			continue
		}
		warnings := warningCodes(o.Problems)
		if warnings != "" {
			l.res.Warned++
		}
		if err := l.append(ctx, k, col, s.name, &o, warnings); err != nil {
			return err
		}
		l.res.Loaded++
		l.kinds[k.Name] = true
		if l.res.Read%5000 == 0 {
			l.progress(l.res.Read)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

func warningCodes(ps []validate.Problem) string {
	var w []string
	for _, p := range ps {
		if p.Severity == validate.Warning {
			w = append(w, p.Code)
		}
	}
	return strings.Join(w, ",")
}

func (l *loader) reject(sheetName string, p validate.Problem) error {
	p = maskPersonal(p)
	if len(l.problems) < maxListed {
		l.problems = append(l.problems, receipt.Problem{Sheet: sheetName, Problem: p})
	}
	return l.rejects.Append(l.sub, l.file.Rel, sheetName, int64(p.Row), p.Column, nullStr(p.Header), nullStr(p.Letter),
		p.Value, p.Severity, p.Code, p.Message(), p.MessageZh())
}

// maskPersonal keeps an ID number out of the rejects and the receipt even
// when it is wrong (DOMAIN.md §5): only its masked form is stored; the
// district finds the row by its number.
func maskPersonal(p validate.Problem) validate.Problem {
	if p.Column == "id_number" && p.Value != "" {
		masked := clean.MaskID(clean.Code(p.Value))
		p.Value = masked
	}
	return p
}

// columnIndex maps a kind's column names to their index.
func columnIndex(k *dict.Kind) map[string]int {
	m := make(map[string]int, len(k.Columns))
	for i, c := range k.Columns {
		m[c.Name] = i
	}
	return m
}

// references checks what a row points to and its key within the file.
func (l *loader) references(layout *dict.Layout, col map[string]int, row etl.Row, o *validate.Outcome) {
	k := layout.Kind
	vals := o.Records
	if len(vals) == 0 {
		return
	}
	rec := vals[0]
	get := func(name string) any { return rec[col[name]] }
	problem := func(name, code, detail string) {
		f := layout.Field(name)
		p := validate.Problem{Row: row.Num, Column: name, Severity: validate.Error, Code: code, Detail: detail}
		if f != nil {
			p.Header, p.Letter = f.Header, validate.Letter(f.Index)
			if f.Index < len(row.Cells) {
				p.Value = row.Cells[f.Index]
			}
		}
		o.Problems = append(o.Problems, p)
	}
	year, _ := get("year").(int64)
	switch k.Name {
	case "communities":
		l.districts[get("district").(string)] = true
	case "projects":
		var missing []string
		for _, c := range get("community_codes").([]string) {
			if _, ok := l.ov.community(year, c); !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			problem("community_codes", validate.CommunityNotInRoster, fmt.Sprintf("%s not in the %d roster", strings.Join(missing, ", "), year))
		}
	case "staff", "expenditures", "evaluations", "activities":
		code := get("project_code").(string)
		if k.Name == "activities" {
			year = int64(get("activity_date").(time.Time).Year())
		}
		if d, ok := l.ov.project(year, code); ok {
			l.districts[d] = true
		} else {
			problem("project_code", validate.UnknownProject, fmt.Sprintf("no project %s in %d", code, year))
		}
	case "facilities":
		code := get("community_code").(string)
		if d, ok := l.ov.community(year, code); ok {
			l.districts[d] = true
		} else {
			problem("community_code", validate.CommunityNotInRoster, fmt.Sprintf("%s not in the %d roster", code, year))
		}
	}
	if !o.OK() || len(k.Key) == 0 {
		return
	}
	seen := l.keys[k.Name]
	if seen == nil {
		seen = map[string]int{}
		l.keys[k.Name] = seen
	}
	for _, r := range vals {
		var parts []string
		for _, name := range k.Key {
			parts = append(parts, fmt.Sprint(r[col[name]]))
		}
		key := strings.Join(parts, "|")
		if first, dup := seen[key]; dup {
			problem(k.Key[len(k.Key)-1], validate.DuplicateKey, fmt.Sprintf("same %s as row %d", strings.Join(k.Key, ", "), first))
			return
		}
		seen[key] = row.Num
	}
	// The row will load: it may now be pointed to by later rows of the file.
	switch k.Name {
	case "communities":
		l.ov.communities[refKey(year, get("community_code").(string))] = get("district").(string)
	case "projects":
		d := get("district").(string)
		l.ov.projects[refKey(year, get("project_code").(string))] = d
		l.districts[d] = true
	}
}
