package models

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed docs/*.html
var docsFS embed.FS

var docTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"modelURL": func(name string) string { return "models/" + name + ".html" },
	"first":    firstSentence,
	"join":     strings.Join,
	"lines":    func(s string) []string { return strings.Split(s, "\n") },
	"page":     func(title, root string) map[string]string { return map[string]string{"Title": title, "Root": root} },
}).ParseFS(docsFS, "docs/*.html"))

// docModel is what a model page shows.
type docModel struct {
	*Model
	ColumnTests map[string][]DataTest
	TableTests  []DataTest
	Asserts     []DataTest
	RawSources  []string
	PolicyReads []string
	ParamRows   []PolicyRow
}

type docPolicyTable struct {
	*PolicyTable
	ReadBy []string
}

type docParam struct {
	Row    PolicyRow
	ReadBy []string
}

type docSite struct {
	Root    string
	Layers  []docLayer
	Models  []*docModel
	Policy  []*docPolicyTable
	Params  []docParam
	Tags    []string
	Version string
}

type docLayer struct {
	Name   string
	Models []*Model
}

// WriteDocs writes a static, browsable description of the project into
// dir: index.html (every model by layer, with its description, and the
// policy tables), one page per model under models/ (description, columns
// with their tests, custom assertions, upstream and downstream models, the
// raw and policy tables and the policy parameters it reads, its SQL), and
// policy.html (every policy table and parameter with its source, and the
// models that read it). Links are relative, so the folder can be opened
// from disk or served as is.
func (p *Project) WriteDocs(dir string) error {
	site := p.docSite()
	if err := os.MkdirAll(filepath.Join(dir, "models"), 0o755); err != nil {
		return fmt.Errorf("write docs: %w", err)
	}
	write := func(name, tmpl string, data any) error {
		var b bytes.Buffer
		if err := docTemplates.ExecuteTemplate(&b, tmpl, data); err != nil {
			return fmt.Errorf("write docs %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write docs: %w", err)
		}
		return nil
	}
	if err := write("index.html", "index.html", site); err != nil {
		return err
	}
	if err := write("policy.html", "policy.html", site); err != nil {
		return err
	}
	for _, m := range site.Models {
		if err := write(filepath.Join("models", m.Name+".html"), "model.html", struct {
			Site  *docSite
			Model *docModel
		}{site, m}); err != nil {
			return err
		}
	}
	return nil
}

func (p *Project) docSite() *docSite {
	site := &docSite{Root: p.Root, Tags: p.Tags()}
	readsTable := map[string][]string{}
	readsParam := map[string][]string{}
	for _, layer := range Layers {
		l := docLayer{Name: layer}
		for _, m := range p.models {
			if m.Schema == layer {
				l.Models = append(l.Models, m)
			}
		}
		if len(l.Models) > 0 {
			site.Layers = append(site.Layers, l)
		}
	}
	for _, m := range p.models {
		dm := &docModel{Model: m, ColumnTests: map[string][]DataTest{}}
		for _, t := range m.Tests {
			switch {
			case t.Kind == "assert":
				dm.Asserts = append(dm.Asserts, t)
			case t.Column != "":
				dm.ColumnTests[t.Column] = append(dm.ColumnTests[t.Column], t)
			case t.Kind == "not_null":
				// not_null(a, b) reads best beside each column.
				for _, c := range t.Columns {
					dm.ColumnTests[c] = append(dm.ColumnTests[c], DataTest{Kind: "not_null", Column: c, Line: t.Line})
				}
			default:
				dm.TableTests = append(dm.TableTests, t)
			}
		}
		for _, s := range m.Sources {
			if t, ok := strings.CutPrefix(s, "policy."); ok {
				dm.PolicyReads = append(dm.PolicyReads, t)
				readsTable[t] = append(readsTable[t], m.Name)
			} else {
				dm.RawSources = append(dm.RawSources, s)
			}
		}
		// A model reading the parameters through staging.params reads the
		// parameters table too.
		if len(m.Params) > 0 && !contains(dm.PolicyReads, "parameters") {
			readsTable["parameters"] = append(readsTable["parameters"], m.Name)
		}
		for _, name := range m.Params {
			if r := p.policy.Parameter(name); r != nil {
				dm.ParamRows = append(dm.ParamRows, *r)
			}
			readsParam[name] = append(readsParam[name], m.Name)
		}
		site.Models = append(site.Models, dm)
	}
	for _, t := range p.policy.Tables {
		rb := readsTable[t.Spec.Name]
		sort.Strings(rb)
		site.Policy = append(site.Policy, &docPolicyTable{PolicyTable: t, ReadBy: rb})
	}
	if t := p.policy.Table("parameters"); t != nil {
		for _, r := range t.Rows {
			rb := readsParam[r.Values["name"]]
			// staging.params reads every parameter only to pass it on.
			var users []string
			for _, n := range rb {
				if n != "staging.params" {
					users = append(users, n)
				}
			}
			site.Params = append(site.Params, docParam{Row: r, ReadBy: users})
		}
	}
	return site
}

// firstSentence is the description up to its first full stop.
func firstSentence(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
