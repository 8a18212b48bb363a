package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"shequ/etl/receipt"
)

// A file may hold the rows of several districts (a bureau's or an
// evaluator's file covering two). Each district gets a receipt of its own
// rows: its counts, its problems and a copy of its rows only, in its own
// folder; the rows of no district (a project or community not known, a
// 合计 row over all of them) get a receipt of their own, in the folder of
// an unknown district. A district's receipt never shows another
// district's rows. A file of one district keeps its one receipt, rows of
// no district included, as before.

// rowDistricts records the district of every row of a file, as its
// district column or the project or community it points to says: by
// sheet, indexed by row number, a district's number in names (0: none).
type rowDistricts struct {
	ids    map[string]uint16
	names  []string // names[0] is ""
	rows   map[string][]uint16
	counts map[uint16]*districtCounts
	// items are the rows the reader gave as data or 合计 rows, by sheet
	// and row number; the others (titles, headers, notes) are every
	// district's.
	items map[string][]bool
}

// districtCounts are a district's rows of the file as its receipt counts
// them.
type districtCounts struct {
	read, loaded, rejected, warned, released int
}

func newRowDistricts() *rowDistricts {
	return &rowDistricts{ids: map[string]uint16{"": 0}, names: []string{""}, rows: map[string][]uint16{},
		counts: map[uint16]*districtCounts{}, items: map[string][]bool{}}
}

// item records a row of a sheet as one of the file's items.
func (r *rowDistricts) item(sheet string, row int) {
	if row < 0 || row >= 1<<24 {
		return
	}
	its := r.items[sheet]
	for len(its) <= row {
		its = append(its, false)
	}
	its[row] = true
	r.items[sheet] = its
}

// isItem says whether a row of a sheet is one of the file's items.
func (r *rowDistricts) isItem(sheet string, row int) bool {
	its := r.items[sheet]
	return row >= 0 && row < len(its) && its[row]
}

// id is the number of a district, given one when it is new.
func (r *rowDistricts) id(district string) uint16 {
	if id, ok := r.ids[district]; ok {
		return id
	}
	if len(r.names) >= 1<<16-1 {
		return 0
	}
	id := uint16(len(r.names))
	r.ids[district] = id
	r.names = append(r.names, district)
	return id
}

// set records a row's district and returns its counts.
func (r *rowDistricts) set(sheet string, row int, id uint16) *districtCounts {
	rs := r.rows[sheet]
	if row >= 0 && row < 1<<24 {
		for len(rs) <= row {
			rs = append(rs, 0)
		}
		rs[row] = id
		r.rows[sheet] = rs
	}
	c := r.counts[id]
	if c == nil {
		c = &districtCounts{}
		r.counts[id] = c
	}
	return c
}

// of is the district number of a row (0 when none).
func (r *rowDistricts) of(sheet string, row int) uint16 {
	if rs := r.rows[sheet]; row >= 0 && row < len(rs) {
		return rs[row]
	}
	return 0
}

// districts lists the districts the file has rows of, sorted.
func (r *rowDistricts) districts() []string {
	var out []string
	for id, c := range r.counts {
		if id != 0 && c.read > 0 {
			out = append(out, r.names[id])
		}
	}
	sort.Strings(out)
	return out
}

// receiptPart is one receipt of a shared file: a district's (id).
type receiptPart struct {
	id       uint16
	info     receipt.Info
	problems []receipt.Problem
}

// parts splits the receipt of a file into one per district, and one for
// the rows of no district when there are any or problems of none; nil
// when the file has the rows of one district at most (its one receipt).
func (r *rowDistricts) parts(info receipt.Info, problems []receipt.Problem) []receiptPart {
	if r == nil {
		return nil
	}
	ds := r.districts()
	if len(ds) < 2 {
		return nil
	}
	byID := map[uint16][]receipt.Problem{}
	for _, p := range problems {
		id := r.of(p.Sheet, p.Row)
		byID[id] = append(byID[id], p)
	}
	ids := make([]uint16, 0, len(ds)+1)
	for _, d := range ds {
		ids = append(ids, r.ids[d])
	}
	if c := r.counts[0]; (c != nil && c.read > 0) || len(byID[0]) > 0 {
		ids = append(ids, 0)
	}
	var out []receiptPart
	for _, id := range ids {
		in := info
		in.District, in.Districts = r.names[id], ds
		c := r.counts[id]
		if c == nil {
			c = &districtCounts{}
		}
		in.Read, in.Loaded, in.Rejected, in.Warned, in.Released = c.read, c.loaded, c.rejected, c.warned, c.released
		out = append(out, receiptPart{id: id, info: in, problems: byID[id]})
	}
	return out
}

