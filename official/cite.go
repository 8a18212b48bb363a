package official

import (
	"regexp"
	"strconv"
	"strings"
)

// The policy files name the clause each parameter comes from as the seeds
// were numbered when the rules were written down ("seed 001 §(十二)",
// "seed 004 annex 1 §5(二)", "seed 000 table 1", "assumption"). Reports
// cite the documents instead: their titles and 文号 from the profile, the
// place in them in Chinese.
var (
	reSeed     = regexp.MustCompile(`seed (\d{3})((?:\s*(?:annex|附件)\s*\d+)?)((?:\s*table\s*\d+)?)\s*`)
	reSection  = regexp.MustCompile(`§\s*(\d+)?`)
	reAnnex    = regexp.MustCompile(`(?:annex|附件)\s*(\d+)`)
	reTable    = regexp.MustCompile(`table\s*(\d+)`)
	reDomain   = regexp.MustCompile(`DOMAIN\s*§\s*\d+`)
	reOverride = regexp.MustCompile(`\boverride (\S+)`)
)

// Cite rewrites the internal references of a text for readers: every
// "seed NNN …" becomes 《title》（文号）with the place in Chinese (附件1第五部分（二）),
// "assumption" says it is a default no document sets, and an override
// file is named as such. Text without references is returned as it is.
func (p *Profile) Cite(s string) string {
	if !strings.Contains(s, "seed ") && !strings.Contains(s, "assumption") && !strings.Contains(s, "DOMAIN") &&
		!strings.Contains(s, "override ") && !strings.Contains(s, "§") {
		return s
	}
	s = reSeed.ReplaceAllStringFunc(s, func(m string) string {
		g := reSeed.FindStringSubmatch(m)
		out := p.Document(g[1]).Citation()
		if a := reAnnex.FindStringSubmatch(g[2]); a != nil {
			out += "附件" + a[1]
		}
		if t := reTable.FindStringSubmatch(g[3]); t != nil {
			n, _ := strconv.Atoi(t[1])
			out += "附件表" + chineseNumber(n)
		}
		return out
	})
	s = reSection.ReplaceAllStringFunc(s, func(m string) string {
		g := reSection.FindStringSubmatch(m)
		if g[1] == "" {
			return "" // §(十二): the item alone
		}
		n, _ := strconv.Atoi(g[1])
		return "第" + chineseNumber(n) + "部分"
	})
	s = reDomain.ReplaceAllString(s, "数据规范")
	s = reOverride.ReplaceAllString(s, "调整文件 $1")
	s = strings.ReplaceAll(s, "; split is an assumption", "；拨付比例为默认设定")
	s = strings.ReplaceAll(s, "split is an assumption", "拨付比例为默认设定")
	s = strings.ReplaceAll(s, "assumption", "默认设定（政策文件未作规定）")
	return s
}

// chineseNumber writes 1–99 in Chinese numerals (十二, 二十一).
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 0 || n > 99:
		return strconv.Itoa(n)
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + digits[n%10]
	case n%10 == 0:
		return digits[n/10] + "十"
	}
	return digits[n/10] + "十" + digits[n%10]
}
