package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/etl/dict"
)

// genFile is one file being written.
type genFile struct {
	w     *world
	spec  *fileSpec
	d     *district
	st    *style
	s     sink
	c     *cells
	r     *rand.Rand
	stats fileStats
	salt  int
}

type fileStats struct {
	Rows, Bad, Warned int
}

// bad draws whether to plant a bad row here.
func (g *genFile) bad() bool { return g.w.cfg.BadShare > 0 && g.r.Float64() < g.w.cfg.BadShare }

// goodThenBad writes a good row (row(-1)), then, at the share of bad rows,
// a bad one of one of kinds kinds (row(0) … row(kinds-1)).
func (g *genFile) goodThenBad(kinds int, row func(bad int) error) error {
	if err := row(-1); err != nil {
		return err
	}
	if g.bad() {
		return row(g.r.IntN(kinds))
	}
	return nil
}

func (g *genFile) pick(words []string) string {
	if len(words) == 0 {
		return ""
	}
	if g.r.IntN(4) == 0 {
		return words[g.r.IntN(len(words))]
	}
	return words[g.st.words%len(words)]
}

func kind(name string) *dict.Kind { return dict.ByName(name) }

// extras are unknown columns a district adds.
func (g *genFile) extras(names ...string) []col {
	if !g.st.extra {
		return nil
	}
	var out []col
	for _, n := range names {
		out = append(out, col{header: n})
	}
	return out
}

func seqCol(st *style) []col {
	if st.seq {
		return []col{{header: "序号"}}
	}
	return nil
}

func (g *genFile) phone() string {
	return "1" + strconv.Itoa(3+g.r.IntN(6)) + fmt.Sprintf("%09d", g.r.IntN(1e9))
}

var (
	urbanWords = []string{"社区", "城镇", "居委会", "城市", "urban"}
	ruralWords = []string{"村", "农村", "村委会", "乡村", "rural"}
	typeWords  = map[string][]string{
		"party_mass_centre":    {"党群服务中心", "社区党群服务中心"},
		"comprehensive_centre": {"社区综合服务中心", "综合服务中心"},
		"socialised":           {"社区服务社会化", "社会化服务", "社区服务社会化项目"},
	}
	roleWords = map[string][]string{
		"lead":          {"项目负责人", "负责人"},
		"social_worker": {"社工", "社会工作者", "专职社工"},
		"assistant":     {"辅助人员", "助理", "行政", "后勤"},
		"supervisor":    {"督导"},
	}
	levelWords = map[string][]string{
		"none":         {"无"},
		"assistant":    {"助理社会工作师", "助理社工师"},
		"intermediate": {"社会工作师", "社工师", "中级社会工作师"},
		"senior":       {"高级社会工作师", "高级社工师"},
	}
	stageWords = map[string][]string{
		"mid":    {"中期", "中期评估"},
		"annual": {"年度", "年度评估", "年终"},
		"final":  {"终期", "终期评估"},
	}
)

// rowBuf builds one row by column name.
type rowBuf struct {
	cols []col
	at   map[string]int
	row  []any
	sums map[int]int64
}

func newRowBuf(cols []col) *rowBuf {
	b := &rowBuf{cols: cols, at: map[string]int{}}
	for i, c := range cols {
		if c.name != "" {
			b.at[c.name] = i
		} else {
			b.at["x:"+c.header] = i
		}
	}
	return b
}

func (b *rowBuf) reset() {
	b.row = make([]any, len(b.cols))
	b.sums = map[int]int64{}
}

func (b *rowBuf) set(name string, v any) {
	if i, ok := b.at[name]; ok {
		b.row[i] = v
	}
}

// sum records the value a summed column adds to the 合计 row.
func (b *rowBuf) sum(name string, v int64) {
	if i, ok := b.at[name]; ok && b.cols[i].sum {
		b.sums[i] = v
	}
}

func (b *rowBuf) has(name string) bool { _, ok := b.at[name]; return ok }

func (b *rowBuf) header(name string) string {
	if i, ok := b.at[name]; ok {
		return b.cols[i].header
	}
	return ""
}

// ---- communities ----

