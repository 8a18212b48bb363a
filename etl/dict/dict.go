// Package dict is the column dictionary of every submission kind: for each
// column its name, Chinese header and aliases, type, rule and note. It is
// the one copy that drives header recognition, cleaning and validation,
// error messages and the blank template districts fill in (DOMAIN.md §2).
package dict

import (
	"strings"
)

// Type is how a column's text is cleaned.
type Type int

// Column types. The specialised code types carry their own check rules.
const (
	Text          Type = iota
	Int                // whole number
	Dec                // exact decimal
	Ratio              // 0–1, where 85% and 85 both mean 0.85
	Date               // calendar date
	Bool               // yes/no words
	Enum               // a word mapped to a stable value
	Code               // an identifier kept as text, digits exact
	CommunityCode      // 12-digit statistical area code
	CodeList           // one or more community codes
	CreditCode         // GB 32100 unified social credit code
	IDNumber           // GB 11643 resident ID number (personal data)
	ServiceItem        // service catalogue code T.M.S
	Quarter            // 1–4
)

var typeNames = map[Type]string{
	Text: "text", Int: "int", Dec: "dec", Ratio: "ratio", Date: "date", Bool: "bool",
	Enum: "enum", Code: "code", CommunityCode: "code", CodeList: "code list",
	CreditCode: "code", IDNumber: "code", ServiceItem: "code", Quarter: "int",
}

func (t Type) String() string { return typeNames[t] }

// Column is one column of a kind.
type Column struct {
	Name     string   // the DOMAIN.md name, also the raw-layer column
	Header   string   // the Chinese header of the template, with its unit
	Aliases  []string // other headers districts use, with or without a unit
	Type     Type
	Required bool
	// Unit is the canonical unit of the values stored ("元", "平方公里");
	// a header in another unit is converted (万元 × 10 000).
	Unit string
	// Scale is the number of decimals stored for Dec and Ratio columns.
	Scale int32
	// Min and Max bound numeric values (inclusive); nil is unbounded.
	// MinExclusive makes Min exclusive (contract_amount > 0).
	Min, Max     *float64
	MinExclusive bool
	// AmbiguousBelow guards a Ratio column against a silent guess: a plain
	// number (no %) above 1 and below it could be a fraction above 1 or a
	// percentage written without %, and is rejected with both readings.
	// Zero guards nothing.
	AmbiguousBelow float64
	// Values maps district words to the stored value of an Enum column.
	Values map[string]string
	// BoolWords are extra words for a Bool column (中共党员 → true).
	BoolWords map[string]bool
	// Personal marks personal data that never leaves the raw layer.
	Personal bool
	// Note is the column note shown in the template (Chinese).
	Note string
	// Check marks a column that is only checked (a 合计 total), never loaded.
	Check bool
	// Wide marks a wide-form expenditure category column: its value is
	// stored as a category line (category, amount), not as a column.
	Wide bool
}

// Kind is one submission kind: 社区名册, 服务项目, …
type Kind struct {
	Name    string // communities, projects, …
	Zh      string // 社区名册
	Columns []Column
	// Identify lists the columns whose headers identify the kind; all must
	// be present (any one of a group separated by "|").
	Identify []string
	// Key is the unique key of a row within a file; a repeated key is
	// rejected as duplicate_key. Empty when repeats are legitimate.
	Key []string
	// Partition is the latest-wins partition of DOMAIN.md §3.
	Partition []string
	// Order is the load order: references point to lower orders.
	Order int
	// YearFrom names the date column whose year is the row's year, stored
	// as the raw table's year column before the kind's columns
	// (activities: activity_date). Empty when the kind has a year column.
	YearFrom string
}

// Lineage are the raw-layer columns every kind's table starts with, in
// order: where a row came from, whether a newer submission replaced it,
// its warning codes and its unknown columns (as JSON).
var Lineage = []string{"submission_id", "source_file", "source_sheet", "source_row", "superseded_by", "warnings", "extra"}

