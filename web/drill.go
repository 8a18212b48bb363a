package web

import (
	"fmt"
	"net/http"

	"shequ/web/data"
)

// drillPage is the drill-down (逐级查看): the city's districts, a
// district's streets, uncovered communities, projects and sites, a
// street's communities, a community with the projects serving it, its
// facilities and the source rows behind it. Each level links to the next;
// the crumbs lead back up.
func (s *Server) drillPage(r *http.Request, rd *data.Read, st *state) (*dash, error) {
	ctx := r.Context()
	year := st.Year
	d := &dash{Title: fmt.Sprintf("%d 年逐级查看", year)}
	city := s.p.Config().City
	if city == "" {
		city = "全市"
	}
	d.Crumbs = [][2]string{{city, st.link("/drill", "district", "", "street", "", "community", "")}}
	street, community := st.Get("street"), st.Get("community")
	if st.District == "" {
		t, err := rd.Districts(ctx, year)
		if err != nil {
			return nil, err
		}
		d.Heading = fmt.Sprintf("%s %d 年：各区", city, year)
		d.Crumbs[0][1] = ""
		g := gridOf("districts", "各区社区覆盖", t, []Column{
			{Key: "district", Title: "区", Link: func(r Row) string {
				if r.Null("district") {
					return ""
				}
				return st.link("/drill", "district", r.Str("district"))
			}},
			{Key: "streets", Title: "街道", Format: Int},
			{Key: "communities", Title: "社区", Format: Int},
			{Key: "covered", Title: "已覆盖", Format: Int},
			{Key: "uncovered", Title: "未覆盖", Format: Int, Class: positiveBad("uncovered"), Link: func(r Row) string {
				if r.Null("district") {
					return ""
				}
				return st.link("/drill", "district", r.Str("district")) + "#uncovered"
			}},
			{Key: "coverage_rate", Title: "覆盖率", Format: Rate},
			{Key: "urban", Title: "城市社区", Format: Int},
			{Key: "urban_rate", Title: "城市覆盖率", Format: Rate},
			{Key: "rural", Title: "农村社区", Format: Int},
			{Key: "rural_rate", Title: "农村覆盖率", Format: Rate},
			{Key: "population_uncovered", Title: "未覆盖人口", Format: Int},
			{Key: "projects", Title: "项目", Format: Int},
			{Key: "contract_amount", Title: "合同金额（元）", Format: Money},
			{Key: "prev_coverage_rate", Title: fmt.Sprintf("%d 年覆盖率", year-1), Format: Rate},
			{Key: "change_coverage_rate", Title: "变化（百分点）", Format: Points, Class: up("change_coverage_rate")},
		}, "district", func(r Row) string { return r.Str("district") })
		g.Chart = &Chart{Type: "bar", Title: fmt.Sprintf("%d 年各区城市、农村社区覆盖率", year), Category: "district", Series: []string{"urban_rate", "rural_rate"}, Percent: true}
		g.Empty = "本年度没有社区名册。"
		d.Grids = append(d.Grids, g)
		return d, nil
	}
	dl := st.link("/drill", "district", st.District, "street", "", "community", "")
	d.Crumbs = append(d.Crumbs, [2]string{st.District, dl})
	if st.Own != "" {
		d.Crumbs = d.Crumbs[1:]
	}
	communityCols := func(withStreet bool) []Column {
		var cols []Column
		if withStreet {
			cols = append(cols, Column{Key: "street", Title: "街道", Link: func(r Row) string {
				return st.link("/drill", "district", st.District, "street", r.Str("street"), "community", "")
			}})
		}
		return append(cols,
			Column{Key: "community_code", Title: "社区编码", Link: func(r Row) string {
				return st.link("/drill", "district", st.District, "street", r.Str("street"), "community", r.Str("community_code"))
			}},
			Column{Key: "community_name", Title: "社区名称", Link: func(r Row) string {
				return st.link("/drill", "district", st.District, "street", r.Str("street"), "community", r.Str("community_code"))
			}},
			Column{Key: "urban_rural", Title: "类型", Zh: zh(urbanRuralZh)},
			Column{Key: "resident_population", Title: "常住人口", Format: Int},
			Column{Key: "large_community", Title: "大社区", Format: Bool},
			Column{Key: "covered", Title: "已覆盖", Format: Bool, Class: func(r Row) string { return okBad(r.Bool("covered")) }},
			Column{Key: "projects", Title: "服务项目数", Format: Int},
			Column{Key: "project_codes", Title: "服务项目"},
		)
	}
	byCode := func(r Row) string { return r.Str("community_code") }

	switch {
	case community != "":
		t, err := rd.Community(ctx, year, community)
		if err != nil {
			return nil, err
		}
		if len(t.Rows) == 0 || t.String(0, "district") != st.District {
			return nil, data.ErrNotFound
		}
		street = t.String(0, "street")
		d.Crumbs = append(d.Crumbs, [2]string{street, st.link("/drill", "district", st.District, "street", street, "community", "")},
			[2]string{t.String(0, "community_name"), ""})
		d.Heading = fmt.Sprintf("%s（%s）%d 年", t.String(0, "community_name"), community, year)
		covered := "否（本年度没有服务项目覆盖）"
		if t.Value(0, "covered") == true {
			covered = "是"
		}
		d.Facts = [][2]string{{"社区编码", community}, {"区", st.District}, {"街道", street},
			{"类型", zh(urbanRuralZh)(t.String(0, "urban_rural"))}, {"常住人口", cellText(t, "resident_population", Int)},
			{"面积（平方公里）", t.String(0, "area_km2")}, {"大社区", cellText(t, "large_community", Bool)}, {"已覆盖", covered}}
		projects, err := rd.Projects(ctx, year, st.Source, st.District, community)
		if err != nil {
			return nil, err
		}
		g := s.projectGrid(st, projects, "服务本社区的项目")
		g.Empty = "本年度没有项目覆盖本社区。"
		d.Grids = append(d.Grids, g)
		fac, err := rd.Facilities(ctx, year, st.Source, community)
		if err != nil {
			return nil, err
		}
		fg := gridOf("facilities", "功能室达标", fac, []Column{
			{Key: "community_code", Title: "社区编码"},
			{Key: "total_area_m2", Title: "总面积（平方米）", Format: Real},
			{Key: "required_rooms_ok", Title: "必备功能室达标（间）", Format: Int},
			{Key: "optional_rooms_ok", Title: "可选功能室达标（间）", Format: Int},
			{Key: "expansion_rooms", Title: "拓展功能室（间）", Format: Int},
			{Key: "compliant", Title: "达标", Format: Bool, Class: func(r Row) string { return okBad(r.Bool("compliant")) }},
		}, "", nil)
		fg.Empty = "本年度没有报送本社区的功能室情况。"
		d.Grids = append(d.Grids, fg)
		lin, err := rd.Lineage(ctx, year, "", community)
		if err != nil {
			return nil, err
		}
		d.Grids = append(d.Grids, lineageGrid(lin, "本社区数据的来源"))
		return d, nil

	case street != "":
		d.Crumbs = append(d.Crumbs, [2]string{street, ""})
		d.Heading = fmt.Sprintf("%s %s %d 年", st.District, street, year)
		t, err := rd.Communities(ctx, year, st.District, street, false)
		if err != nil {
			return nil, err
		}
		g := gridOf("communities", street+"的社区", t, communityCols(false), "", byCode)
		g.Empty = "这个街道本年度没有名册社区。"
		d.Grids = append(d.Grids, g)
		u, err := rd.Communities(ctx, year, st.District, street, true)
		if err != nil {
			return nil, err
		}
		ug := gridOf("uncovered", "未覆盖的社区", u, communityCols(false)[:5], "", byCode)
		ug.Empty = "这个街道的社区都有服务项目覆盖。"
		d.Grids = append(d.Grids, ug)
		return d, nil
	}

	d.Crumbs[len(d.Crumbs)-1][1] = ""
	d.Heading = fmt.Sprintf("%s %d 年", st.District, year)
	streets, err := rd.Streets(ctx, year, st.District)
	if err != nil {
		return nil, err
	}
	sg := gridOf("streets", "各街道社区覆盖", streets, []Column{
		{Key: "street", Title: "街道", Link: func(r Row) string {
			if r.Null("street") {
				return ""
			}
			return st.link("/drill", "district", st.District, "street", r.Str("street"))
		}},
		{Key: "communities", Title: "社区", Format: Int},
		{Key: "covered", Title: "已覆盖", Format: Int},
		{Key: "uncovered", Title: "未覆盖", Format: Int, Class: positiveBad("uncovered")},
		{Key: "coverage_rate", Title: "覆盖率", Format: Rate},
		{Key: "urban", Title: "城市社区", Format: Int},
		{Key: "urban_rate", Title: "城市覆盖率", Format: Rate},
		{Key: "rural", Title: "农村社区", Format: Int},
		{Key: "rural_rate", Title: "农村覆盖率", Format: Rate},
		{Key: "population_uncovered", Title: "未覆盖人口", Format: Int},
		{Key: "prev_coverage_rate", Title: fmt.Sprintf("%d 年覆盖率", year-1), Format: Rate},
		{Key: "change_coverage_rate", Title: "变化（百分点）", Format: Points, Class: up("change_coverage_rate")},
	}, "street", func(r Row) string { return r.Str("street") })
	sg.Empty = "本年度没有这个区的社区名册。"
	d.Grids = append(d.Grids, sg)
	u, err := rd.Communities(ctx, year, st.District, "", true)
	if err != nil {
		return nil, err
	}
	ug := gridOf("uncovered", "未覆盖的社区", u, communityCols(true)[:6], "", byCode)
	ug.Note = "名册中本年度没有任何服务项目覆盖的社区。"
	ug.Empty = "本区的社区都有服务项目覆盖。"
	d.Grids = append(d.Grids, ug)
	projects, err := rd.Projects(ctx, year, st.Source, st.District, "")
	if err != nil {
		return nil, err
	}
	pg := s.projectGrid(st, projects, "服务项目")
	pg.Empty = "本年度没有这个区的服务项目。"
	d.Grids = append(d.Grids, pg)
	sites, err := rd.Sites(ctx, year, st.Source, st.District)
	if err != nil {
		return nil, err
	}
	d.Grids = append(d.Grids, siteGrid(st, sites))
	return d, nil
}