// owner says whose copy holds a row of the file, as receipt.WriteShared
// asks: the index in parts of its district's part, receipt.Every for a
// row that is not an item (a title, a header), or -2 for an item of a
// district without a part (a 合计 row). The file's rows are all recorded
// by then: r is not changed once its parts are made.
func (r *rowDistricts) owner(parts []receiptPart) func(sheet string, row int) int {
	index := make([]int, len(r.names))
	for i := range index {
		index[i] = -2
	}
	for i, pt := range parts {
		index[pt.id] = i
	}
	return func(sheet string, row int) int {
		if !r.isItem(sheet, row) {
			return receipt.Every
		}
		return index[r.of(sheet, row)]
	}
}

// writeParts writes every part of a shared file's receipt, reading the
// file once for all of their copies, and returns the paths written.
func writeParts(dir, arch, format, encoding string, r *rowDistricts, parts []receiptPart, log interface{ Warn(string, ...any) }) []string {
	ps := make([]receipt.Part, len(parts))
	for i, pt := range parts {
		ps[i] = receipt.Part{Dst: receipt.Path(dir, pt.info), Info: pt.info, Problems: pt.problems}
	}
	var paths []string
	for i, err := range receipt.WriteShared(arch, format, encoding, ps, r.owner(parts), receipt.Limits{MaxAnnotateRows: 50_000}) {
		if err != nil {
			log.Warn("receipt not written", "file", ps[i].Info.File, "district", ps[i].Info.District, "err", err)
			continue
		}
		paths = append(paths, ps[i].Dst)
	}
	return paths
}

// fileRowDistricts reads a submission's archived file again and finds the
// district of every row as the warehouse's rosters and projects now say,
// with the counts of each district's rows: read, rejected (a standing
// error), warned, released.
func fileRowDistricts(ctx context.Context, db *sql.DB, opt *Options, sub int64, s *submissionRow) (*rowDistricts, error) {
	base, err := loadRefs(ctx, db)
	if err != nil {
		return nil, err
	}
	arch := archivedPath(opt, s)
	rd := startReader(arch, Found{Path: arch, Rel: s.file}, opt)
	defer rd.close()
	<-rd.ready
	if rd.fail != nil {
		return nil, fmt.Errorf("read the archived copy %s: %w", arch, rd.fail)
	}
	l := &loader{opt: opt, refs: base, rowDist: newRowDistricts()}
	l.ov = newOverlay(base)
	l.keys = map[string]map[string]int{}
	l.districts = map[string]bool{}
	for _, sh := range rd.sheets {
		k := sh.sc.Layout.Kind
		col := columnIndex(k)
		if err := l.eachItem(rd, func(it *item) error {
			if it.total {
				l.rowDist.item(sh.name, it.row.Num)
				return nil
			}
			l.curDistrict = ""
			l.references(sh.sc.Layout, col, it.row, &it.out)
			l.rowDist.item(sh.name, it.row.Num)
			l.rowDist.set(sh.name, it.row.Num, l.rowDist.id(l.curDistrict)).read++
			return nil
		}); err != nil {
			return nil, err
		}
	}
	// Each district's rows out, warned and released, from the problems
	// the warehouse keeps.
	rows, err := db.QueryContext(ctx, `SELECT sheet, "row",
			bool_or(severity = 'error' AND released_by IS NULL) AS out,
			bool_or(severity = 'warning') AS warned,
			bool_or(released_by IS NOT NULL) AS released
		FROM raw.rejects WHERE submission_id = ? GROUP BY ALL`, sub)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sheet string
		var row int
		var out, warned, released bool
		if err := rows.Scan(&sheet, &row, &out, &warned, &released); err != nil {
			return nil, err
		}
		c := l.rowDist.counts[l.rowDist.of(sheet, row)]
		if c == nil || !l.rowDist.isItem(sheet, row) {
			continue
		}
		switch {
		case out:
			c.rejected++
		case warned:
			c.warned++
		}
		if released && !out {
			c.released++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range l.rowDist.counts {
		c.loaded = c.read - c.rejected
	}
	return l.rowDist, nil
}