func (g *genFile) roster(y int, corrected bool) error {
	k := kind("communities")
	d := g.d
	cols := seqCol(g.st)
	cols = append(cols, col{name: "year"}, col{name: "district"}, col{name: "street"}, col{name: "community_code"},
		col{name: "community_name"}, col{name: "urban_rural"},
		col{name: "resident_population", sum: true}, col{name: "registered_population", sum: true})
	area := col{name: "area_km2", sum: true, scale: 6}
	if g.st.areaM2 {
		area = col{name: "area_km2", header: withUnit(pickHeader(k, "area_km2", g.st, g.salt), "平方米"), pow10: -6, sum: true}
	}
	cols = append(cols, area)
	cols = append(cols, g.extras("备注")...)
	cols, err := layoutCols(k, cols, g.st, g.salt)
	if err != nil {
		return err
	}
	name := strconv.Itoa(y) + "年"
	if g.r.IntN(3) == 0 {
		name = "社区名册"
	}
	sw, err := newSheetWriter(g, name, cols, fmt.Sprintf("%s%d年社区（村）名册", d.name, y))
	if err != nil {
		return err
	}
	sw.mergeDown("district")
	b := newRowBuf(cols)
	changed := map[int]bool{}
	if corrected {
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			changed[g.r.IntN(len(d.years[y].comms))] = true
		}
	}
	badN := 0
	for i, cm := range d.years[y].comms {
		pop := cm.popIn(y, g.w.cfg.FromYear)
		if changed[i] {
			pop += int64(1 + g.r.IntN(50))
		}
		if err := g.rosterRow(sw, b, i+1, y, cm, pop, ""); err != nil {
			return err
		}
		if g.bad() {
			badN++
			if err := g.rosterRow(sw, b, i+1, y, cm, pop, "bad"); err != nil {
				return err
			}
		}
	}
	return sw.finish()
}

func (g *genFile) rosterRow(sw *sheetWriter, b *rowBuf, seq, y int, cm *community, pop int64, bad string) error {
	c := g.c
	b.reset()
	b.set("x:序号", c.int(int64(seq)))
	b.set("year", c.int(int64(y)))
	b.set("district", c.text(g.d.name))
	b.set("street", c.text(cm.street.name))
	code, name := cm.code, cm.name
	reg := cm.reg * pop / max(1, cm.pop)
	variant := -1
	if bad != "" {
		variant = g.r.IntN(4)
		code = cm.street.code + pad3(900+g.r.IntN(99)) // a code nothing points to
		name = name + "（新）"
		switch variant {
		case 0:
			code = code[:11] // 11 digits: invalid_code
		case 1:
			pop = -pop // negative_value
		case 2:
			name = "" // missing_required
		}
	}
	b.set("community_code", c.code(code))
	b.set("community_name", c.text(name))
	words := urbanWords
	if cm.rural {
		words = ruralWords
	}
	b.set("urban_rural", c.text(g.pick(words)))
	b.set("resident_population", c.int(pop))
	b.sum("resident_population", pop)
	if variant == 3 {
		b.set("year", "二〇"+strconv.Itoa(y%100)+"年") // invalid_number
	}
	if g.r.IntN(10) > 0 {
		b.set("registered_population", c.int(reg))
		b.sum("registered_population", reg)
	}
	if g.r.IntN(20) > 0 {
		if g.st.areaM2 {
			b.set("area_km2", c.int(cm.areaM2))
		} else {
			b.set("area_km2", c.dec(cm.areaM2, 6))
		}
		b.sum("area_km2", cm.areaM2)
	}
	b.set("x:备注", c.text(cm.remark))
	return sw.data(b.row, b.sums, bad != "", false)
}

// ---- projects ----

