package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"shequ/etl/dict"
	"shequ/etl/receipt"
	"shequ/etl/validate"
	"shequ/warehouse"
)

// A late parent releases its orphans (DOMAIN.md §3): a row rejected only
// because the project or community it points to was unknown waits in
// raw.orphans. Whenever a run has loaded its files, every waiting row
// whose parents are now current is loaded from the archived file, with
// its original lineage and in its own submission's place in the
// latest-wins order; its reference problems in raw.rejects name the
// submission that released them, its submission's counts are brought up
// to date, and its receipt is written again.

// Parents an orphan waits for.
const (
	parentProject   = "project"
	parentCommunity = "community"
)

// orphanRef is one reference a waiting row lacks.
type orphanRef struct {
	parent string
	year   int64
	code   string
}

// Released is what one release did to one submission.
type Released struct {
	Submission int64
	File       string
	Rows       int     // rows loaded
	By         []int64 // the submissions that brought the parents
	Receipt    string
	Receipts   []string // a shared file's, one per district
	// oldDistrict is the submission's district before the release: its
	// receipt moves when the release names a district it lacked.
	oldDistrict string
}

// releaseRounds bounds the rounds of a release: a released roster row can
// release a project, which can release its staff, so two rounds release
// everything; more are never needed but cost nothing when idle.
const releaseRounds = 4

// candidateSQL lists the waiting rows whose every missing reference is
// now a current row, with the latest submission that brought one. The
// parents are one relation joined on equal columns alone: a join
// condition testing o.parent against a constant made DuckDB compare every
// waiting row with every project and community (9.7 s for a province's
// 13 000 waiting rows, on every run, even with nothing new).
const candidateSQL = `
WITH parents AS (
    SELECT 'project' AS parent, year, project_code AS code, max(submission_id) AS sub
    FROM raw.projects WHERE superseded_by IS NULL GROUP BY ALL
    UNION ALL
    SELECT 'community', year, community_code, max(submission_id)
    FROM raw.communities WHERE superseded_by IS NULL GROUP BY ALL)
SELECT o.submission_id, o.sheet, o."row", o.blocked, max(p.sub) AS by
FROM raw.orphans o
LEFT JOIN parents p ON p.parent = o.parent AND p.year = o.year AND p.code = o.code
WHERE o.released_by IS NULL
GROUP BY ALL
HAVING count(*) = count(p.sub)
ORDER BY 1, 2, 3`

// A candidate is a waiting row whose parents are all current.
type candidate struct {
	by      int64 // the latest submission that brought a parent
	blocked bool  // the row has other errors: only its references are released
}

type rowKey struct {
	sheet string
	row   int
}

// release loads every waiting row whose parents are now current, one
// submission per transaction, in rounds until none is left.
func release(ctx context.Context, w *warehouse.Warehouse, opt *Options, st *runState) ([]Released, error) {
	var out []Released
	index := map[int64]int{}
	for round := 0; round < releaseRounds; round++ {
		cands, err := candidates(ctx, w.DB)
		if err != nil {
			return out, fmt.Errorf("find orphans to release: %w", err)
		}
		if len(cands) == 0 {
			break
		}
		refs, err := loadRefs(ctx, w.DB)
		if err != nil {
			return out, fmt.Errorf("read references: %w", err)
		}
		subs := make([]int64, 0, len(cands))
		for s := range cands {
			subs = append(subs, s)
		}
		sort.Slice(subs, func(i, j int) bool { return subs[i] < subs[j] })
		for _, sub := range subs {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			r, err := releaseSubmission(ctx, w, opt, st, refs, sub, cands[sub])
			if err != nil {
				return out, fmt.Errorf("release the waiting rows of submission %d: %w", sub, err)
			}
			if i, ok := index[sub]; ok {
				out[i].Rows += r.Rows
				out[i].By = mergeIDs(out[i].By, r.By)
			} else {
				index[sub] = len(out)
				out = append(out, *r)
			}
		}
	}
	return out, nil
}

