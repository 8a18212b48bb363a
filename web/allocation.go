package web

import (
	"fmt"
	"net/http"
	"strconv"

	"shequ/web/data"
)

type allocationExtra struct {
	Trial  data.Trial
	CanTry bool // the city tries budgets; a district sees its allocation
}

// allocationPage is the yearly city reward allocation (市级奖励资金分配):
// the allocation with the budget, a trial (试算) of another budget or
// rate computed on the page and never stored, the year's closed versions
// with their sign-off, and for a closed year the working figures beside
// the official ones.
func (s *Server) allocationPage(r *http.Request, rd *data.Read, st *state) (*dash, error) {
	ctx := r.Context()
	trial := data.Trial{Budget: st.Get("budget"), Rate: st.Get("rate")}
	if trial.Active() && st.Own != "" {
		// A trial moves money between districts: it is the city's.
		return nil, data.ErrForbidden
	}
	if trial.Check() != nil {
		return nil, badParam("试算预算应为金额（元，最多两位小数），试算奖励比例应在 0 到 1 之间（最多六位小数）")
	}
	t, err := rd.Allocation(ctx, st.Year, st.Source, trial)
	if err != nil {
		return nil, err
	}
	d := &dash{Title: fmt.Sprintf("%d 年市级奖励资金分配", st.Year), Heading: fmt.Sprintf("%d 年市级奖励资金分配", st.Year),
		Extra: allocationExtra{Trial: trial, CanTry: st.Own == ""}}
	budget := "未设预算：按应得奖励全额分配"
	for i := range t.Rows {
		if t.Value(i, "budget") != nil {
			budget = makeCell(t.Value(i, "budget"), Money).Text + " 元"
		}
	}
	d.Facts = append(d.Facts, [2]string{"年度预算", budget})
	if len(t.Rows) > 0 {
		d.Facts = append(d.Facts, [2]string{"奖励比例", t.String(0, "reward_rate")})
		if len(t.Rows) > 1 {
			d.Facts = append(d.Facts, [2]string{"分配系数", makeCell(t.Value(0, "scale"), Ratio).Text})
		}
	}
	for _, v := range st.Versions {
		if st.Source.Closed() && v.Version == st.Source.Version || !st.Source.Closed() && !st.Source.Working && v.Version == st.Versions[len(st.Versions)-1].Version {
			d.Facts = append(d.Facts, [2]string{"签发", fmt.Sprintf("第 %d 版（%s），%s 签发于 %s：%s", v.Version, v.KindZh(), v.SignedBy,
				v.SignedAt.In(data.Shanghai).Format("2006-01-02 15:04"), v.Note)})
		}
	}
	if len(st.Versions) == 0 {
		d.Facts = append(d.Facts, [2]string{"签发", "本年度尚未关账：以下为最新汇总的工作数据，可能随新报送的数据变化"})
	}
	key := func(r Row) string { return r.Str("district") }
	drill := func(r Row) string {
		if r.Null("district") {
			return ""
		}
		return st.link("/drill", "district", r.Str("district")) + "#projects"
	}
	g := gridOf("allocation", "分配表", t, []Column{
		{Key: "district", Title: "区", Link: drill},
		{Key: "eligible_projects", Title: "合格项目", Format: Int, Link: drill},
		{Key: "eligible_spending", Title: "合格支出（元）", Format: Money},
		{Key: "reward_rate", Title: "奖励比例", Format: Real},
		{Key: "entitlement", Title: "应得奖励（元）", Format: Money},
		{Key: "scale", Title: "分配系数", Format: Ratio},
		{Key: "allocation", Title: "分配金额（元）", Format: Money},
		{Key: "share", Title: "占比", Format: Rate},
		{Key: "prev_allocation", Title: fmt.Sprintf("%d 年分配（元）", st.Year-1), Format: Money},
		{Key: "change_allocation", Title: "变化（元）", Format: Money},
	}, "district", key)
	g.Note = "合格项目：年度评估合格的项目；合格支出：每个项目 min(区级 + 街道资金, 标准金额) 之和；应得奖励 = 奖励比例 × 合格支出；有预算且预算小于应得合计时，分配金额 = 合格支出 × 预算 ÷ 合格支出合计，按分精确计算、四舍五入。"
	g.Empty = "本年度没有奖励分配。"
	g.Chart = &Chart{Type: "bar", Title: fmt.Sprintf("%d 年各区分配金额（元）", st.Year), Category: "district", Series: []string{"entitlement", "allocation"}}
	if trial.Active() {
		g.Chart.Series = append(g.Chart.Series, "trial_allocation")
		g.Columns = append(g.Columns, Column{Key: "trial_allocation", Title: "试算分配（元）", Format: Money})
		g = gridOf(g.ID, g.Title, t, g.Columns, "district", key)
		g.Note = "分配表（最后一列为试算，供比较）。"
		g.Chart = &Chart{Type: "bar", Title: fmt.Sprintf("%d 年各区分配金额与试算（元）", st.Year), Category: "district", Series: []string{"allocation", "trial_allocation"}}
	}
	d.Grids = append(d.Grids, g)

	if trial.Active() {
		tg := gridOf("trial", "试算（不改变正式数据）", t, []Column{
			{Key: "district", Title: "区"},
			{Key: "trial_rate", Title: "试算奖励比例", Format: Real},
			{Key: "trial_entitlement", Title: "试算应得（元）", Format: Money},
			{Key: "trial_budget", Title: "试算预算（元）", Format: Money},
			{Key: "trial_scale", Title: "试算系数", Format: Ratio},
			{Key: "trial_allocation", Title: "试算分配（元）", Format: Money},
			{Key: "trial_share", Title: "试算占比", Format: Rate},
			{Key: "allocation", Title: "现分配（元）", Format: Money},
			{Key: "difference", Title: "差额（元）", Format: Money, Class: func(r Row) string {
				n, _ := toFloat(r.Get("difference"))
				switch {
				case n > 0:
					return "ok"
				case n < 0:
					return "bad"
				}
				return ""
			}},
		}, "district", key)
		var parts []string
		if trial.Budget != "" {
			parts = append(parts, "预算 "+makeCell(trial.Budget, Money).Text+" 元")
		}
		if trial.Rate != "" {
			parts = append(parts, "奖励比例 "+trial.Rate)
		}
		tg.Note = fmt.Sprintf("试算：%s。按同一规则计算，只在本页显示，不保存、不改变正式数据。", join(parts, "，"))
		d.Grids = append(d.Grids, tg)
		d.Facts = append(d.Facts, [2]string{"试算", tg.Note})
	}

	if len(st.Versions) > 0 {
		vt := &data.Table{Columns: []string{"version", "kind", "signed_by", "signed_at", "note", "policy_version", "inputs", "mart_rows", "fingerprint"}}
		for _, v := range st.Versions {
			vt.Rows = append(vt.Rows, []any{int64(v.Version), v.KindZh(), v.SignedBy, v.SignedAt.In(data.Shanghai).Format("2006-01-02 15:04:05"), v.Note,
				int64(v.Policy), int64(v.Inputs), v.MartRows, v.Fingerprint[:min(12, len(v.Fingerprint))]})
		}
		vg := gridOf("versions", "已签发的版本", vt, []Column{
			{Key: "version", Title: "版本", Format: Int, Link: func(r Row) string {
				return st.link("/allocation", "version", strconv.FormatInt(r.Int("version"), 10))
			}},
			{Key: "kind", Title: "类型"},
			{Key: "signed_by", Title: "签发人"},
			{Key: "signed_at", Title: "签发时间"},
			{Key: "note", Title: "说明"},
			{Key: "policy_version", Title: "政策版本", Format: Int},
			{Key: "inputs", Title: "报送文件", Format: Int},
			{Key: "mart_rows", Title: "数据行", Format: Int},
			{Key: "fingerprint", Title: "指纹"},
		}, "", func(r Row) string { return r.Str("version") })
		vg.Note = "关账（shequ close）与更正（shequ restate）签发的版本；正式数据为最新版本。点击版本号查看该版本的分配。"
		d.Grids = append(d.Grids, vg)
		cmp, err := rd.Compare(ctx, st.Year)
		if err != nil {
			return nil, err
		}
		cg := gridOf("compare", "正式数据与工作数据", cmp, []Column{
			{Key: "district", Title: "区"},
			{Key: "official", Title: "正式分配（元）", Format: Money},
			{Key: "working", Title: "工作数据分配（元）", Format: Money},
			{Key: "difference", Title: "差额（元）", Format: Money, Class: positiveBad("difference")},
		}, "district", key)
		cg.Note = "关账后收到的新报送或更正只进入工作数据；差额不为零时，需经更正（shequ restate）签发新版本才成为正式数据。"
		d.Grids = append(d.Grids, cg)
	}
	return d, nil
}

func join(parts []string, sep string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += sep
		}
		out += p
	}
	return out
}
