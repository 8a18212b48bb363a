package queries

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"shequ/internal/say"
	"shequ/internal/sqltext"
	"shequ/internal/suggest"
)

//go:embed *.sql
var embedded embed.FS

// Embedded is the saved queries built into shequ: this folder's *.sql.
func Embedded() fs.FS { return embedded }

// A Type is the type of a parameter.
type Type string

// The parameter types.
const (
	Int     Type = "int"
	Text    Type = "text"
	Date    Type = "date"
	Decimal Type = "decimal"
	Bool    Type = "bool"
)

var types = []Type{Int, Text, Date, Decimal, Bool}

// A Param is one parameter of a saved query, from a header line
// `-- @param NAME: TYPE[, default VALUE][, description]`. A parameter
// without a default must be given; `default null` binds NULL.
type Param struct {
	Name        string
	Type        Type
	Default     string // as written; "" when HasDefault is false
	HasDefault  bool
	Description string
	Line        int
}

// Query is one saved query.
type Query struct {
	Name        string // the file's stem
	File        string
	Description string
	Tags        []string
	Params      []Param
	SQL         string // the statement, header included, without a closing ;
}

// Param returns the parameter called name, or nil.
func (q *Query) Param(name string) *Param {
	for i := range q.Params {
		if q.Params[i].Name == name {
			return &q.Params[i]
		}
	}
	return nil
}

