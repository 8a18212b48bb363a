// Package modelstest holds fixtures shared by the tests of the models and
// of the whole pipeline: loading the sample city's clean rows (truth/)
// straight into the raw layer, and comparing the marts with the marts
// computed independently of SQL (expected/).
package modelstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"shequ/internal/decimal"
	"shequ/warehouse"
)

// PolicyMarts are the marts of DOMAIN §6 computed from the policy rules,
// each with its expected/<mart>.csv from the independent oracle, sorted by
// name (the order of the expected folder).
var PolicyMarts = []string{"city_rewards", "coverage", "evaluation_scores", "facility_compliance", "fund_use",
	"payments", "project_costs", "provider_standing", "service_mix", "site_subsidies", "staffing"}

// TruthKinds are the truth/ files LoadTruth loads, each into raw.<kind>,
// in the order the ingest stage would.
var TruthKinds = []string{"communities", "projects", "project_communities", "staff", "expenditures", "activities", "evaluations", "facilities"}

type column struct {
	name, typ string
}

// LoadTruth loads truth/<kind>.csv of fsys (samples.FS) into the raw
// tables as current rows, the way a clean ingest would leave them: each
// file is one loaded submission (recorded in raw.submissions, ids from 1
// in TruthKinds order), every row carries its lineage (file, empty sheet,
// CSV line), superseded_by is NULL. Columns a truth file lacks are derived
// (an activity's year from its date, a covered community's district from
// its project) or left NULL. Rows go in through the warehouse Appender,
// decimals exactly.
func LoadTruth(ctx context.Context, w *warehouse.Warehouse, fsys fs.FS) error {
	tx, err := w.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	projectDistrict := map[string]string{}
	received := time.Date(2015, 1, 10, 9, 0, 0, 0, time.UTC)
	for i, kind := range TruthKinds {
		id := int64(i + 1)
		name := path.Join("truth", kind+".csv")
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		cols, err := tableColumns(ctx, tx, "raw", kind)
		if err != nil {
			return err
		}
		r := csv.NewReader(bytes.NewReader(data))
		header, err := r.Read()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		pos := map[string]int{}
		for j, h := range header {
			pos[h] = j
		}
		app, err := tx.Appender(ctx, "raw", kind)
		if err != nil {
			return err
		}
		n := 0
		for {
			line, _ := r.FieldPos(0)
			rec, err := r.Read()
			if err != nil {
				break
			}
			line, _ = r.FieldPos(0)
			get := func(c string) (string, bool) {
				j, ok := pos[c]
				if !ok {
					return "", false
				}
				return rec[j], true
			}
			if kind == "projects" {
				y, _ := get("year")
				pc, _ := get("project_code")
				d, _ := get("district")
				projectDistrict[y+"|"+pc] = d
			}
			vals := make([]driver.Value, len(cols))
			for k, c := range cols {
				var s string
				var ok bool
				switch c.name {
				case "submission_id":
					vals[k] = id
					continue
				case "source_file":
					vals[k] = name
					continue
				case "source_sheet":
					vals[k] = ""
					continue
				case "source_row":
					vals[k] = int32(line)
					continue
				case "superseded_by", "warnings", "extra":
					vals[k] = nil
					continue
				}
				s, ok = get(c.name)
				if !ok {
					switch {
					case kind == "activities" && c.name == "year":
						d, _ := get("activity_date")
						s = d[:4]
					case kind == "project_communities" && c.name == "district":
						y, _ := get("year")
						pc, _ := get("project_code")
						s = projectDistrict[y+"|"+pc]
					}
				}
				v, err := convert(s, c.typ)
				if err != nil {
					return fmt.Errorf("%s:%d %s: %w", name, line, c.name, err)
				}
				vals[k] = v
			}
			if err := app.Append(vals...); err != nil {
				return fmt.Errorf("%s:%d: %w", name, line, err)
			}
			n++
		}
		if err := app.Close(); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		if _, err := tx.Exec(ctx, `INSERT INTO raw.submissions (submission_id, file, sha256, size_bytes, received_at, status, format, encoding, kinds, rows_read, rows_loaded)
			VALUES (?, ?, ?, ?, ?, 'loaded', 'csv', 'utf-8', ?, ?, ?)`,
			id, name, hex.EncodeToString(sum[:]), len(data), received.Add(time.Duration(i)*time.Minute), kind, n, n); err != nil {
			return err
		}
	}
	return tx.Commit()
}

type querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func tableColumns(ctx context.Context, q querier, schema, table string) ([]column, error) {
	rows, err := q.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, schema, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no table %s.%s", schema, table)
	}
	return out, rows.Err()
}

// convert parses a truth cell for a column of DuckDB type typ.
func convert(s, typ string) (driver.Value, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	switch {
	case typ == "VARCHAR":
		return s, nil
	case typ == "INTEGER":
		n, err := strconv.ParseInt(s, 10, 32)
		return int32(n), err
	case typ == "BIGINT":
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err
	case typ == "BOOLEAN":
		return strconv.ParseBool(s)
	case typ == "DATE":
		return time.Parse("2006-01-02", s)
	case strings.HasPrefix(typ, "DECIMAL("):
		var width, scale int
		if _, err := fmt.Sscanf(typ, "DECIMAL(%d,%d)", &width, &scale); err != nil {
			return nil, err
		}
		coef, err := decimalCoef(s, scale)
		if err != nil {
			return nil, err
		}
		return decimal.Dec{Coef: coef, Scale: int32(scale)}, nil
	}
	return nil, fmt.Errorf("type %s not handled", typ)
}

// decimalCoef is s × 10^scale, exactly.
func decimalCoef(s string, scale int) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) > scale {
		if strings.Trim(fp[scale:], "0") != "" {
			return 0, fmt.Errorf("%s has more than %d decimals", s, scale)
		}
		fp = fp[:scale]
	}
	fp += strings.Repeat("0", scale-len(fp))
	n, err := strconv.ParseInt(ip+fp, 10, 64)
	if neg {
		n = -n
	}
	return n, err
}

// A Diff is one difference between an expected mart and the warehouse.
type Diff struct {
	Mart    string
	Key     string // key columns of the row, "year=2013 district=临江区"; empty for table problems
	Column  string
	Want    string
	Got     string
	Problem string // "value", "missing row", "extra row", "duplicate key", "column", "table"
}

func (d Diff) String() string {
	switch d.Problem {
	case "value":
		return fmt.Sprintf("marts.%s [%s] %s: want %s, got %s", d.Mart, d.Key, d.Column, d.Want, d.Got)
	case "missing row", "extra row", "duplicate key":
		return fmt.Sprintf("marts.%s [%s]: %s", d.Mart, d.Key, d.Problem)
	}
	return fmt.Sprintf("marts.%s: %s %s %s", d.Mart, d.Problem, d.Column, d.Want)
}

// RateTolerance is how far CompareExpected lets a DOUBLE column (a rate
// or a score) or a decimal finer than the fen be from the expected value.
// Money, a DECIMAL of scale ≤ 2, is compared exactly, to the fen.
const RateTolerance = 1e-6

// CompareExpected compares every expected/<mart>.csv of fsys (the sample
// city's samples.FS; files named expected_*.csv are not marts and are
// skipped) with marts.<mart> in db: the same columns, the same rows by key
// (the leading year and text columns), integers, booleans and text
// exactly, money (DECIMAL of scale ≤ 2) exactly as a decimal number, DOUBLE
// within RateTolerance, and a blank expected cell matching NULL. It returns
// every difference.
func CompareExpected(ctx context.Context, db *sql.DB, fsys fs.FS) ([]Diff, error) {
	entries, err := fs.ReadDir(fsys, "expected")
	if err != nil {
		return nil, err
	}
	var diffs []Diff
	for _, e := range entries {
		mart, ok := strings.CutSuffix(e.Name(), ".csv")
		if !ok || strings.HasPrefix(mart, "expected_") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join("expected", e.Name()))
		if err != nil {
			return nil, err
		}
		d, err := compareMart(ctx, db, mart, data)
		if err != nil {
			return nil, fmt.Errorf("compare marts.%s: %w", mart, err)
		}
		diffs = append(diffs, d...)
	}
	return diffs, nil
}

type dbQuerier struct{ db *sql.DB }

func (q dbQuerier) Query(ctx context.Context, s string, args ...any) (*sql.Rows, error) {
	return q.db.QueryContext(ctx, s, args...)
}

// Extensions are the columns a mart has beyond the contract of DOMAIN.md
// §6, by mart: the golden comparison accepts them and checks every column
// the contract names. Each is documented in its model's header.
var Extensions = map[string][]string{
	"evaluation_scores": {"volunteer_times"}, // 义工人次, seed 000 §2(2) (README: adding a column)
}

