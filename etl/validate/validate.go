package validate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shequ/etl"
	"shequ/etl/clean"
	"shequ/etl/dict"
)

// Options carry what validation needs from outside the file.
type Options struct {
	// Catalogue holds the service item codes of the service catalogue.
	Catalogue map[string]bool
	// IDKey keys the HMAC of ID numbers (kept outside the warehouse).
	IDKey []byte
}

// IDValue is what is stored of an ID number: never the number itself.
type IDValue struct {
	Masked string
	Hash   string
}

// Outcome is what became of one source row.
type Outcome struct {
	Row int
	// Records hold the typed values by kind column index (nil for blank);
	// one record, or one per category in the wide expenditure form.
	// Values are int64 (Int, Quarter; Dec and Ratio as the coefficient at
	// the column's Scale), time.Time, bool, string, []string (CodeList)
	// and IDValue.
	Records [][]any
	// Values holds the row's typed values by kind column index, nil where
	// a cell is blank or has a problem: set even when the row has errors,
	// so that its references can still be checked and every problem of
	// the row reported at once.
	Values []any
	// Extra holds the unknown columns as a JSON object, "" when none.
	Extra    string
	Problems []Problem
}

// OK reports whether the row is loaded (it has no error).
func (o *Outcome) OK() bool { return !HasError(o.Problems) }

// Validator validates the data rows of one sheet.
type Validator struct {
	Layout *dict.Layout
	Kind   *dict.Kind
	opt    Options
	slots  []slot // by kind column index
	extras []dict.Field
	enums  map[*dict.Column]map[string]string
	mac    hash.Hash
	wide   []int       // expenditures: kind column indexes of wide categories present
	kv     [][2]string // scratch of extraJSON
	buf    []byte
}

type slot struct {
	field *dict.Field // nil when the sheet lacks the column
}

// New prepares a validator for a recognised layout.
func New(layout *dict.Layout, opt Options) *Validator {
	k := layout.Kind
	v := &Validator{Layout: layout, Kind: k, opt: opt, slots: make([]slot, len(k.Columns)), enums: map[*dict.Column]map[string]string{}}
	for i := range layout.Fields {
		f := &layout.Fields[i]
		if f.Column == nil {
			v.extras = append(v.extras, *f)
			continue
		}
		for ci := range k.Columns {
			if &k.Columns[ci] == f.Column {
				v.slots[ci].field = f
			}
		}
	}
	for ci := range k.Columns {
		c := &k.Columns[ci]
		if c.Type == dict.Enum {
			m := map[string]string{}
			for w, val := range c.Values {
				m[clean.EnumKey(w)] = val
			}
			v.enums[c] = m
		}
		if k.Name == "expenditures" && dict.IsWideCategory(c.Name) && v.slots[ci].field != nil {
			v.wide = append(v.wide, ci)
		}
	}
	if len(opt.IDKey) > 0 {
		v.mac = hmac.New(sha256.New, opt.IDKey)
	}
	return v
}

// MissingColumns lists required columns the sheet's header lacks; every
// row then fails with missing_required on them.
func (v *Validator) MissingColumns() []string {
	var out []string
	for ci, c := range v.Kind.Columns {
		if c.Required && v.slots[ci].field == nil {
			out = append(out, c.Name)
		}
	}
	return out
}

