package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"shequ/etl"
	"shequ/etl/clean"
	"shequ/etl/dict"
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
	st       *runState
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
	years     map[string]map[int64]bool // kind → years of the rows loaded
	// The first and last activity dates, and the expenditure quarters, of
	// the rows loaded: they bound the partitions the file supersedes.
	minDate, maxDate time.Time
	quarters         map[int64]bool
	partKeys         map[string]map[string]bool // kind → partitions of the rows loaded
	problems         []receipt.Problem          // for the receipt, up to maxListed
	// recorded counts the problems written to raw.rejects, unrecorded
	// those beyond maxListed.
	recorded, unrecorded int
	format               string
	encoding             string
	// receipt writes the file's receipts and returns their paths (none
	// when it could not); nil when there is none to write. A shared file
	// gets one per district (rowDist).
	receipt func() []string
	// rowDist is the district of every row of the file; curDistrict the
	// district of the row references is checking ("" when none is known).
	rowDist     *rowDistricts
	curDistrict string
	// waiting holds the references an orphan row waits for (set by
	// references, written by wait).
	waiting []orphanRef
	blocked bool // the row has other errors than its references
	orphans *warehouse.Appender
	// The row being appended, and the submission and file boxed once.
	vals    []driver.Value
	lineage [2]driver.Value
}

// maxListed bounds the problems of one file kept in raw.rejects and in
// memory for its receipt: a hostile file of a million bad rows must not
// write a million rejects. The rest are counted
// (raw.submissions.problems_unrecorded); every row is still counted
// loaded or rejected.
const maxListed = 100_000

// quarantine is returned inside the loader for a file that cannot be read.
type quarantine struct{ fe *etl.FileError }

func (q *quarantine) Error() string { return q.fe.Error() }

