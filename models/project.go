package models

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"shequ/internal/sqltext"
	"shequ/internal/suggest"
)

// Layers are the folders of a project, in the order data flows through
// them; a model's schema is the folder it lives in.
var Layers = []string{"staging", "intermediate", "marts"}

// RawTables are the tables of the raw layer (warehouse migration 0001)
// models may read.
var RawTables = []string{"activities", "communities", "evaluations", "expenditures", "facilities",
	"project_communities", "projects", "rejects", "staff", "submissions"}

// A Model is one .sql file: a single SELECT and a header of annotations.
type Model struct {
	Name         string // schema.stem, e.g. marts.coverage
	Schema       string
	Stem         string
	File         string // path inside the project's file system
	Path         string // path for people: the project root joined with File
	Materialized string // "table" or "view"
	Description  string
	Tags         []string
	Columns      []Column
	Tests        []DataTest // column, table and custom tests, in header order
	SQL          string     // the file's text, trailing semicolon removed
	BodyLine     int        // line of the file where the SQL starts
	// Generated names what the SELECT is made from instead of written
	// (`-- @select: parameters`: staging.params, one column per row of
	// policy/parameters.csv); "" for a model written in SQL.
	Generated string

	Refs       []Ref    // every schema.name the SQL reads
	Upstream   []string // models this one reads, sorted
	Downstream []string // models that read this one, sorted
	Sources    []string // raw and policy tables this one reads, sorted
	Params     []string // policy parameters (policy/parameters.csv names) it reads, sorted

	level int
}

// Column is a column described by `-- @column name: description`.
type Column struct {
	Name        string
	Description string
	Line        int
}

// RefKind says what a reference of a model points at.
type RefKind int

// Kinds of reference.
const (
	RefModel RefKind = iota
	RefRaw
	RefPolicy
)

// Ref is one `schema.name` a model reads, at the line of its first use.
type Ref struct {
	Name string
	Kind RefKind
	Line int
}

// Body is the model's SQL below its header.
func (m *Model) Body() string {
	lines := strings.SplitAfter(m.SQL, "\n")
	if m.BodyLine < 1 || m.BodyLine > len(lines) {
		return m.SQL
	}
	return strings.Join(lines[m.BodyLine-1:], "")
}

// HasTag reports whether the model carries tag t.
func (m *Model) HasTag(t string) bool {
	for _, x := range m.Tags {
		if strings.EqualFold(x, t) {
			return true
		}
	}
	return false
}

// Column returns the described column called name, or nil.
func (m *Model) Column(name string) *Column {
	for i := range m.Columns {
		if m.Columns[i].Name == name {
			return &m.Columns[i]
		}
	}
	return nil
}

// Project is a loaded, validated set of models and the default policy.
type Project struct {
	// Root is how the project's folder is shown in messages ("models").
	Root string

	fsys   fs.FS
	models []*Model // dependency order
	byName map[string]*Model
	policy *Policy
}

// Load reads and validates every model and the default policy files of
// the project in fsys (the embedded one is Embedded()). Files are named
// "models/<path>" in messages; LoadDir names them by the folder given.
// All problems of all files are reported together as an ErrorList.
func Load(fsys fs.FS) (*Project, error) { return load(fsys, "models") }

// LoadDir loads the project in folder dir (for `shequ build --models DIR`).
func LoadDir(dir string) (*Project, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("load models: %w", err)
	}
	return load(os.DirFS(dir), path.Clean(strings.ReplaceAll(dir, "\\", "/")))
}

// LoadEmbedded loads the project compiled into the binary.
func LoadEmbedded() (*Project, error) { return Load(Embedded()) }

func load(fsys fs.FS, root string) (*Project, error) {
	p := &Project{Root: root, fsys: fsys, byName: map[string]*Model{}}
	var errs ErrorList
	pol, err := loadDefaultPolicy(fsys, root)
	if err != nil {
		var el ErrorList
		if !errors.As(err, &el) {
			return nil, err
		}
		errs = append(errs, el...)
	}
	p.policy = pol

	for _, layer := range Layers {
		err := fs.WalkDir(fsys, layer, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				if name == layer && os.IsNotExist(err) {
					return fs.SkipDir
				}
				return err
			}
			if d.IsDir() || !strings.HasSuffix(name, ".sql") {
				return nil
			}
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			m, ferrs := parseModel(layer, name, root, string(b))
			errs = append(errs, ferrs...)
			if m == nil {
				return nil
			}
			if m.Generated == "parameters" && pol != nil {
				generateParams(m, pol)
			}
			if prev, dup := p.byName[m.Name]; dup {
				errs.add(m.Path, 0, "model %s is also defined in %s: rename one of the files", m.Name, prev.Path)
				return nil
			}
			p.byName[m.Name] = m
			p.models = append(p.models, m)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load models from %s: %w", root, err)
		}
	}
	if len(p.models) == 0 && len(errs) == 0 {
		return nil, fmt.Errorf("load models from %s: no .sql files under %s", root, strings.Join(Layers, "/, ")+"/")
	}
	errs = append(errs, p.resolve()...)
	errs = append(errs, p.order()...)
	sortErrors(errs)
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

