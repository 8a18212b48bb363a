package gen

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"shequ/models"
)

// The world is the city or province the files describe: districts,
// streets, communities, providers and the projects of every year. It is
// built once from the seed and only read while files are written.
type world struct {
	cfg       Config
	years     []int
	districts []*district
	items     []catItem // service catalogue sub-items, by code
	rooms     []room
	// projectYears of every district and year, in order: the activity
	// allocation walks them.
	all []*projectYear
}

type catItem struct {
	code, major, category, name string
	table                       int
}

type room struct {
	name     string
	required bool
	min      int64 // m²
}

type district struct {
	idx       int
	name      string
	code      string // 6-digit area code: province, city, district
	streets   []*street
	comms     []*community
	providers []*provider
	st        style
	years     map[int]*districtYear
}

type street struct {
	code, name string
	town       bool
}

type community struct {
	code, name string
	street     *street
	rural      bool
	since      int   // first year in the roster
	pop, reg   int64 // resident and registered population in the first year
	growth     int64 // resident population added each year
	areaM2     int64
	remark     string
	rooms      []roomArea // its service centre's rooms, when it has one
}

type roomArea struct {
	name string
	dm2  int64 // area in 0.1 m²
}

type provider struct {
	name, credit string
}

// A project is one purchase contract; it has a row in its district's
// projects file for every year its contract runs.
type project struct {
	code, name, typ string
	d               *district
	prov            *provider
	comms           []*community
	start, end      time.Time
	staff           int // persons on the team
	items           []string
	amount          int64 // cents a year
	wFactor         float64
}

type projectYear struct {
	p                      *project
	year                   int
	amount                 int64 // cents
	city, district, street int64 // cents
	cityBlank              bool
	warn                   bool // planted funding mismatch (a warning)
	activities             int  // valid activity rows this year
	months                 [13]int
	firstMonth, lastMonth  int
	staffCost              int64
}

type districtYear struct {
	year     int
	comms    []*community // the roster of the year
	projects []*projectYear
	newSeq   int
}

// rngFor returns a generator seeded from the run's seed and a label, so
// that each file and each entity draws its own stream and output does not
// depend on the order files are written in.
func (w *world) rngFor(label string, n ...int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label))
	for _, x := range n {
		h.Write([]byte{byte(x), byte(x >> 8), byte(x >> 16), byte(x >> 24), '|'})
	}
	return rand.New(rand.NewPCG(w.cfg.Seed, h.Sum64()))
}

func newWorld(cfg Config) (*world, error) {
	w := &world{cfg: cfg}
	for y := cfg.FromYear; y <= cfg.ToYear; y++ {
		w.years = append(w.years, y)
	}
	if err := w.loadCatalogues(); err != nil {
		return nil, err
	}
	w.buildPlaces()
	for _, d := range w.districts {
		if err := w.buildProjects(d); err != nil {
			return nil, err
		}
	}
	w.allocateActivities()
	return w, nil
}

func (w *world) loadCatalogues() error {
	items, err := models.ServiceItems()
	if err != nil {
		return err
	}
	for _, it := range items {
		w.items = append(w.items, catItem{code: it.Code, major: it.Major, category: it.Category, name: it.Name, table: it.Table})
	}
	sort.Slice(w.items, func(i, j int) bool { return itemLess(w.items[i].code, w.items[j].code) })
	p, err := models.LoadEmbedded()
	if err != nil {
		return err
	}
	t := p.Policy().Table("rooms")
	if t == nil {
		return fmt.Errorf("gen: the policy has no rooms table")
	}
	for _, r := range t.Rows {
		m, _ := strconv.ParseInt(r.Values["min_area_m2"], 10, 64)
		w.rooms = append(w.rooms, room{name: r.Values["room"], required: r.Values["required"] == "true", min: m})
	}
	return nil
}