func (g *genFile) projects(y int) error {
	k := kind("projects")
	money := func(name string) col {
		if g.st.wan {
			return col{name: name, header: withUnit(pickHeader(k, name, g.st, g.salt), "万元"), pow10: 4}
		}
		return col{name: name}
	}
	cols := seqCol(g.st)
	cols = append(cols, col{name: "year"}, col{name: "project_code"}, col{name: "district"}, col{name: "project_name"},
		col{name: "project_type"}, col{name: "provider"}, col{name: "provider_credit_code"}, col{name: "community_codes"})
	if g.st.words == 2 { // unusual column order
		cols = append(cols, col{name: "contract_end"}, col{name: "contract_start"})
	} else {
		cols = append(cols, col{name: "contract_start"}, col{name: "contract_end"})
	}
	cols = append(cols, money("contract_amount"))
	for _, n := range []string{"city_funding", "district_funding", "street_funding"} {
		c := money(n)
		if g.st.twoRow {
			c.parent = "资金来源"
		}
		cols = append(cols, c)
	}
	cols = append(cols, g.extras("项目负责人联系电话", "备注")...)
	cols, err := layoutCols(k, cols, g.st, g.salt)
	if err != nil {
		return err
	}
	name := "项目"
	if g.r.IntN(2) == 0 {
		name = "项目情况"
	}
	sw, err := newSheetWriter(g, name, cols, fmt.Sprintf("%s%d年政府购买社区服务项目汇总表", g.d.name, y))
	if err != nil {
		return err
	}
	sw.mergeDown("district")
	b := newRowBuf(cols)
	scale := 2
	if g.st.wan {
		scale = 6 // cents written as 万元
	}
	c := g.c
	badSeq := 900
	for i, py := range g.d.years[y].projects {
		p := py.p
		row := func(bad int) error {
			b.reset()
			b.set("x:序号", c.int(int64(i+1)))
			b.set("year", c.int(int64(y)))
			code := p.code
			if bad >= 0 {
				badSeq++
				code = strconv.Itoa(y) + g.d.code + pad3(badSeq)
			}
			b.set("project_code", c.code(code))
			b.set("district", c.text(g.d.name))
			b.set("project_name", c.text(p.name))
			b.set("project_type", c.text(g.pick(typeWords[p.typ])))
			b.set("provider", c.text(p.prov.name))
			credit := p.prov.credit
			if bad == 0 {
				credit = wrongCredit(g.r, credit) // bad_check_character
			}
			b.set("provider_credit_code", c.code(credit))
			var codes []string
			for _, cm := range p.comms {
				codes = append(codes, cm.code)
			}
			if bad == 2 {
				codes = append(codes, g.d.code+"999999") // community_not_in_roster
			}
			if len(codes) == 1 {
				b.set("community_codes", c.code(codes[0]))
			} else {
				b.set("community_codes", c.text(strings.Join(codes, g.st.sep)))
			}
			start, end := p.start, p.end
			if bad == 1 {
				end = start.AddDate(0, -2, 0) // end_before_start
			}
			b.set("contract_start", c.date(start))
			b.set("contract_end", c.date(end))
			amount, city, dist, street := py.amount, py.city, py.district, py.street
			warn := bad < 0 && g.r.Float64() < 0.01
			if warn {
				street += 500000 // 5 000 yuan more than the contract: funding_mismatch
			}
			if bad == 3 {
				amount = 0 // out_of_range: the amount must be > 0
			}
			b.set("contract_amount", c.dec(amount, scale))
			if !py.cityBlank {
				b.set("city_funding", c.dec(city, scale))
			}
			if bad != 3 {
				b.set("district_funding", c.dec(dist, scale))
				b.set("street_funding", c.dec(street, scale))
			}
			b.set("x:项目负责人联系电话", g.phone())
			if g.r.IntN(8) == 0 {
				b.set("x:备注", c.text(remarks[g.r.IntN(len(remarks))]))
			}
			return sw.data(b.row, nil, bad >= 0, warn)
		}
		if err := g.goodThenBad(4, row); err != nil {
			return err
		}
	}
	return sw.finish()
}

// ---- staff ----

type person struct {
	name, id, role, level string
	male, sw, party, full bool
	cost                  int64 // cents
	joined                time.Time
}