// Stored lists the raw table's columns of the kind, in order: Lineage, the
// year derived from YearFrom, then each column the kind stores — an ID
// number as its masked form and keyed hash, a wide category column not at
// all (its value is a category line), a check column never. This is the
// one place the raw table's layout is written down: the loader appends in
// this order, and a test holds it to the warehouse's own columns.
func (k *Kind) Stored() []string {
	out := append([]string(nil), Lineage...)
	if k.YearFrom != "" {
		out = append(out, "year")
	}
	for _, c := range k.Columns {
		switch {
		case c.Check || c.Wide:
		case c.Type == IDNumber:
			out = append(out, c.Name+"_masked", c.Name+"_hash")
		default:
			out = append(out, c.Name)
		}
	}
	return out
}

// Column returns the named column, or nil.
func (k *Kind) Column(name string) *Column {
	for i := range k.Columns {
		if k.Columns[i].Name == name {
			return &k.Columns[i]
		}
	}
	return nil
}

func f(v float64) *float64 { return &v }

// District aliases are shared by every kind with a district column.
var districtAliases = []string{"所属区", "区县", "辖区", "区镇", "区(县)", "所属区县", "区县(市)"}

// Expenditure categories, their template headers and the words used for
// them, in the long form's 支出类别 and as wide-form column headers.
var Categories = []struct {
	Name   string
	Header string
	Words  []string
}{
	{"staff_pay", "人员薪酬福利", []string{"员工薪酬与福利", "人员经费", "人员薪酬", "薪酬福利"}},
	{"office_site", "办公设施及场地运作", []string{"办公及场地运作", "办公设施及场地运作费"}},
	{"service_ops", "服务项目运作", []string{"项目活动经费", "服务项目运作费", "活动经费"}},
	{"management", "机构管理费", []string{"管理费"}},
	{"tax", "税费", []string{"税金", "税费支出"}},
}

func categoryValues() map[string]string {
	m := map[string]string{}
	for _, c := range Categories {
		m[c.Header] = c.Name
		m[c.Name] = c.Name
		for _, w := range c.Words {
			m[w] = c.Name
		}
	}
	return m
}