func compareMart(ctx context.Context, db *sql.DB, mart string, data []byte) ([]Diff, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, err
	}
	header, want := recs[0], recs[1:]
	cols, err := tableColumns(ctx, dbQuerier{db}, "marts", mart)
	if err != nil {
		return []Diff{{Mart: mart, Problem: "table", Want: "missing from the warehouse"}}, nil
	}
	types := map[string]string{}
	for _, c := range cols {
		types[c.name] = c.typ
	}
	var diffs []Diff
	var sel []string
	for _, h := range header {
		if _, ok := types[h]; !ok {
			diffs = append(diffs, Diff{Mart: mart, Problem: "column", Column: h, Want: "is expected but missing"})
			continue
		}
		sel = append(sel, h)
	}
	expected := map[string]bool{}
	for _, h := range header {
		expected[h] = true
	}
	for _, c := range cols {
		if !expected[c.name] && !slices.Contains(Extensions[mart], c.name) {
			diffs = append(diffs, Diff{Mart: mart, Problem: "column", Column: c.name, Want: "is in the mart but not expected"})
		}
	}
	if len(diffs) > 0 {
		return diffs, nil
	}
	// The key: leading year and text columns.
	var key []string
	for _, h := range header {
		if h == "year" || types[h] == "VARCHAR" {
			key = append(key, h)
			continue
		}
		break
	}
	casts := make([]string, len(header))
	for i, h := range header {
		casts[i] = fmt.Sprintf(`CAST(%q AS VARCHAR)`, h)
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM marts.%s", strings.Join(casts, ", "), mart))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[string][]sql.NullString{}
	keyOf := func(get func(int) string) string {
		parts := make([]string, len(key))
		for i, k := range key {
			parts[i] = k + "=" + get(i)
		}
		return strings.Join(parts, " ")
	}
	for rows.Next() {
		vals := make([]sql.NullString, len(header))
		ptrs := make([]any, len(header))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		k := keyOf(func(i int) string { return vals[i].String })
		if _, dup := got[k]; dup {
			diffs = append(diffs, Diff{Mart: mart, Key: k, Problem: "duplicate key"})
		}
		got[k] = vals
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, w := range want {
		k := keyOf(func(i int) string { return w[i] })
		seen[k] = true
		g, ok := got[k]
		if !ok {
			diffs = append(diffs, Diff{Mart: mart, Key: k, Problem: "missing row"})
			continue
		}
		for i, h := range header {
			if !equalCell(types[h], w[i], g[i]) {
				gs := "NULL"
				if g[i].Valid {
					gs = g[i].String
				}
				diffs = append(diffs, Diff{Mart: mart, Key: k, Column: h, Want: w[i], Got: gs, Problem: "value"})
			}
		}
	}
	var extra []string
	for k := range got {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		diffs = append(diffs, Diff{Mart: mart, Key: k, Problem: "extra row"})
	}
	return diffs, nil
}

// equalCell compares an expected cell with a warehouse value of type typ.
func equalCell(typ, want string, got sql.NullString) bool {
	if !got.Valid {
		return want == ""
	}
	g := got.String
	if want == "" {
		return typ == "VARCHAR" && g == ""
	}
	switch {
	case typ == "BOOLEAN":
		wb, err1 := strconv.ParseBool(want)
		gb, err2 := strconv.ParseBool(g)
		return err1 == nil && err2 == nil && wb == gb
	case typ == "INTEGER" || typ == "BIGINT" || typ == "HUGEINT" || typ == "SMALLINT":
		return strings.TrimSpace(want) == g
	case strings.HasPrefix(typ, "DECIMAL") && decimalScale(typ) <= 2:
		wr, ok1 := new(big.Rat).SetString(strings.TrimSpace(want))
		gr, ok2 := new(big.Rat).SetString(g)
		return ok1 && ok2 && wr.Cmp(gr) == 0
	case typ == "DOUBLE" || typ == "FLOAT" || strings.HasPrefix(typ, "DECIMAL"):
		wf, err1 := strconv.ParseFloat(want, 64)
		gf, err2 := strconv.ParseFloat(g, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return math.Abs(wf-gf) <= RateTolerance+1e-9
	}
	return want == g
}

// decimalScale is the scale of a DuckDB type DECIMAL(w,s).
func decimalScale(typ string) int {
	var w, s int
	fmt.Sscanf(typ, "DECIMAL(%d,%d)", &w, &s)
	return s
}
