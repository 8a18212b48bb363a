package web

import (
	"fmt"
	"net/http"

	"shequ/web/data"
)

// providersPage is the providers' standing for audit (服务机构): every
// provider holding a project in the year, its failed annual evaluations,
// whether it is disqualified from running comprehensive centres (a centre
// of it failed an annual evaluation in an earlier year), and the centres
// awarded to a disqualified provider, highlighted. A provider works
// across districts: the page is the city's.
func (s *Server) providersPage(r *http.Request, rd *data.Read, st *state) (*dash, error) {
	ctx := r.Context()
	t, err := rd.Providers(ctx, st.Year, st.Source)
	if err != nil {
		return nil, err
	}
	d := &dash{Title: fmt.Sprintf("%d 年服务机构", st.Year), Heading: fmt.Sprintf("%d 年服务机构资质与评估", st.Year)}
	flagged := func(r Row) bool { return r.Bool("disqualified") || r.Int("centres_while_disqualified") > 0 }
	cols := highlight([]Column{
		{Key: "provider_credit_code", Title: "统一社会信用代码"},
		{Key: "provider", Title: "机构名称"},
		{Key: "projects", Title: "项目数", Format: Int},
		{Key: "failed_evaluations", Title: "年度评估不合格", Format: Int, Class: positiveBad("failed_evaluations")},
		{Key: "disqualified", Title: "已取消综合中心运营资格", Format: Bool, Class: func(r Row) string {
			if r.Bool("disqualified") {
				return "bad"
			}
			return ""
		}},
		{Key: "disqualified_since", Title: "取消资格起始年度", Format: Text},
		{Key: "centres_while_disqualified", Title: "取消资格后新承接的综合中心", Format: Int, Class: positiveBad("centres_while_disqualified")},
	}, flagged)
	g := gridOf("providers", "服务机构", t, cols, "", func(r Row) string { return r.Str("provider_credit_code") })
	g.Note = "社区综合服务中心项目年度评估未达三星的，其运营机构自次年起取消运营社区综合服务中心的资格（附件1 §5(二)）；标黄的行为已取消资格的机构。"
	g.Empty = "本年度没有服务机构。"
	d.Grids = append(d.Grids, g)

	c, err := rd.CentresWhileDisqualified(ctx, st.Year, st.Source)
	if err != nil {
		return nil, err
	}
	cg := gridOf("centres", "取消资格后新承接的综合中心", c, highlight([]Column{
		{Key: "project_code", Title: "项目编号", Link: func(r Row) string { return st.link("/project", "code", r.Str("project_code")) }},
		{Key: "project_name", Title: "项目名称"},
		{Key: "district", Title: "区"},
		{Key: "provider", Title: "承接机构"},
		{Key: "provider_credit_code", Title: "统一社会信用代码"},
		{Key: "contract_start", Title: "合同开始", Format: Date},
		{Key: "contract_amount", Title: "合同金额（元）", Format: Money},
	}, func(Row) bool { return true }), "", func(r Row) string { return r.Str("project_code") })
	cg.Note = "审计提示：按政策，以下合同不应授予已取消资格的机构。"
	cg.Empty = "本年度没有授予已取消资格机构的综合中心。"
	d.Grids = append(d.Grids, cg)
	return d, nil
}

// highlight marks every cell of the rows flagged (class hl), keeping each
// column's own class.
func highlight(cols []Column, flagged func(Row) bool) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		own := c.Class
		c.Class = func(r Row) string {
			cls := ""
			if own != nil {
				cls = own(r)
			}
			if flagged(r) {
				cls += " hl"
			}
			return cls
		}
		out[i] = c
	}
	return out
}
