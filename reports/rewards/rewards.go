// Package rewards lays out the calculation (计算过程) behind the yearly city
// reward allocation (marts.city_rewards, DOMAIN.md §6, seed 001 §(十二)) for
// finance to audit: the policy parameters in force with their sources, the
// policy files, every district's steps — eligible projects, eligible
// spending, rate, entitlement, scale, allocation, share — each an Excel
// formula over the parameters and the projects' rows, and every project's
// inputs with the spending that counts (last, on pages of their own with
// the header repeated), so every yuan can be recomputed by hand.
//
// The figures shown are the mart's. Calculation recomputes them from the
// projects exactly (in fractions, math/big.Rat, rounding half away from
// zero to the fen) and refuses to lay out a calculation the mart differs
// from by as much as a fen.
package rewards

import (
	"fmt"
	"math/big"
	"strings"

	"shequ/reports"
)

// The query files of the allocation definition this package reads.
const (
	allocationSource = "marts.city_rewards"
	projectsSQL      = "rewards_projects.sql"
	policySQL        = "rewards_policy.sql"
)

// SheetName is the name of the calculation sheet.
const SheetName = "计算过程"

func find(d *reports.Data, source, sqlFile string) (*reports.Table, error) {
	for _, t := range d.Sheets {
		if (source != "" && t.Sheet.Source == source) || (sqlFile != "" && t.Sheet.SQL == sqlFile) {
			return t, nil
		}
	}
	what := source
	if sqlFile != "" {
		what = "sql: " + sqlFile
	}
	return nil, fmt.Errorf("report %s (%s): the reward calculation needs a sheet reading %s", d.Def.Name, d.Def.Path, what)
}

func dec(v reports.Value) (reports.Decimal, bool) {
	switch x := v.(type) {
	case reports.Decimal:
		return x, true
	case int64:
		return reports.Decimal{Units: x}, true
	}
	return reports.Decimal{}, false
}

// colLetter names a sheet column (1: A).
func colLetter(c int) string {
	s := ""
	for ; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}

func heading(t *reports.Table, col, def string) string {
	if c := t.Sheet.Column(col); c != nil {
		return c.Heading
	}
	return def
}

// paramFormat is how a policy parameter's number is shown.
func paramFormat(name string) string {
	switch {
	case name == "reward_rate":
		return reports.FormatRatio
	case strings.HasSuffix(name, "_amount"), strings.HasSuffix(name, "_cost"), name == "reward_budget":
		return reports.FormatYuan
	}
	return reports.FormatNumber
}

