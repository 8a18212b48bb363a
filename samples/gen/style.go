package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// style is a district's habits: every file a district sends is made the
// same way, as real submissions are (one clerk, one template, one
// spreadsheet program), so the mess of a province is the mix of its
// districts' habits. The rates are chosen per district at random around
// what the sample city shows (samples/MANIFEST.md).
type style struct {
	xlsxShare   float64 // share of files written as .xlsx rather than CSV
	enc         string  // CSV encoding: utf-8, utf-8-bom, gbk, gb18030
	crlf        bool    // CSV line ends
	alias       int     // headers: 0 the template's, 1 one alias set, 2 mixed aliases
	noise       bool    // header noise: spaces, line breaks, full-width brackets
	title       int     // title rows above the header
	twoRow      bool    // two-row headers with a parent cell (资金来源, 考核指标得分, 支出明细)
	wan         bool    // projects' money in 万元
	areaM2      bool    // roster area in 平方米
	dateForm    int     // index into dateForms; -1 mixes them
	fw          float64 // full-width digits in a number or code
	thou        float64 // thousands separators
	spaces      float64 // NBSP / zero-width / ideographic spaces around a value
	numText     float64 // xlsx: numbers stored as text
	codeNum     bool    // xlsx: codes stored as numbers
	merge       bool    // xlsx: district and street cells merged down a column
	totals      bool    // a 合计 row at the bottom
	notes       bool    // 填表人 / 备注 rows at the bottom
	blank       float64 // blank rows between data rows
	seq         bool    // a 序号 column
	extra       bool    // unknown extra columns (备注, 联系电话 …)
	wide        bool    // expenditures in the wide (template) form
	combined    bool    // projects and staff in one workbook
	boolForm    int     // index into boolForms
	quarterForm int     // index into quarterForms; -1 mixes them
	itemMix     float64 // share of service items written in a messy form
	satForm     int     // satisfaction: 0 fraction, 1 0–100, 2 "85%", 3 a % cell (xlsx), -1 mixed
	sep         string  // code list separator
	sst         bool    // xlsx: shared strings (Excel's own way), for files of moderate size
	hidden      bool    // a hidden 下拉列表 sheet
	emptySheet  bool    // an empty Sheet2 / Sheet3
	words       int     // which spelling of enum words (urban/rural, roles …)
}

var encodings = []string{"utf-8", "utf-8-bom", "gbk", "gb18030"}

// dateForms are how a date is written as text.
var dateForms = []func(t time.Time) string{
	func(t time.Time) string { return t.Format("2006-01-02") },
	func(t time.Time) string { return t.Format("2006/1/2") },
	func(t time.Time) string { return t.Format("2006.1.2") },
	func(t time.Time) string {
		return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
	},
	func(t time.Time) string { return t.Format("2006/01/02") },
}

// boolForms are the yes/no words of a district.
var boolForms = [][2]string{{"是", "否"}, {"Y", "N"}, {"1", "0"}, {"√", "×"}, {"TRUE", "FALSE"}, {"有", "无"}}

// quarterForms write quarter 1–4.
var quarterForms = []func(q int) string{
	func(q int) string { return strconv.Itoa(q) },
	func(q int) string { return "Q" + strconv.Itoa(q) },
	func(q int) string { return string([]rune("一二三四")[q-1]) + "季度" },
	func(q int) string { return "第" + string([]rune("一二三四")[q-1]) + "季度" },
}

var separators = []string{"、", ",", "，", ";", "；", "/", " ", "\n"}

// newStyle draws a district's habits.
func newStyle(r *rand.Rand) style {
	p := func(x float64) bool { return r.Float64() < x }
	st := style{
		xlsxShare:   []float64{0.2, 0.5, 0.8}[r.IntN(3)],
		enc:         encodings[r.IntN(len(encodings))],
		crlf:        p(0.5),
		alias:       r.IntN(3),
		noise:       p(0.2),
		title:       []int{0, 0, 1, 1, 2}[r.IntN(5)],
		twoRow:      p(0.3),
		wan:         p(0.3),
		areaM2:      p(0.4),
		dateForm:    r.IntN(len(dateForms)+1) - 1,
		fw:          []float64{0, 0, 0.01, 0.05}[r.IntN(4)],
		thou:        []float64{0, 0.1, 0.5}[r.IntN(3)],
		spaces:      []float64{0, 0, 0.01, 0.03}[r.IntN(4)],
		numText:     []float64{0, 0.05, 0.5}[r.IntN(3)],
		codeNum:     p(0.4),
		merge:       p(0.4),
		totals:      p(0.4),
		notes:       p(0.5),
		blank:       []float64{0, 0, 0.002, 0.01}[r.IntN(4)],
		seq:         p(0.5),
		extra:       p(0.6),
		wide:        p(0.6),
		combined:    p(0.4),
		boolForm:    r.IntN(len(boolForms)),
		quarterForm: r.IntN(len(quarterForms)+1) - 1,
		itemMix:     []float64{0, 0.1, 0.4}[r.IntN(3)],
		satForm:     r.IntN(5) - 1,
		sep:         separators[r.IntN(len(separators))],
		sst:         p(0.5),
		hidden:      p(0.3),
		emptySheet:  p(0.3),
		words:       r.IntN(3),
	}
	return st
}