// team is a project's staff, the same people every year of the contract.
func (w *world) team(p *project) []person {
	r := w.rngFor("team:" + p.code)
	out := make([]person, p.staff)
	for i := range out {
		ps := &out[i]
		ps.male = r.IntN(2) == 0
		ps.name = personName(r)
		birth := day(1960+r.IntN(39), 1+r.IntN(12), 1+r.IntN(28))
		ps.id = idNumber(p.d.code, birth, r.IntN(999), ps.male)
		switch {
		case i == 0:
			ps.role = "lead"
		case i == p.staff-1 && p.staff > 6 && r.IntN(2) == 0:
			ps.role = "supervisor"
		case i <= 3+r.IntN(3):
			ps.role = "social_worker"
		default:
			ps.role = "assistant"
		}
		switch ps.role {
		case "lead":
			ps.sw = r.IntN(10) < 9
		case "social_worker":
			ps.sw = r.IntN(10) < 8
		case "supervisor":
			ps.sw = true
		default:
			ps.sw = r.IntN(10) == 0
		}
		ps.level = "none"
		if ps.sw {
			ps.level = []string{"assistant", "assistant", "intermediate", "senior"}[r.IntN(4)]
			if ps.role == "supervisor" {
				ps.level = "senior"
			}
		}
		ps.party = r.IntN(10) < 3
		ps.full = ps.role != "supervisor" && r.IntN(20) > 0
		ps.cost = int64(55_000+r.IntN(65_000))*100 + int64(r.IntN(100))
		ps.joined = day(2005+r.IntN(9), 1+r.IntN(12), 1)
	}
	return out
}

func (g *genFile) staff(y int) error {
	k := kind("staff")
	cols := seqCol(g.st)
	cols = append(cols, col{name: "year"}, col{name: "project_code"}, col{name: "staff_name"}, col{name: "id_number"},
		col{name: "role"}, col{name: "registered_sw"}, col{name: "sw_level"}, col{name: "party_member"}, col{name: "full_time"},
		col{name: "annual_cost"})
	cols = append(cols, g.extras("性别", "联系电话", "入职时间")...)
	cols, err := layoutCols(k, cols, g.st, g.salt+1)
	if err != nil {
		return err
	}
	name := "人员"
	if g.r.IntN(2) == 0 {
		name = "工作人员"
	}
	sw, err := newSheetWriter(g, name, cols, fmt.Sprintf("%s%d年项目工作人员名册", g.d.name, y))
	if err != nil {
		return err
	}
	sw.mergeDown("project_code")
	b := newRowBuf(cols)
	c := g.c
	partyWords := b.header("party_member") == "政治面貌"
	formWords := b.header("full_time") == "用工形式"
	n := 0
	for _, py := range g.d.years[y].projects {
		for _, ps := range g.w.team(py.p) {
			row := func(bad int) error {
				n++
				b.reset()
				b.set("x:序号", c.int(int64(n)))
				b.set("year", c.int(int64(y)))
				code := py.p.code
				if bad == 1 {
					code = strconv.Itoa(y) + g.d.code + "999" // unknown_project
				}
				b.set("project_code", c.code(code))
				b.set("staff_name", c.text(ps.name))
				if g.r.IntN(20) > 0 || bad == 0 {
					id := ps.id
					if bad == 0 {
						id = wrongID(g.r, id) // bad_check_character
					}
					b.set("id_number", c.code(id))
				}
				role := g.pick(roleWords[ps.role])
				if bad == 3 {
					role = "保安" // invalid_enum
				}
				b.set("role", c.text(role))
				if bad != 2 { // missing_required
					b.set("registered_sw", c.boolean(ps.sw))
				}
				if ps.level != "none" || g.r.IntN(2) == 0 {
					b.set("sw_level", c.text(g.pick(levelWords[ps.level])))
				}
				if partyWords {
					w := "群众"
					if ps.party {
						w = []string{"中共党员", "党员", "预备党员"}[g.r.IntN(3)]
					} else if g.r.IntN(3) == 0 {
						w = []string{"共青团员", "团员"}[g.r.IntN(2)]
					}
					b.set("party_member", c.text(w))
				} else {
					b.set("party_member", c.boolean(ps.party))
				}
				if formWords {
					w := []string{"兼职", "外聘"}[g.r.IntN(2)]
					if ps.full {
						w = []string{"全职", "专职"}[g.r.IntN(2)]
					}
					b.set("full_time", c.text(w))
				} else {
					b.set("full_time", c.boolean(ps.full))
				}
				if g.r.IntN(10) > 0 {
					cost := ps.cost + int64(y-g.w.cfg.FromYear)*300000
					if !ps.full {
						cost /= 3
					}
					b.set("annual_cost", c.dec(cost, 2))
				}
				sex := "女"
				if ps.male {
					sex = "男"
				}
				b.set("x:性别", sex)
				b.set("x:联系电话", g.phone())
				b.set("x:入职时间", ps.joined.Format("2006-01"))
				return sw.data(b.row, nil, bad >= 0, false)
			}
			if err := g.goodThenBad(4, row); err != nil {
				return err
			}
		}
	}
	return sw.finish()
}

