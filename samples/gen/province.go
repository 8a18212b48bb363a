package gen

import (
	"fmt"
	"time"
)

// The province-wide shape (Config.ProvinceWide): for each year, one file
// per kind holding every district's rows in one sheet, as a provincial
// department exports them — few large files (a year's service records of
// a province are hundreds of thousands of rows) instead of each
// district's many small ones. The rows are those of the per-district
// shape; a file has one layout (one clerk), drawn once for the province:
// its header aliases, noise, encodings and cell forms vary as a
// district's do, but it has no title, notes, 合计 or blank rows, no
// two-row header and no merged cells, so that the districts' parts join
// under the one header. Formats alternate between xlsx and CSV (UTF-8,
// GBK and GB18030) by kind and year.

// provinceStyle draws the province's layout.
func (w *world) provinceStyle() *style {
	st := newStyle(w.rngFor("province-style"))
	st.title, st.twoRow, st.notes, st.totals, st.blank, st.merge = 0, false, false, false, 0, false
	st.combined, st.hidden, st.emptySheet = false, false, false
	return &st
}

// planProvince lists the province-wide files in the order the bureau
// receives them.
func (w *world) planProvince() []*fileSpec {
	st := w.provinceStyle()
	var plan []*fileSpec
	hasProjects := func(y int) func(d *district) bool {
		return func(d *district) bool { return len(d.years[y].projects) > 0 }
	}
	for _, y := range w.years {
		type part struct {
			name    string
			kinds   []string
			quarter int
			only    func(d *district) bool
			write   func(g *genFile) error
		}
		parts := []part{
			{"社区名册", []string{"communities"}, 1, nil, func(g *genFile) error { return g.roster(y, false) }},
			{"服务项目", []string{"projects"}, 1, hasProjects(y), func(g *genFile) error { return g.projects(y) }},
			{"项目工作人员名册", []string{"staff"}, 1, hasProjects(y), func(g *genFile) error { return g.staff(y) }},
			{"经费支出", []string{"expenditures"}, 4, hasProjects(y), func(g *genFile) error {
				for q := 1; q <= 4; q++ {
					active := false
					for _, py := range g.d.years[y].projects {
						active = active || py.activeIn(q)
					}
					if active {
						if err := g.expenditures(y, q); err != nil {
							return err
						}
					}
				}
				return nil
			}},
			{"服务记录", []string{"activities"}, 4, func(d *district) bool { return d.activityRows(y, 1, 12) > 0 },
				func(g *genFile) error { return g.activities(y, 1, 12) }},
			{"中期评估结果", []string{"evaluations"}, 3, hasProjects(y), func(g *genFile) error { return g.evaluations(y, "mid") }},
			{"年度评估结果", []string{"evaluations"}, 4, hasProjects(y), func(g *genFile) error { return g.evaluations(y, "annual") }},
			{"功能室情况", []string{"facilities"}, 4, func(d *district) bool { return len(w.centres(d, y)) > 0 },
				func(g *genFile) error { return g.facilities(y) }},
		}
		for i, p := range parts {
			var ds []*district
			for _, d := range w.districts {
				if p.only == nil || p.only(d) {
					ds = append(ds, d)
				}
			}
			if len(ds) == 0 {
				continue
			}
			format, enc := "xlsx", ""
			if (i+y)%2 == 1 {
				format, enc = "csv", encodings[(i/2+y)%len(encodings)]
			}
			if w.cfg.Format != "" {
				format = w.cfg.Format
				if format == "csv" && enc == "" {
					enc = encodings[(i+y)%len(encodings)]
				}
				if format == "xlsx" {
					enc = ""
				}
			}
			write := p.write
			f := &fileSpec{d: ds[0], dupOf: -1, stream: true, province: st,
				info: FileInfo{Kinds: p.kinds, Year: y, Quarter: p.quarter, Format: format, Encoding: enc,
					Path:    fmt.Sprintf("%d年/全省/全省%d年%s.%s", y, y, p.name, format),
					ModTime: day(y, 3*p.quarter+1, 8).Add(time.Duration(i) * time.Second)}}
			f.write = func(g *genFile) error {
				for _, d := range ds {
					g.d = d
					if err := write(g); err != nil {
						return err
					}
				}
				return nil
			}
			plan = append(plan, f)
		}
	}
	return plan
}

// joinSink joins the parts of a province-wide file under one header:
// every part after the first starts a sheet (ignored) and writes its
// header row again (dropped).
type joinSink struct {
	sink
	started bool
	skip    int
}

func (j *joinSink) sheet(name string) error {
	if !j.started {
		j.started = true
		return j.sink.sheet(name)
	}
	j.skip = 1 // the part's header row: the province's layout has no title and one header row
	return nil
}

func (j *joinSink) row(cells []any) (int, error) {
	if j.skip > 0 {
		j.skip--
		return j.sink.next() - 1, nil
	}
	return j.sink.row(cells)
}