// cells formats the values of one file in its district's style.
type cells struct {
	r    *rand.Rand
	st   *style
	xlsx bool
	gbk  bool // the file is GBK or GB18030: no NBSP or zero-width space
	// xlsx style ids
	dateStyle, pctStyle int
}

func (c *cells) p(x float64) bool { return x > 0 && c.r.Float64() < x }

// fullWidth writes the ASCII digits and . , - of s full-width.
func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= '0' && r <= '9') || r == '.' || r == ',' || r == '-' {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// thousands inserts separators into the integer part of a decimal string.
func thousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String() + frac
}

// pad surrounds s with an invisible space now and then.
func (c *cells) pad(s string) string {
	if !c.p(c.st.spaces) {
		return s
	}
	if c.gbk {
		return s + "\u3000"
	}
	switch c.r.IntN(4) {
	case 0:
		return "\u200b" + s
	case 1:
		return s + "\u00a0"
	case 2:
		return s + " "
	}
	return "\u3000" + s
}

// text is a text cell.
func (c *cells) text(s string) any {
	if s == "" {
		return nil
	}
	return c.pad(s)
}

// num writes a number given as its decimal string (no exponent): a number
// cell or text in a workbook, text in a CSV file, with the district's
// full-width digits and thousands separators now and then.
func (c *cells) num(s string) any {
	if c.xlsx && !c.p(c.st.numText) {
		if f, err := strconv.ParseFloat(s, 64); err == nil && strconv.FormatFloat(f, 'f', -1, 64) == s {
			return f
		}
	}
	if len(s) > 4 && c.p(c.st.thou) {
		s = thousands(s)
	}
	if c.p(c.st.fw) {
		s = fullWidth(s)
	}
	return c.pad(s)
}

// int is a whole number.
func (c *cells) int(n int64) any { return c.num(strconv.FormatInt(n, 10)) }

// dec is coef × 10^-scale.
func (c *cells) dec(coef int64, scale int) any { return c.num(decString(coef, scale)) }

// code is an identifier; all-digit codes are numbers in a district that
// stores them so.
func (c *cells) code(s string) any {
	if c.xlsx && c.st.codeNum && allDigits(s) && len(s) < 16 && s[0] != '0' {
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	if c.p(c.st.fw / 2) {
		s = fullWidth(s)
	}
	return c.pad(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// date writes a date in the district's form; a workbook may hold a date
// cell (an Excel serial with a date format).
func (c *cells) date(t time.Time) any {
	form := c.st.dateForm
	if form < 0 {
		form = c.r.IntN(len(dateForms) + 1)
	}
	if c.xlsx && (form == len(dateForms) || c.p(0.5)) {
		return excelize.Cell{StyleID: c.dateStyle, Value: t}
	}
	if form >= len(dateForms) {
		form = 0
	}
	return c.pad(dateForms[form](t))
}

// boolean writes yes or no in the district's words.
func (c *cells) boolean(b bool) any {
	if c.xlsx && c.st.boolForm == 4 && c.p(0.5) {
		return b
	}
	w := boolForms[c.st.boolForm]
	if b {
		return c.pad(w[0])
	}
	return c.pad(w[1])
}

// quarter writes a quarter number.
func (c *cells) quarter(q int) any {
	f := c.st.quarterForm
	if f < 0 {
		f = c.r.IntN(len(quarterForms))
	}
	return c.pad(quarterForms[f](q))
}

// decString formats coef × 10^-scale without trailing zeros.
func decString(coef int64, scale int) string {
	neg := coef < 0
	if neg {
		coef = -coef
	}
	s := strconv.FormatInt(coef, 10)
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if neg {
		s = "-" + s
	}
	return s
}