// ---- expenditures ----

// quarterSpend splits a project's spending in a quarter among the five
// categories, in cents: staff pay about four fifths, tax about 5 %.
func (g *genFile) quarterSpend(py *projectYear, q int) [5]int64 {
	months := 0
	for m := 3*q - 2; m <= 3*q; m++ {
		if m >= py.firstMonth && m <= py.lastMonth {
			months++
		}
	}
	total := py.amount / 12 * int64(months) * int64(85+g.r.IntN(21)) / 100
	var a [5]int64
	a[4] = total * int64(4+g.r.IntN(3)) / 100            // tax
	a[0] = (total - a[4]) * int64(76+g.r.IntN(10)) / 100 // staff pay
	a[1] = total * int64(3+g.r.IntN(5)) / 100            // office and site
	a[2] = total * int64(4+g.r.IntN(5)) / 100            // service operations
	a[3] = max(0, total-a[0]-a[1]-a[2]-a[4])             // management
	if g.r.IntN(3) == 0 {
		for i := range a {
			a[i] = a[i] / 100 * 100 // whole yuan
		}
	}
	return a
}

func (py *projectYear) activeIn(q int) bool {
	return py.firstMonth <= 3*q && py.lastMonth >= 3*q-2
}

func (g *genFile) expenditures(y, q int) error {
	k := kind("expenditures")
	cols := []col{{name: "year"}, {name: "project_code"}, {name: "quarter"}}
	wide := g.st.wide
	if wide {
		for _, cat := range dict.Categories {
			c := col{name: cat.Name, sum: true, scale: 2}
			if g.st.twoRow {
				c.parent = "支出明细"
			}
			cols = append(cols, c)
		}
		if g.st.extra || g.st.totals {
			cols = append(cols, col{name: "total", sum: true, scale: 2})
		}
	} else {
		cols = append(cols, col{name: "category"}, col{name: "amount", sum: true, scale: 2})
		cols = append(cols, g.extras("说明")...)
	}
	cols, err := layoutCols(k, cols, g.st, g.salt+2)
	if err != nil {
		return err
	}
	name := "经费支出"
	if g.r.IntN(2) == 0 {
		name = "Q" + strconv.Itoa(q)
	}
	sw, err := newSheetWriter(g, name, cols, fmt.Sprintf("%s社区服务项目经费支出明细表（%d年第%d季度）", g.d.name, y, q))
	if err != nil {
		return err
	}
	b := newRowBuf(cols)
	c := g.c
	type line struct {
		code string
		cat  int
	}
	var prev *line
	for _, py := range g.d.years[y].projects {
		if !py.activeIn(q) {
			continue
		}
		a := g.quarterSpend(py, q)
		if wide {
			row := func(bad int) error {
				b.reset()
				b.set("year", c.int(int64(y)))
				code := py.p.code
				if bad == 2 {
					code = strconv.Itoa(y) + g.d.code + "999"
				}
				b.set("project_code", c.code(code))
				if bad == 0 {
					b.set("quarter", c.text("Q5")) // invalid quarter
				} else {
					b.set("quarter", c.quarter(q))
				}
				var total int64
				for i, cat := range dict.Categories {
					v := a[i]
					if bad == 1 && i == 1 {
						v = -v - 100 // negative_value
					}
					b.set(cat.Name, c.dec(v, 2))
					b.sum(cat.Name, v)
					total += v
				}
				if b.has("total") {
					r := sw.s.next()
					if c.xlsx && g.r.IntN(2) == 0 {
						first, _ := excelize.CoordinatesToCellName(b.at["staff_pay"]+1, r)
						last, _ := excelize.CoordinatesToCellName(b.at["tax"]+1, r)
						b.set("total", excelize.Cell{Formula: "SUM(" + first + ":" + last + ")", Value: float64(total) / 100})
					} else {
						b.set("total", c.dec(total, 2))
					}
					b.sum("total", total)
				}
				return sw.data(b.row, b.sums, bad >= 0, false)
			}
			if err := g.goodThenBad(3, row); err != nil {
				return err
			}
			continue
		}
		var seg int64
		for i := range dict.Categories {
			row := func(bad int) error {
				b.reset()
				b.set("year", c.int(int64(y)))
				code := py.p.code
				if bad == 2 {
					code = strconv.Itoa(y) + g.d.code + "999"
				}
				b.set("project_code", c.code(code))
				if bad == 0 {
					b.set("quarter", c.text("第五季度"))
				} else {
					b.set("quarter", c.quarter(q))
				}
				ci := i
				if bad == 3 && prev != nil && prev.code == py.p.code {
					ci = prev.cat // duplicate_key: the line above again
				}
				words := append([]string{dict.Categories[ci].Header}, dict.Categories[ci].Words...)
				b.set("category", c.text(g.pick(words)))
				v := a[ci]
				if bad == 1 {
					v = -v - 100
				}
				b.set("amount", c.dec(v, 2))
				b.sum("amount", v)
				seg += v
				if bad < 0 {
					prev = &line{code: py.p.code, cat: ci}
				}
				return sw.data(b.row, b.sums, bad >= 0, false)
			}
			if err := g.goodThenBad(4, row); err != nil {
				return err
			}
		}
		if g.st.totals {
			// A 合计 line under each project's lines (a total in the
			// category column), checked against the lines since the last.
			b.reset()
			b.set("year", c.int(int64(y)))
			b.set("project_code", c.code(py.p.code))
			b.set("quarter", c.quarter(q))
			b.set("category", "合计")
			b.set("amount", c.dec(seg, 2))
			if _, err := sw.s.row(b.row); err != nil {
				return err
			}
		}
	}
	return sw.finish()
}