func itemLess(a, b string) bool {
	pa, pb := splitCode(a), splitCode(b)
	for i := range pa {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return false
}

func splitCode(s string) [3]int {
	var out [3]int
	k := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			k++
			continue
		}
		if k < 3 {
			out[k] = out[k]*10 + int(s[i]-'0')
		}
	}
	return out
}

// communitiesPerDistrict sizes districts as real ones are: a city's
// district or a province's county holds one to two hundred communities
// and villages.
const communitiesPerDistrict = 150

// buildPlaces lays out districts, streets and communities with codes of
// the statistical area scheme: 2 digits of province, 2 of city, 2 of
// district, 3 of street (001–099 街道, 101–199 镇), 3 of community
// (001–199 居委会, 200–399 村委会).
func (w *world) buildPlaces() {
	r := w.rngFor("places")
	n := w.cfg.Communities
	nd := (n + communitiesPerDistrict - 1) / communitiesPerDistrict
	names := newNamer()
	for i := 0; i < nd; i++ {
		city := 1 + i/20
		suffix := "区"
		if r.IntN(3) == 0 {
			suffix = "县"
		}
		d := &district{idx: i, name: names.place(r, suffix), code: fmt.Sprintf("59%02d%02d", city, 1+i%20), years: map[int]*districtYear{}}
		d.st = newStyle(w.rngFor("style", i))
		w.districts = append(w.districts, d)
	}
	// Share the communities out, then streets of 8–16 within each district.
	for i, d := range w.districts {
		count := n / nd
		if i < n%nd {
			count++
		}
		local := newNamer()
		urbanLeft := count * (55 + r.IntN(20)) / 100
		var urbanStreets, towns int
		for left := count; left > 0; {
			size := min(left, 8+r.IntN(9))
			left -= size
			st := &street{}
			if urbanLeft > 0 {
				urbanStreets++
				st.code = d.code + pad3(urbanStreets)
				st.name = local.place(r, "街道")
			} else {
				towns++
				st.town = true
				st.code = d.code + pad3(100+towns)
				st.name = local.place(r, "镇")
			}
			d.streets = append(d.streets, st)
			var ju, cv int
			for k := 0; k < size; k++ {
				c := &community{street: st, since: w.cfg.FromYear}
				rural := st.town && (k >= 2 || r.IntN(2) == 0)
				if rural {
					cv++
					c.rural = true
					c.code = st.code + pad3(200+cv)
					c.name = local.place(r, "村")
					c.pop = int64(800 + r.IntN(6000))
					c.areaM2 = int64(2_000_000 + r.IntN(12_000_000))
				} else {
					ju++
					urbanLeft--
					c.code = st.code + pad3(ju)
					c.name = local.place(r, "社区")
					c.pop = int64(3000 + r.IntN(30000))
					if r.IntN(8) == 0 {
						c.pop = int64(28000 + r.IntN(30000)) // large communities
					}
					c.areaM2 = int64(300_000 + r.IntN(3_500_000))
				}
				c.reg = c.pop * int64(45+r.IntN(50)) / 100
				c.growth = int64(r.IntN(400)) - 100
				c.remark = remarks[r.IntN(len(remarks))]
				if len(w.years) > 1 && r.IntN(50) == 0 {
					c.since = w.years[1+r.IntN(len(w.years)-1)] // a new community
				}
				d.comms = append(d.comms, c)
			}
		}
		np := max(3, count/25)
		pn := newNamer()
		for k := 0; k < np; k++ {
			name := d.name[:len(d.name)-len("区")] + pn.place(r, "") + providerKinds[r.IntN(len(providerKinds))]
			if r.IntN(2) == 0 {
				name = d.name[:len(d.name)-len("区")] + providerWords[r.IntN(len(providerWords))] + providerKinds[r.IntN(len(providerKinds))]
				if pn.used[name] {
					name = d.name[:len(d.name)-len("区")] + pn.place(r, "") + providerKinds[r.IntN(len(providerKinds))]
				}
				pn.used[name] = true
			}
			d.providers = append(d.providers, &provider{name: name, credit: creditCode(r, d.code)})
		}
		for _, c := range d.comms {
			w.centreRooms(r, c)
		}
	}
}

