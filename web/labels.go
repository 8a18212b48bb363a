package web

import (
	"strings"

	"shequ/web/data"
)

// Chinese names of the codes the marts hold.
var (
	projectTypeZh = map[string]string{"party_mass_centre": "党群服务中心", "comprehensive_centre": "社区综合服务中心", "socialised": "社区服务社会化"}
	urbanRuralZh  = map[string]string{"urban": "城市", "rural": "农村"}
	stageZh       = map[string]string{"mid": "中期", "annual": "年度", "final": "终期"}
	trancheZh     = map[string]string{"signing": "签约", "mid": "中期", "annual": "年度"}
	// The staffing minimums of marts.staffing's issues.
	issueZh = map[string]string{"full_time_staff": "全职人员不足", "registered_social_workers": "持证社工不足",
		"party_members": "缺少党员", "lead_is_social_worker": "负责人非持证社工"}
	lineageKindZh = map[string]string{"project_communities": "项目覆盖社区"}
)

// zh names a code by table m, leaving what it does not know as it is.
func zh(m map[string]string) func(string) string {
	return func(s string) string {
		if v, ok := m[s]; ok {
			return v
		}
		return s
	}
}

// issuesZh names the staffing issues (comma-separated column names).
func issuesZh(s string) string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, zh(issueZh)(p))
		}
	}
	return strings.Join(out, "、")
}

// kindZh names a kind of rows of the lineage.
func kindZh(s string) string {
	if v, ok := lineageKindZh[s]; ok {
		return v
	}
	return data.KindZh(s)
}
