package official

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"shequ/models"
)

// Delta is what a restatement changes: every mart row of the year that
// differs between the official version and the working figures, with the
// submissions behind each, and the yuan that move per district in the
// allocation.
type Delta struct {
	Year int
	From int // the official version
	To   int // the version the restatement makes
	Rows []RowChange
	// Allocation is marts.city_rewards' allocation per district, old and
	// new (districts of either side).
	Allocation []Move
	// NewSubmissions are the submissions with a current row of the year
	// that the official version did not count; Dropped those it counted
	// that no longer have one (superseded by a correction).
	NewSubmissions, Dropped []Submission
}

// RowChange is one mart row that differs.
type RowChange struct {
	Mart    string
	Key     []string // the key's columns
	KeyVals []string // and values
	Change  string   // changed | added | removed
	Columns []string // the columns whose values differ (every column for added and removed rows)
	Old     []string // their old values ("" for an added row); NULL is written NULL
	New     []string
	// Submissions are behind the change: the new submissions with a row
	// of this row's key (its project, community, provider or district);
	// when none has, Direct is false and they are the year's new
	// submissions.
	Submissions []int64
	Direct      bool
}

// KeyText is the row's key for people.
func (r RowChange) KeyText() string { return keyText(r.Key, r.KeyVals) }

// Move is one district's allocation before and after.
type Move struct {
	District string
	Old, New string // yuan, 2 decimals; "" when the district had no row
	Delta    string // New − Old
}

// Submission is a received file.
type Submission struct {
	ID         int64
	File       string
	SHA256     string
	District   string
	Kinds      string
	ReceivedAt time.Time
}

// ChangeCounts counts the rows that changed by mart.
func (d *Delta) ChangeCounts() map[string]int {
	out := map[string]int{}
	for _, r := range d.Rows {
		out[r.Mart]++
	}
	return out
}

// Submission returns the new or dropped submission id, or one with only
// its id.
func (d *Delta) Submission(id int64) Submission {
	for _, s := range append(append([]Submission(nil), d.NewSubmissions...), d.Dropped...) {
		if s.ID == id {
			return s
		}
	}
	return Submission{ID: id}
}

// Diff compares the official version of a year with the working marts.
func Diff(ctx context.Context, q Querier, pr *models.Project, year int) (*Delta, error) {
	cur, err := Current(ctx, q, year)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, fmt.Errorf("%d: %w", year, ErrOpen)
	}
	marts, err := YearMarts(ctx, q, pr)
	if err != nil {
		return nil, err
	}
	d := &Delta{Year: year, From: cur.Version, To: cur.Version + 1}
	for _, m := range marts {
		ok, err := hasTable(ctx, q, "closed", m.Name)
		if err != nil {
			return nil, err
		}
		var have map[string]bool
		if ok {
			if have, err = tableColumns(ctx, q, "closed", m.Name); err != nil {
				return nil, err
			}
		}
		var cols []string
		for _, c := range m.Columns {
			if have[c] || !ok {
				cols = append(cols, c)
			}
		}
		newRows, err := readRows(ctx, q, fmt.Sprintf("marts.%s", quoteIdent(m.Name)), cols, "year = ?", year)
		if err != nil {
			return nil, err
		}
		var oldRows [][]string
		if ok {
			if oldRows, err = readRows(ctx, q, fmt.Sprintf("closed.%s", quoteIdent(m.Name)), cols, "year = ? AND version = ?", year, cur.Version); err != nil {
				return nil, err
			}
		}
		d.Rows = append(d.Rows, compare(m, cols, oldRows, newRows)...)
	}
	if err := d.submissions(ctx, q, year, cur.Version); err != nil {
		return nil, err
	}
	if err := d.allocation(ctx, q, year, cur.Version); err != nil {
		return nil, err
	}
	return d, nil
}

