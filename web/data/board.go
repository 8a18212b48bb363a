package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"shequ/etl/dict"
)

// Shanghai is the bureau's time zone: deadlines end at its midnight.
var Shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// Deadline is when a kind is due for a period of a year Y: (Y +
// YearOffset)-Month-Day, to the end of that day.
type Deadline struct {
	Kind       string `json:"kind"`
	Period     string `json:"period"` // year, Q1…Q4
	YearOffset int    `json:"year_offset"`
	Month      int    `json:"month"`
	Day        int    `json:"day"`
}

// Due is the deadline for year: the end of its day, in Shanghai.
func (d Deadline) Due(year int) time.Time {
	return time.Date(year+d.YearOffset, time.Month(d.Month), d.Day, 23, 59, 59, 0, Shanghai)
}

// Quarterly are the kinds submitted per quarter; the others once a year.
var Quarterly = map[string]bool{"expenditures": true, "activities": true}

// perProject are the kinds every project of the year must have.
var perProject = map[string]bool{"staff": true, "expenditures": true, "activities": true, "evaluations": true}

// PeriodZh names a period in Chinese.
func PeriodZh(year int, period string) string {
	if period == "year" {
		return fmt.Sprintf("%d 年度", year)
	}
	return fmt.Sprintf("%d 年第%s季度", year, map[string]string{"Q1": "一", "Q2": "二", "Q3": "三", "Q4": "四"}[period])
}

// KindZh names a kind in Chinese.
func KindZh(kind string) string {
	if k := dict.ByName(kind); k != nil {
		return k.Zh
	}
	return kind
}

// Deadlines reads the deadlines of the board (web.deadlines).
func (r *Read) Deadlines(ctx context.Context) ([]Deadline, error) {
	return ReadDeadlines(ctx, r.db)
}

// ReadDeadlines reads web.deadlines of db, in the board's order.
func ReadDeadlines(ctx context.Context, db *sql.DB) ([]Deadline, error) {
	rows, err := db.QueryContext(ctx, `SELECT kind, period, year_offset, month, day FROM web.deadlines`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Deadline
	for rows.Next() {
		var d Deadline
		if err := rows.Scan(&d.Kind, &d.Period, &d.YearOffset, &d.Month, &d.Day); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		ki, kj := dict.ByName(out[i].Kind), dict.ByName(out[j].Kind)
		if ki != nil && kj != nil && ki.Order != kj.Order {
			return ki.Order < kj.Order
		}
		return out[i].Kind+out[i].Period < out[j].Kind+out[j].Period
	})
	return out, rows.Err()
}

// Column is one column of the board: a kind in a period.
type Column struct {
	Kind     string
	Period   string
	Due      time.Time
	Deadline Deadline
}

// KindZh and PeriodZh name the column.
func (c Column) KindZh() string { return KindZh(c.Kind) }

// PeriodShort is the period as a column header: 年度 or Q1…Q4.
func (c Column) PeriodShort() string {
	if c.Period == "year" {
		return "年度"
	}
	return c.Period
}

// Item is one thing expected: a project (code and name), or the district
// itself for the kinds sent once per district.
type Item struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
}

// Cell states.
const (
	CellOK      = "ok"      // everything expected is in
	CellLate    = "late"    // something is missing and the deadline has passed
	CellOpen    = "open"    // something is missing, not yet due
	CellNone    = "none"    // nothing is expected (no project runs then)
	CellBlocked = "blocked" // a per-project kind when the year's projects are missing
)

// Cell is what the board says of a district, kind and period.
type Cell struct {
	Column   Column
	Expected int    // projects expected (1 for a per-district kind)
	Have     int    // of them, with current rows
	Rows     int    // current rows
	Missing  []Item // what is missing
	State    string
}

// Row is the board's line of one district.
type Row struct {
	District string
	Cells    []Cell
	// Problems is how many problems still stand in its submissions;
	// the problems themselves are read for its reminder
	// (Read.WithProblems).
	ProblemCount int
	Problems     []Problem
	Waiting      []Orphan // rows waiting for their project or community
	Late         int      // cells late
}

// Missing returns the cells of the row with something missing.
func (r Row) Missing() []Cell {
	var out []Cell
	for _, c := range r.Cells {
		if c.State == CellLate || c.State == CellOpen || c.State == CellBlocked {
			out = append(out, c)
		}
	}
	return out
}

// NeedsReminder reports whether the district is late or has problems to
// correct.
func (r Row) NeedsReminder() bool { return r.Late > 0 || r.ProblemCount > 0 }