// projectGrid lists projects with their figures; each links to its page.
func (s *Server) projectGrid(st *state, t *data.Table, title string) *Grid {
	link := func(r Row) string {
		if r.Null("project_code") {
			return ""
		}
		return st.link("/project", "code", r.Str("project_code"))
	}
	g := gridOf("projects", title, t, []Column{
		{Key: "project_code", Title: "项目编号", Link: link},
		{Key: "project_name", Title: "项目名称", Link: link},
		{Key: "project_type", Title: "类型", Zh: zh(projectTypeZh)},
		{Key: "provider", Title: "承接机构"},
		{Key: "covered_communities", Title: "覆盖社区", Format: Int},
		{Key: "contract_amount", Title: "合同金额（元）", Format: Money},
		{Key: "staffing_compliant", Title: "人员达标", Format: Int},
		{Key: "staffing_issues", Title: "人员配置问题", Zh: issuesZh, Class: func(r Row) string {
			if r.Str("staffing_issues") != "" {
				return "bad"
			}
			return ""
		}},
		{Key: "full_time_staff", Title: "全职人员", Format: Int},
		{Key: "spent_total", Title: "支出（元）", Format: Money},
		{Key: "surplus", Title: "结余（元）", Format: Money, Class: func(r Row) string {
			if n, _ := toFloat(r.Get("surplus")); n < 0 {
				return "bad"
			}
			return ""
		}},
		{Key: "staff_share", Title: "人员经费占比", Format: Rate},
		{Key: "stars", Title: "年度星级", Format: Int},
		{Key: "total_score", Title: "年度得分", Format: Score},
		{Key: "passed", Title: "评估合格", Format: Int},
		{Key: "meets_5_1_2", Title: "服务达标（5+1+2）", Format: Int},
		{Key: "person_times", Title: "服务人次", Format: Int},
	}, "project_code", func(r Row) string { return r.Str("project_code") })
	g.Note = "人员达标、评估合格、服务达标为达标项目数（合计行为个数）；星级和得分为年度评估。"
	return g
}