// Calculation lays out the calculation sheet of an allocation report
// (the definition with appendix city_rewards_calculation). It returns nil
// for a year without projects, and an error when the mart is not what the
// rule gives from the projects.
func Calculation(d *reports.Data) (*reports.Grid, error) {
	alloc, err := find(d, allocationSource, "")
	if err != nil {
		return nil, err
	}
	projects, err := find(d, "", projectsSQL)
	if err != nil {
		return nil, err
	}
	policy, err := find(d, "", policySQL)
	if err != nil {
		return nil, err
	}
	year := d.Filter.Year
	fail := func(format string, a ...any) error {
		return fmt.Errorf("reward calculation %d: %s", year, fmt.Sprintf(format, a...))
	}
	if len(alloc.Rows) == 0 || len(projects.Rows) == 0 {
		return nil, nil // no project that year: nothing to calculate
	}

	g := &reports.Grid{
		Name:  SheetName,
		Title: fmt.Sprintf("%s%d年度市级奖励资金计算过程", d.City, year),
		Lines: []string{
			"本表的每个计算结果都是 Excel 公式，引用本表中的输入和政策参数；改动输入即可重新计算。红字“差额”不为 0 时说明与分配表不符。",
			"数据来源：" + d.Stamp.Line(),
		},
	}
	if d.Trial != "" {
		g.Lines = append(g.Lines, "试算（"+d.Trial+"）：不是正式结果。")
	}

	// The sheet is printed on landscape pages at 10 pt: the sections share
	// eleven columns (those of the projects and districts), a long text
	// (a source, a digest) spans several of them.
	// 一、政策参数: the number the formulas use in column D.
	params := &reports.Section{
		Title:  "一、适用的政策参数",
		Header: []string{"参数", "取值", "数值", "依据"},
		Spans:  []int{2, 1, 1, 7},
		Rows:   make([][]reports.Cell, len(policy.Rows)),
	}
	// 二、政策文件.
	files := &reports.Section{
		Title:  "二、政策文件版本",
		Header: []string{"政策表", "文件", "来源", "行数", "SHA-256"},
		Spans:  []int{2, 1, 1, 1, 6},
		Rows:   make([][]reports.Cell, len(d.Stamp.Policy)),
	}
	// 四、项目: last, on pages of its own with its header repeated.
	ph := []string{
		heading(projects, "district", "区"), heading(projects, "project_code", "项目编号"), heading(projects, "project_name", "项目名称"),
		heading(projects, "annual_score", "年度评估总分"), heading(projects, "annual_stars", "星级"), heading(projects, "eligible", "年度评估合格"),
		heading(projects, "district_funding", "区级资金"), heading(projects, "street_funding", "街道资金"), "地方资金合计（元）",
		heading(projects, "standard_amount", "经费标准"), "计奖支出（元）",
	}
	proj := &reports.Section{
		Title:   "四、各项目计奖支出",
		NewPage: true, RepeatHeader: true,
		Notes:  []string{"年度评估合格的项目计入；计奖支出 = 区级资金 + 街道资金，以经费标准为上限；不合格的项目计 0。"},
		Header: ph,
		Explain: []string{"", "", "", "", "", "输入", "输入", "输入", "= 区级资金 + 街道资金", "输入",
			"= 合格时 MIN(地方资金合计, 经费标准)，否则 0"},
		Rows: make([][]reports.Cell, len(projects.Rows)),
	}
	proj.Total = make([]reports.Cell, len(ph))
	// 三、区: the result, after the parameters it uses.
	dist := &reports.Section{
		Title:   "三、各区奖励分配",
		NewPage: true,
		Notes:   []string{"应得奖励 = 奖励比例 × 计奖支出；有预算且应得奖励合计超出预算时，调整系数 = 预算 ÷ 应得奖励合计，否则为 1；分配金额 = 应得奖励 × 调整系数，四舍五入到分。"},
		Header:  []string{"区", "合格项目数", "计奖支出（元）", "奖励比例", "应得奖励（未取整）", "应得奖励（元）", "调整系数", "分配金额（元）", "占比", "分配表金额（元）", "差额（元）"},
		Explain: []string{"", "= 第四部分中本区合格项目数", "= 第四部分中本区计奖支出之和", "= 政策参数 奖励比例",
			"= 计奖支出 × 奖励比例", "= ROUND(应得奖励, 2)", "= 无预算时 1，否则 MIN(1, 预算 ÷ 应得奖励合计)",
			"= ROUND(应得奖励 × 调整系数, 2)", "= 分配金额 ÷ 分配金额合计", "分配表所列", "= 分配金额 − 分配表金额"},
		Rows: make([][]reports.Cell, len(alloc.Rows)),
	}
	dist.Total = make([]reports.Cell, len(dist.Header))
	g.Sections = []*reports.Section{params, files, dist, proj}
	g.Layout()

	// Policy parameters: find the rate and the budget cells.
	var rate *reports.Decimal
	var budget *reports.Decimal
	rateRef, budgetRef := "", ""
	for i := range policy.Rows {
		r := params.FirstRow + i
		name, _ := policy.Get(i, "parameter").(string)
		num, hasNum := dec(policy.Get(i, "number"))
		numCell := reports.Cell{Format: paramFormat(name)}
		if hasNum {
			numCell.Value = num
		}
		params.Rows[i] = []reports.Cell{
			{Value: policy.Get(i, "label"), Format: reports.FormatText},
			{Value: policy.Get(i, "value"), Format: reports.FormatText},
			numCell,
			{Value: policy.Get(i, "source"), Format: reports.FormatText},
		}
		col := colLetter(params.Column(2))
		switch name {
		case "reward_rate":
			if !hasNum {
				return nil, fail("no reward rate in policy.reward_rates covers the year")
			}
			n := num
			rate, rateRef = &n, fmt.Sprintf("$%s$%d", col, r)
		case "reward_budget":
			if hasNum {
				n := num
				budget = &n
			}
			budgetRef = fmt.Sprintf("$%s$%d", col, r)
		}
	}
	if rate == nil || budgetRef == "" {
		return nil, fail("the policy query gave no reward_rate or reward_budget row")
	}
	for i, p := range d.Stamp.Policy {
		files.Rows[i] = []reports.Cell{
			{Value: p.TableZh(), Format: reports.FormatText}, {Value: p.FileZh(), Format: reports.FormatText},
			{Value: p.OriginZh(), Format: reports.FormatText}, {Value: p.Rows, Format: reports.FormatInt},
			{Value: p.SHA256, Format: reports.FormatCode},
		}
	}

	// Projects: exact spending per district.
	type sums struct {
		n        int64
		spending reports.Decimal
	}
	byDistrict := map[string]*sums{}
	first, last := proj.FirstRow, proj.FirstRow+len(projects.Rows)-1
	for i := range projects.Rows {
		r := proj.FirstRow + i
		district, _ := projects.Get(i, "district").(string)
		eligible, _ := projects.Get(i, "eligible").(bool)
		df, ok1 := dec(projects.Get(i, "district_funding"))
		sf, ok2 := dec(projects.Get(i, "street_funding"))
		std, ok3 := dec(projects.Get(i, "standard_amount"))
		if !ok1 || !ok2 || !ok3 {
			return nil, fail("project %v lacks its funding or standard", projects.Get(i, "project_code"))
		}
		local := df.Add(sf)
		spending := reports.Decimal{Scale: 2}
		if eligible {
			spending = local
			if std.Cmp(local) < 0 {
				spending = std
			}
			spending = spending.Rescale(2)
		}
		s := byDistrict[district]
		if s == nil {
			s = &sums{spending: reports.Decimal{Scale: 2}}
			byDistrict[district] = s
		}
		if eligible {
			s.n++
		}
		s.spending = s.spending.Add(spending)
		yes := "否"
		if eligible {
			yes = "是"
		}
		proj.Rows[i] = []reports.Cell{
			{Value: district, Format: reports.FormatText},
			{Value: projects.Get(i, "project_code"), Format: reports.FormatCode},
			{Value: projects.Get(i, "project_name"), Format: reports.FormatText},
			{Value: projects.Get(i, "annual_score"), Format: reports.FormatScore},
			{Value: projects.Get(i, "annual_stars"), Format: reports.FormatInt},
			{Value: yes, Format: reports.FormatText, Bad: !eligible},
			{Value: df, Format: reports.FormatYuan},
			{Value: sf, Format: reports.FormatYuan},
			{Value: local, Formula: fmt.Sprintf("G%d+H%d", r, r), Format: reports.FormatYuan},
			{Value: std, Format: reports.FormatYuan},
			{Value: spending, Formula: fmt.Sprintf(`IF(F%d="是",MIN(I%d,J%d),0)`, r, r, r), Format: reports.FormatYuan},
		}
	}
	totalSpending := reports.Decimal{Scale: 2}
	for _, s := range byDistrict {
		totalSpending = totalSpending.Add(s.spending)
	}
	proj.Total[0] = reports.Cell{Value: "合计", Format: reports.FormatText}
	proj.Total[10] = reports.Cell{Value: totalSpending, Formula: fmt.Sprintf("SUM(K%d:K%d)", first, last), Format: reports.FormatYuan}

	// Districts: entitlement, scale and allocation, exactly.
	exact := make([]*big.Rat, len(alloc.Rows))
	total := new(big.Rat)
	for i := range alloc.Rows {
		district, _ := alloc.Get(i, "district").(string)
		s := byDistrict[district]
		if s == nil {
			s = &sums{spending: reports.Decimal{Scale: 2}}
		}
		exact[i] = new(big.Rat).Mul(rate.Rat(), s.spending.Rat())
		total.Add(total, exact[i])
	}
	scale := big.NewRat(1, 1)
	if budget != nil && budget.Rat().Cmp(total) < 0 {
		scale = new(big.Rat).Quo(budget.Rat(), total)
	}
	allocations := make([]reports.Decimal, len(alloc.Rows))
	allocTotal := reports.Decimal{Scale: 2}
	for i := range alloc.Rows {
		allocations[i] = reports.RoundRat(new(big.Rat).Mul(exact[i], scale), 2)
		allocTotal = allocTotal.Add(allocations[i])
	}
	dFirst, dLast := dist.FirstRow, dist.FirstRow+len(alloc.Rows)-1
	var mismatches []string
	martTotal := reports.Decimal{Scale: 2}
	entTotal := reports.Decimal{Scale: 2}
	for i := range alloc.Rows {
		r := dist.FirstRow + i
		district, _ := alloc.Get(i, "district").(string)
		s := byDistrict[district]
		if s == nil {
			s = &sums{spending: reports.Decimal{Scale: 2}}
		}
		ent := reports.RoundRat(exact[i], 2)
		martEnt, _ := dec(alloc.Get(i, "entitlement"))
		entTotal = entTotal.Add(martEnt)
		martAlloc, _ := dec(alloc.Get(i, "allocation"))
		martTotal = martTotal.Add(martAlloc)
		// The mart must be what the rule gives.
		if n, _ := alloc.Get(i, "eligible_projects").(int64); n != s.n {
			mismatches = append(mismatches, fmt.Sprintf("%s eligible_projects %d, computed %d", district, n, s.n))
		}
		if v, _ := dec(alloc.Get(i, "eligible_spending")); v.Cmp(s.spending) != 0 {
			mismatches = append(mismatches, fmt.Sprintf("%s eligible_spending %s, computed %s", district, v, s.spending))
		}
		if v, _ := dec(alloc.Get(i, "entitlement")); v.Cmp(ent) != 0 {
			mismatches = append(mismatches, fmt.Sprintf("%s entitlement %s, computed %s", district, v, ent))
		}
		// The mart computes the allocation exactly too: not a fen of difference.
		if martAlloc.Rat().Cmp(allocations[i].Rat()) != 0 {
			mismatches = append(mismatches, fmt.Sprintf("%s allocation %s, computed %s", district, martAlloc, allocations[i]))
		}
		share, ok := reports.Float(alloc.Get(i, "share"))
		if !ok {
			mismatches = append(mismatches, fmt.Sprintf("%s has no share", district))
		}
		scaleF, ok := reports.Float(alloc.Get(i, "scale"))
		if !ok {
			mismatches = append(mismatches, fmt.Sprintf("%s has no scale", district))
		}
		exactF, _ := exact[i].Float64()
		difference := reports.Decimal{Units: allocations[i].Units - martAlloc.Rescale(2).Units, Scale: 2}
		dist.Rows[i] = []reports.Cell{
			{Value: district, Format: reports.FormatText},
			{Value: s.n, Formula: fmt.Sprintf(`COUNTIFS($A$%d:$A$%d,A%d,$F$%d:$F$%d,"是")`, first, last, r, first, last), Format: reports.FormatInt},
			{Value: s.spending, Formula: fmt.Sprintf(`SUMIFS($K$%d:$K$%d,$A$%d:$A$%d,A%d)`, first, last, first, last, r), Format: reports.FormatYuan},
			{Value: *rate, Formula: rateRef, Format: reports.FormatPercent},
			{Value: exactF, Formula: fmt.Sprintf("C%d*D%d", r, r), Format: reports.FormatRatio},
			{Value: martEnt, Formula: fmt.Sprintf("ROUND(E%d,2)", r), Format: reports.FormatYuan},
			{Value: scaleF, Formula: fmt.Sprintf(`IF(ISBLANK(%s),1,MIN(1,%s/SUM($E$%d:$E$%d)))`, budgetRef, budgetRef, dFirst, dLast), Format: reports.FormatRatio},
			{Value: martAlloc, Formula: fmt.Sprintf("ROUND(E%d*G%d,2)", r, r), Format: reports.FormatYuan},
			{Value: share, Formula: fmt.Sprintf("IF(SUM($H$%d:$H$%d)=0,0,H%d/SUM($H$%d:$H$%d))", dFirst, dLast, r, dFirst, dLast), Format: reports.FormatPercent},
			{Value: martAlloc, Format: reports.FormatYuan},
			{Value: difference, Formula: fmt.Sprintf("H%d-J%d", r, r), Format: reports.FormatYuan, Bad: difference.Units != 0},
		}
	}
	if len(mismatches) > 0 {
		return nil, fail("marts.city_rewards is not what the rule gives from the projects: %s; rebuild the marts (`shequ build`)", strings.Join(mismatches, "; "))
	}
	{
		var n int64
		for _, s := range byDistrict {
			n += s.n
		}
		sumF := func(c string) string { return fmt.Sprintf("SUM(%s%d:%s%d)", c, dFirst, c, dLast) }
		exactTotal, _ := total.Float64()
		dist.Total = []reports.Cell{
			{Value: "合计", Format: reports.FormatText},
			{Value: n, Formula: sumF("B"), Format: reports.FormatInt},
			{Value: totalSpending, Formula: sumF("C"), Format: reports.FormatYuan},
			{},
			{Value: exactTotal, Formula: sumF("E"), Format: reports.FormatRatio},
			{Value: entTotal, Formula: sumF("F"), Format: reports.FormatYuan},
			{},
			{Value: martTotal, Formula: sumF("H"), Format: reports.FormatYuan},
			{Value: 1.0, Formula: sumF("I"), Format: reports.FormatPercent},
			{Value: martTotal, Formula: sumF("J"), Format: reports.FormatYuan},
			{Value: reports.Decimal{Units: allocTotal.Units - martTotal.Rescale(2).Units, Scale: 2}, Formula: sumF("K"), Format: reports.FormatYuan},
		}
		if martTotal.Units == 0 {
			dist.Total[8].Value = 0.0
		}
	}
	return g, nil
}
