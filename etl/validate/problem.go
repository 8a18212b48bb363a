// Package validate turns the cells of a data row into the typed values of
// its kind, or into problems that name the row, column, value and reason in
// English and Chinese (DOMAIN.md §2, §3). It needs no database: references
// to other rows are checked by the ingest stage.
package validate

import (
	"fmt"
	"strings"
)

// Severities.
const (
	Error   = "error"   // the row is not loaded
	Warning = "warning" // the row is loaded with a flag
)

// Problem codes (stable English identifiers; never rename one).
const (
	MissingRequired      = "missing_required"
	InvalidCode          = "invalid_code"
	BadCheckCharacter    = "bad_check_character"
	InvalidNumber        = "invalid_number"
	InvalidDate          = "invalid_date"
	InvalidEnum          = "invalid_enum"
	NegativeValue        = "negative_value"
	OutOfRange           = "out_of_range"
	EndBeforeStart       = "end_before_start"
	UnknownServiceItem   = "unknown_service_item"
	CommunityNotInRoster = "community_not_in_roster"
	UnknownProject       = "unknown_project"
	DuplicateKey         = "duplicate_key"
	FundingMismatch      = "funding_mismatch"
	TotalMismatch        = "total_mismatch"
	MissingColumn        = "missing_column"
	UnknownCommunity     = "unknown_community"
	AmbiguousValue       = "ambiguous_value"
	FormulaWithoutValue  = "formula_without_value"
)

// zhReason words each code for a district, in Chinese.
var zhReason = map[string]string{
	MissingRequired:      "必填项为空",
	InvalidCode:          "代码格式不正确",
	BadCheckCharacter:    "校验位不正确",
	InvalidNumber:        "不是有效的数字",
	InvalidDate:          "不是有效的日期",
	InvalidEnum:          "不是可接受的取值",
	NegativeValue:        "不能为负数",
	OutOfRange:           "超出允许范围",
	EndBeforeStart:       "结束日期早于开始日期",
	UnknownServiceItem:   "不在服务目录中",
	CommunityNotInRoster: "社区不在当年社区名册中",
	UnknownProject:       "项目编号在当年服务项目中不存在",
	DuplicateKey:         "与本文件中前面的行重复",
	FundingMismatch:      "市、区、街道资金之和与合同金额不符",
	TotalMismatch:        "合计与各项之和不符",
	MissingColumn:        "缺少必填列",
	UnknownCommunity:     "社区代码在当年社区名册中不存在",
	AmbiguousValue:       "含义不明确",
	FormulaWithoutValue:  "是公式，但文件中没有保存计算结果",
}

// ReasonZh returns the Chinese wording of a code.
func ReasonZh(code string) string { return zhReason[code] }

// A Problem is one thing wrong with one row.
type Problem struct {
	Row      int    // as a spreadsheet shows it; CSV: line where the record starts
	Column   string // the DOMAIN.md column name
	Header   string // the header cell as written
	Letter   string // the spreadsheet column letter
	Value    string // the cell as written
	Severity string
	Code     string
	Detail   string // English detail
	DetailZh string // Chinese detail, where the code's reason needs one
}

// Message is the English message.
func (p Problem) Message() string {
	s := fmt.Sprintf("row %d, column %s %q: %s", p.Row, p.Letter, p.Column, strings.ReplaceAll(p.Code, "_", " "))
	if p.Value != "" {
		s += fmt.Sprintf(" (value %q)", p.Value)
	}
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// MessageZh is the message for the district, in Chinese.
func (p Problem) MessageZh() string {
	where := fmt.Sprintf("第%d行", p.Row)
	if p.Letter != "" {
		where += " " + p.Letter + "列"
	}
	if p.Header != "" {
		where += "「" + strings.TrimSpace(p.Header) + "」"
	}
	s := where + "："
	if p.Value != "" {
		s += "“" + p.Value + "”"
	}
	s += zhReason[p.Code]
	if d := zhDetail(p); d != "" {
		s += "（" + d + "）"
	}
	if p.Severity == Error && Reference(p.Code) {
		s += "，该行暂未入库；所指的项目或社区一经报送，该行即自动关联入库，无需重新报送本文件（如编号有误，请更正后重新报送）。"
	} else if p.Severity == Error {
		s += "，该行未入库，请更正后重新报送。"
	} else {
		s += "，该行已入库，请核实。"
	}
	return s
}

// zhDetail adds what to do for codes where the reason alone is not enough.
func zhDetail(p Problem) string {
	switch p.Code {
	case InvalidCode:
		switch p.Column {
		case "community_code", "community_codes":
			return "应为 12 位数字的统计用区划代码"
		case "provider_credit_code":
			return "应为 18 位统一社会信用代码"
		case "id_number":
			return "应为 18 位身份证号"
		}
	case FormulaWithoutValue:
		return "文件可能由程序生成、未在 Excel 中打开保存；请用 Excel 打开后保存，再重新报送"
	case BadCheckCharacter:
		return "最后一位校验码与前面的数字不符，请核对"
	case InvalidDate:
		if p.DetailZh != "" {
			return p.DetailZh + "；可写作 2015-01-01、2015/1/1 或 2015年1月1日"
		}
		return "可写作 2015-01-01、2015/1/1 或 2015年1月1日"
	}
	// Never the English detail: a district reads Chinese.
	return p.DetailZh
}

// Reference reports whether a code says only that a row points to a
// project or community not known yet: such a row waits for its parent
// and loads when a later submission brings it (DOMAIN.md §3).
func Reference(code string) bool {
	return code == UnknownProject || code == CommunityNotInRoster
}

// Orphan reports whether the problems of a row keep it out only because
// of references: every error is a reference, and there is one.
func Orphan(ps []Problem) bool {
	ref := false
	for _, p := range ps {
		if p.Severity != Error {
			continue
		}
		if !Reference(p.Code) {
			return false
		}
		ref = true
	}
	return ref
}

// Error and Warning counts of a slice of problems.
func HasError(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == Error {
			return true
		}
	}
	return false
}