func (l *loader) run(ctx context.Context, p *prepared) (*FileResult, error) {
	if p.rd != nil {
		defer p.rd.close()
	}
	if p.err != nil {
		return nil, p.err
	}
	f, sha := l.file, p.sha
	l.res = &FileResult{File: f.Rel, SHA256: sha}
	if p.received {
		return l.res, nil // received before: nothing to do
	}
	var dupOf sql.NullInt64
	if err := l.w.DB.QueryRowContext(ctx, `SELECT min(submission_id) FROM raw.submissions WHERE sha256 = ? AND status = 'loaded'`, sha).Scan(&dupOf); err != nil {
		return nil, err
	}
	arch := p.arch
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
	var err error
	if p.tooLarge {
		lim := l.opt.Limits.MaxFileBytes
		err = &quarantine{fe: &etl.FileError{File: f.Rel, Reason: etl.ReasonTooLarge,
			Err: fmt.Errorf("file is %d bytes, limit %d; only its first %d bytes are kept", f.Size, lim, headBytes),
			Zh:  fmt.Sprintf("文件过大（%d MB，上限 %d MB），未读取，请拆分为多个文件后重新报送。", f.Size>>20, lim>>20)}}
	} else {
		err = l.load(ctx, arch, p.rd)
	}
	var q *quarantine
	if errors.As(err, &q) {
		*l.res = FileResult{File: f.Rel, SHA256: sha, Status: StatusQuarantined,
			Reason: q.fe.Reason + ": " + errText(q.fe.Err), ReasonZh: q.fe.Zh}
		if q.fe.Err == nil {
			l.res.Reason = q.fe.Reason
		}
		// Nothing of it could be read: its district is the one its path
		// names, so that the district finds its receipt.
		l.res.District = districtInPath(ctx, l.w.DB, f.Rel)
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

// writeReceipt makes the district's receipt once the file's outcome is
// committed: the job is written by the receipt writer, in the background.
// A receipt that cannot be written is logged, never fatal: the data and
// its rejects are already in the warehouse.
func (l *loader) writeReceipt(arch string) {
	if l.opt.Receipts == "" {
		return
	}
	r := l.res
	r.Unrecorded = l.unrecorded
	info := receipt.Info{File: r.File, District: r.District, SHA256: r.SHA256, Submission: r.Submission, Status: r.Status,
		Kinds: r.Kinds, Read: r.Read, Loaded: r.Loaded, Rejected: r.Rejected, Warned: r.Warned, Unrecorded: l.unrecorded,
		Reason: r.Reason, ReasonZh: r.ReasonZh, ReceivedAt: time.Now()}
	format, encoding, problems, log := l.format, l.encoding, l.problems, l.opt.Log
	dir := l.opt.Receipts
	if parts := l.rowDist.parts(info, problems); parts != nil {
		// Rows of several districts: a receipt for each.
		rd := l.rowDist
		l.receipt = func() []string { return writeParts(dir, arch, format, encoding, rd, parts, log) }
		return
	}
	l.receipt = func() []string {
		var paths []string
		// A duplicate of a shared file is said to each of its districts.
		for _, dst := range receipt.Paths(dir, info) {
			write := func() error {
				return receipt.Write(dst, arch, format, encoding, info, problems, receipt.Limits{MaxAnnotateRows: 50_000})
			}
			if receipt.Clean(info, problems) {
				// Nothing to mark: the receipt is the summary alone.
				write = func() error { return receipt.WriteSummary(dst, info) }
			}
			if err := write(); err != nil {
				log.Warn("receipt not written", "file", info.File, "err", err)
				continue
			}
			paths = append(paths, dst)
		}
		return paths
	}
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
	if l.sub, err = l.nextSubmission(ctx); err != nil {
		return err
	}
	l.res.Submission = l.sub
	if err := l.insertSubmission(ctx, arch, "", "", dupOf); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	l.st.nextSub++
	return nil
}

// nextSubmission is the id the file's submission gets: read from the
// warehouse for the run's first file, then counted, since the run is the
// only writer.
func (l *loader) nextSubmission(ctx context.Context) (int64, error) {
	if l.st.nextSub == 0 {
		if err := l.tx.QueryRow(ctx, `SELECT coalesce(max(submission_id), 0) + 1 FROM raw.submissions`).Scan(&l.st.nextSub); err != nil {
			return 0, err
		}
	}
	return l.st.nextSub, nil
}

// opened is a recognised sheet ready to load.
type opened struct {
	name string
	rr   etl.RowReader
	sc   *sheet.Scanner
}

// load loads the file its reader streams in one transaction.
func (l *loader) load(ctx context.Context, arch string, rd *fileReader) (err error) {
	<-rd.ready
	l.format, l.encoding = rd.format, rd.encoding
	l.res.Unrecognised = append(l.res.Unrecognised, rd.unrecognised...)
	if rd.fail != nil {
		return rd.fail
	}
	sheets := rd.sheets
	l.tx, err = l.w.Begin(ctx)
	if err != nil {
		return err
	}
	defer l.tx.Rollback()
	if l.sub, err = l.nextSubmission(ctx); err != nil {
		return err
	}
	l.res.Submission = l.sub
	l.res.Status = StatusLoaded
	if err = l.begin(ctx); err != nil {
		return err
	}
	if l.orphans, err = l.tx.Appender(ctx, "raw", "orphans"); err != nil {
		return err
	}
	for _, s := range sheets {
		if err := l.loadSheet(ctx, s, rd); err != nil {
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
	if err := l.orphans.Close(); err != nil {
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
	if err := l.insertSubmission(ctx, arch, rd.format, rd.encoding, 0); err != nil {
		return err
	}
	if err := l.tx.Commit(); err != nil {
		return err
	}
	l.st.nextSub++
	for kind, keys := range l.partKeys {
		l.st.parts.add(kind, keys)
	}
	l.ov.commit()
	return nil
}

// begin readies the loader for one file's rows in its open transaction:
// the file's own references over the run's, and the appender of rejects.
func (l *loader) begin(ctx context.Context) (err error) {
	l.ov = newOverlay(l.refs)
	l.apps = map[string]*warehouse.Appender{}
	l.keys = map[string]map[string]int{}
	l.districts = map[string]bool{}
	l.kinds = map[string]bool{}
	l.years = map[string]map[int64]bool{}
	l.quarters = map[int64]bool{}
	l.partKeys = map[string]map[string]bool{}
	l.rowDist = newRowDistricts()
	l.rejects, err = l.tx.Appender(ctx, "raw", "rejects")
	return err
}

// unreadable turns a read error in the middle of a file into quarantine.
func (l *loader) unreadable(err error) error { return unreadable(l.file.Rel, err) }

func (l *loader) insertSubmission(ctx context.Context, arch, format, encoding string, dupOf int64) error {
	r := l.res
	_, err := l.tx.Exec(ctx, `INSERT INTO raw.submissions (submission_id, file, sha256, size_bytes, modified_at, received_at, status,
		format, encoding, kinds, district, rows_read, rows_loaded, rows_rejected, rows_warned, reason, reason_zh, duplicate_of, archive_path, run_id, problems_unrecorded)
		VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.sub, r.File, r.SHA256, l.file.Size, l.file.ModTime.UTC(), r.Status,
		nullStr(format), nullStr(encoding), nullStr(strings.Join(r.Kinds, ",")), nullStr(r.District),
		r.Read, r.Loaded, r.Rejected, r.Warned, nullStr(r.Reason), nullStr(r.ReasonZh), nullInt(dupOf), arch, nullInt(l.opt.RunID), l.unrecorded)
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

// loadSheet appends every data row of one sheet, as its reader validated
// them, and rejects what the rows and their references break.
func (l *loader) loadSheet(ctx context.Context, s opened, rd *fileReader) error {
	k := s.sc.Layout.Kind
	col := columnIndex(k)
	return l.eachItem(rd, func(it *item) error {
		if it.total {
			l.rowDist.item(s.name, it.row.Num)
			for _, p := range it.probs {
				if err := l.reject(s.name, p); err != nil {
					return err
				}
			}
			return nil
		}
		l.res.Read++
		o := &it.out
		l.waiting = nil
		l.curDistrict = ""
		l.references(s.sc.Layout, col, it.row, o)
		l.rowDist.item(s.name, it.row.Num)
		dc := l.rowDist.set(s.name, it.row.Num, l.rowDist.id(l.curDistrict))
		dc.read++
		for _, p := range o.Problems {
			if err := l.reject(s.name, p); err != nil {
				return err
			}
		}
		if !o.OK() {
			l.res.Rejected++
			dc.rejected++
			return l.wait(ctx, k.Name, s.name, it.row.Num)
		}
		if warningCodes(o.Problems) != "" {
			dc.warned++
		}
		dc.loaded++
		if err := l.loadRow(ctx, k, col, s.name, o); err != nil {
			return err
		}
		if l.res.Read%5000 == 0 {
			l.progress(l.res.Read)
			return ctx.Err()
		}
		return nil
	})
}

// eachItem hands fn every item of a sheet its reader streams, to the end
// of the sheet.
func (l *loader) eachItem(rd *fileReader, fn func(it *item) error) error {
	for {
		b, ok := <-rd.batches
		if !ok {
			return errors.New("ingest: the reader stopped before the end of a sheet")
		}
		if b.err != nil {
			return l.unreadable(b.err)
		}
		for i := range b.items {
			if err := fn(&b.items[i]); err != nil {
				return err
			}
		}
		if b.end {
			return nil
		}
	}
}

// loadRow appends a row that passed, flagged with its warning codes.
func (l *loader) loadRow(ctx context.Context, k *dict.Kind, col map[string]int, sheetName string, o *validate.Outcome) error {
	warnings := warningCodes(o.Problems)
	if warnings != "" {
		l.res.Warned++
	}
	if err := l.append(ctx, k, col, sheetName, o, warnings); err != nil {
		return err
	}
	l.res.Loaded++
	l.kinds[k.Name] = true
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
	if l.recorded >= maxListed {
		l.unrecorded++
		return nil
	}
	l.recorded++
	p = maskPersonal(p)
	l.problems = append(l.problems, receipt.Problem{Sheet: sheetName, Problem: p})
	return l.rejects.Append(l.sub, l.file.Rel, sheetName, int64(p.Row), p.Column, nullStr(p.Header), nullStr(p.Letter),
		p.Value, p.Severity, p.Code, p.Message(), p.MessageZh(), nil, nil)
}

// wait records what a rejected row waits for, when it is an orphan.
func (l *loader) wait(ctx context.Context, kind, sheetName string, row int) error {
	for _, w := range l.waiting {
		if err := l.orphans.Append(l.sub, sheetName, int64(row), kind, w.parent, w.year, w.code, l.blocked, nil); err != nil {
			return err
		}
	}
	l.waiting = nil
	return nil
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
// References are checked even when the row has other problems, so a
// district sees every problem of a row at once; a row whose only errors
// are references is an orphan: it waits in raw.orphans for its parent.
func (l *loader) references(layout *dict.Layout, col map[string]int, row etl.Row, o *validate.Outcome) {
	k := layout.Kind
	if len(o.Values) == 0 {
		return
	}
	rec := o.Values
	get := func(name string) any { return rec[col[name]] }
	problem := func(name, code, detail, detailZh string) {
		f := layout.Field(name)
		p := validate.Problem{Row: row.Num, Column: name, Severity: validate.Error, Code: code, Detail: detail, DetailZh: detailZh}
		if f != nil {
			p.Header, p.Letter = f.Header, validate.Letter(f.Index)
			if f.Index < len(row.Cells) {
				p.Value = row.Cells[f.Index]
			}
		}
		o.Problems = append(o.Problems, p)
	}
	var waits []orphanRef
	year, hasYear := get("year").(int64)
	switch k.Name {
	case "communities":
		if d, ok := get("district").(string); ok {
			l.curDistrict = d
			if o.OK() {
				l.districts[d] = true
			}
		}
	case "projects":
		if d, ok := get("district").(string); ok {
			l.curDistrict = d
		}
		codes, _ := get("community_codes").([]string)
		if !hasYear || len(codes) == 0 {
			break
		}
		var missing []string
		for _, c := range codes {
			if _, ok := l.ov.community(year, c); !ok {
				missing = append(missing, c)
				waits = append(waits, orphanRef{parent: parentCommunity, year: year, code: c})
			}
		}
		if len(missing) > 0 {
			list := strings.Join(missing, "、")
			problem("community_codes", validate.CommunityNotInRoster,
				fmt.Sprintf("%s not in the %d roster", strings.Join(missing, ", "), year),
				fmt.Sprintf("%s 不在 %d 年社区名册中", list, year))
		}
	case "staff", "expenditures", "evaluations", "activities":
		code, ok := get("project_code").(string)
		if k.Name == "activities" {
			d, dok := get("activity_date").(time.Time)
			year, hasYear = int64(d.Year()), dok
		}
		if !ok || !hasYear {
			break
		}
		if d, ok := l.ov.project(year, code); ok {
			l.curDistrict = d
			if o.OK() {
				l.districts[d] = true
			}
		} else {
			waits = append(waits, orphanRef{parent: parentProject, year: year, code: code})
			problem("project_code", validate.UnknownProject, fmt.Sprintf("no project %s in %d", code, year),
				fmt.Sprintf("%d 年服务项目中没有项目编号 %s", year, code))
		}
	case "facilities":
		code, ok := get("community_code").(string)
		if !ok || !hasYear {
			break
		}
		if d, ok := l.ov.community(year, code); ok {
			l.curDistrict = d
			if o.OK() {
				l.districts[d] = true
			}
		} else {
			waits = append(waits, orphanRef{parent: parentCommunity, year: year, code: code})
			problem("community_code", validate.CommunityNotInRoster, fmt.Sprintf("%s not in the %d roster", code, year),
				fmt.Sprintf("%s 不在 %d 年社区名册中", code, year))
		}
	}
	if len(waits) > 0 {
		l.waiting, l.blocked = waits, !validate.Orphan(o.Problems)
	}
	if !o.OK() || len(k.Key) == 0 {
		return
	}
	if l.duplicate(k, col, row, o, problem) {
		return
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

// duplicate checks a row's key against the rows of the file loaded before
// it, and adds duplicate_key when it repeats one.
func (l *loader) duplicate(k *dict.Kind, col map[string]int, row etl.Row, o *validate.Outcome, problem func(name, code, detail, detailZh string)) bool {
	seen := l.keys[k.Name]
	if seen == nil {
		seen = map[string]int{}
		l.keys[k.Name] = seen
	}
	for _, r := range o.Records {
		var parts []string
		for _, name := range k.Key {
			parts = append(parts, fmt.Sprint(r[col[name]]))
		}
		key := strings.Join(parts, "|")
		if first, dup := seen[key]; dup {
			problem(k.Key[len(k.Key)-1], validate.DuplicateKey, fmt.Sprintf("same %s as row %d", strings.Join(k.Key, ", "), first),
				fmt.Sprintf("与第 %d 行相同", first))
			return true
		}
		seen[key] = row.Num
	}
	return false
}

// districtInPath is the district a file's path names ("临江区/…",
// "临江区2014年服务记录.xlsx"), of the districts the warehouse knows (those
// that sent files, and those in its settings); "" when it names none, or
// more than one. The longest name wins over one it contains.
func districtInPath(ctx context.Context, db *sql.DB, rel string) string {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT d FROM (
			SELECT unnest(string_split(district, ',')) AS d FROM raw.submissions WHERE district IS NOT NULL
			UNION ALL
			SELECT substr(key, length('district.') + 1) FROM settings.current WHERE key LIKE 'district.%' AND value IS NOT NULL)
		WHERE d <> ''`)
	if err != nil {
		return ""
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var d string
		if rows.Scan(&d) == nil && strings.Contains(rel, d) {
			found = append(found, d)
		}
	}
	if rows.Err() != nil {
		return ""
	}
	best := ""
	for _, d := range found {
		if len(d) > len(best) {
			best = d
		}
	}
	for _, d := range found {
		if !strings.Contains(best, d) {
			return "" // two districts named: which one sent it is not known
		}
	}
	return best
}