// readRows reads the rows of a relation, every value as text (NULL for
// NULL).
func readRows(ctx context.Context, q Querier, rel string, cols []string, where string, args ...any) ([][]string, error) {
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = fmt.Sprintf("coalesce(CAST(%s AS VARCHAR), 'NULL')", quoteIdent(c))
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(sel, ", "), rel, where), args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// compare pairs the rows by key and lists those that differ.
func compare(m Mart, cols []string, oldRows, newRows [][]string) []RowChange {
	idx := map[string]int{}
	for i, c := range cols {
		idx[c] = i
	}
	var key []string
	for _, k := range m.Key {
		if _, ok := idx[k]; ok {
			key = append(key, k)
		}
	}
	keyOf := func(vals []string) (string, []string) {
		kv := make([]string, len(key))
		for i, k := range key {
			kv[i] = vals[idx[k]]
		}
		return strings.Join(kv, "\x1f"), kv
	}
	byKey := func(rows [][]string) map[string][]string {
		out := map[string][]string{}
		for _, r := range rows {
			k, _ := keyOf(r)
			out[k] = r
		}
		return out
	}
	o, n := byKey(oldRows), byKey(newRows)
	var out []RowChange
	for k, nv := range n {
		_, kv := keyOf(nv)
		ov, ok := o[k]
		if !ok {
			out = append(out, RowChange{Mart: m.Name, Key: key, KeyVals: kv, Change: "added", Columns: cols, Old: make([]string, len(cols)), New: nv})
			continue
		}
		rc := RowChange{Mart: m.Name, Key: key, KeyVals: kv, Change: "changed"}
		for i, c := range cols {
			if !same(m.Type(c), ov[i], nv[i]) {
				rc.Columns = append(rc.Columns, c)
				rc.Old = append(rc.Old, ov[i])
				rc.New = append(rc.New, nv[i])
			}
		}
		if len(rc.Columns) > 0 {
			out = append(out, rc)
		}
	}
	for k, ov := range o {
		if _, ok := n[k]; !ok {
			_, kv := keyOf(ov)
			out = append(out, RowChange{Mart: m.Name, Key: key, KeyVals: kv, Change: "removed", Columns: cols, Old: ov, New: make([]string, len(cols))})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.Join(out[i].KeyVals, "\x1f") < strings.Join(out[j].KeyVals, "\x1f")
	})
	return out
}

// same compares two values as text; floating-point columns within 1e-9
// (a sum in another order may differ in its last bits).
func same(typ, a, b string) bool {
	if a == b {
		return true
	}
	if typ == "DOUBLE" || typ == "FLOAT" || typ == "REAL" {
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		if err1 == nil && err2 == nil {
			return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
		}
	}
	return false
}

// submissions finds the new and dropped submissions of the year and the
// ones behind each changed row.
func (d *Delta) submissions(ctx context.Context, q Querier, year, version int) error {
	counted := map[int64]bool{}
	rows, err := q.QueryContext(ctx, `SELECT submission_id FROM closed.inputs WHERE year = ? AND version = ?`, year, version)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		counted[id] = true
	}
	rows.Close()
	// The current rows of the year from submissions not counted: by what
	// they are behind.
	type behind struct {
		id                                 int64
		district, project, community, kind string
	}
	var lin []behind
	now := map[int64]bool{}
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT submission_id, coalesce(district, ''), coalesce(project_code, ''), coalesce(community_code, ''), kind
		FROM intermediate.lineage WHERE year = ?`, year)
	if err != nil {
		return fmt.Errorf("read the lineage of %d: %w", year, err)
	}
	for rows.Next() {
		var b behind
		if err := rows.Scan(&b.id, &b.district, &b.project, &b.community, &b.kind); err != nil {
			rows.Close()
			return err
		}
		now[b.id] = true
		if !counted[b.id] {
			lin = append(lin, b)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var newIDs, dropped []int64
	for id := range now {
		if !counted[id] {
			newIDs = append(newIDs, id)
		}
	}
	for id := range counted {
		if !now[id] {
			dropped = append(dropped, id)
		}
	}
	sort.Slice(newIDs, func(i, j int) bool { return newIDs[i] < newIDs[j] })
	sort.Slice(dropped, func(i, j int) bool { return dropped[i] < dropped[j] })
	if d.NewSubmissions, err = readSubmissions(ctx, q, newIDs); err != nil {
		return err
	}
	if d.Dropped, err = readSubmissions(ctx, q, dropped); err != nil {
		return err
	}
	// A provider's projects of the year.
	provider := map[string][]string{}
	if ok, _ := hasTable(ctx, q, "staging", "projects"); ok {
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT provider_credit_code, project_code FROM staging.projects WHERE year = ? AND provider_credit_code IS NOT NULL`, year)
		if err == nil {
			for rows.Next() {
				var p, c string
				if rows.Scan(&p, &c) == nil {
					provider[p] = append(provider[p], c)
				}
			}
			rows.Close()
		}
	}
	all := append(append([]int64(nil), newIDs...), dropped...)
	for i := range d.Rows {
		r := &d.Rows[i]
		val := map[string]string{}
		for j, k := range r.Key {
			val[k] = r.KeyVals[j]
		}
		// A changed row's district may be a column that is not its key.
		for j, c := range r.Columns {
			if c == "district" && val[c] == "" {
				if r.New[j] != "" && r.New[j] != "NULL" {
					val[c] = r.New[j]
				} else {
					val[c] = r.Old[j]
				}
			}
		}
		match := func(b behind) bool {
			switch {
			case val["project_code"] != "":
				return b.project == val["project_code"]
			case val["community_code"] != "":
				return b.community == val["community_code"]
			case val["provider_credit_code"] != "":
				for _, p := range provider[val["provider_credit_code"]] {
					if b.project == p {
						return true
					}
				}
				return false
			case val["district"] != "":
				return b.district == val["district"]
			}
			return false
		}
		seen := map[int64]bool{}
		for _, b := range lin {
			if !seen[b.id] && match(b) {
				seen[b.id] = true
				r.Submissions = append(r.Submissions, b.id)
			}
		}
		sort.Slice(r.Submissions, func(a, b int) bool { return r.Submissions[a] < r.Submissions[b] })
		r.Direct = len(r.Submissions) > 0
		if !r.Direct {
			r.Submissions = append([]int64(nil), all...)
		}
	}
	return nil
}