// centreRooms draws the rooms of a community service centre: the
// required rooms (now and then one below its minimum area, or missing),
// some optional ones, expansion rooms.
func (w *world) centreRooms(r *rand.Rand, c *community) {
	for _, rm := range w.rooms {
		if rm.required && r.IntN(25) == 0 {
			continue
		}
		if !rm.required && r.IntN(2) == 0 {
			continue
		}
		a := rm.min*10 + int64(r.IntN(int(rm.min*6)))
		if r.IntN(20) == 0 {
			a = rm.min*10 - int64(1+r.IntN(int(rm.min*3)))
		}
		c.rooms = append(c.rooms, roomArea{name: rm.name, dm2: a})
	}
	for k := r.IntN(3); k > 0; k-- {
		c.rooms = append(c.rooms, roomArea{name: expansion[r.IntN(len(expansion))], dm2: int64(300 + r.IntN(1500))})
	}
}

// roster is the district's communities of a year.
func (d *district) roster(y int) []*community {
	var out []*community
	for _, c := range d.comms {
		if c.since <= y {
			out = append(out, c)
		}
	}
	return out
}

func (c *community) popIn(y, from int) int64 { return max(0, c.pop+c.growth*int64(y-from)) }

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// buildProjects contracts the services of a district, year by year:
// contracts still running carry on; most urban communities without one
// get a centre (党群服务中心 or 社区综合服务中心); villages are grouped into
// socialised projects, a share of them.
func (w *world) buildProjects(d *district) error {
	r := w.rngFor("projects", d.idx)
	var running []*project
	for _, y := range w.years {
		dy := &districtYear{year: y, comms: d.roster(y)}
		d.years[y] = dy
		covered := map[*community]bool{}
		var keep []*project
		for _, p := range running {
			if p.end.Year() >= y {
				keep = append(keep, p)
				for _, c := range p.comms {
					covered[c] = true
				}
			}
		}
		running = keep
		newProject := func(typ string, comms []*community) (*project, error) {
			dy.newSeq++
			if dy.newSeq >= 900 {
				return nil, fmt.Errorf("gen: district %s has more than 899 new projects in %d", d.name, y)
			}
			p := &project{code: strconv.Itoa(y) + d.code + pad3(dy.newSeq), typ: typ, d: d, comms: comms,
				prov: d.providers[r.IntN(len(d.providers))]}
			p.start, p.end = day(y, 1, 1), day(y, 12, 31)
			switch typ {
			case "party_mass_centre":
				p.name = comms[0].name + "党群服务中心运营项目"
				p.amount = int64(400_000+r.IntN(300_000)) * 100
				p.staff = 5 + r.IntN(3)
				if r.IntN(10) == 0 {
					p.start, p.end = day(y, 7, 1), day(y+1, 6, 30)
				}
			case "comprehensive_centre":
				p.name = comms[0].name + "社区综合服务中心建设运营项目"
				p.amount = int64(600_000+r.IntN(800_000)) * 100
				p.staff = 6 + r.IntN(5)
				if r.IntN(2) == 0 {
					p.end = day(y+2, 12, 31)
				}
			default:
				p.name = comms[0].street.name + comms[0].name + "等社区服务社会化项目"
				p.amount = int64(300_000+r.IntN(500_000)) * 100
				p.staff = 5 + r.IntN(4)
			}
			if r.IntN(4) == 0 {
				p.amount += int64(r.IntN(100)) // cents now and then
			}
			p.items = w.drawItems(r)
			p.wFactor = 0.5 + r.Float64()
			for _, c := range comms {
				covered[c] = true
			}
			running = append(running, p)
			return p, nil
		}
		inRoster := map[*community]bool{}
		for _, c := range dy.comms {
			inRoster[c] = true
		}
		// Centres for urban communities.
		for i, c := range dy.comms {
			if c.rural || covered[c] || r.Float64() > 0.85 {
				continue
			}
			comms := []*community{c}
			typ := "party_mass_centre"
			if r.IntN(10) < 3 {
				typ = "comprehensive_centre"
				if r.IntN(5) == 0 && i+1 < len(dy.comms) {
					if n := dy.comms[i+1]; !n.rural && !covered[n] && n.street == c.street {
						comms = append(comms, n)
					}
				}
			}
			if _, err := newProject(typ, comms); err != nil {
				return err
			}
		}
		// Socialised projects for groups of villages, and some urban groups.
		var group []*community
		flush := func() error {
			if len(group) > 0 && r.Float64() < 0.4 {
				if _, err := newProject("socialised", group); err != nil {
					return err
				}
			}
			group = nil
			return nil
		}
		for _, c := range dy.comms {
			if (c.rural && covered[c]) || (!c.rural && r.IntN(12) != 0) {
				continue
			}
			if len(group) > 0 && group[0].street != c.street {
				if err := flush(); err != nil {
					return err
				}
			}
			group = append(group, c)
			if len(group) >= 3+r.IntN(4) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		// This year's rows of every running contract.
		sort.Slice(running, func(i, j int) bool { return running[i].code < running[j].code })
		for _, p := range running {
			if p.start.Year() > y || p.end.Year() < y {
				continue
			}
			ok := true
			for _, c := range p.comms {
				ok = ok && inRoster[c]
			}
			if !ok {
				continue
			}
			py := &projectYear{p: p, year: y, amount: p.amount}
			py.firstMonth, py.lastMonth = 1, 12
			if p.start.Year() == y {
				py.firstMonth = int(p.start.Month())
			}
			if p.end.Year() == y {
				py.lastMonth = int(p.end.Month())
			}
			cityShare := 25 + r.IntN(20)
			distShare := 25 + r.IntN(20)
			py.city = py.amount * int64(cityShare) / 100 / 100 * 100
			py.district = py.amount * int64(distShare) / 100 / 100 * 100
			if r.IntN(15) == 0 {
				py.city, py.cityBlank = 0, true
			}
			py.street = py.amount - py.city - py.district
			dy.projects = append(dy.projects, py)
			w.all = append(w.all, py)
		}
	}
	return nil
}

// drawItems picks the catalogue sub-items a project offers: most meet the
// "5+1+2" service mix, some fall short.
func (w *world) drawItems(r *rand.Rand) []string {
	full := r.IntN(5) > 0
	var out []string
	majors := map[string]bool{}
	for _, it := range w.items {
		var p float64
		switch it.category {
		case "basic":
			p = 0.7
			if !full {
				p = 0.35
			}
		case "featured":
			p = 0.25
		case "external":
			p = 0.7
		default:
			p = 0.5
		}
		if r.Float64() < p {
			out = append(out, it.code)
			majors[it.major] = true
		}
	}
	if len(out) == 0 {
		out = append(out, w.items[0].code)
	}
	return out
}

// allocateActivities shares cfg.Activities exactly among the project
// years, by weight (months under contract, communities covered, a factor
// of the project's own), then among the months of each.
func (w *world) allocateActivities() {
	if len(w.all) == 0 {
		return
	}
	weights := make([]float64, len(w.all))
	var total float64
	for i, py := range w.all {
		months := py.lastMonth - py.firstMonth + 1
		weights[i] = float64(months) * (1 + 0.3*float64(len(py.p.comms)-1)) * py.p.wFactor
		total += weights[i]
	}
	n := int64(w.cfg.Activities)
	var cum float64
	var given int64
	for i, py := range w.all {
		cum += weights[i]
		upto := int64(float64(n) * cum / total)
		if i == len(w.all)-1 {
			upto = n
		}
		py.activities = int(upto - given)
		given = upto
		months := py.lastMonth - py.firstMonth + 1
		gm := 0
		for m := py.firstMonth; m <= py.lastMonth; m++ {
			k := m - py.firstMonth + 1
			upto := py.activities * k / months
			py.months[m] = upto - gm
			gm = upto
		}
	}
}