// Kinds is the dictionary, in load order.
var Kinds = []*Kind{
	{
		Name: "communities", Zh: "社区名册", Order: 1,
		Identify:  []string{"community_code", "community_name", "resident_population"},
		Key:       []string{"year", "community_code"},
		Partition: []string{"year", "district"},
		Columns: []Column{
			{Name: "year", Header: "年度", Aliases: []string{"年份"}, Type: Int, Required: true, Min: f(2000), Max: f(2100), Note: "四位年份，如 2015"},
			{Name: "district", Header: "区", Aliases: districtAliases, Type: Text, Required: true, Note: "区（县、区镇）名称"},
			{Name: "street", Header: "街道", Aliases: []string{"镇街", "街道(镇)", "所属街道", "街镇", "街道/镇"}, Type: Text, Required: true},
			{Name: "community_code", Header: "社区代码", Aliases: []string{"社区编码", "统计用区划代码", "区划代码", "社区(村)代码"}, Type: CommunityCode, Required: true, Note: "12 位统计用区划代码，请设为文本格式"},
			{Name: "community_name", Header: "社区名称", Aliases: []string{"社区(村)名称", "村(社区)名称", "社区(村)"}, Type: Text, Required: true},
			{Name: "urban_rural", Header: "城乡类型", Aliases: []string{"城乡分类", "类型", "城乡属性"}, Type: Enum, Required: true,
				Values: map[string]string{"城市": "urban", "城镇": "urban", "社区": "urban", "居委会": "urban", "城": "urban", "urban": "urban",
					"农村": "rural", "乡村": "rural", "村": "rural", "村委会": "rural", "乡": "rural", "rural": "rural"},
				Note: "城市/城镇/社区/居委会 或 农村/乡村/村/村委会"},
			{Name: "resident_population", Header: "常住人口", Aliases: []string{"常住人口数"}, Type: Int, Required: true, Min: f(0), Unit: "人"},
			{Name: "registered_population", Header: "户籍人口", Aliases: []string{"户籍人口数"}, Type: Int, Min: f(0), Unit: "人"},
			{Name: "area_km2", Header: "面积(平方公里)", Aliases: []string{"辖区面积", "面积"}, Type: Dec, Scale: 6, Min: f(0), Unit: "平方公里"},
		},
	},
	{
		Name: "projects", Zh: "服务项目", Order: 2,
		Identify:  []string{"project_code", "project_name|provider", "contract_amount"},
		Key:       []string{"year", "project_code"},
		Partition: []string{"year", "district"},
		Columns: []Column{
			{Name: "year", Header: "年度", Aliases: []string{"年份"}, Type: Int, Required: true, Min: f(2000), Max: f(2100)},
			{Name: "project_code", Header: "项目编号", Aliases: []string{"项目代码"}, Type: Code, Required: true},
			{Name: "district", Header: "区", Aliases: districtAliases, Type: Text, Required: true},
			{Name: "project_name", Header: "项目名称", Type: Text, Required: true},
			{Name: "project_type", Header: "项目类型", Type: Enum,
				Values: map[string]string{"党群服务中心": "party_mass_centre", "社区党群服务中心": "party_mass_centre",
					"社区综合服务中心": "comprehensive_centre", "综合服务中心": "comprehensive_centre",
					"社区服务社会化": "socialised", "社会化服务": "socialised", "社区服务社会化项目": "socialised"},
				Note: "党群服务中心 / 社区综合服务中心 / 社区服务社会化"},
			{Name: "provider", Header: "承接机构", Aliases: []string{"承接机构名称", "承接单位"}, Type: Text, Required: true},
			{Name: "provider_credit_code", Header: "统一社会信用代码", Aliases: []string{"承接机构统一社会信用代码", "信用代码"}, Type: CreditCode, Required: true, Note: "18 位统一社会信用代码"},
			{Name: "community_codes", Header: "覆盖社区代码", Aliases: []string{"服务社区代码", "覆盖社区编码"}, Type: CodeList, Required: true, Note: "一个或多个 12 位社区代码，用顿号分隔"},
			{Name: "contract_start", Header: "合同开始日期", Aliases: []string{"合同起始日期", "开始日期"}, Type: Date, Required: true},
			{Name: "contract_end", Header: "合同结束日期", Aliases: []string{"合同截止日期", "结束日期"}, Type: Date, Required: true},
			{Name: "contract_amount", Header: "合同金额(元)", Aliases: []string{"年度经费", "合同金额"}, Type: Dec, Scale: 2, Required: true, Min: f(0), MinExclusive: true, Unit: "元"},
			{Name: "city_funding", Header: "市级资金(元)", Aliases: []string{"市级资金", "市级"}, Type: Dec, Scale: 2, Min: f(0), Unit: "元", Note: "空白视为 0"},
			{Name: "district_funding", Header: "区级资金(元)", Aliases: []string{"区级资金", "区级"}, Type: Dec, Scale: 2, Min: f(0), Unit: "元", Note: "空白视为 0"},
			{Name: "street_funding", Header: "街道资金(元)", Aliases: []string{"街道资金", "街道(社区)资金", "街道"}, Type: Dec, Scale: 2, Min: f(0), Unit: "元", Note: "空白视为 0"},
		},
	},
	{
		Name: "staff", Zh: "人员名册", Order: 3,
		Identify:  []string{"project_code", "staff_name", "role|registered_sw"},
		Partition: []string{"year", "project_code"},
		Columns: []Column{
			{Name: "year", Header: "年度", Aliases: []string{"年份"}, Type: Int, Required: true, Min: f(2000), Max: f(2100)},
			{Name: "project_code", Header: "项目编号", Aliases: []string{"项目代码"}, Type: Code, Required: true},
			{Name: "staff_name", Header: "姓名", Type: Text, Required: true, Personal: true},
			{Name: "id_number", Header: "身份证号", Aliases: []string{"身份证号码", "公民身份号码"}, Type: IDNumber, Personal: true, Note: "18 位身份证号，只保存脱敏形式"},
			{Name: "role", Header: "岗位", Aliases: []string{"职务"}, Type: Enum,
				Values: map[string]string{"项目负责人": "lead", "负责人": "lead", "社工": "social_worker", "社会工作者": "social_worker", "专职社工": "social_worker",
					"辅助人员": "assistant", "助理": "assistant", "行政": "assistant", "后勤": "assistant", "督导": "supervisor"},
				Note: "项目负责人 / 社工 / 辅助人员 / 督导"},
			{Name: "registered_sw", Header: "是否注册社工", Aliases: []string{"注册社工"}, Type: Bool, Required: true},
			{Name: "sw_level", Header: "职业资格", Aliases: []string{"社工职称"}, Type: Enum,
				Values: map[string]string{"无": "none", "助理社会工作师": "assistant", "助理社工师": "assistant",
					"社会工作师": "intermediate", "社工师": "intermediate", "中级社会工作师": "intermediate", "高级社会工作师": "senior", "高级社工师": "senior"},
				Note: "无 / 助理社会工作师 / 社会工作师 / 高级社会工作师"},
			{Name: "party_member", Header: "是否党员", Aliases: []string{"政治面貌"}, Type: Bool,
				BoolWords: map[string]bool{"中共党员": true, "党员": true, "预备党员": true, "中共预备党员": true, "群众": false, "共青团员": false, "团员": false}},
			{Name: "full_time", Header: "是否全职", Aliases: []string{"用工形式"}, Type: Bool,
				BoolWords: map[string]bool{"全职": true, "专职": true, "兼职": false, "外聘": false}},
			{Name: "annual_cost", Header: "年度人力成本(元)", Aliases: []string{"年度人力成本"}, Type: Dec, Scale: 2, Min: f(0), Unit: "元"},
		},
	},
	{
		Name: "expenditures", Zh: "经费支出", Order: 4,
		Identify:  []string{"project_code", "quarter", "category|staff_pay|office_site|service_ops|management|tax"},
		Key:       []string{"year", "project_code", "quarter", "category"},
		Partition: []string{"year", "project_code", "quarter"},
		Columns:   expenditureColumns(),
	},
	{
		Name: "activities", Zh: "服务记录", Order: 5, YearFrom: "activity_date",
		Identify:  []string{"project_code", "activity_date", "service_item"},
		Partition: []string{"project_code", "month"},
		Columns: []Column{
			{Name: "project_code", Header: "项目编号", Aliases: []string{"项目代码"}, Type: Code, Required: true},
			{Name: "activity_date", Header: "服务日期", Aliases: []string{"活动日期", "日期"}, Type: Date, Required: true, Note: "其年份即记录所属年度"},
			{Name: "service_item", Header: "服务细项编号", Aliases: []string{"服务细项", "服务细项代码"}, Type: ServiceItem, Required: true, Note: "服务目录细项编号，如 1.1.1"},
			{Name: "activity_name", Header: "活动名称", Type: Text},
			{Name: "participants", Header: "服务人次", Aliases: []string{"参与人次"}, Type: Int, Required: true, Min: f(0)},
			{Name: "volunteers", Header: "义工人次", Aliases: []string{"志愿者人次"}, Type: Int, Min: f(0)},
		},
	},
	{
		Name: "evaluations", Zh: "评估结果", Order: 6,
		Identify:  []string{"project_code", "stage", "facility_score|team_score|activity_score|funding_score"},
		Key:       []string{"year", "project_code", "stage"},
		Partition: []string{"year", "project_code", "stage"},
		Columns: []Column{
			{Name: "year", Header: "年度", Aliases: []string{"年份"}, Type: Int, Required: true, Min: f(2000), Max: f(2100)},
			{Name: "project_code", Header: "项目编号", Aliases: []string{"项目代码"}, Type: Code, Required: true},
			{Name: "stage", Header: "评估阶段", Aliases: []string{"阶段"}, Type: Enum, Required: true,
				Values: map[string]string{"中期": "mid", "中期评估": "mid", "年度": "annual", "年度评估": "annual", "年终": "annual", "终期": "final", "终期评估": "final"},
				Note:   "中期 / 年度 / 终期"},
			{Name: "facility_score", Header: "服务设施得分", Type: Dec, Scale: 4, Min: f(0), Max: f(40), Note: "0–40"},
			{Name: "team_score", Header: "服务队伍得分", Type: Dec, Scale: 4, Min: f(0), Max: f(20), Note: "0–20"},
			{Name: "activity_score", Header: "服务活动得分", Type: Dec, Scale: 4, Min: f(0), Max: f(20), Note: "0–20"},
			{Name: "funding_score", Header: "建设经费得分", Type: Dec, Scale: 4, Min: f(0), Max: f(20), Note: "0–20"},
			{Name: "person_times", Header: "服务人次", Type: Int, Min: f(0)},
			{Name: "satisfaction", Header: "满意率", Aliases: []string{"满意度"}, Type: Ratio, Scale: 6, Min: f(0), Max: f(1), AmbiguousBelow: 10, Note: "如 85% 或 0.85"},
			{Name: "evaluator", Header: "评估机构", Type: Text},
			// seed 000 §2(2): "社工引领义工、义工协助社工": the volunteer
			// person-times the evaluation counted.
			{Name: "volunteers", Header: "义工人次", Aliases: []string{"志愿者人次", "志愿服务人次", "义工服务人次"}, Type: Int, Min: f(0), Note: "评估期内义工（志愿者）服务人次"},
		},
	},
	{
		Name: "facilities", Zh: "功能室", Order: 7,
		Identify:  []string{"community_code", "room"},
		Partition: []string{"year", "community_code"},
		Columns: []Column{
			{Name: "year", Header: "年度", Aliases: []string{"年份"}, Type: Int, Required: true, Min: f(2000), Max: f(2100)},
			{Name: "community_code", Header: "社区代码", Aliases: []string{"社区编码", "统计用区划代码", "区划代码"}, Type: CommunityCode, Required: true},
			{Name: "room", Header: "功能室名称", Aliases: []string{"功能室", "功能用房"}, Type: Text, Required: true, Note: "功能室目录中的名称，或其他（拓展）功能室"},
			{Name: "area_m2", Header: "面积(平方米)", Aliases: []string{"使用面积", "面积", "建筑面积"}, Type: Dec, Scale: 2, Min: f(0), Unit: "平方米"},
		},
	},
}