func readSubmissions(ctx context.Context, q Querier, ids []int64) ([]Submission, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	rows, err := q.QueryContext(ctx, `SELECT submission_id, file, sha256, coalesce(district, ''), coalesce(kinds, ''), received_at
		FROM marts.submissions WHERE submission_id IN (`+strings.Join(list, ",")+`) ORDER BY submission_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		var s Submission
		if err := rows.Scan(&s.ID, &s.File, &s.SHA256, &s.District, &s.Kinds, &s.ReceivedAt); err != nil {
			return nil, err
		}
		s.ReceivedAt = s.ReceivedAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// allocation reads the allocation per district, old and new.
func (d *Delta) allocation(ctx context.Context, q Querier, year, version int) error {
	if ok, err := hasTable(ctx, q, "marts", "city_rewards"); err != nil || !ok {
		return err
	}
	read := func(query string, args ...any) (map[string]string, error) {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var dist, a string
			if err := rows.Scan(&dist, &a); err != nil {
				return nil, err
			}
			out[dist] = a
		}
		return out, rows.Err()
	}
	newA, err := read(`SELECT district, CAST(CAST(allocation AS DECIMAL(18,2)) AS VARCHAR) FROM marts.city_rewards WHERE year = ?`, year)
	if err != nil {
		return err
	}
	oldA := map[string]string{}
	if ok, _ := hasTable(ctx, q, "closed", "city_rewards"); ok {
		if oldA, err = read(`SELECT district, CAST(CAST(allocation AS DECIMAL(18,2)) AS VARCHAR) FROM closed.city_rewards WHERE year = ? AND version = ?`, year, version); err != nil {
			return err
		}
	}
	var names []string
	seen := map[string]bool{}
	for _, m := range []map[string]string{oldA, newA} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	sort.Strings(names)
	for _, n := range names {
		o, nw := oldA[n], newA[n]
		d.Allocation = append(d.Allocation, Move{District: n, Old: o, New: nw, Delta: subtract(nw, o)})
	}
	return nil
}

// subtract is a − b for decimal texts ("" is 0), to the fen.
func subtract(a, b string) string {
	x, y := new(big.Rat), new(big.Rat)
	if a != "" {
		x.SetString(a)
	}
	if b != "" {
		y.SetString(b)
	}
	return new(big.Rat).Sub(x, y).FloatString(2)
}

// MovedTotal is the sum of the absolute moves in yuan and the net change.
func (d *Delta) MovedTotal() (moved, net string) {
	m, n := new(big.Rat), new(big.Rat)
	for _, a := range d.Allocation {
		x, ok := new(big.Rat).SetString(a.Delta)
		if !ok {
			continue
		}
		n.Add(n, x)
		m.Add(m, new(big.Rat).Abs(x))
	}
	return m.FloatString(2), n.FloatString(2)
}

func insertChanges(ctx context.Context, q Querier, year, version int, d *Delta) error {
	for _, r := range d.Rows {
		ov, nv := map[string]string{}, map[string]string{}
		for i, c := range r.Columns {
			if r.Change != "added" {
				ov[c] = r.Old[i]
			}
			if r.Change != "removed" {
				nv[c] = r.New[i]
			}
		}
		oj, _ := json.Marshal(ov)
		nj, _ := json.Marshal(nv)
		ids := make([]string, len(r.Submissions))
		for i, id := range r.Submissions {
			ids[i] = strconv.FormatInt(id, 10)
		}
		var o, n any = string(oj), string(nj)
		if r.Change == "added" {
			o = nil
		}
		if r.Change == "removed" {
			n = nil
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO closed.changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			year, version, r.Mart, r.KeyText(), r.Change, strings.Join(r.Columns, ","), o, n, strings.Join(ids, ","), r.Direct); err != nil {
			return fmt.Errorf("record the changes: %w", err)
		}
	}
	return nil
}
