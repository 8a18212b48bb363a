package models

import (
	"errors"
	"strings"
	"testing"
)

func names(ms []*Model) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return strings.Join(out, " ")
}

func TestSelect(t *testing.T) {
	p := embeddedProject(t)
	tests := []struct {
		expr string
		want string
	}{
		{"coverage", "marts.coverage"},
		{"marts.coverage", "marts.coverage"},
		{"+coverage", "staging.communities staging.params staging.project_communities staging.projects intermediate.community_years marts.coverage"},
		{"intermediate.facility_rooms+", "intermediate.facility_rooms marts.facility_compliance marts.site_subsidies"},
		{"+facility_compliance+", "staging.facilities staging.params intermediate.facility_rooms marts.facility_compliance marts.site_subsidies"},
		{"coverage, staffing", "marts.coverage marts.staffing"},
		{"coverage staffing coverage", "marts.coverage marts.staffing"},
		{"tag:rewards", "marts.city_rewards"},
		{"tag:rewards tag:coverage", "marts.coverage marts.city_rewards"},
		{"staging.sub*", "staging.submissions"},
		{"marts.s*", "marts.service_mix marts.site_subsidies marts.staffing marts.submissions"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := p.Select(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if names(got) != tt.want {
				t.Errorf("Select(%q) =\n  %s\nwant\n  %s", tt.expr, names(got), tt.want)
			}
		})
	}
	all, err := p.Select("")
	if err != nil || len(all) != len(p.Models()) {
		t.Errorf("Select(\"\") = %d models, %v; want all %d", len(all), err, len(p.Models()))
	}
	// Selected models come in dependency order.
	got, _ := p.Select("payments+ +payments")
	pos := map[string]int{}
	for i, m := range got {
		pos[m.Name] = i
	}
	for _, m := range got {
		for _, u := range m.Upstream {
			if i, ok := pos[u]; ok && i > pos[m.Name] {
				t.Errorf("%s comes before its upstream %s", m.Name, u)
			}
		}
	}
}

func TestSelectErrors(t *testing.T) {
	p := embeddedProject(t)
	tests := []struct{ expr, want string }{
		{"coverag", `no model matches "coverag": did you mean marts.coverage?`},
		{"submissions", `"submissions" is ambiguous: say staging.submissions or marts.submissions`},
		{"tag:nothing", `no model matches tag "nothing"`},
		{"marts.zz*", `no model matches "marts.zz*"`},
	}
	for _, tt := range tests {
		_, err := p.Select(tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Select(%q) error = %v, want one containing %q", tt.expr, err, tt.want)
		}
	}
	if _, err := p.Select("nope+"); !errors.Is(err, ErrNoMatch) {
		t.Errorf("error %v does not wrap ErrNoMatch", err)
	}
}
