package web

import (
	"fmt"
	"net/http"

	"shequ/web/data"
)

// projectPage is one project of a year (项目): what it is, its staffing,
// fund use, evaluations, service mix and payments, the communities it
// serves, and the source rows behind it with their receipts.
func (s *Server) projectPage(r *http.Request, rd *data.Read, st *state) (*dash, error) {
	ctx := r.Context()
	code := st.Get("code")
	if code == "" {
		return nil, badParam("请指定项目编号（code）")
	}
	p, err := rd.Project(ctx, st.Year, code)
	if err != nil {
		return nil, err
	}
	if len(p.Rows) == 0 || (st.District != "" && p.String(0, "district") != st.District) {
		return nil, data.ErrNotFound
	}
	district := p.String(0, "district")
	name := p.String(0, "project_name")
	d := &dash{Title: fmt.Sprintf("%d 年项目 %s", st.Year, code), Heading: fmt.Sprintf("%s（%s）%d 年", name, code, st.Year)}
	city := s.p.Config().City
	if city == "" {
		city = "全市"
	}
	if st.Own == "" {
		d.Crumbs = append(d.Crumbs, [2]string{city, st.link("/drill", "district", "")})
	}
	d.Crumbs = append(d.Crumbs, [2]string{district, st.link("/drill", "district", district, "code", "") + "#projects"}, [2]string{name, ""})
	d.Facts = [][2]string{
		{"项目编号", code}, {"项目名称", name}, {"区", district}, {"类型", zh(projectTypeZh)(p.String(0, "project_type"))},
		{"承接机构", p.String(0, "provider")}, {"统一社会信用代码", p.String(0, "provider_credit_code")},
		{"合同期", cellText(p, "contract_start", Date) + " 至 " + cellText(p, "contract_end", Date)},
		{"合同金额（元）", cellText(p, "contract_amount", Money)},
		{"市级 / 区级 / 街道资金（元）", cellText(p, "city_funding", Money) + " / " + cellText(p, "district_funding", Money) + " / " + cellText(p, "street_funding", Money)},
		{"标准金额（元）", cellText(p, "standard_amount", Money)},
		{"覆盖社区", p.String(0, "community_codes")},
	}
	mart := func(name string) (*data.Table, error) { return rd.ProjectMart(ctx, name, st.Year, st.Source, code) }

	staffing, err := mart("staffing")
	if err != nil {
		return nil, err
	}
	g := gridOf("staffing", "人员配置", staffing, []Column{
		{Key: "full_time_staff", Title: "全职人员", Format: Int},
		{Key: "required_full_time", Title: "应配全职", Format: Int},
		{Key: "registered_social_workers", Title: "持证社工", Format: Int},
		{Key: "party_members", Title: "党员", Format: Int},
		{Key: "lead_is_social_worker", Title: "负责人为持证社工", Format: Bool},
		{Key: "supervisors", Title: "督导", Format: Int},
		{Key: "compliant", Title: "达标", Format: Bool, Class: func(r Row) string { return okBad(r.Bool("compliant")) }},
		{Key: "issues", Title: "问题", Zh: issuesZh},
	}, "", nil)
	g.Empty = "没有人员配置结果。"
	d.Grids = append(d.Grids, g)

	funds, err := mart("fund_use")
	if err != nil {
		return nil, err
	}
	g = gridOf("funds", "经费使用", funds, []Column{
		{Key: "contract_amount", Title: "合同金额（元）", Format: Money},
		{Key: "carried_in", Title: "上年结转（元）", Format: Money},
		{Key: "spent_total", Title: "支出合计（元）", Format: Money},
		{Key: "staff_pay", Title: "人员经费（元）", Format: Money},
		{Key: "office_site", Title: "办公场地（元）", Format: Money},
		{Key: "service_ops", Title: "服务运营（元）", Format: Money},
		{Key: "management", Title: "管理费（元）", Format: Money},
		{Key: "tax", Title: "税费（元）", Format: Money},
		{Key: "staff_share", Title: "人员经费占比", Format: Rate},
		{Key: "operations_share", Title: "运营经费占比", Format: Rate},
		{Key: "management_tax_share", Title: "管理及税费占比", Format: Rate},
		{Key: "surplus", Title: "结余（元）", Format: Money},
		{Key: "overspent", Title: "超支", Format: Bool, Class: func(r Row) string {
			if r.Bool("overspent") {
				return "bad"
			}
			return ""
		}},
	}, "", nil)
	g.Empty = "没有经费使用结果。"
	d.Grids = append(d.Grids, g)

	evals, err := mart("evaluation_scores")
	if err != nil {
		return nil, err
	}
	g = gridOf("evaluations", "评估结果", evals, []Column{
		{Key: "stage", Title: "阶段", Zh: zh(stageZh)},
		{Key: "indicator_score", Title: "指标得分", Format: Score},
		{Key: "participation_rate", Title: "参与率", Format: Rate},
		{Key: "participation_score", Title: "参与得分", Format: Score},
		{Key: "satisfaction_score", Title: "满意度得分", Format: Score},
		{Key: "total_score", Title: "总分", Format: Score},
		{Key: "stars", Title: "星级", Format: Int},
		{Key: "passed", Title: "合格", Format: Bool, Class: func(r Row) string { return okBad(r.Bool("passed")) }},
	}, "", func(r Row) string { return r.Str("stage") })
	g.Empty = "还没有评估结果。"
	d.Grids = append(d.Grids, g)

	mix, err := mart("service_mix")
	if err != nil {
		return nil, err
	}
	g = gridOf("services", "服务内容", mix, []Column{
		{Key: "basic_items", Title: "基本服务大项", Format: Int},
		{Key: "basic_sub_items", Title: "基本服务细项", Format: Int},
		{Key: "featured_items", Title: "特色服务", Format: Int},
		{Key: "external_items", Title: "外部服务", Format: Int},
		{Key: "meets_5_1_2", Title: "达到 5+1+2", Format: Bool, Class: func(r Row) string { return okBad(r.Bool("meets_5_1_2")) }},
		{Key: "person_times", Title: "服务人次", Format: Int},
		{Key: "service_days", Title: "服务天数", Format: Int},
		{Key: "months_below_min_days", Title: "服务天数不足的月份", Format: Int},
	}, "", nil)
	g.Empty = "没有服务记录。"
	d.Grids = append(d.Grids, g)

	pay, err := mart("payments")
	if err != nil {
		return nil, err
	}
	if len(pay.Rows) > 0 {
		g = gridOf("payments", "拨付", pay, []Column{
			{Key: "tranche", Title: "批次", Zh: zh(trancheZh)},
			{Key: "share", Title: "比例", Format: Rate},
			{Key: "amount", Title: "金额（元）", Format: Money},
			{Key: "due", Title: "应拨付", Format: Bool},
		}, "", func(r Row) string { return r.Str("tranche") })
		d.Grids = append(d.Grids, g)
	}

	comms, err := rd.ProjectCommunities(ctx, st.Year, code)
	if err != nil {
		return nil, err
	}
	g = gridOf("communities", "覆盖的社区", comms, []Column{
		{Key: "community_code", Title: "社区编码", Link: func(r Row) string {
			return st.link("/drill", "district", r.Str("district"), "street", r.Str("street"), "community", r.Str("community_code"), "code", "")
		}},
		{Key: "community_name", Title: "社区名称"},
		{Key: "street", Title: "街道"},
		{Key: "urban_rural", Title: "类型", Zh: zh(urbanRuralZh)},
		{Key: "resident_population", Title: "常住人口", Format: Int},
		{Key: "large_community", Title: "大社区", Format: Bool},
	}, "", func(r Row) string { return r.Str("community_code") })
	g.Empty = "没有覆盖的社区。"
	d.Grids = append(d.Grids, g)

	lin, err := rd.Lineage(ctx, st.Year, code, "")
	if err != nil {
		return nil, err
	}
	d.Grids = append(d.Grids, lineageGrid(lin, "本项目数据的来源"))
	return d, nil
}