// siteGrid lists the site subsidies.
func siteGrid(st *state, t *data.Table) *Grid {
	g := gridOf("sites", "示范点补助", t, []Column{
		{Key: "project_code", Title: "项目编号", Link: func(r Row) string { return st.link("/project", "code", r.Str("project_code")) }},
		{Key: "community_codes", Title: "覆盖社区"},
		{Key: "total_area_m2", Title: "总面积（平方米）", Format: Real},
		{Key: "subsidised_area_m2", Title: "补助面积（平方米）", Format: Real},
		{Key: "renovation_city", Title: "改造补助（元）", Format: Money},
		{Key: "equipment_city", Title: "设备补助（元）", Format: Money},
		{Key: "operations_city", Title: "运营补助（元）", Format: Money},
		{Key: "city_total", Title: "市级补助合计（元）", Format: Money},
		{Key: "required_match", Title: "应配套（元）", Format: Money},
		{Key: "local_match", Title: "区街配套（元）", Format: Money},
		{Key: "match_ok", Title: "配套到位", Format: Bool, Class: func(r Row) string { return okBad(r.Bool("match_ok")) }},
		{Key: "already_funded", Title: "已资助过", Format: Bool},
	}, "", func(r Row) string { return r.Str("project_code") })
	g.Empty = "本年度没有新的示范点。"
	return g
}

// lineageGrid lists where rows came from, each with its receipt.
func lineageGrid(t *data.Table, title string) *Grid {
	receipt := func(r Row) string {
		if r.Null("submission_id") {
			return ""
		}
		return "/submissions/" + r.Str("submission_id")
	}
	g := gridOf("lineage", title, t, []Column{
		{Key: "kind", Title: "数据类别", Zh: kindZh},
		{Key: "submission_id", Title: "报送编号", Format: Text, Link: receipt},
		{Key: "source_file", Title: "文件", Link: receipt},
		{Key: "source_sheet", Title: "工作表"},
		{Key: "source_rows", Title: "行"},
		{Key: "n", Title: "行数", Format: Int},
	}, "kind", func(r Row) string {
		return r.Str("kind") + "/" + r.Str("submission_id") + "/" + r.Str("source_sheet") + "/" + r.Str("first_row")
	})
	g.Note = "每一行数据来自哪个报送文件的哪个工作表、哪一行（行号与 Excel 中显示的一致）；点击报送编号查看该文件的回执。"
	g.Empty = "没有找到来源数据。"
	return g
}

// cellText is a value of t's first row as a cell of format f shows it.
func cellText(t *data.Table, col string, f Format) string {
	return makeCell(t.Value(0, col), f).Text
}

// positiveBad marks a count above zero.
func positiveBad(col string) func(Row) string {
	return func(r Row) string {
		if r.Int(col) > 0 {
			return "bad"
		}
		return ""
	}
}