// WithProblems returns row with the problems still standing in its
// district's submissions, for its reminder.
func (r *Read) WithProblems(ctx context.Context, row Row) (Row, error) {
	problems, err := r.StandingProblems(ctx, row.District)
	if err != nil {
		return row, err
	}
	row.Problems = problems
	return row, nil
}

// Board is the submission board (报送进度) of a year.
type Board struct {
	Year    int
	Years   []int
	Now     time.Time
	Columns []Column
	Rows    []Row
}

// Board computes the board of year for the districts the scope sees, as
// of now.
func (r *Read) Board(ctx context.Context, year int, now time.Time) (*Board, error) {
	// The board of a snapshot is the same all day: deadlines end at the
	// end of a day (in Shanghai).
	key := r.MemoKey("board value", fmt.Sprint(year), now.In(Shanghai).Format(time.DateOnly))
	v, err := r.memoValue(ctx, key, 10000, func() (any, error) { return r.board(ctx, year, now) })
	if err != nil {
		return nil, err
	}
	return v.(*Board), nil
}

func (r *Read) board(ctx context.Context, year int, now time.Time) (*Board, error) {
	b := &Board{Year: year, Now: now}
	dls, err := r.Deadlines(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range dls {
		b.Columns = append(b.Columns, Column{Kind: d.Kind, Period: d.Period, Due: d.Due(year), Deadline: d})
	}

	// The districts.
	from, a := r.scope.rel("districts")
	districts, err := r.strings(ctx, `SELECT district FROM `+from+` ORDER BY district`, a)
	if err != nil {
		return nil, err
	}

	// The years with rows, for the year picker.
	from, a = r.scope.rel("row_years")
	years, err := r.ints(ctx, `SELECT DISTINCT year FROM `+from+` WHERE year IS NOT NULL ORDER BY year`, a)
	if err != nil {
		return nil, err
	}
	b.Years = years
	if !slices.Contains(b.Years, year) {
		b.Years = append(b.Years, year)
		slices.Sort(b.Years)
	}

	// The projects of the year and when they run.
	type project struct {
		Item
		district   string
		start, end time.Time
	}
	projects := map[string][]project{}
	from, a = r.scope.rel("projects")
	pt, err := r.cached(ctx, `SELECT district, project_code, project_name, contract_start, contract_end FROM `+from+`
		WHERE year = $year ORDER BY project_code`, args(a, []any{sql.Named("year", year)}))
	if err != nil {
		return nil, err
	}
	for i := range pt.Rows {
		p := project{Item: Item{Code: pt.String(i, "project_code"), Name: pt.String(i, "project_name")}, district: pt.String(i, "district")}
		p.start, _ = time.Parse(time.DateOnly, pt.String(i, "contract_start"))
		p.end, _ = time.Parse(time.DateOnly, pt.String(i, "contract_end"))
		projects[p.district] = append(projects[p.district], p)
	}

	// What is in: rows by district, kind, project and quarter (the
	// year's evaluation is the annual one). A year has some 140 000 of
	// them at the province: they come as one line per district, kind and
	// quarter, each project's count joined into one text (a code is
	// letters and digits: it holds neither separator).
	type key struct{ district, kind, project, period string }
	have := map[key]int{}
	from, a = r.scope.rel("current_rows")
	ct, err := r.cached(ctx, `SELECT district, kind, coalesce(quarter, 0) AS quarter,
		string_agg(coalesce(project_code, '') || chr(31) || n, chr(30)) AS counts FROM `+from+`
		WHERE year = $year AND district IS NOT NULL AND (kind <> 'evaluations' OR stage = 'annual')
		GROUP BY ALL`, args(a, []any{sql.Named("year", year)}))
	if err != nil {
		return nil, err
	}
	for i := range ct.Rows {
		d, kind, counts := ct.String(i, "district"), ct.String(i, "kind"), ct.String(i, "counts")
		period := "year"
		if q := toInt(ct.Value(i, "quarter")); q > 0 {
			period = fmt.Sprintf("Q%d", q)
		}
		for _, c := range strings.Split(counts, "\x1e") {
			code, count, _ := strings.Cut(c, "\x1f")
			n, err := strconv.Atoi(count)
			if err != nil {
				return nil, fmt.Errorf("the board's counts: %q: %w", c, err)
			}
			if !perProject[kind] {
				code = ""
			}
			have[key{d, kind, code, period}] += n
		}
	}

	// The problems still standing, counted by district (the board shows
	// how many; a reminder lists them).
	from, a = r.scope.rel("problems")
	nt, err := r.cached(ctx, `SELECT scope_district, count(*) AS n FROM `+from+`
		WHERE released_by IS NULL AND severity = 'error' AND scope_district <> '' GROUP BY ALL`, a)
	if err != nil {
		return nil, err
	}
	problems := map[string]int{}
	for i := range nt.Rows {
		problems[nt.String(i, "scope_district")] = toInt(nt.Value(i, "n"))
	}
	waiting, err := r.Waiting(ctx)
	if err != nil {
		return nil, err
	}

	for _, d := range districts {
		row := Row{District: d, ProblemCount: problems[d]}
		for _, o := range waiting {
			if o.District == d {
				row.Waiting = append(row.Waiting, o)
			}
		}
		for _, col := range b.Columns {
			c := Cell{Column: col}
			if !perProject[col.Kind] {
				c.Expected = 1
				c.Rows = have[key{d, col.Kind, "", col.Period}]
				if c.Rows > 0 {
					c.Have = 1
				} else {
					c.Missing = []Item{{}}
				}
			} else {
				from, to := periodSpan(year, col.Period)
				for _, p := range projects[d] {
					if p.end.Before(from) || p.start.After(to) {
						continue // the contract does not run in the period
					}
					c.Expected++
					n := have[key{d, col.Kind, p.Code, col.Period}]
					c.Rows += n
					if n > 0 {
						c.Have++
					} else {
						c.Missing = append(c.Missing, p.Item)
					}
				}
			}
			switch {
			case !perProject[col.Kind] && c.Have == 1, perProject[col.Kind] && c.Expected > 0 && c.Have == c.Expected:
				c.State = CellOK
			case perProject[col.Kind] && len(projects[d]) == 0:
				c.State = CellBlocked // the year's projects are not in: nothing to check against
				if now.After(col.Due) {
					row.Late++
				}
			case perProject[col.Kind] && c.Expected == 0:
				c.State = CellNone
			case now.After(col.Due):
				c.State = CellLate
				row.Late++
			default:
				c.State = CellOpen
			}
			row.Cells = append(row.Cells, c)
		}
		b.Rows = append(b.Rows, row)
	}
	return b, nil
}

// periodSpan is the first and last day of a period of year.
func periodSpan(year int, period string) (time.Time, time.Time) {
	if period == "year" {
		return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	q := int(period[1] - '0')
	from := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 3, -1)
}

func (r *Read) strings(ctx context.Context, q string, a []any) ([]string, error) {
	t, err := r.cached(ctx, q, a)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range t.Rows {
		s, _ := t.Rows[i][0].(string)
		out = append(out, s)
	}
	return out, nil
}

func (r *Read) ints(ctx context.Context, q string, a []any) ([]int, error) {
	t, err := r.cached(ctx, q, a)
	if err != nil {
		return nil, err
	}
	var out []int
	for i := range t.Rows {
		out = append(out, toInt(t.Rows[i][0]))
	}
	return out, nil
}

// Reminder is the ready-to-send reminder (催报通知) to a district: what is
// late or coming due, what must be corrected, and what waits for its
// project or community, exactly, with the deadlines. The row's problems
// are read first (Read.WithProblems).
func (b *Board) Reminder(row Row, city string) string {
	if city == "" {
		city = "市"
	}
	var s strings.Builder
	date := func(t time.Time) string { return t.In(Shanghai).Format("2006年1月2日") }
	fmt.Fprintf(&s, "关于报送 %d 年度社区服务数据的催报通知\n\n", b.Year)
	fmt.Fprintf(&s, "%s民政局：\n", row.District)
	fmt.Fprintf(&s, "　　截至 %s，你区以下 %d 年度社区服务数据尚未报送或需要更正，请登录社区服务数据报送系统，尽快补报、更正：\n", date(b.Now), b.Year)
	section := 0
	numerals := []string{"一", "二", "三", "四"}
	head := func(t string) {
		fmt.Fprintf(&s, "\n%s、%s\n", numerals[section], t)
		section++
	}
	var late, open []Cell
	for _, c := range row.Missing() {
		if b.Now.After(c.Column.Due) {
			late = append(late, c)
		} else {
			open = append(open, c)
		}
	}
	list := func(cells []Cell) {
		for i, c := range cells {
			fmt.Fprintf(&s, "　　%d. %s（%s，截止 %s）：%s\n", i+1, KindZh(c.Column.Kind), PeriodZh(b.Year, c.Column.Period), date(c.Column.Due), missingText(c))
		}
	}
	if len(late) > 0 {
		head("已逾期未报送")
		list(late)
	}
	if len(open) > 0 {
		head("即将到期，尚未报送")
		list(open)
	}
	if len(row.Problems) > 0 {
		head(fmt.Sprintf("需要更正的数据（%d 处，行未入库）", len(row.Problems)))
		for i, p := range row.Problems {
			where := fmt.Sprintf("第 %d 行", p.Row)
			if p.Sheet != "" {
				where = fmt.Sprintf("工作表“%s”第 %d 行", p.Sheet, p.Row)
			}
			col := p.Header
			if col == "" {
				col = p.Column
			}
			fmt.Fprintf(&s, "　　%d. 第 %d 号报送《%s》%s“%s”（%s）：%s\n", i+1, p.Submission, p.FileName(), where, strings.TrimSpace(col), p.Value, p.MessageZh)
		}
	}
	if len(row.Waiting) > 0 {
		head(fmt.Sprintf("等待关联的数据（%d 行，待关联）", len(row.Waiting)))
		for i, o := range row.Waiting {
			where := fmt.Sprintf("第 %d 行", o.Row)
			if o.Sheet != "" {
				where = fmt.Sprintf("工作表“%s”第 %d 行", o.Sheet, o.Row)
			}
			fmt.Fprintf(&s, "　　%d. 第 %d 号报送%s（%s）：所指的%d 年%s %s 尚未报送；报送后该行自动入库。\n", i+1, o.Submission, where, KindZh(o.Kind), o.Year, o.ParentZh(), o.Code)
		}
	}
	if section == 0 {
		fmt.Fprintf(&s, "\n　　（你区 %d 年度数据已全部报送，无需更正。）\n", b.Year)
	}
	fmt.Fprintf(&s, "\n　　每份报送提交后系统即时生成回执，标明每个问题所在的工作表、行、列及原因，请据此更正后重新报送。\n\n%s民政局\n%s\n", city, date(b.Now))
	return s.String()
}

func missingText(c Cell) string {
	switch {
	case c.State == CellBlocked:
		return "尚无本年度服务项目，请先报送服务项目，再报送" + KindZh(c.Column.Kind)
	case !perProject[c.Column.Kind]:
		return "未报送"
	}
	var parts []string
	for _, m := range c.Missing {
		parts = append(parts, m.Code+" "+m.Name)
	}
	return fmt.Sprintf("%d 个项目中 %d 个未报送：%s", c.Expected, len(c.Missing), strings.Join(parts, "；"))
}

// LatestYear is the latest year with current rows the scope sees (0 when
// none).
func (r *Read) LatestYear(ctx context.Context) (int, error) {
	from, a := r.scope.rel("row_years")
	t, err := r.cached(ctx, `SELECT max(year) FROM `+from, a)
	if err != nil || len(t.Rows) == 0 {
		return 0, err
	}
	return toInt(t.Rows[0][0]), nil
}

// Group is a run of the board's columns of one kind.
type Group struct {
	Kind string
	Zh   string
	Span int
}

// Groups are the kinds over the board's columns.
func (b *Board) Groups() []Group {
	var out []Group
	for _, c := range b.Columns {
		if n := len(out); n > 0 && out[n-1].Kind == c.Kind {
			out[n-1].Span++
			continue
		}
		out = append(out, Group{Kind: c.Kind, Zh: KindZh(c.Kind), Span: 1})
	}
	return out
}

// MissingCodes lists the codes of the projects missing, comma-separated
// ("" for a kind sent once per district).
func (c Cell) MissingCodes() string {
	var codes []string
	for _, m := range c.Missing {
		if m.Code != "" {
			codes = append(codes, m.Code)
		}
	}
	return strings.Join(codes, ",")
}

// Label is what the board's cell shows.
func (c Cell) Label() string {
	switch c.State {
	case CellOK:
		return "✓"
	case CellNone:
		return "—"
	case CellBlocked:
		return "缺项目"
	}
	prefix := "逾期"
	if c.State == CellOpen {
		prefix = "待报"
	}
	if !perProject[c.Column.Kind] {
		return prefix
	}
	return fmt.Sprintf("%s %d/%d", prefix, len(c.Missing), c.Expected)
}

// Title is the cell's tooltip: the deadline and what is missing.
func (c Cell) Title() string {
	t := "截止 " + c.Column.Due.In(Shanghai).Format("2006-01-02")
	switch {
	case c.State == CellOK && perProject[c.Column.Kind]:
		return fmt.Sprintf("%s；%d 个项目均已报送（%d 行）", t, c.Expected, c.Rows)
	case c.State == CellOK:
		return fmt.Sprintf("%s；已报送（%d 行）", t, c.Rows)
	case c.State == CellNone:
		return t + "；本期没有在期的服务项目"
	}
	return t + "；" + missingText(c)
}