func sortErrors(errs ErrorList) {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].File != errs[j].File {
			return errs[i].File < errs[j].File
		}
		return errs[i].Line < errs[j].Line
	})
}

// generateParams makes staging.params from the policy's parameters: one
// DECIMAL(38,9) column per row of policy/parameters.csv, read by name,
// described by the row's note, unit and source, and tested not null. The
// names are written once, in the CSV.
func generateParams(m *Model, pol *Policy) {
	names := pol.ParameterNames()
	var b strings.Builder
	b.WriteString("SELECT\n")
	for i, n := range names {
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    CAST(max(CASE WHEN name = '%s' THEN value END) AS DECIMAL(38,9)) AS %s%s\n", n, n, sep)
		r := pol.Parameter(n)
		desc := r.Values["note"]
		var src []string
		for _, k := range []string{"unit", "source"} {
			if v := r.Values[k]; v != "" {
				src = append(src, v)
			}
		}
		if len(src) > 0 {
			desc = strings.TrimSpace(desc + " [" + strings.Join(src, "; ") + "]")
		}
		if m.Column(n) == nil {
			m.Columns = append(m.Columns, Column{Name: n, Description: desc, Line: m.BodyLine})
		}
	}
	b.WriteString("FROM policy.parameters")
	m.SQL = b.String()
	if ts, _ := parseTests(sqltext.Annotation{Key: "test", Value: "not_null(" + strings.Join(names, ", ") + ")", Line: m.BodyLine}); len(ts) > 0 {
		m.Tests = append(ts, m.Tests...)
	}
	for _, r := range scanRefs(m.SQL) {
		m.Refs = append(m.Refs, Ref{Name: r.Name, Line: m.BodyLine})
	}
}

// parseModel turns one file into a Model, with the problems of its header.
func parseModel(layer, file, root, src string) (*Model, ErrorList) {
	var errs ErrorList
	stem := strings.TrimSuffix(path.Base(file), ".sql")
	m := &Model{
		Name:   layer + "." + stem,
		Schema: layer,
		Stem:   stem,
		File:   file,
		Path:   path.Join(root, file),
	}
	if !identRE.MatchString(stem) || identRE.FindString(stem) != stem {
		errs.add(m.Path, 0, "model file name %q is not an SQL identifier: use letters, digits and _", stem)
	}
	anns, bodyLine, lerrs := sqltext.ParseAnnotations(src)
	for _, e := range lerrs {
		errs.add(m.Path, e.Line, "%s", e.Msg)
	}
	m.BodyLine = bodyLine
	m.SQL = sqltext.TrimStatement(src)
	for _, a := range anns {
		switch a.Key {
		case "materialized", "materialised":
			v := strings.ToLower(a.Value)
			if v != "table" && v != "view" {
				errs.add(m.Path, a.Line, "@materialized must be table or view, not %q", a.Value)
			}
			m.Materialized = v
		case "description":
			m.Description = joinDesc(m.Description, strings.ReplaceAll(a.Value, "\n", " "))
		case "tags", "tag":
			for _, t := range sqltext.SplitTop(a.Value, ',') {
				m.Tags = append(m.Tags, strings.ToLower(t))
			}
		case "column":
			if a.Name == "" {
				errs.add(m.Path, a.Line, "@column needs a column name: `-- @column name: description`")
				continue
			}
			if m.Column(a.Name) != nil {
				errs.add(m.Path, a.Line, "column %s is described twice", a.Name)
				continue
			}
			m.Columns = append(m.Columns, Column{Name: a.Name, Description: a.Value, Line: a.Line})
		case "test", "tests":
			ts, terrs := parseTests(a)
			for _, e := range terrs {
				errs.add(m.Path, e.Line, "%s", e.Msg)
			}
			m.Tests = append(m.Tests, ts...)
		case "select":
			if a.Value != "parameters" {
				errs.add(m.Path, a.Line, "@select makes a model's SELECT from the policy: the only one is `-- @select: parameters`")
				continue
			}
			m.Generated = a.Value
		case "assert":
			if a.Name == "" || a.Value == "" {
				errs.add(m.Path, a.Line, "@assert needs a name and a query: `-- @assert name: SELECT … (rows that break the rule)`")
				continue
			}
			m.Tests = append(m.Tests, DataTest{Kind: "assert", Name: a.Name, SQL: strings.TrimSuffix(strings.TrimSpace(a.Value), ";"), Line: a.Line})
		default:
			errs.add(m.Path, a.Line, "unknown annotation @%s: use materialized, description, tags, column, test or assert", a.Key)
		}
	}
	if m.Materialized == "" {
		m.Materialized = "view"
	}
	if m.Generated != "" {
		if strings.TrimSpace(sqltext.Scan(m.SQL).Blanked) != "" {
			errs.add(m.Path, bodyLine, "a model with @select has no SQL of its own: the SELECT is made for it")
		}
		return m, errs
	}
	text := sqltext.Scan(m.SQL)
	blanked := text.Blanked
	if bodyLine == 0 || strings.TrimSpace(blanked) == "" {
		errs.add(m.Path, 0, "no SQL: a model holds one SELECT below its header")
		return m, errs
	}
	if kw := text.FirstKeyword(); kw != "SELECT" && kw != "WITH" {
		errs.add(m.Path, bodyLine, "a model is a single SELECT (or WITH … SELECT), found %s", kw)
	}
	if l := extraStatementLine(blanked); l > 0 {
		errs.add(m.Path, l, "a model holds a single SELECT: remove the statement after this semicolon")
	}
	for _, r := range scanRefs(blanked) {
		m.Refs = append(m.Refs, Ref{Name: r.Name, Line: r.Line})
	}
	return m, errs
}

