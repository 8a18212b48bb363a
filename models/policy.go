package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// PolicyDir is the folder of a project holding the policy files.
const PolicyDir = "policy"

// PolicySchemaFile describes the shape of every policy table.
const PolicySchemaFile = "schema.yaml"

// PolicyColumn is one column of a policy table.
type PolicyColumn struct {
	Name        string `yaml:"name"`
	Type        string `yaml:"type"` // text, int, bool, decimal(w,s)
	Required    bool   `yaml:"required"`
	Description string `yaml:"description"`
}

// PolicyTableSpec is the shape of one policy table (policy/schema.yaml).
type PolicyTableSpec struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Key         []string       `yaml:"key"`
	Closed      bool           `yaml:"closed"` // overrides may not add keys
	Columns     []PolicyColumn `yaml:"columns"`
}

// Column returns the column called name, or nil.
func (s *PolicyTableSpec) Column(name string) *PolicyColumn {
	for i := range s.Columns {
		if s.Columns[i].Name == name {
			return &s.Columns[i]
		}
	}
	return nil
}

// SQLType is the warehouse type of a policy column.
func (c PolicyColumn) SQLType() string {
	switch {
	case c.Type == "text":
		return "VARCHAR"
	case c.Type == "int":
		return "INTEGER"
	case c.Type == "bool":
		return "BOOLEAN"
	case strings.HasPrefix(c.Type, "decimal"):
		return strings.ToUpper(strings.ReplaceAll(c.Type, " ", ""))
	}
	return "VARCHAR"
}

var decimalTypeRE = regexp.MustCompile(`^decimal\((\d+),(\d+)\)$`)

// PolicyRow is one row of a policy table: its cells by column (a missing
// or blank cell is NULL) and where it came from.
type PolicyRow struct {
	Values map[string]string
	File   string
	Line   int
}

// PolicyVersion records one file that went into a policy table.
type PolicyVersion struct {
	Table  string
	File   string
	Origin string // "default" or "override"
	SHA256 string
	Rows   int // rows the file holds
}

// PolicyTable is a policy table's shape and its rows after overrides.
type PolicyTable struct {
	Spec     *PolicyTableSpec
	Rows     []PolicyRow
	Versions []PolicyVersion
}

// Policy is the set of policy tables a build loads into the policy schema.
type Policy struct {
	Tables []*PolicyTable
	root   string
}

// Table returns the policy table called name, or nil.
func (p *Policy) Table(name string) *PolicyTable {
	if p == nil {
		return nil
	}
	for _, t := range p.Tables {
		if t.Spec.Name == name {
			return t
		}
	}
	return nil
}

func (p *Policy) hasTable(name string) bool { return name == "versions" || p.Table(name) != nil }

// ParameterNames lists the names in the parameters table.
func (p *Policy) ParameterNames() []string {
	t := p.Table("parameters")
	if t == nil {
		return nil
	}
	out := make([]string, 0, len(t.Rows))
	for _, r := range t.Rows {
		out = append(out, r.Values["name"])
	}
	return out
}

// Parameter returns the row of parameter name, or nil.
func (p *Policy) Parameter(name string) *PolicyRow {
	t := p.Table("parameters")
	if t == nil {
		return nil
	}
	for i := range t.Rows {
		if t.Rows[i].Values["name"] == name {
			return &t.Rows[i]
		}
	}
	return nil
}

func (p *Policy) clone() *Policy {
	q := &Policy{root: p.root}
	for _, t := range p.Tables {
		nt := &PolicyTable{Spec: t.Spec, Versions: append([]PolicyVersion(nil), t.Versions...)}
		for _, r := range t.Rows {
			v := make(map[string]string, len(r.Values))
			for k, x := range r.Values {
				v[k] = x
			}
			nt.Rows = append(nt.Rows, PolicyRow{Values: v, File: r.File, Line: r.Line})
		}
		q.Tables = append(q.Tables, nt)
	}
	return q
}