func expenditureColumns() []Column {
	cols := []Column{
		{Name: "year", Header: "年度", Aliases: []string{"年份"}, Type: Int, Required: true, Min: f(2000), Max: f(2100)},
		{Name: "project_code", Header: "项目编号", Aliases: []string{"项目代码"}, Type: Code, Required: true},
		{Name: "quarter", Header: "季度", Type: Quarter, Required: true, Note: "1–4，也可写 Q1、第一季度"},
		// Long form: one line per category.
		{Name: "category", Header: "支出类别", Aliases: []string{"支出科目", "类别"}, Type: Enum, Values: categoryValues(), Note: "长表格式使用"},
		{Name: "amount", Header: "金额(元)", Aliases: []string{"金额", "支出金额"}, Type: Dec, Scale: 2, Min: f(0), Unit: "元", Note: "长表格式使用"},
	}
	// Wide form: one column per category.
	for _, c := range Categories {
		cols = append(cols, Column{Name: c.Name, Header: c.Header + "(元)", Aliases: append([]string{c.Header}, c.Words...),
			Type: Dec, Scale: 2, Min: f(0), Unit: "元", Wide: true})
	}
	cols = append(cols, Column{Name: "total", Header: "合计(元)", Aliases: []string{"合计", "小计", "总计"}, Type: Dec, Scale: 2, Unit: "元", Check: true, Note: "只作核对，不入库"})
	return cols
}

// ByName returns the kind of that name, or nil.
func ByName(name string) *Kind {
	for _, k := range Kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Names lists the kinds in load order.
func Names() []string {
	var s []string
	for _, k := range Kinds {
		s = append(s, k.Name)
	}
	return s
}

// IsWideCategory reports whether a column of expenditures is a wide-form
// category column.
func IsWideCategory(name string) bool {
	for _, c := range Categories {
		if c.Name == name {
			return true
		}
	}
	return false
}

// identifies reports whether the set of recognised column names holds
// every Identify group of k.
func (k *Kind) identifies(have map[string]bool) bool {
	for _, g := range k.Identify {
		ok := false
		for _, n := range strings.Split(g, "|") {
			if have[n] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