// ---- activities ----

var itemForms = []func(code, name string) string{
	func(code, name string) string { return code + " " + name },
	func(code, name string) string { return code + "\u3000" + name },
	func(code, name string) string { return strings.ReplaceAll(code, ".", "．") },
	func(code, name string) string { return strings.ReplaceAll(code, ".", ". ") },
	func(code, name string) string { return fullWidth(code) },
}

func (w *world) itemByCode(code string) *catItem {
	for i := range w.items {
		if w.items[i].code == code {
			return &w.items[i]
		}
	}
	return nil
}

func shortName(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if r == '（' || r == '(' || r == '，' || r == '；' {
			rs = rs[:i]
			break
		}
	}
	if len(rs) > 14 {
		rs = rs[:14]
	}
	return string(rs)
}

// activityRows is how many valid activity rows a district reports for
// months m1 to m2 of a year.
func (d *district) activityRows(y, m1, m2 int) int {
	n := 0
	for _, py := range d.years[y].projects {
		for m := m1; m <= m2; m++ {
			n += py.months[m]
		}
	}
	return n
}

func (g *genFile) activities(y, m1, m2 int) error {
	k := kind("activities")
	cols := []col{{name: "project_code"}, {name: "activity_date"}, {name: "service_item"}, {name: "activity_name"},
		{name: "participants", sum: true}, {name: "volunteers", sum: true}}
	cols = append(cols, g.extras("服务地点", "记录人")...)
	cols, err := layoutCols(k, cols, g.st, g.salt+3)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%d年%d-%d月服务台账", y, m1, m2)
	if g.r.IntN(3) == 0 {
		name = "Sheet1"
	}
	sw, err := newSheetWriter(g, name, cols, fmt.Sprintf("%s%d年%d-%d月社区服务记录", g.d.name, y, m1, m2))
	if err != nil {
		return err
	}
	b := newRowBuf(cols)
	c := g.c
	projects := g.d.years[y].projects
	names := map[string]string{}
	for _, it := range g.w.items {
		names[it.code] = it.name
	}
	recorder := personName(g.r)
	for m := m1; m <= m2; m++ {
		dim := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		days := make([][]int32, len(projects))
		for i, py := range projects {
			if py.months[m] == 0 {
				continue
			}
			days[i] = make([]int32, dim+1)
			for n := py.months[m]; n > 0; n-- {
				days[i][1+g.r.IntN(dim)]++
			}
		}
		for dd := 1; dd <= dim; dd++ {
			date := day(y, m, dd)
			for i, py := range projects {
				if days[i] == nil {
					continue
				}
				for n := days[i][dd]; n > 0; n-- {
					item := py.p.items[g.r.IntN(len(py.p.items))]
					row := func(bad int) error {
						b.reset()
						code := py.p.code
						if bad == 1 {
							code = strconv.Itoa(y) + g.d.code + "999" // unknown_project
						}
						b.set("project_code", c.code(code))
						if bad == 2 {
							b.set("activity_date", c.text(fmt.Sprintf("%d-02-30", y))) // invalid_date
						} else {
							b.set("activity_date", c.date(date))
						}
						it := item
						if bad == 0 {
							it = "7.1.1" // unknown_service_item
						}
						iname := names[item]
						shown := it
						if c.p(g.st.itemMix) {
							shown = itemForms[g.r.IntN(len(itemForms))](it, shortName(iname))
						}
						b.set("service_item", c.text(shown))
						b.set("activity_name", c.text(shortName(iname)+activityForms[g.r.IntN(len(activityForms))]))
						part := int64(g.r.IntN(60))
						if g.r.IntN(10) == 0 {
							part = int64(60 + g.r.IntN(200))
						}
						if bad == 3 {
							part = -1 - part // negative_value
						}
						b.set("participants", c.int(part))
						b.sum("participants", part)
						if g.r.IntN(3) > 0 {
							v := int64(g.r.IntN(9))
							b.set("volunteers", c.int(v))
							b.sum("volunteers", v)
						}
						b.set("x:服务地点", c.text(places[g.r.IntN(len(places))]))
						b.set("x:记录人", recorder)
						return sw.data(b.row, b.sums, bad >= 0, false)
					}
					if err := g.goodThenBad(4, row); err != nil {
						return err
					}
				}
			}
		}
	}
	return sw.finish()
}

