package html

import (
	"fmt"
	"math"
	"strings"

	stdhtml "html"

	"shequ/reports"
)

// Chart colours, the same as the workbook's: each pair is a value and its
// target.
var palette = []string{"#2F5597", "#9DC3E6", "#C55A11", "#F4B183", "#548235", "#A9D18E", "#7030A0", "#CDB4DB"}

const (
	chartW = 760.0
	chartH = 340.0
)

func esc(s string) string { return stdhtml.EscapeString(s) }

// chartSVG draws a chart of a table as an inline SVG element.
func chartSVG(ch *reports.Chart, t *reports.Table) string {
	cats := make([]string, len(t.Rows))
	catCol := t.Sheet.Column(ch.Category)
	for i := range t.Rows {
		cats[i] = reports.Display(t.Get(i, ch.Category), catCol)
	}
	series := make([][]float64, len(ch.Series))
	names := make([]string, len(ch.Series))
	for k, name := range ch.Series {
		names[k] = t.Sheet.Column(name).Heading
		series[k] = make([]float64, len(t.Rows))
		for i := range t.Rows {
			v, ok := reports.Float(t.Get(i, name))
			if !ok {
				v = math.NaN()
			}
			series[k][i] = v
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg">`,
		esc(ch.Title), chartW, chartH)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(ch.Title))
	fmt.Fprintf(&b, `<text class="chart-title" x="%.0f" y="22" text-anchor="middle">%s</text>`, chartW/2, esc(ch.Title))
	switch ch.Type {
	case reports.ChartPie:
		pie(&b, cats, series[0], ch.Format)
	case reports.ChartBar:
		bars(&b, cats, names, series, ch.Format, true)
	default:
		bars(&b, cats, names, series, ch.Format, false)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// niceMax rounds a maximum up to 1, 2, 2.5 or 5 × 10^n and gives the tick
// step.
func niceMax(m float64) (float64, float64) {
	if m <= 0 || math.IsNaN(m) {
		return 1, 0.25
	}
	p := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if f*p >= m {
			top := f * p
			return top, top / 4
		}
	}
	return 10 * p, 2.5 * p
}

func axisLabel(v float64, format string) string {
	switch format {
	case reports.FormatPercent:
		return fmt.Sprintf("%.0f%%", v*100)
	case reports.FormatYuan, reports.FormatNumber, reports.FormatInt:
		if math.Abs(v) >= 10000 {
			return reports.Thousands(fmt.Sprintf("%.0f", v/10000)) + "万"
		}
		return reports.Thousands(fmt.Sprintf("%.0f", v))
	}
	return fmt.Sprintf("%.2f", v)
}

// bars draws clustered bars: vertical (columns) or horizontal.
func bars(b *strings.Builder, cats, names []string, series [][]float64, format string, horizontal bool) {
	const left, right, top, bottom = 80.0, 20.0, 40.0, 70.0
	pw, ph := chartW-left-right, chartH-top-bottom
	maxV := 0.0
	for _, s := range series {
		for _, v := range s {
			if !math.IsNaN(v) && v > maxV {
				maxV = v
			}
		}
	}
	if format == reports.FormatPercent && maxV <= 1 {
		maxV = 1
	}
	topV, step := niceMax(maxV)
	nCat, nSer := float64(len(cats)), float64(len(series))
	if nCat == 0 {
		return
	}
	// Grid lines and value axis.
	for v := 0.0; v <= topV+step/2; v += step {
		if horizontal {
			x := left + pw*v/topV
			fmt.Fprintf(b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, top, x, top+ph)
			fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, top+ph+16, esc(axisLabel(v, format)))
		} else {
			y := top + ph - ph*v/topV
			fmt.Fprintf(b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, y, left+pw, y)
			fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(axisLabel(v, format)))
		}
	}
	band := pw / nCat
	if horizontal {
		band = ph / nCat
	}
	barW := band * 0.8 / nSer
	for i, cat := range cats {
		start := band*float64(i) + band*0.1
		for k, s := range series {
			v := s[i]
			if math.IsNaN(v) {
				continue
			}
			size := math.Max(0, v) / topV
			colour := palette[k%len(palette)]
			label := reports.DisplayAs(v, format)
			if horizontal {
				y := top + start + barW*float64(k)
				w := pw * size
				fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s：%s</title></rect>`,
					left, y, w, barW*0.92, colour, esc(cat), esc(names[k]), esc(label))
				fmt.Fprintf(b, `<text class="value" x="%.1f" y="%.1f">%s</text>`, left+w+4, y+barW*0.6, esc(label))
			} else {
				x := left + start + barW*float64(k)
				h := ph * size
				fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s：%s</title></rect>`,
					x, top+ph-h, barW*0.92, h, colour, esc(cat), esc(names[k]), esc(label))
				fmt.Fprintf(b, `<text class="value" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+barW*0.46, top+ph-h-4, esc(label))
			}
		}
		if horizontal {
			fmt.Fprintf(b, `<text class="cat" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, top+start+band*0.4, esc(cat))
		} else {
			fmt.Fprintf(b, `<text class="cat" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, left+start+band*0.4, top+ph+18, esc(cat))
		}
	}
	fmt.Fprintf(b, `<line class="axis-line" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, top+ph, left+pw, top+ph)
	legend(b, names, chartH-22)
}

func legend(b *strings.Builder, names []string, y float64) {
	x := 80.0
	for k, n := range names {
		fmt.Fprintf(b, `<rect class="key" x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`, x, y-10, palette[k%len(palette)])
		fmt.Fprintf(b, `<text class="legend" x="%.1f" y="%.1f">%s</text>`, x+16, y, esc(n))
		x += 16 + float64(textWidth(n))*7 + 24
	}
}

// textWidth is a string's width in half-width characters.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if r > 0x2e80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// pie draws one series as slices, labelled with category and share.
func pie(b *strings.Builder, cats []string, vals []float64, format string) {
	total := 0.0
	for _, v := range vals {
		if !math.IsNaN(v) && v > 0 {
			total += v
		}
	}
	cx, cy, r := chartW/2-120, chartH/2+14, 120.0
	if total == 0 {
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">（无数据）</text>`, chartW/2, chartH/2)
		return
	}
	angle := -math.Pi / 2
	for i, v := range vals {
		if math.IsNaN(v) || v <= 0 {
			continue
		}
		frac := v / total
		end := angle + 2*math.Pi*frac
		colour := palette[(2*i)%len(palette)]
		label := fmt.Sprintf("%s %.2f%%", cats[i], frac*100)
		if frac >= 0.999999 {
			fmt.Fprintf(b, `<circle class="slice" cx="%.1f" cy="%.1f" r="%.1f" fill="%s"><title>%s</title></circle>`, cx, cy, r, colour, esc(label))
		} else {
			large := 0
			if end-angle > math.Pi {
				large = 1
			}
			x1, y1 := cx+r*math.Cos(angle), cy+r*math.Sin(angle)
			x2, y2 := cx+r*math.Cos(end), cy+r*math.Sin(end)
			fmt.Fprintf(b, `<path class="slice" d="M%.1f,%.1f L%.1f,%.1f A%.1f,%.1f 0 %d 1 %.1f,%.1f Z" fill="%s"><title>%s</title></path>`,
				cx, cy, x1, y1, r, r, large, x2, y2, colour, esc(label))
		}
		mid := (angle + end) / 2
		lx, ly := cx+r*0.62*math.Cos(mid), cy+r*0.62*math.Sin(mid)
		fmt.Fprintf(b, `<text class="slice-label" x="%.1f" y="%.1f" text-anchor="middle">%.1f%%</text>`, lx, ly+4, frac*100)
		angle = end
	}
	// Legend to the right with the values.
	y := cy - float64(len(cats))*12
	for i, c := range cats {
		fmt.Fprintf(b, `<rect class="key" x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`, cx+r+40, y-10, palette[(2*i)%len(palette)])
		fmt.Fprintf(b, `<text class="legend" x="%.1f" y="%.1f">%s：%s</text>`, cx+r+58, y, esc(c), esc(reports.DisplayAs(vals[i], format)))
		y += 24
	}
}
