package web

import (
	"net/http"
	"strconv"

	"shequ/web/data"
)

// scorecardPage is each district's scorecard over every year (历年趋势):
// urban and rural coverage against their targets, the annual
// evaluations' stars and pass rate, and the data quality, a table and a
// chart per district.
func (s *Server) scorecardPage(r *http.Request, rd *data.Read, st *state) (*dash, error) {
	t, err := rd.Scorecard(r.Context(), st.Source, st.District)
	if err != nil {
		return nil, err
	}
	d := &dash{Title: "历年趋势", Heading: "各区历年记分卡"}
	if st.District != "" {
		d.Title, d.Heading = st.District+"历年趋势", st.District+"历年记分卡"
	}
	var order []string
	byDistrict := map[string]*data.Table{}
	for i, row := range t.Rows {
		dn := t.String(i, "district")
		if byDistrict[dn] == nil {
			byDistrict[dn] = &data.Table{Columns: t.Columns}
			order = append(order, dn)
		}
		byDistrict[dn].Rows = append(byDistrict[dn].Rows, row)
	}
	for i, dn := range order {
		year := func(r Row) string {
			return st.link("/overview", "year", r.Str("year"), "version", st.Source.ForYear(-1).Param())
		}
		g := gridOf("scorecard-"+itoa(i+1), dn, byDistrict[dn], []Column{
			{Key: "year", Title: "年度", Link: year},
			{Key: "communities", Title: "名册社区", Format: Int},
			{Key: "urban_rate", Title: "城市覆盖率", Format: Rate, Class: func(r Row) string { return okBadNull(r, "urban_ok") }},
			{Key: "rural_rate", Title: "农村覆盖率", Format: Rate, Class: func(r Row) string { return okBadNull(r, "rural_ok") }},
			{Key: "evaluated", Title: "年度评估项目", Format: Int},
			{Key: "avg_stars", Title: "平均星级", Format: Score},
			{Key: "passed_rate", Title: "评估合格率", Format: Rate},
			{Key: "avg_score", Title: "平均得分", Format: Score},
			{Key: "rows_current", Title: "有效行", Format: Int},
			{Key: "rows_rejected", Title: "未入库行", Format: Int},
			{Key: "rejected_share", Title: "未入库占比", Format: Rate},
			{Key: "kinds_missing_count", Title: "缺报类别", Format: Int, Class: positiveBad("kinds_missing_count")},
		}, "", func(r Row) string { return r.Str("year") })
		g.Chart = &Chart{Type: "line", Title: dn + "：覆盖率与评估合格率", Category: "year", Series: []string{"urban_rate", "rural_rate", "passed_rate"}, Percent: true}
		d.Grids = append(d.Grids, g)
	}
	if len(d.Grids) == 0 {
		d.Grids = append(d.Grids, &Grid{ID: "scorecard", Title: "记分卡", Empty: "还没有任何年度的数据。"})
	}
	d.Facts = [][2]string{{"说明", "绿色为达到覆盖目标，红色为未达到；点击年度查看该年总览。"}}
	return d, nil
}

// okBadNull colours by a bool column, nothing when it is NULL.
func okBadNull(r Row, col string) string {
	if r.Null(col) {
		return ""
	}
	return okBad(r.Bool(col))
}

func itoa(n int) string { return strconv.Itoa(n) }