// ---- evaluations ----

func (g *genFile) evaluations(y int, stage string) error {
	k := kind("evaluations")
	cols := []col{{name: "year"}, {name: "project_code"}, {name: "stage"}}
	for _, n := range []string{"facility_score", "team_score", "activity_score", "funding_score"} {
		c := col{name: n}
		if g.st.twoRow {
			c.parent = "考核指标得分"
		}
		cols = append(cols, c)
	}
	cols = append(cols, col{name: "person_times"}, col{name: "satisfaction"}, col{name: "evaluator"})
	cols = append(cols, g.extras("评估等级", "备注")...)
	cols, err := layoutCols(k, cols, g.st, g.salt+4)
	if err != nil {
		return err
	}
	name := "评估结果"
	if g.r.IntN(2) == 0 {
		name = "Sheet1"
	}
	sw, err := newSheetWriter(g, name, cols, fmt.Sprintf("%s%d年度社区服务项目评估结果汇总", g.d.name, y))
	if err != nil {
		return err
	}
	b := newRowBuf(cols)
	c := g.c
	var last []any
	for _, py := range g.d.years[y].projects {
		stages := []string{stage}
		if stage == "annual" && py.p.end.Year() == y && py.p.end.Year() > py.p.start.Year() && g.r.IntN(2) == 0 {
			stages = append(stages, "final")
		}
		for _, sg := range stages {
			row := func(bad int) error {
				if bad == 4 && last != nil {
					b.row = append([]any(nil), last...) // duplicate_key: the row above again
					return sw.data(b.row, nil, true, false)
				}
				if bad == 4 {
					bad = 0
				}
				b.reset()
				b.set("year", c.int(int64(y)))
				code := py.p.code
				if bad == 1 {
					code = strconv.Itoa(y) + g.d.code + "999"
				}
				b.set("project_code", c.code(code))
				st := g.pick(stageWords[sg])
				if bad == 3 {
					st = "季度" // invalid_enum
				}
				b.set("stage", c.text(st))
				good := g.r.IntN(10) > 1
				score := func(max int) int64 {
					lo := max * 5 // tenths: from half the maximum
					if good {
						lo = max * 7
					}
					return int64(lo + g.r.IntN(max*10-lo+1))
				}
				fs := score(40)
				if bad == 0 {
					fs = 450 // out_of_range: 45 of 40
				}
				b.set("facility_score", c.dec(fs, 1))
				b.set("team_score", c.dec(score(20), 1))
				b.set("activity_score", c.dec(score(20), 1))
				b.set("funding_score", c.dec(score(20), 1))
				pop := int64(0)
				for _, cm := range py.p.comms {
					pop += cm.popIn(y, g.w.cfg.FromYear)
				}
				b.set("person_times", c.int(pop*int64(10+g.r.IntN(40))/100))
				sat := int64(600 + g.r.IntN(399)) // thousandths
				b.set("satisfaction", g.satisfaction(sat, bad == 2))
				b.set("evaluator", c.text(evaluators[g.r.IntN(len(evaluators))]))
				b.set("x:评估等级", []string{"优秀", "良好", "合格"}[g.r.IntN(3)])
				if bad < 0 {
					last = append([]any(nil), b.row...)
				}
				return sw.data(b.row, nil, bad >= 0, false)
			}
			if err := g.goodThenBad(5, row); err != nil {
				return err
			}
		}
	}
	return sw.finish()
}