// candidates reads the waiting rows that can be released, by submission.
func candidates(ctx context.Context, db *sql.DB) (map[int64]map[rowKey]candidate, error) {
	rows, err := db.QueryContext(ctx, candidateSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[rowKey]candidate{}
	for rows.Next() {
		var sub int64
		var k rowKey
		var c candidate
		if err := rows.Scan(&sub, &k.sheet, &k.row, &c.blocked, &c.by); err != nil {
			return nil, err
		}
		m := out[sub]
		if m == nil {
			m = map[rowKey]candidate{}
			out[sub] = m
		}
		m[k] = c
	}
	return out, rows.Err()
}

// submissionRow is what a release needs of a submission.
type submissionRow struct {
	file, sha, format, encoding, archive string
	district, kinds                      string
	size                                 int64
	modified                             time.Time
}

func readSubmission(ctx context.Context, db *sql.DB, sub int64) (*submissionRow, error) {
	var s submissionRow
	var format, encoding, archive, district, kinds sql.NullString
	var modified sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT file, sha256, format, encoding, archive_path, district, kinds, size_bytes, modified_at
		FROM raw.submissions WHERE submission_id = ?`, sub).Scan(&s.file, &s.sha, &format, &encoding, &archive, &district, &kinds, &s.size, &modified)
	if err != nil {
		return nil, err
	}
	s.format, s.encoding, s.archive, s.district, s.kinds = format.String, encoding.String, archive.String, district.String, kinds.String
	s.modified = modified.Time
	return &s, nil
}

// archivedPath finds the archived copy of a submission: where it was
// recorded, else under this warehouse's archive by its hash (a warehouse
// moved with its archive).
func archivedPath(opt *Options, s *submissionRow) string {
	if s.archive != "" {
		if _, err := statFile(s.archive); err == nil {
			return s.archive
		}
	}
	return filepath.Join(opt.Archive, s.sha[:2], s.sha+strings.ToLower(path.Ext(s.file)))
}

// releaseSubmission loads the released rows of one submission in one
// transaction: it reads the archived file again, as it was read when it
// arrived, and loads the rows of cands that now pass.
func releaseSubmission(ctx context.Context, w *warehouse.Warehouse, opt *Options, st *runState, base *refs, sub int64, cands map[rowKey]candidate) (*Released, error) {
	s, err := readSubmission(ctx, w.DB, sub)
	if err != nil {
		return nil, err
	}
	errRows, err := standingErrorRows(ctx, w.DB, sub)
	if err != nil {
		return nil, err
	}
	// Rows with other errors only have their references released: the
	// file is read again only for rows that may load.
	loadable := map[rowKey]candidate{}
	rel := &releasing{cands: loadable, errRows: errRows, done: map[rowKey]bool{}}
	for k, c := range cands {
		if c.blocked {
			rel.done[k] = true
		} else {
			loadable[k] = c
		}
	}
	var rd *fileReader
	if len(loadable) > 0 {
		arch := archivedPath(opt, s)
		rd = startReader(arch, Found{Path: arch, Rel: s.file}, opt)
		defer rd.close()
		<-rd.ready
		if rd.fail != nil {
			return nil, fmt.Errorf("read the archived copy %s: %w", arch, rd.fail)
		}
	}
	l := &loader{w: w, opt: opt, refs: base, st: st, file: Found{Rel: s.file, Size: s.size, ModTime: s.modified},
		progress: func(n int) {
			if opt.Progress != nil {
				opt.Progress(Progress{File: s.file, Rows: int64(n), Releasing: true})
			}
		}}
	l.tx, err = w.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer l.tx.Rollback()
	l.sub = sub
	l.res = &FileResult{Submission: sub, File: s.file, SHA256: s.sha}
	if err := l.begin(ctx); err != nil {
		return nil, err
	}
	if rd != nil {
		for _, sh := range rd.sheets {
			if err := l.releaseSheet(ctx, sh, rd, rel); err != nil {
				return nil, err
			}
		}
	}
	for _, a := range l.apps {
		if err := a.Close(); err != nil {
			return nil, err
		}
	}
	if err := l.rejects.Close(); err != nil {
		return nil, err
	}
	// Every candidate's references now stand; mark them released, loaded
	// or not (a row that now repeats a key of its file stays out, with a
	// duplicate_key problem of its own).
	byBy := map[int64]map[string][]int{}
	for k := range rel.done {
		by := cands[k].by
		m := byBy[by]
		if m == nil {
			m = map[string][]int{}
			byBy[by] = m
		}
		m[k.sheet] = append(m[k.sheet], k.row)
	}
	for by, sheets := range byBy {
		for sheet, rows := range sheets {
			sort.Ints(rows)
			for len(rows) > 0 {
				n := min(len(rows), 5000)
				list := intList(rows[:n])
				rows = rows[n:]
				if _, err := l.tx.Exec(ctx, fmt.Sprintf(`UPDATE raw.rejects SET released_by = %d, released_at = now()::TIMESTAMP
					WHERE submission_id = %d AND sheet = ? AND "row" IN (%s) AND code IN ('%s', '%s') AND released_by IS NULL`,
					by, sub, list, validate.UnknownProject, validate.CommunityNotInRoster), sheet); err != nil {
					return nil, err
				}
				if _, err := l.tx.Exec(ctx, fmt.Sprintf(`UPDATE raw.orphans SET released_by = %d
					WHERE submission_id = %d AND sheet = ? AND "row" IN (%s) AND released_by IS NULL`, by, sub, list), sheet); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := l.placeReleased(ctx); err != nil {
		return nil, err
	}
	kinds := mergeList(s.kinds, l.kinds, func(a, b string) bool { return dict.ByName(a).Order < dict.ByName(b).Order })
	districts := mergeList(s.district, l.districts, func(a, b string) bool { return a < b })
	if _, err := l.tx.Exec(ctx, `UPDATE raw.submissions SET rows_loaded = rows_loaded + ?, rows_rejected = rows_rejected - ?,
		rows_warned = rows_warned + ?, kinds = ?, district = ? WHERE submission_id = ?`,
		l.res.Loaded, rel.loadedRows, l.res.Warned, nullStr(kinds), nullStr(districts), sub); err != nil {
		return nil, err
	}
	if err := l.tx.Commit(); err != nil {
		return nil, err
	}
	for kind, keys := range l.partKeys {
		st.parts.add(kind, keys)
	}
	l.ov.commit()
	r := &Released{Submission: sub, File: s.file, Rows: rel.loadedRows, oldDistrict: s.district}
	for by := range byBy {
		r.By = append(r.By, by)
	}
	sort.Slice(r.By, func(i, j int) bool { return r.By[i] < r.By[j] })
	return r, nil
}

// releasing is the state of one submission's release.
type releasing struct {
	cands      map[rowKey]candidate // rows that may load now
	errRows    map[rowKey]bool      // rows with a standing error (not loaded)
	done       map[rowKey]bool      // candidates seen in the file
	loadedRows int
	read       int // rows gone through
}

// releaseSheet goes through one sheet of the archived file as the loader
// did when it arrived: the rows loaded then only lend their keys (a
// released row must not repeat one), the candidates load when they pass.
func (l *loader) releaseSheet(ctx context.Context, s opened, rd *fileReader, rel *releasing) error {
	k := s.sc.Layout.Kind
	col := columnIndex(k)
	return l.eachItem(rd, func(it *item) error {
		if it.total {
			return nil
		}
		rel.read++
		if rel.read%5000 == 0 {
			l.progress(rel.read)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		key := rowKey{s.name, it.row.Num}
		o := &it.out
		l.waiting = nil
		if _, cand := rel.cands[key]; !cand {
			if !rel.errRows[key] && o.OK() {
				// Loaded when it arrived: its key and the references it
				// offers count for the rows after it.
				l.references(s.sc.Layout, col, it.row, o)
			}
			return nil
		}
		rel.done[key] = true
		before := len(o.Problems)
		l.references(s.sc.Layout, col, it.row, o)
		if !o.OK() {
			// Only a repeated key can stop it now: that problem is new.
			for _, p := range o.Problems[before:] {
				if err := l.reject(s.name, p); err != nil {
					return err
				}
			}
			return nil
		}
		if err := l.loadRow(ctx, k, col, s.name, o); err != nil {
			return err
		}
		rel.loadedRows++
		return nil
	})
}

// standingErrorRows lists the rows of a submission with an error that
// still stands: the rows that did not load.
func standingErrorRows(ctx context.Context, db *sql.DB, sub int64) (map[rowKey]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT sheet, "row" FROM raw.rejects
		WHERE submission_id = ? AND severity = 'error' AND released_by IS NULL`, sub)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[rowKey]bool{}
	for rows.Next() {
		var k rowKey
		if err := rows.Scan(&k.sheet, &k.row); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

// placeReleased puts the released rows in their submission's place in the
// latest-wins order: in each partition they now share, the rows of the
// newest submission are current and every older current row is
// superseded by it. Released rows of an older submission are superseded
// at once by a newer one; older rows are superseded by the released ones.
func (l *loader) placeReleased(ctx context.Context) error {
	for _, k := range dict.Kinds {
		if !l.kinds[k.Name] {
			continue
		}
		tables := []string{k.Name}
		if k.Name == "projects" {
			tables = append(tables, "project_communities")
		}
		keys := partitionKeys[k.Name]
		for _, table := range tables {
			sel, on, grp := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
			for i, e := range keys {
				sel[i] = fmt.Sprintf(e, "n") + fmt.Sprintf(" AS k%d", i)
				on[i] = fmt.Sprintf("s.k%d = ", i) + fmt.Sprintf(e, "c")
				grp[i] = fmt.Sprintf("s.k%d", i)
			}
			onO := make([]string, len(keys))
			for i, e := range keys {
				onO[i] = fmt.Sprintf("p.k%d = ", i) + fmt.Sprintf(e, "o")
			}
			// Only rows of the released rows' years (and months or
			// quarters) can share their partitions: saying so lets DuckDB
			// skip the rest of the history.
			q := fmt.Sprintf(`UPDATE raw.%[1]s AS o SET superseded_by = p.latest FROM (
					SELECT %[3]s, max(c.submission_id) AS latest
					FROM raw.%[1]s AS c JOIN (SELECT DISTINCT %[4]s FROM raw.%[1]s AS n WHERE n.submission_id = %[2]d AND %[7]s) AS s ON %[5]s
					WHERE c.superseded_by IS NULL AND %[8]s GROUP BY ALL) AS p
				WHERE o.superseded_by IS NULL AND o.submission_id < p.latest AND %[6]s AND %[9]s`,
				table, l.sub, strings.Join(grp, ", "), strings.Join(sel, ", "), strings.Join(on, " AND "), strings.Join(onO, " AND "),
				l.within(k.Name, "n"), l.within(k.Name, "c"), l.within(k.Name, "o"))
			if _, err := l.tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("place released %s: %w", table, err)
			}
		}
	}
	return nil
}

// rewriteReceipt writes a submission's receipt again from the warehouse,
// after some of its rows were released, and returns its path; a shared
// file's receipts, one per district, after reading it again for the
// district of every row (rowDistricts).
func rewriteReceipt(ctx context.Context, db *sql.DB, opt *Options, sub int64) ([]string, error) {
	var info receipt.Info
	var kinds, district, reason, reasonZh, format, encoding, archive sql.NullString
	var received time.Time
	err := db.QueryRowContext(ctx, `SELECT file, sha256, status, kinds, district, rows_read, rows_loaded, rows_rejected, rows_warned,
			reason, reason_zh, received_at, format, encoding, archive_path
		FROM raw.submissions WHERE submission_id = ?`, sub).Scan(&info.File, &info.SHA256, &info.Status, &kinds, &district,
		&info.Read, &info.Loaded, &info.Rejected, &info.Warned, &reason, &reasonZh, &received, &format, &encoding, &archive)
	if err != nil {
		return nil, err
	}
	info.Submission = sub
	info.District, info.Reason, info.ReasonZh, info.ReceivedAt = district.String, reason.String, reasonZh.String, received
	if kinds.String != "" {
		info.Kinds = strings.Split(kinds.String, ",")
	}
	rows, err := db.QueryContext(ctx, `SELECT sheet, "row", "column", coalesce(header, ''), coalesce(letter, ''), coalesce(value, ''),
			severity, code, message_zh, coalesce(released_by, 0)
		FROM raw.rejects WHERE submission_id = ? ORDER BY rowid`, sub)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []receipt.Problem
	released := map[rowKey]bool{}
	for rows.Next() {
		var p receipt.Problem
		if err := rows.Scan(&p.Sheet, &p.Row, &p.Column, &p.Header, &p.Letter, &p.Value, &p.Severity, &p.Code, &p.Zh, &p.ReleasedBy); err != nil {
			return nil, err
		}
		if len(ps) < maxListed {
			ps = append(ps, p)
		}
		if p.ReleasedBy != 0 {
			released[rowKey{p.Sheet, p.Row}] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A released problem's row loaded unless another error stands.
	out := map[rowKey]bool{}
	for _, p := range ps {
		if p.Severity == validate.Error && p.ReleasedBy == 0 {
			out[rowKey{p.Sheet, p.Row}] = true
		}
	}
	for i := range ps {
		if ps[i].ReleasedBy != 0 && out[rowKey{ps[i].Sheet, ps[i].Row}] {
			ps[i].StillOut = true
			delete(released, rowKey{ps[i].Sheet, ps[i].Row})
		}
	}
	info.Released = len(released)
	s := &submissionRow{file: info.File, sha: info.SHA256, archive: archive.String}
	// The file is read again for the district of every row: rows of
	// another district, even rejected ones, make it a shared file.
	byRow, err := fileRowDistricts(ctx, db, opt, sub, s)
	switch {
	case err != nil && strings.Contains(info.District, ","):
		return nil, fmt.Errorf("the districts of the rows of submission %d: %w", sub, err)
	case err != nil:
		opt.Log.Warn("the districts of the rows not found; one receipt", "submission", sub, "err", err)
	default:
		if parts := byRow.parts(info, ps); parts != nil {
			paths := writeParts(opt.Receipts, archivedPath(opt, s), format.String, encoding.String, byRow, parts, opt.Log)
			if len(paths) < len(parts) {
				return paths, fmt.Errorf("%d of the %d receipts of submission %d not written", len(parts)-len(paths), len(parts), sub)
			}
			return paths, nil
		}
	}
	dst := receipt.Path(opt.Receipts, info)
	write := func() error {
		return receipt.Write(dst, archivedPath(opt, s), format.String, encoding.String, info, ps, receipt.Limits{MaxAnnotateRows: 50_000})
	}
	if receipt.Clean(info, ps) {
		write = func() error { return receipt.WriteSummary(dst, info) }
	}
	if err := write(); err != nil {
		return nil, err
	}
	return []string{dst}, nil
}

func intList(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}

// mergeList adds the keys of set to a comma-separated list, sorted by less.
func mergeList(list string, set map[string]bool, less func(a, b string) bool) string {
	all := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		if s != "" {
			all[s] = true
		}
	}
	for s := range set {
		all[s] = true
	}
	out := make([]string, 0, len(all))
	for s := range all {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return strings.Join(out, ",")
}

func mergeIDs(a, b []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, x := range append(append([]int64(nil), a...), b...) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