// Letter is the spreadsheet column letter of a 0-based index.
func Letter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func cell(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// Validate cleans and checks one data row.
func (v *Validator) Validate(row etl.Row) Outcome {
	o := Outcome{Row: row.Num}
	vals := make([]any, len(v.Kind.Columns))
	for ci := range v.Kind.Columns {
		c := &v.Kind.Columns[ci]
		s := v.slots[ci]
		if s.field == nil {
			if c.Required && !(v.Kind.Name == "expenditures" && len(v.wide) > 0) {
				o.Problems = append(o.Problems, Problem{Row: row.Num, Column: c.Name, Severity: Error, Code: MissingRequired, Detail: "the sheet has no such column", DetailZh: "表中没有这一列"})
			}
			continue
		}
		raw := cell(row.Cells, s.field.Index)
		if fm, ok := row.UncachedAt(s.field.Index); ok && clean.Text(raw) == "" {
			// A formula the file never computed (written by a program,
			// never opened in Excel): its value is unknown, not blank.
			o.Problems = append(o.Problems, Problem{Row: row.Num, Column: c.Name, Header: s.field.Header, Letter: Letter(s.field.Index),
				Value: "=" + fm.Text, Severity: Error, Code: FormulaWithoutValue,
				Detail: "the cell holds a formula with no saved result: open the file in Excel and save it"})
			continue
		}
		val, p := v.value(c, s.field, raw)
		if p != nil {
			p.Row, p.Column, p.Header, p.Letter, p.Value = row.Num, c.Name, s.field.Header, Letter(s.field.Index), raw
			if p.Severity == "" {
				p.Severity = Error
			}
			o.Problems = append(o.Problems, *p)
			continue
		}
		vals[ci] = val
	}
	v.crossChecks(row, vals, &o)
	o.Values = vals
	if len(v.extras) > 0 {
		o.Extra = v.extraJSON(row.Cells)
	}
	if !o.OK() {
		return o
	}
	if v.Kind.Name == "expenditures" && len(v.wide) > 0 {
		o.Records = v.wideRecords(vals)
	} else {
		o.Records = [][]any{vals}
	}
	return o
}

// ambiguousRate rejects a plain number a rate column cannot read without
// a guess (dict.Column.AmbiguousBelow): "1.2" is 120 % as a fraction, or
// 1.2 % as a percentage written without its sign.
func ambiguousRate(c *dict.Column, t string) *Problem {
	if c.AmbiguousBelow <= 0 || strings.ContainsAny(t, "%％") {
		return nil
	}
	d, err := clean.Decimal(t)
	if err != nil {
		return nil
	}
	v := d.Float64()
	if v <= 1 || v >= c.AmbiguousBelow {
		return nil
	}
	s := d.String()
	return &Problem{Code: AmbiguousValue,
		Detail:   fmt.Sprintf("%s could be the fraction %s (%s%%, above 1) or %s%% written without its sign; write 0.85 or 85%%", s, s, d.MulPow10(2).String(), s),
		DetailZh: fmt.Sprintf("既可理解为比例 %s（即 %s%%，超过 100%%），也可理解为漏写了百分号的 %s%%；请写成 0.85 这样的小数或 85%% 这样带百分号的数", s, d.MulPow10(2).String(), s)}
}

// wideRecords splits a wide expenditure row into one record per category
// cell that holds a value: year, project_code, quarter, category, amount.
func (v *Validator) wideRecords(vals []any) [][]any {
	var out [][]any
	for _, ci := range v.wide {
		if vals[ci] == nil {
			continue
		}
		out = append(out, []any{vals[0], vals[1], vals[2], v.Kind.Columns[ci].Name, vals[ci]})
	}
	return out
}

func (v *Validator) extraJSON(cells []string) string {
	// The object json.Marshal makes of a map[string]string of the cleaned
	// headers and values, written directly: keys sorted, a later column
	// of the same header replacing an earlier one.
	kv := v.kv[:0]
	for _, f := range v.extras {
		t := clean.Text(cell(cells, f.Index))
		if t == "" {
			continue
		}
		k := clean.Text(f.Header)
		found := false
		for i := range kv {
			if kv[i][0] == k {
				kv[i][1], found = t, true
				break
			}
		}
		if !found {
			kv = append(kv, [2]string{k, t})
		}
	}
	v.kv = kv
	if len(kv) == 0 {
		return ""
	}
	slices.SortFunc(kv, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	b := v.buf[:0]
	b = append(b, '{')
	for i, p := range kv {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p[0])
		b = append(b, ':')
		b = appendJSONString(b, p[1])
	}
	b = append(b, '}')
	v.buf = b
	return string(b)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes a string: HTML
// characters and control characters escaped, invalid UTF-8 as U+FFFD,
// U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// value cleans one cell. A blank optional cell gives nil and no problem.
func (v *Validator) value(c *dict.Column, f *dict.Field, raw string) (any, *Problem) {
	t := clean.Text(raw)
	if t == "" {
		if c.Required {
			return nil, &Problem{Code: MissingRequired}
		}
		return nil, nil
	}
	switch c.Type {
	case dict.Text:
		return clean.Trim(raw), nil
	case dict.Int:
		n, err := clean.Int(t)
		if err != nil {
			return nil, fromClean(err)
		}
		if p := checkRange(c, float64(n), t); p != nil {
			return nil, p
		}
		return n, nil
	case dict.Dec, dict.Ratio:
		var d clean.Dec
		var err error
		if c.Type == dict.Ratio && !f.Percent {
			if p := ambiguousRate(c, t); p != nil {
				return nil, p
			}
			d, err = clean.Ratio(t)
		} else {
			d, err = clean.Decimal(t)
			if err == nil && f.Percent {
				d = d.MulPow10(-2)
			}
		}
		if err != nil {
			return nil, fromClean(err)
		}
		if f.Pow10 != 0 {
			d = d.MulPow10(f.Pow10)
		}
		if p := checkRange(c, d.Float64(), d.String()); p != nil {
			return nil, p
		}
		coef, err := d.Rescale(c.Scale)
		if err != nil {
			return nil, &Problem{Code: InvalidNumber, Detail: err.Error()}
		}
		return coef, nil
	case dict.Date:
		d, err := clean.Date(t)
		if err != nil {
			return nil, fromClean(err)
		}
		if d.Year() < 2000 || d.Year() > 2100 {
			return nil, &Problem{Code: OutOfRange, Detail: fmt.Sprintf("year %d is outside 2000–2100", d.Year()), DetailZh: fmt.Sprintf("年份 %d 不在 2000–2100 之间", d.Year())}
		}
		return d, nil
	case dict.Bool:
		b, err := clean.Bool(t, c.BoolWords)
		if err != nil {
			return nil, fromClean(err)
		}
		return b, nil
	case dict.Enum:
		s, err := clean.Enum(t, v.enums[c])
		if err != nil {
			return nil, fromClean(err)
		}
		return s, nil
	case dict.Code:
		return clean.Code(t), nil
	case dict.CommunityCode:
		s, err := clean.CommunityCode(t)
		if err != nil {
			return nil, fromClean(err)
		}
		return s, nil
	case dict.CodeList:
		l, err := clean.CodeList(t)
		if err != nil {
			return nil, fromClean(err)
		}
		return l, nil
	case dict.CreditCode:
		s, err := clean.CreditCode(t)
		if err != nil {
			return nil, fromClean(err)
		}
		return s, nil
	case dict.IDNumber:
		s, err := clean.IDNumber(t)
		if err != nil {
			return nil, fromClean(err)
		}
		return IDValue{Masked: clean.MaskID(s), Hash: v.hashID(s)}, nil
	case dict.ServiceItem:
		s, err := clean.ServiceItem(t)
		if err != nil {
			return nil, &Problem{Code: UnknownServiceItem, Detail: "not a service item code such as 1.1.1", DetailZh: "应为服务细项编号，如 1.1.1"}
		}
		if v.opt.Catalogue != nil && !v.opt.Catalogue[s] {
			return nil, &Problem{Code: UnknownServiceItem, Detail: fmt.Sprintf("%s is not in the service catalogue", s), DetailZh: fmt.Sprintf("%s 不是服务目录中的细项编号", s)}
		}
		return s, nil
	case dict.Quarter:
		q, err := clean.Quarter(t)
		if err != nil {
			return nil, fromClean(err)
		}
		return int64(q), nil
	}
	return nil, &Problem{Code: InvalidEnum, Detail: "unknown column type"}
}

func (v *Validator) hashID(id string) string {
	if v.mac == nil {
		return ""
	}
	v.mac.Reset()
	v.mac.Write([]byte(id))
	return hex.EncodeToString(v.mac.Sum(nil))
}

func fromClean(err error) *Problem {
	var ce *clean.Error
	if errors.As(err, &ce) {
		return &Problem{Code: ce.Code, Detail: ce.Detail}
	}
	return &Problem{Code: InvalidNumber, Detail: err.Error()}
}

func checkRange(c *dict.Column, x float64, shown string) *Problem {
	const eps = 1e-9
	if c.Min != nil {
		lo := *c.Min
		bad := x < lo-eps || (c.MinExclusive && x <= lo+eps)
		if bad {
			if lo == 0 && x < 0 {
				return &Problem{Code: NegativeValue, Detail: fmt.Sprintf("%s is below 0", shown), DetailZh: fmt.Sprintf("%s 小于 0", shown)}
			}
			op := "≥"
			if c.MinExclusive {
				op = ">"
			}
			zh := fmt.Sprintf("%s 小于下限 %s", shown, fmtNum(lo))
			if c.MinExclusive {
				zh = fmt.Sprintf("%s 应大于 %s", shown, fmtNum(lo))
			}
			return &Problem{Code: OutOfRange, Detail: fmt.Sprintf("%s is not %s %s", shown, op, fmtNum(lo)), DetailZh: zh}
		}
	}
	if c.Max != nil && x > *c.Max+eps {
		return &Problem{Code: OutOfRange, Detail: fmt.Sprintf("%s is above the maximum %s", shown, fmtNum(*c.Max)), DetailZh: fmt.Sprintf("%s 超过上限 %s", shown, fmtNum(*c.Max))}
	}
	return nil
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// crossChecks applies the rules between columns of one row.
func (v *Validator) crossChecks(row etl.Row, vals []any, o *Outcome) {
	k := v.Kind
	idx := func(name string) int {
		for i := range k.Columns {
			if k.Columns[i].Name == name {
				return i
			}
		}
		return -1
	}
	switch k.Name {
	case "projects":
		si, ei := idx("contract_start"), idx("contract_end")
		if s, ok := vals[si].(time.Time); ok {
			if e, ok := vals[ei].(time.Time); ok && e.Before(s) {
				f := v.slots[ei].field
				o.Problems = append(o.Problems, Problem{Row: row.Num, Column: "contract_end", Header: f.Header, Letter: Letter(f.Index),
					Value: cell(row.Cells, f.Index), Severity: Error, Code: EndBeforeStart,
					Detail:   fmt.Sprintf("ends %s before it starts %s", e.Format("2006-01-02"), s.Format("2006-01-02")),
					DetailZh: fmt.Sprintf("结束日期 %s 早于开始日期 %s", e.Format("2006-01-02"), s.Format("2006-01-02"))})
			}
		}
		ai := idx("contract_amount")
		amount, ok := vals[ai].(int64)
		if !ok {
			return
		}
		var sum int64
		given := false
		for _, n := range []string{"city_funding", "district_funding", "street_funding"} {
			if x, ok := vals[idx(n)].(int64); ok {
				sum += x
				given = true
			}
		}
		if diff := sum - amount; given && (diff > 100 || diff < -100) {
			f := v.slots[ai].field
			o.Problems = append(o.Problems, Problem{Row: row.Num, Column: "contract_amount", Header: f.Header, Letter: Letter(f.Index),
				Value: cell(row.Cells, f.Index), Severity: Warning, Code: FundingMismatch,
				Detail:   fmt.Sprintf("city + district + street funding is %s, contract amount %s", centsString(sum), centsString(amount)),
				DetailZh: fmt.Sprintf("市、区、街道资金之和为 %s 元，合同金额为 %s 元，相差 %s 元", centsString(sum), centsString(amount), centsString(abs(sum-amount)))})
		}
	case "expenditures":
		if len(v.wide) == 0 {
			for _, n := range []string{"category", "amount"} {
				if i := idx(n); vals[i] == nil && v.slots[i].field == nil {
					// reported as missing column below
					o.Problems = append(o.Problems, Problem{Row: row.Num, Column: n, Severity: Error, Code: MissingRequired, Detail: "the sheet has neither category columns nor 支出类别/金额", DetailZh: "表中既没有各支出类别列，也没有“支出类别/金额”列"})
				} else if vals[i] == nil && !HasError(o.Problems) {
					f := v.slots[i].field
					o.Problems = append(o.Problems, Problem{Row: row.Num, Column: n, Header: f.Header, Letter: Letter(f.Index), Severity: Error, Code: MissingRequired})
				}
			}
			return
		}
		ti := idx("total")
		total, ok := vals[ti].(int64)
		if !ok {
			return
		}
		var sum int64
		for _, ci := range v.wide {
			if x, ok := vals[ci].(int64); ok {
				sum += x
			}
		}
		if d := sum - total; d > 1 || d < -1 {
			f := v.slots[ti].field
			o.Problems = append(o.Problems, Problem{Row: row.Num, Column: "total", Header: f.Header, Letter: Letter(f.Index),
				Value: cell(row.Cells, f.Index), Severity: Warning, Code: TotalMismatch,
				Detail:   fmt.Sprintf("categories sum to %s, total says %s", centsString(sum), centsString(total)),
				DetailZh: fmt.Sprintf("各类别之和为 %s 元，合计栏为 %s 元", centsString(sum), centsString(total))})
		}
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// centsString shows a coefficient at scale 2 as yuan.
func centsString(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