// loadDefaultPolicy reads policy/schema.yaml and every table's CSV file.
func loadDefaultPolicy(fsys fs.FS, root string) (*Policy, error) {
	schemaPath := path.Join(PolicyDir, PolicySchemaFile)
	disp := path.Join(root, schemaPath)
	b, err := fs.ReadFile(fsys, schemaPath)
	if err != nil {
		return nil, ErrorList{{File: disp, Err: fmt.Errorf("cannot read the policy schema: %w", err)}}
	}
	specs, errs := parsePolicySchema(b, disp)
	pol := &Policy{root: root}
	for _, s := range specs {
		t := &PolicyTable{Spec: s}
		pol.Tables = append(pol.Tables, t)
		name := path.Join(PolicyDir, s.Name+".csv")
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs.add(path.Join(root, name), 0, "policy table %s has no file: %v", s.Name, err)
			continue
		}
		rows, _, ferrs := parsePolicyCSV(data, path.Join(root, name), s, false)
		errs = append(errs, ferrs...)
		t.Rows = rows
		t.Versions = []PolicyVersion{{Table: s.Name, File: path.Join(root, name), Origin: "default", SHA256: sha(data), Rows: len(rows)}}
	}
	// A CSV in policy/ that no table describes is probably a mistake.
	if entries, err := fs.ReadDir(fsys, PolicyDir); err == nil {
		for _, e := range entries {
			stem, ok := strings.CutSuffix(e.Name(), ".csv")
			if ok && pol.Table(stem) == nil {
				errs.add(path.Join(root, PolicyDir, e.Name()), 0, "policy file has no table in %s: describe its columns there", PolicySchemaFile)
			}
		}
	}
	return pol, errs.err()
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func parsePolicySchema(b []byte, disp string) ([]*PolicyTableSpec, ErrorList) {
	var errs ErrorList
	var doc struct {
		Tables []*PolicyTableSpec `yaml:"tables"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		errs.add(disp, 0, "%v", err)
		return nil, errs
	}
	seen := map[string]bool{}
	var out []*PolicyTableSpec
	for _, s := range doc.Tables {
		if !identOnlyRE.MatchString(s.Name) || seen[s.Name] || s.Name == "versions" {
			errs.add(disp, 0, "policy table name %q is not a new SQL identifier", s.Name)
			continue
		}
		seen[s.Name] = true
		ok := true
		for _, c := range s.Columns {
			if !identOnlyRE.MatchString(c.Name) {
				errs.add(disp, 0, "table %s: column name %q is not an SQL identifier", s.Name, c.Name)
				ok = false
			}
			if c.Type != "text" && c.Type != "int" && c.Type != "bool" && !decimalTypeRE.MatchString(strings.ReplaceAll(c.Type, " ", "")) {
				errs.add(disp, 0, "table %s column %s: type %q must be text, int, bool or decimal(w,s)", s.Name, c.Name, c.Type)
				ok = false
			}
		}
		if len(s.Key) == 0 {
			errs.add(disp, 0, "table %s has no key: list the columns that identify a row", s.Name)
			ok = false
		}
		for _, k := range s.Key {
			if c := s.Column(k); c == nil || !c.Required {
				errs.add(disp, 0, "table %s: key column %s must be a required column", s.Name, k)
				ok = false
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, errs
}

// parsePolicyCSV reads one policy file against its table's shape. An
// override may hold only some columns, but always the key.
func parsePolicyCSV(data []byte, disp string, s *PolicyTableSpec, override bool) ([]PolicyRow, []string, ErrorList) {
	var errs ErrorList
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		if err == io.EOF {
			errs.add(disp, 1, "empty file: the first line must name the columns")
		} else {
			errs.add(disp, 1, "%v", err)
		}
		return nil, nil, errs
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	have := map[string]bool{}
	for i, h := range header {
		if s.Column(h) == nil {
			errs.add(disp, 1, "column %d %q is not a column of policy table %s (columns: %s)", i+1, h, s.Name, specColumnNames(s))
		}
		if have[h] {
			errs.add(disp, 1, "column %q appears twice", h)
		}
		have[h] = true
	}
	for _, c := range s.Columns {
		if !have[c.Name] && (!override && c.Required || override && contains(s.Key, c.Name)) {
			errs.add(disp, 1, "column %s is missing", c.Name)
		}
	}
	if len(errs) > 0 {
		return nil, header, errs
	}
	var rows []PolicyRow
	keys := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs.add(disp, pe.Line, "%v", pe.Err)
			} else {
				errs.add(disp, 0, "%v", err)
			}
			break
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) > len(header) {
			errs.add(disp, line, "%d cells but %d columns", len(rec), len(header))
			continue
		}
		row := PolicyRow{Values: map[string]string{}, File: disp, Line: line}
		for i, h := range header {
			v := ""
			if i < len(rec) {
				v = strings.TrimSpace(rec[i])
			}
			c := s.Column(h)
			if v == "" {
				if c.Required {
					errs.add(disp, line, "%s is required", h)
				}
				row.Values[h] = ""
				continue
			}
			norm, err := normalizeCell(c.Type, v)
			if err != nil {
				errs.add(disp, line, "%s: %v", h, err)
				continue
			}
			row.Values[h] = norm
		}
		k := rowKey(s, row)
		if prev, dup := keys[k]; dup {
			errs.add(disp, line, "key %s repeats line %d", k, prev)
			continue
		}
		keys[k] = line
		rows = append(rows, row)
	}
	return rows, header, errs
}

func specColumnNames(s *PolicyTableSpec) string {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func rowKey(s *PolicyTableSpec, r PolicyRow) string {
	parts := make([]string, len(s.Key))
	for i, k := range s.Key {
		parts[i] = k + "=" + r.Values[k]
	}
	return strings.Join(parts, ", ")
}

var decimalRE = regexp.MustCompile(`^[+-]?([0-9]*)(?:\.([0-9]*))?$`)

// normalizeCell checks a cell against its type and returns its canonical
// text: decimals exactly as written (never through a float), booleans as
// true/false.
func normalizeCell(typ, v string) (string, error) {
	switch {
	case typ == "text":
		return v, nil
	case typ == "int":
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return "", fmt.Errorf("%q is not a whole number", v)
		}
		return strconv.FormatInt(n, 10), nil
	case typ == "bool":
		switch strings.ToLower(v) {
		case "true", "1", "yes", "y", "是":
			return "true", nil
		case "false", "0", "no", "n", "否":
			return "false", nil
		}
		return "", fmt.Errorf("%q is not true or false", v)
	}
	m := decimalTypeRE.FindStringSubmatch(strings.ReplaceAll(typ, " ", ""))
	if m == nil {
		return "", fmt.Errorf("unknown type %s", typ)
	}
	width, _ := strconv.Atoi(m[1])
	scale, _ := strconv.Atoi(m[2])
	v = strings.ReplaceAll(v, ",", "")
	d := decimalRE.FindStringSubmatch(v)
	if d == nil || d[1] == "" && d[2] == "" {
		return "", fmt.Errorf("%q is not a number", v)
	}
	intPart := strings.TrimLeft(d[1], "0")
	frac := strings.TrimRight(d[2], "0")
	if len(frac) > scale {
		return "", fmt.Errorf("%q has more than %d decimal places", v, scale)
	}
	if len(intPart) > width-scale {
		return "", fmt.Errorf("%q is too large (at most %d digits before the point)", v, width-scale)
	}
	return v, nil
}

// PolicyWith returns the project's default policy with the override files
// applied in order. An override is a CSV shaped like one policy table,
// recognised by its file name (parameters.csv, or parameters_2015.csv,
// parameters-rural.csv…) or else by its header; its rows replace the
// default rows with the same key, in the columns it has (others keep
// their default), and add rows with new keys (except for parameters,
// where a new name is an error). Rows it changes get the source the file
// gives, or "override <file>".
func (p *Project) PolicyWith(overrides ...string) (*Policy, error) {
	pol := p.policy.clone()
	var errs ErrorList
	for _, f := range overrides {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("policy override: %w", err)
		}
		errs = append(errs, pol.applyOverride(filepath.ToSlash(f), data)...)
	}
	return pol, errs.err()
}

// ApplyOverride applies one override file's content (named name for
// messages and for recognising its table) to the policy.
func (p *Policy) ApplyOverride(name string, data []byte) error {
	return p.applyOverride(name, data).err()
}

func (p *Policy) applyOverride(name string, data []byte) ErrorList {
	var errs ErrorList
	t, err := p.recognise(name, data)
	if err != nil {
		errs.add(name, 0, "%v", err)
		return errs
	}
	s := t.Spec
	rows, header, ferrs := parsePolicyCSV(data, name, s, true)
	if len(ferrs) > 0 {
		return ferrs
	}
	hasSource := contains(header, "source")
	index := map[string]int{}
	for i, r := range t.Rows {
		index[rowKey(s, r)] = i
	}
	for _, r := range rows {
		if !hasSource && s.Column("source") != nil {
			r.Values["source"] = fmt.Sprintf("override %s", path.Base(name))
		}
		k := rowKey(s, r)
		if i, ok := index[k]; ok {
			for _, h := range header {
				t.Rows[i].Values[h] = r.Values[h]
			}
			if !hasSource && s.Column("source") != nil {
				t.Rows[i].Values["source"] = r.Values["source"]
			}
			t.Rows[i].File, t.Rows[i].Line = r.File, r.Line
			continue
		}
		if s.Closed {
			errs.add(name, r.Line, "%s: no such row in policy table %s; overrides change existing rows only (known: %s)", k, s.Name, strings.Join(p.keysOf(t), ", "))
			continue
		}
		for _, c := range s.Columns {
			if c.Required && r.Values[c.Name] == "" && !(c.Name == "source") {
				errs.add(name, r.Line, "new row %s needs column %s", k, c.Name)
			}
		}
		index[k] = len(t.Rows)
		t.Rows = append(t.Rows, r)
	}
	t.Versions = append(t.Versions, PolicyVersion{Table: s.Name, File: name, Origin: "override", SHA256: sha(data), Rows: len(rows)})
	return errs
}

func (p *Policy) keysOf(t *PolicyTable) []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, rowKey(t.Spec, r))
	}
	if len(out) > 8 {
		out = append(out[:8], "…")
	}
	return out
}

// recognise finds the policy table an override file is shaped like.
func (p *Policy) recognise(name string, data []byte) (*PolicyTable, error) {
	stem := strings.TrimSuffix(path.Base(filepath.ToSlash(name)), path.Ext(name))
	if t := p.Table(stem); t != nil {
		return t, nil
	}
	// parameters_2015, reward_budget-next-year: longest table name prefix.
	var best *PolicyTable
	for _, t := range p.Tables {
		n := t.Spec.Name
		if strings.HasPrefix(stem, n) && len(stem) > len(n) && strings.ContainsRune("_-. ", rune(stem[len(n)])) {
			if best == nil || len(n) > len(best.Spec.Name) {
				best = t
			}
		}
	}
	if best != nil {
		return best, nil
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("cannot read the header: %v", err)
	}
	var matches []*PolicyTable
	for _, t := range p.Tables {
		ok := true
		for _, h := range header {
			if t.Spec.Column(strings.TrimSpace(h)) == nil {
				ok = false
			}
		}
		for _, k := range t.Spec.Key {
			if !contains(trimAll(header), k) {
				ok = false
			}
		}
		if ok {
			matches = append(matches, t)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, fmt.Errorf("not shaped like any policy table (header %s): name the file after the table it changes (%s)", strings.Join(header, ","), strings.Join(p.tableNames(), ", "))
	}
	var names []string
	for _, t := range matches {
		names = append(names, t.Spec.Name)
	}
	return nil, fmt.Errorf("header fits several policy tables (%s): name the file after the one it changes", strings.Join(names, ", "))
}

func trimAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.TrimSpace(x)
	}
	return out
}

func (p *Policy) tableNames() []string {
	var out []string
	for _, t := range p.Tables {
		out = append(out, t.Spec.Name)
	}
	sort.Strings(out)
	return out
}

// Versions lists every file that went into the policy.
func (p *Policy) Versions() []PolicyVersion {
	var out []PolicyVersion
	for _, t := range p.Tables {
		out = append(out, t.Versions...)
	}
	return out
}

// Load replaces the tables of the policy schema with this policy,
// in one transaction, and records its files in policy.versions.
func (p *Policy) Load(ctx context.Context, db *sql.DB, runID int64) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return p.load(ctx, conn, runID)
}

func (p *Policy) load(ctx context.Context, conn *sql.Conn, runID int64) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	if err := p.loadIn(ctx, conn, runID); err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("load policy: %w", err)
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

// loadIn replaces the policy tables inside the transaction conn holds.
func (p *Policy) loadIn(ctx context.Context, conn *sql.Conn, runID int64) error {
	for _, t := range p.Tables {
		for _, q := range t.Statements() {
			if _, err := conn.ExecContext(ctx, q.SQL, q.Args...); err != nil {
				return fmt.Errorf("policy.%s: %w", t.Spec.Name, err)
			}
		}
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE policy.versions (
		policy_table VARCHAR, file VARCHAR, origin VARCHAR, sha256 VARCHAR, rows INTEGER, run_id BIGINT, loaded_at TIMESTAMP)`); err != nil {
		return err
	}
	vs := p.Versions()
	if len(vs) > 0 {
		var b strings.Builder
		var args []any
		b.WriteString("INSERT INTO policy.versions VALUES ")
		for i, v := range vs {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, now()::TIMESTAMP)")
			var run any
			if runID != 0 {
				run = runID
			}
			args = append(args, v.Table, v.File, v.Origin, v.SHA256, v.Rows, run)
		}
		if _, err := conn.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// Query is one SQL statement with its arguments.
type Query struct {
	SQL  string
	Args []any
}

// Statements are the statements that (re)create the table in the policy
// schema with its rows: a typed CREATE OR REPLACE TABLE, then one
// multi-row INSERT per 500 rows, values bound as parameters (decimals as
// their exact text, cast by the database).
func (t *PolicyTable) Statements() []Query {
	s := t.Spec
	cols := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		cols[i] = quoteIdent(c.Name) + " " + c.SQLType()
	}
	out := []Query{{SQL: fmt.Sprintf("CREATE OR REPLACE TABLE policy.%s (%s)", s.Name, strings.Join(cols, ", "))}}
	const batch = 500
	for start := 0; start < len(t.Rows); start += batch {
		end := min(start+batch, len(t.Rows))
		var b strings.Builder
		var args []any
		fmt.Fprintf(&b, "INSERT INTO policy.%s VALUES ", s.Name)
		for i, r := range t.Rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j, c := range s.Columns {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "CAST(? AS %s)", c.SQLType())
				v := r.Values[c.Name]
				switch {
				case v == "":
					args = append(args, nil)
				case c.Type == "int":
					n, _ := strconv.ParseInt(v, 10, 64)
					args = append(args, n)
				case c.Type == "bool":
					args = append(args, v == "true")
				default:
					args = append(args, v)
				}
			}
			b.WriteString(")")
		}
		out = append(out, Query{SQL: b.String(), Args: args})
	}
	return out
}