func joinDesc(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// resolve classifies every reference, links models both ways and checks
// the references of tests.
func (p *Project) resolve() ErrorList {
	var errs ErrorList
	raw := map[string]bool{}
	for _, t := range RawTables {
		raw["raw."+t] = true
	}
	params := map[string]bool{}
	if p.policy != nil {
		for _, n := range p.policy.ParameterNames() {
			params[n] = true
		}
	}
	classify := func(m *Model, name string, line int) (RefKind, bool) {
		switch {
		case p.byName[name] != nil:
			return RefModel, true
		case raw[name]:
			return RefRaw, true
		case strings.HasPrefix(name, "policy.") && p.policy.hasTable(strings.TrimPrefix(name, "policy.")):
			return RefPolicy, true
		}
		errs.add(m.Path, line, "unknown reference %s: %s", name, p.suggest(name))
		return 0, false
	}
	for _, m := range p.models {
		ups := map[string]bool{}
		srcs := map[string]bool{}
		refs := m.Refs[:0]
		for _, r := range m.Refs {
			k, ok := classify(m, r.Name, r.Line)
			if !ok {
				continue
			}
			r.Kind = k
			refs = append(refs, r)
			if k == RefModel {
				ups[r.Name] = true
			} else {
				srcs[r.Name] = true
			}
		}
		m.Refs = refs
		m.Upstream = sortedKeys(ups)
		m.Sources = sortedKeys(srcs)
		for _, id := range sqltext.Scan(m.SQL).Identifiers() {
			if params[id] {
				m.Params = append(m.Params, id)
			}
		}
		for _, t := range m.Tests {
			switch t.Kind {
			case "assert":
				for _, r := range scanRefs(sqltext.Blank(t.SQL)) {
					classify(m, r.Name, t.Line)
				}
			case "relationships":
				target := t.Args[0]
				i := strings.LastIndex(target, ".")
				classify(m, strings.ToLower(target[:i]), t.Line)
			}
		}
	}
	for _, m := range p.models {
		for _, u := range m.Upstream {
			up := p.byName[u]
			up.Downstream = append(up.Downstream, m.Name)
		}
	}
	for _, m := range p.models {
		sort.Strings(m.Downstream)
	}
	return errs
}

// suggest says what an unknown reference might have meant.
func (p *Project) suggest(name string) string {
	var known []string
	for n := range p.byName {
		known = append(known, n)
	}
	for _, t := range RawTables {
		known = append(known, "raw."+t)
	}
	if p.policy != nil {
		for _, t := range p.policy.Tables {
			known = append(known, "policy."+t.Spec.Name)
		}
	}
	sort.Strings(known) // ties go to the first name, whatever the map order
	best, bestD := "", 4
	for _, k := range known {
		if d := suggest.Distance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("no model, raw or policy table of that name; did you mean %s?", best)
	}
	schema, _, _ := strings.Cut(name, ".")
	switch schema {
	case "policy":
		return "no policy table of that name: add its CSV under policy/ and its shape to policy/schema.yaml"
	case "raw":
		return "no raw table of that name (see warehouse/migrations)"
	}
	return fmt.Sprintf("no model of that name: add %s/%s.sql", schema, strings.TrimPrefix(name, schema+"."))
}

// order sorts the models in dependency order (ties by name), sets their
// levels, and reports every cycle.
func (p *Project) order() ErrorList {
	var errs ErrorList
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	reported := map[string]bool{}
	var visit func(n string)
	visit = func(n string) {
		color[n] = grey
		stack = append(stack, n)
		m := p.byName[n]
		for _, u := range m.Upstream {
			switch color[u] {
			case white:
				visit(u)
			case grey:
				i := len(stack) - 1
				for stack[i] != u {
					i--
				}
				cycle := append(append([]string{}, stack[i:]...), u)
				key := canonicalCycle(cycle)
				if !reported[key] {
					reported[key] = true
					line := 0
					for _, r := range m.Refs {
						if r.Name == u {
							line = r.Line
						}
					}
					// cycle reads "a reads b reads … reads a"; present it
					// in the direction data flows.
					rev := make([]string, len(cycle))
					for k := range cycle {
						rev[k] = cycle[len(cycle)-1-k]
					}
					errs.add(m.Path, line, "dependency cycle %s: a model cannot depend on itself; break the cycle", strings.Join(rev, " → "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	names := sortedKeys(p.byNameSet())
	for _, n := range names {
		if color[n] == white {
			visit(n)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	// Kahn's algorithm, ties broken by layer then name for a stable order.
	indeg := map[string]int{}
	for _, m := range p.models {
		indeg[m.Name] = len(m.Upstream)
	}
	var ready []*Model
	for _, m := range p.models {
		if indeg[m.Name] == 0 {
			ready = append(ready, m)
		}
	}
	var out []*Model
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool { return modelLess(ready[i], ready[j]) })
		m := ready[0]
		ready = ready[1:]
		out = append(out, m)
		for _, d := range m.Downstream {
			dm := p.byName[d]
			if m.level+1 > dm.level {
				dm.level = m.level + 1
			}
			indeg[d]--
			if indeg[d] == 0 {
				ready = append(ready, dm)
			}
		}
	}
	p.models = out
	return nil
}

func modelLess(a, b *Model) bool {
	la, lb := layerIndex(a.Schema), layerIndex(b.Schema)
	if la != lb {
		return la < lb
	}
	return a.Name < b.Name
}

func layerIndex(s string) int {
	for i, l := range Layers {
		if l == s {
			return i
		}
	}
	return len(Layers)
}

func canonicalCycle(c []string) string {
	c = c[:len(c)-1]
	min := 0
	for i := range c {
		if c[i] < c[min] {
			min = i
		}
	}
	return strings.Join(append(append([]string{}, c[min:]...), c[:min]...), ">")
}

func (p *Project) byNameSet() map[string]bool {
	s := map[string]bool{}
	for n := range p.byName {
		s[n] = true
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Models returns every model in dependency order: a model comes after
// everything it reads.
func (p *Project) Models() []*Model { return append([]*Model(nil), p.models...) }

// Model returns the model called name (schema.stem, or the stem alone
// when no other model has it), or nil.
func (p *Project) Model(name string) *Model {
	if m := p.byName[strings.ToLower(name)]; m != nil {
		return m
	}
	ms := p.byStem(name)
	if len(ms) == 1 {
		return ms[0]
	}
	return nil
}

func (p *Project) byStem(stem string) []*Model {
	var out []*Model
	for _, m := range p.models {
		if strings.EqualFold(m.Stem, stem) {
			out = append(out, m)
		}
	}
	return out
}

// Level is the model's depth in the graph: 0 for models that read only
// raw and policy tables, else one more than its deepest upstream model.
func (m *Model) Level() int { return m.level }

// Graph maps every model to the models it reads.
func (p *Project) Graph() map[string][]string {
	g := make(map[string][]string, len(p.models))
	for _, m := range p.models {
		g[m.Name] = append([]string(nil), m.Upstream...)
	}
	return g
}

// Policy returns the default policy the project was loaded with.
func (p *Project) Policy() *Policy { return p.policy }

// FS is the file system the project was loaded from.
func (p *Project) FS() fs.FS { return p.fsys }
