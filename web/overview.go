package web

import (
	"fmt"
	"net/http"
	"strconv"

	"shequ/web/data"
)

// overviewPage is the overview of a year (总览): per district, coverage
// against the urban and rural targets, stars, fund use, staffing, site
// subsidies, the reward allocation and data quality, each beside last
// year's and the change; every figure links to its detail.
func (s *Server) overviewPage(r *http.Request, rd *data.Read, st *state) (*dash, error) {
	o, err := rd.Overview(r.Context(), st.Year, st.Source)
	if err != nil {
		return nil, err
	}
	prev := strconv.Itoa(st.Year - 1)
	drill := func(anchor string) func(Row) string {
		return func(row Row) string {
			if row.Null("district") {
				return st.link("/drill") + anchor
			}
			return st.link("/drill", "district", row.Str("district")) + anchor
		}
	}
	district := Column{Key: "district", Title: "区", Link: drill("")}
	key := func(row Row) string { return row.Str("district") }
	bad := func(col string) func(Row) string {
		return func(row Row) string {
			if row.Int(col) > 0 {
				return "bad"
			}
			return ""
		}
	}
	d := &dash{Title: fmt.Sprintf("%d 年总览", st.Year), Heading: fmt.Sprintf("%d 年社区服务总览", st.Year)}

	// Coverage: urban and rural, each a grid with its chart.
	for _, t := range []struct{ kind, zh string }{{"urban", "城市社区"}, {"rural", "农村社区"}} {
		sub := filterRows(o.Coverage, "urban_rural", t.kind)
		g := gridOf("coverage-"+t.kind, t.zh+"覆盖率", sub, []Column{
			district,
			{Key: "communities", Title: "社区数", Format: Int, Link: drill("#streets")},
			{Key: "covered", Title: "已覆盖", Format: Int, Link: drill("#streets")},
			{Key: "uncovered", Title: "未覆盖", Format: Int, Link: drill("#uncovered"), Class: bad("uncovered")},
			{Key: "coverage_rate", Title: "覆盖率", Format: Rate, Link: drill("#streets")},
			{Key: "target_rate", Title: "目标", Format: Rate},
			{Key: "meets_target", Title: "达标", Format: Bool, Class: func(r Row) string { return okBad(r.Bool("meets_target")) }},
			{Key: "shortfall", Title: "距目标缺口（个）", Format: Int, Class: bad("shortfall")},
			{Key: "prev_coverage_rate", Title: prev + " 年覆盖率", Format: Rate},
			{Key: "change_coverage_rate", Title: "变化（百分点）", Format: Points, Class: up("change_coverage_rate")},
		}, "district", key)
		g.Note = fmt.Sprintf("%s：覆盖率 = 有服务项目覆盖的社区 ÷ 名册社区；目标见政策参数。缺口 = ⌈目标 × 社区数⌉ − 已覆盖。", t.zh)
		g.Chart = &Chart{Type: "bar", Title: fmt.Sprintf("%d 年%s覆盖率与目标", st.Year, t.zh), Category: "district",
			Series: []string{"coverage_rate", "prev_coverage_rate", "target_rate"}, Percent: true}
		g.Empty = "本年度没有" + t.zh + "名册。"
		d.Grids = append(d.Grids, g)
	}

	stars := gridOf("stars", "评估星级（年度评估）", o.Stars, []Column{
		district,
		{Key: "evaluated", Title: "已评估项目", Format: Int, Link: drill("#projects")},
		{Key: "stars5", Title: "五星", Format: Int},
		{Key: "stars4", Title: "四星", Format: Int},
		{Key: "stars3", Title: "三星", Format: Int},
		{Key: "failed", Title: "未达三星", Format: Int, Link: drill("#projects"), Class: bad("failed")},
		{Key: "passed_rate", Title: "合格率", Format: Rate},
		{Key: "avg_score", Title: "平均得分", Format: Score},
		{Key: "prev_passed_rate", Title: prev + " 年合格率", Format: Rate},
		{Key: "change_passed_rate", Title: "变化（百分点）", Format: Points, Class: up("change_passed_rate")},
	}, "district", key)
	stars.Chart = &Chart{Type: "bar", Title: fmt.Sprintf("%d 年年度评估星级", st.Year), Category: "district", Series: []string{"stars5", "stars4", "stars3", "failed"}, Stacked: true}
	stars.Empty = "本年度还没有年度评估结果。"
	d.Grids = append(d.Grids, stars)

	funds := gridOf("funds", "经费使用", o.Funds, []Column{
		district,
		{Key: "projects", Title: "项目数", Format: Int, Link: drill("#projects")},
		{Key: "contract_amount", Title: "合同金额（元）", Format: Money},
		{Key: "carried_in", Title: "上年结转（元）", Format: Money},
		{Key: "spent_total", Title: "支出合计（元）", Format: Money, Link: drill("#projects")},
		{Key: "spent_rate", Title: "执行率", Format: Rate},
		{Key: "surplus", Title: "结余（元）", Format: Money},
		{Key: "overspent", Title: "超支项目", Format: Int, Link: drill("#projects"), Class: bad("overspent")},
		{Key: "staff_share_low", Title: "人员经费占比不足", Format: Int, Class: bad("staff_share_low")},
		{Key: "operations_share_low", Title: "运营经费占比不符", Format: Int, Class: bad("operations_share_low")},
		{Key: "prev_spent_rate", Title: prev + " 年执行率", Format: Rate},
		{Key: "change_spent_rate", Title: "变化（百分点）", Format: Points},
	}, "district", key)
	funds.Note = "执行率 = 支出合计 ÷（合同金额 + 上年结转）。"
	funds.Empty = "本年度没有项目。"
	d.Grids = append(d.Grids, funds)

	staffing := gridOf("staffing", "人员配置", o.Staffing, []Column{
		district,
		{Key: "projects", Title: "项目数", Format: Int, Link: drill("#projects")},
		{Key: "compliant", Title: "配置达标", Format: Int, Link: drill("#projects")},
		{Key: "compliant_rate", Title: "达标率", Format: Rate},
		{Key: "full_time_staff", Title: "全职人员", Format: Int},
		{Key: "registered_social_workers", Title: "持证社工", Format: Int},
		{Key: "party_members", Title: "党员", Format: Int},
		{Key: "lead_not_sw", Title: "负责人非持证社工", Format: Int, Class: bad("lead_not_sw")},
		{Key: "prev_compliant_rate", Title: prev + " 年达标率", Format: Rate},
		{Key: "change_compliant_rate", Title: "变化（百分点）", Format: Points, Class: up("change_compliant_rate")},
	}, "district", key)
	staffing.Empty = "本年度没有项目。"
	d.Grids = append(d.Grids, staffing)

	sites := gridOf("sites", "示范点补助", o.Sites, []Column{
		district,
		{Key: "sites", Title: "示范点", Format: Int, Link: drill("#sites")},
		{Key: "already_funded", Title: "已资助过", Format: Int},
		{Key: "city_total", Title: "市级补助（元）", Format: Money, Link: drill("#sites")},
		{Key: "required_match", Title: "应配套（元）", Format: Money},
		{Key: "local_match", Title: "区街配套（元）", Format: Money},
		{Key: "match_short", Title: "配套不足", Format: Int, Link: drill("#sites"), Class: bad("match_short")},
		{Key: "prev_city_total", Title: prev + " 年市级补助（元）", Format: Money},
		{Key: "change_city_total", Title: "变化（元）", Format: Money},
	}, "district", key)
	sites.Empty = "本年度没有新的示范点。"
	d.Grids = append(d.Grids, sites)

	alloc := func(Row) string { return st.link("/allocation") }
	rewards := gridOf("rewards", "市级奖励资金分配", o.Rewards, []Column{
		{Key: "district", Title: "区", Link: alloc},
		{Key: "eligible_projects", Title: "合格项目", Format: Int, Link: drill("#projects")},
		{Key: "eligible_spending", Title: "合格支出（元）", Format: Money},
		{Key: "entitlement", Title: "应得奖励（元）", Format: Money},
		{Key: "allocation", Title: "分配金额（元）", Format: Money, Link: alloc},
		{Key: "share", Title: "占比", Format: Rate},
		{Key: "prev_allocation", Title: prev + " 年分配（元）", Format: Money},
		{Key: "change_allocation", Title: "变化（元）", Format: Money},
	}, "district", key)
	rewards.Chart = &Chart{Type: "bar", Title: fmt.Sprintf("%d 年市级奖励分配（元）", st.Year), Category: "district", Series: []string{"allocation", "prev_allocation"}}
	rewards.Empty = "本年度没有奖励分配。"
	d.Grids = append(d.Grids, rewards)

	board := func(Row) string {
		if st.Own != "" {
			return "/portal?year=" + strconv.Itoa(st.Year)
		}
		return "/board?year=" + strconv.Itoa(st.Year)
	}
	quality := gridOf("quality", "数据质量", o.Quality, []Column{
		{Key: "district", Title: "区", Link: board},
		{Key: "kinds_missing_count", Title: "缺报类别", Format: Int, Link: board, Class: bad("kinds_missing_count")},
		{Key: "kinds_missing", Title: "缺报的类别"},
		{Key: "rows_current", Title: "有效行", Format: Int},
		{Key: "rows_rejected", Title: "未入库行", Format: Int, Link: func(Row) string { return "/submissions" }, Class: bad("rows_rejected")},
		{Key: "rows_warned", Title: "警告行", Format: Int},
		{Key: "files", Title: "文件数", Format: Int},
		{Key: "latest_submission_date", Title: "最近报送", Format: Date},
		{Key: "prev_rows_rejected", Title: prev + " 年未入库行", Format: Int},
		{Key: "change_rows_rejected", Title: "变化（行）", Format: Int},
	}, "district", key)
	quality.Empty = "本年度还没有报送。"
	d.Grids = append(d.Grids, quality)
	if st.Own != "" {
		d.Facts = append(d.Facts, [2]string{"区", st.Own})
	}
	return d, nil
}

// filterRows is the rows of t whose column col is v.
func filterRows(t *data.Table, col string, v string) *data.Table {
	out := &data.Table{Columns: t.Columns, Rows: [][]any{}}
	for i := range t.Rows {
		if t.String(i, col) == v {
			out.Rows = append(out.Rows, t.Rows[i])
		}
	}
	return out
}

func okBad(ok bool) string {
	if ok {
		return "ok"
	}
	return "bad"
}

// up colours a change of column key: up is good, down bad.
func up(key string) func(Row) string {
	return func(r Row) string {
		n, _ := toFloat(r.Get(key))
		switch {
		case n > 0:
			return "ok"
		case n < 0:
			return "bad"
		}
		return ""
	}
}