// FileError is a problem at a line of a saved query's file.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// ErrorList is every problem found loading saved queries.
type ErrorList []*FileError

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Parse reads one saved query: name is its stem, file where it came from.
func Parse(name, file, src string) (*Query, error) {
	var errs ErrorList
	add := func(line int, format string, a ...any) {
		errs = append(errs, &FileError{File: file, Line: line, Msg: fmt.Sprintf(format, a...)})
	}
	if !nameRE.MatchString(name) {
		add(0, "name the file in lower case with underscores (like uncovered_communities.sql): it is the query's name")
	}
	q := &Query{Name: name, File: file}
	anns, bodyLine, lerrs := sqltext.ParseAnnotations(src)
	for _, e := range lerrs {
		add(e.Line, "%s", e.Msg)
	}
	for _, a := range anns {
		switch a.Key {
		case "description":
			q.Description = strings.Join(strings.Fields(a.Value), " ")
		case "tags":
			for _, t := range strings.Split(a.Value, ",") {
				if t = strings.TrimSpace(t); t != "" {
					q.Tags = append(q.Tags, t)
				}
			}
		case "param":
			p, err := parseParam(a)
			if err != nil {
				add(a.Line, "%v", err)
				continue
			}
			if q.Param(p.Name) != nil {
				add(a.Line, "parameter %s is declared twice", p.Name)
				continue
			}
			q.Params = append(q.Params, p)
		default:
			add(a.Line, "unknown annotation @%s: a saved query takes @description, @param and @tags", a.Key)
		}
	}
	if q.Description == "" {
		add(1, "no @description: say in a sentence what the query answers")
	}
	stmts := Split(src)
	var text sqltext.Text
	if len(stmts) > 0 {
		text = sqltext.Scan(stmts[0].Text)
	}
	switch {
	case bodyLine == 0 || len(stmts) == 0:
		add(0, "no SQL below the header")
	case len(stmts) > 1:
		add(stmts[1].Line, "a saved query is one statement; this is a second one")
	default:
		q.SQL = stmts[0].Text
		if err := Check(q.SQL); err != nil {
			add(bodyLine, "%v", err)
		} else if kw := strings.ToUpper(text.Tokens()[0]); kw != "SELECT" && kw != "WITH" && kw != "FROM" && kw != "(" {
			add(bodyLine, "a saved query is a SELECT (or WITH … SELECT), not %s", kw)
		}
		used := text.Params()
		for _, u := range used {
			if q.Param(u) == nil {
				add(bodyLine, "$%s is used but not declared: add `-- @param %s: TYPE, description` to the header", u, u)
			}
		}
		for _, p := range q.Params {
			if !contains(used, p.Name) {
				add(p.Line, "parameter %s is declared but the SQL does not use $%s", p.Name, p.Name)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return q, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var paramNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// parseParam reads `-- @param NAME: TYPE[, default VALUE][, description]`.
// A default with a comma is quoted: default '1,2'.
func parseParam(a sqltext.Annotation) (Param, error) {
	p := Param{Name: a.Name, Line: a.Line}
	if !paramNameRE.MatchString(p.Name) {
		return p, fmt.Errorf("write `-- @param NAME: TYPE, default VALUE, description` with a lower-case NAME, not %q", a.Name)
	}
	rest := strings.TrimSpace(a.Value)
	typ, rest, _ := strings.Cut(rest, ",")
	p.Type = Type(strings.ToLower(strings.TrimSpace(typ)))
	if !validType(p.Type) {
		return p, fmt.Errorf("parameter %s: type %q is not one of %s", p.Name, typ, typeList())
	}
	rest = strings.TrimSpace(rest)
	if v, ok := cutPrefixFold(rest, "default "); ok {
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "'") {
			end := strings.Index(v[1:], "'")
			if end < 0 {
				return p, fmt.Errorf("parameter %s: the default's closing quote is missing", p.Name)
			}
			p.Default, rest = v[1:1+end], v[2+end:]
		} else {
			p.Default, rest, _ = strings.Cut(v, ",")
			p.Default = strings.TrimSpace(p.Default)
		}
		p.HasDefault = true
		rest = strings.TrimPrefix(strings.TrimSpace(rest), ",")
		if _, err := p.Value(p.Default); err != nil {
			return p, fmt.Errorf("default: %w", err)
		}
	}
	p.Description = strings.Join(strings.Fields(rest), " ")
	return p, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func validType(t Type) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

func typeList() string {
	var s []string
	for _, t := range types {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

var decimalRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

// Value converts a parameter's value as written to what is bound: int64,
// string, time.Time, a decimal string, bool, or nil for null.
func (p *Param) Value(s string) (any, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "null") {
		return nil, nil
	}
	bad := func(what, zh string) error {
		return say.New("bad_parameter", fmt.Sprintf("参数 %s 的值 %q 不是%s", p.Name, s, zh), fmt.Sprintf("parameter %s: %q is not %s", p.Name, s, what))
	}
	switch p.Type {
	case Int:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, bad("a whole number", "整数")
		}
		return n, nil
	case Text:
		return s, nil
	case Date:
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, bad("a date written YYYY-MM-DD", "日期，格式 YYYY-MM-DD")
		}
		return d, nil
	case Decimal:
		if !decimalRE.MatchString(s) {
			return nil, bad("a decimal number like 500000.00", "数字")
		}
		return s, nil
	case Bool:
		switch strings.ToLower(s) {
		case "true", "t", "yes", "y", "1", "是":
			return true, nil
		case "false", "f", "no", "n", "0", "否":
			return false, nil
		}
		return nil, bad("true or false", "true 或 false")
	}
	return nil, fmt.Errorf("parameter %s: unknown type %s", p.Name, p.Type)
}

// Args binds values (NAME → value as written; a parameter not given takes
// its default) as database/sql named arguments. Every problem is reported
// at once, each naming its parameter.
func (q *Query) Args(values map[string]string) ([]any, error) {
	var problems []string
	var names []string
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if q.Param(name) == nil {
			problems = append(problems, fmt.Sprintf("%s has no parameter %q; it takes %s", q.Name, name, q.paramNames()))
		}
	}
	var args []any
	for _, p := range q.Params {
		s, ok := values[p.Name]
		if !ok {
			if !p.HasDefault {
				problems = append(problems, fmt.Sprintf("缺少参数 %s (parameter %s is required: --param %s=VALUE (%s))", p.Name, p.Name, p.Name, p.Type))
				continue
			}
			s = p.Default
		}
		v, err := p.Value(s)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		args = append(args, sql.Named(p.Name, v))
	}
	if len(problems) > 0 {
		return nil, &ParamError{Query: q.Name, Problems: problems}
	}
	return args, nil
}

func (q *Query) paramNames() string {
	if len(q.Params) == 0 {
		return "no parameters"
	}
	var s []string
	for _, p := range q.Params {
		s = append(s, p.Name)
	}
	return strings.Join(s, ", ")
}

// ParamError lists what is wrong with the parameters given to a query.
type ParamError struct {
	Query    string
	Problems []string
}

func (e *ParamError) Error() string {
	return strings.Join(e.Problems, "; ")
}

// Querier runs a query: a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Run runs the query with values bound as parameters, never spliced into
// the SQL.
func (q *Query) Run(ctx context.Context, db Querier, values map[string]string) (*Result, error) {
	args, err := q.Args(values)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q.SQL, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	res, err := Collect(rows)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	return res, nil
}

// Library is a set of saved queries by name.
type Library struct {
	queries []*Query
}

// Load reads every *.sql file at the top of fsys, reporting every problem
// of every file at once.
func Load(fsys fs.FS) (*Library, error) {
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var errs ErrorList
	lib := &Library{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		q, err := Parse(strings.TrimSuffix(path.Base(f), ".sql"), f, string(b))
		if el, ok := err.(ErrorList); ok {
			errs = append(errs, el...)
			continue
		}
		lib.queries = append(lib.queries, q)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return lib, nil
}

// LoadEmbedded loads the saved queries built into shequ.
func LoadEmbedded() (*Library, error) { return Load(embedded) }

// LoadDir loads the saved queries of a directory.
func LoadDir(dir string) (*Library, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("saved queries: %s is not a directory", dir)
	}
	return Load(os.DirFS(dir))
}

// List returns the queries by name.
func (l *Library) List() []*Query { return append([]*Query(nil), l.queries...) }

// Get returns the query called name, or an error suggesting the nearest.
func (l *Library) Get(name string) (*Query, error) {
	name = strings.TrimSuffix(path.Base(name), ".sql")
	for _, q := range l.queries {
		if q.Name == name {
			return q, nil
		}
	}
	best, bestD := "", 4
	for _, q := range l.queries {
		d := suggest.Distance(name, q.Name)
		if r := []rune(q.Name); len([]rune(name)) >= 4 && len(r) > len([]rune(name)) {
			d = min(d, suggest.Distance(name, string(r[:len([]rune(name))]))+1)
		}
		if d < bestD {
			best, bestD = q.Name, d
		}
	}
	en, zh := fmt.Sprintf("no saved query %q", name), fmt.Sprintf("没有名为 %q 的保存查询", name)
	if best != "" {
		en += fmt.Sprintf("; did you mean %s?", best)
		zh += fmt.Sprintf("，是不是 %s？", best)
	}
	return nil, say.New("unknown_query", zh+"（shequ query --list 列出全部）", en+" (run `shequ query --list` for all of them)")
}
