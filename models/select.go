package models

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"shequ/internal/suggest"
)

// Select returns the models an expression names, in dependency order.
// The expression is a union of terms separated by commas or spaces:
//
//	marts.coverage   one model (or its stem alone, coverage, when no other model has it)
//	coverage+        the model and everything downstream of it
//	+coverage        the model and everything it reads, directly or not
//	+coverage+       both
//	tag:finance      the models tagged finance (also tag:finance+ and +tag:finance)
//	marts.*          a glob over model names
//
// An empty expression, "*" or "all" selects every model.
func (p *Project) Select(expr string) ([]*Model, error) {
	terms := strings.FieldsFunc(expr, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	if len(terms) == 0 {
		return p.Models(), nil
	}
	chosen := map[string]bool{}
	var errs []error
	for _, term := range terms {
		if term == "*" || term == "all" {
			for _, m := range p.models {
				chosen[m.Name] = true
			}
			continue
		}
		up := strings.HasPrefix(term, "+")
		down := strings.HasSuffix(term, "+")
		core := strings.TrimSuffix(strings.TrimPrefix(term, "+"), "+")
		base, err := p.match(core)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, m := range base {
			chosen[m.Name] = true
			if up {
				p.walk(m, func(x *Model) []string { return x.Upstream }, chosen)
			}
			if down {
				p.walk(m, func(x *Model) []string { return x.Downstream }, chosen)
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("select %q: %w", expr, errors.Join(errs...))
	}
	var out []*Model
	for _, m := range p.models {
		if chosen[m.Name] {
			out = append(out, m)
		}
	}
	return out, nil
}

func (p *Project) walk(m *Model, next func(*Model) []string, out map[string]bool) {
	visited := map[string]bool{}
	var rec func(*Model)
	rec = func(x *Model) {
		for _, n := range next(x) {
			if !visited[n] {
				visited[n] = true
				out[n] = true
				rec(p.byName[n])
			}
		}
	}
	rec(m)
}

// match resolves one term without its + marks.
func (p *Project) match(core string) ([]*Model, error) {
	if core == "" {
		return nil, fmt.Errorf("empty term: write a model name, tag:NAME or a glob")
	}
	if tag, ok := strings.CutPrefix(core, "tag:"); ok {
		var out []*Model
		for _, m := range p.models {
			if m.HasTag(tag) {
				out = append(out, m)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%w tag %q (tags: %s)", ErrNoMatch, tag, strings.Join(p.Tags(), ", "))
		}
		return out, nil
	}
	name := strings.ToLower(core)
	if strings.ContainsAny(name, "*?[") {
		var out []*Model
		for _, m := range p.models {
			if ok, _ := path.Match(name, m.Name); ok {
				out = append(out, m)
			} else if ok, _ := path.Match(name, m.Stem); ok {
				out = append(out, m)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%w %q", ErrNoMatch, core)
		}
		return out, nil
	}
	if m := p.byName[name]; m != nil {
		return []*Model{m}, nil
	}
	ms := p.byStem(name)
	switch len(ms) {
	case 1:
		return ms, nil
	case 0:
		return nil, fmt.Errorf("%w %q: %s", ErrNoMatch, core, p.suggestModel(name))
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return nil, fmt.Errorf("%q is ambiguous: say %s", core, strings.Join(names, " or "))
}

func (p *Project) suggestModel(name string) string {
	best, bestD := "", 4
	for _, m := range p.models {
		for _, n := range []string{m.Name, m.Stem} {
			if d := suggest.Distance(name, n); d < bestD {
				best, bestD = m.Name, d
			}
		}
	}
	if best != "" {
		return "did you mean " + best + "?"
	}
	return "list the models with `shequ docs` or look under " + p.Root
}

// Tags lists every tag used by a model, sorted.
func (p *Project) Tags() []string {
	set := map[string]bool{}
	for _, m := range p.models {
		for _, t := range m.Tags {
			set[t] = true
		}
	}
	out := sortedKeys(set)
	sort.Strings(out)
	return out
}