// satisfaction writes a rate in thousandths in the district's form.
func (g *genFile) satisfaction(t int64, bad bool) any {
	c := g.c
	if bad {
		return c.text("120%") // out_of_range
	}
	form := g.st.satForm
	if form < 0 {
		form = g.r.IntN(4)
	}
	switch form {
	case 1:
		return c.dec(t, 1) // 85.3
	case 2:
		return c.text(decString(t, 1) + "%")
	case 3:
		if c.xlsx {
			return excelize.Cell{StyleID: c.pctStyle, Value: float64(t) / 1000}
		}
	}
	return c.dec(t, 3)
}

// ---- facilities ----

// hasCentre says whether a community reports its service centre's rooms
// in a year: those a 社区综合服务中心 project covers, and some others.
func (w *world) centres(d *district, y int) []*community {
	seen := map[*community]bool{}
	var out []*community
	for _, py := range d.years[y].projects {
		for _, cm := range py.p.comms {
			if seen[cm] {
				continue
			}
			seen[cm] = true
			h := w.rngFor("centre:"+cm.code, y)
			if py.p.typ == "comprehensive_centre" || (!cm.rural && h.IntN(7) == 0) {
				out = append(out, cm)
			}
		}
	}
	return out
}

func (g *genFile) facilities(y int) error {
	k := kind("facilities")
	cols := []col{{name: "year"}, {name: "community_code"}, {name: "room"}, {name: "area_m2", sum: true, scale: 1}}
	cols = append(cols, g.extras("用途说明", "是否达标")...)
	cols, err := layoutCols(k, cols, g.st, g.salt+5)
	if err != nil {
		return err
	}
	sw, err := newSheetWriter(g, "功能室", cols, fmt.Sprintf("%d社区综合服务中心功能室情况表", y))
	if err != nil {
		return err
	}
	sw.mergeDown("community_code")
	b := newRowBuf(cols)
	c := g.c
	for _, cm := range g.w.centres(g.d, y) {
		for i, rm := range cm.rooms {
			row := func(bad int) error {
				b.reset()
				b.set("year", c.int(int64(y)))
				code := cm.code
				if bad == 0 {
					code = g.d.code + "999999" // community_not_in_roster
				}
				b.set("community_code", c.code(code))
				b.set("room", c.text(rm.name))
				a := rm.dm2 + int64(y-g.w.cfg.FromYear)*int64(i%3)
				if bad == 1 {
					a = -a // negative_value
				}
				b.set("area_m2", c.dec(a, 1))
				b.sum("area_m2", a)
				if g.r.IntN(5) == 0 {
					b.set("x:用途说明", []string{"新装修", "与其他功能室共用", "待改造"}[g.r.IntN(3)])
				}
				return sw.data(b.row, b.sums, bad >= 0, false)
			}
			if err := g.goodThenBad(2, row); err != nil {
				return err
			}
		}
	}
	return sw.finish()
}
