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
	var body strings.Builder
	height := chartH
	switch ch.Type {
	case reports.ChartPie:
		height = pie(&body, cats, series[0], ch.Format)
	case reports.ChartBar:
		height = bars(&body, cats, names, series, ch.Format, true)
	default:
		height = bars(&body, cats, names, series, ch.Format, false)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg">`,
		esc(ch.Title), chartW, math.Ceil(height))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(ch.Title))
	fmt.Fprintf(&b, `<text class="chart-title" x="%.0f" y="22" text-anchor="middle">%s</text>`, chartW/2, esc(ch.Title))
	b.WriteString(body.String())
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

// Font sizes of the chart's texts (the page's styles say the same).
const (
	valueFont  = 11.0
	catFont    = 12.0
	legendFont = 12.0
)

// textPx estimates how wide s is drawn at a font size: a CJK character is
// one em, a digit or Latin letter about 0.6 em (the CJK fonts the page
// names draw them so or narrower).
func textPx(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2e80 {
			w += size
		} else {
			w += 0.6 * size
		}
	}
	return w
}

// Value labels of bars: above each bar when they fit beside each other,
// turned upright when the bars are too narrow for them lying, left out
// (the table and the bars' tooltips have them) when even that would not
// fit.
const (
	labelsFlat = iota
	labelsUpright
	labelsNone
)

// bars draws clustered bars: vertical (columns) or horizontal. No two
// texts overlap: value labels are laid flat, upright or not at all as the
// bars leave room, category labels stand upright when they are wider than their
// band, and the legend wraps.
func bars(b *strings.Builder, cats, names []string, series [][]float64, format string, horizontal bool) float64 {
	const left, right, top = 80.0, 20.0, 40.0
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
		return chartH
	}
	labels := make([][]string, len(series))
	maxLabel := 0.0
	for k, s := range series {
		labels[k] = make([]string, len(s))
		for i, v := range s {
			if !math.IsNaN(v) {
				labels[k][i] = reports.DisplayAs(v, format)
				maxLabel = math.Max(maxLabel, textPx(labels[k][i], valueFont))
			}
		}
	}
	maxCat := 0.0
	for _, c := range cats {
		maxCat = math.Max(maxCat, textPx(c, catFont))
	}
	rightPad := right
	if horizontal {
		// Room for the label of the longest bar and for the categories.
		rightPad += maxLabel + 6
	}
	leftPad := left
	if horizontal {
		leftPad = math.Max(left, maxCat+12)
	}
	pw := chartW - leftPad - rightPad
	// The legend, wrapped to the width, at the foot.
	legendRows := legendLayout(names, chartW-80-20)
	legendH := 22.0 * float64(len(legendRows))
	bottom := 48.0 + legendH
	band := pw / nCat
	upright := false
	if !horizontal && maxCat > band-6 {
		// Categories too wide for their band stand upright.
		upright = true
		bottom += maxCat - 14
	}
	height := math.Max(chartH, top+230+bottom)
	ph := height - top - bottom
	if horizontal {
		band = ph / nCat
	}
	barW := band * 0.8 / nSer
	mode := labelsFlat
	switch {
	case horizontal && barW < valueFont+2:
		mode = labelsNone
	case horizontal:
	case maxLabel+4 <= barW:
	case barW >= valueFont+3:
		mode = labelsUpright
	default:
		mode = labelsNone
	}
	// Upright labels stand above the bars: the bars get the height less
	// the longest label.
	barH := ph
	if mode == labelsUpright {
		barH = ph - maxLabel - 8
	}
	// Grid lines and value axis.
	for v := 0.0; v <= topV+step/2; v += step {
		if horizontal {
			x := leftPad + pw*v/topV
			fmt.Fprintf(b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, top, x, top+ph)
			fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, top+ph+16, esc(axisLabel(v, format)))
		} else {
			y := top + ph - barH*v/topV
			fmt.Fprintf(b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, leftPad, y, leftPad+pw, y)
			fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, leftPad-6, y+4, esc(axisLabel(v, format)))
		}
	}
	for i, cat := range cats {
		start := band*float64(i) + band*0.1
		for k, s := range series {
			v := s[i]
			if math.IsNaN(v) {
				continue
			}
			size := math.Max(0, v) / topV
			colour := palette[k%len(palette)]
			label := labels[k][i]
			if horizontal {
				y := top + start + barW*float64(k)
				w := pw * size
				fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s：%s</title></rect>`,
					leftPad, y, w, barW*0.92, colour, esc(cat), esc(names[k]), esc(label))
				if mode != labelsNone {
					fmt.Fprintf(b, `<text class="value" x="%.1f" y="%.1f">%s</text>`, leftPad+w+4, y+barW*0.46+valueFont*0.35, esc(label))
				}
				continue
			}
			x := leftPad + start + barW*float64(k)
			h := barH * size
			fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s：%s</title></rect>`,
				x, top+ph-h, barW*0.92, h, colour, esc(cat), esc(names[k]), esc(label))
			cx := x + barW*0.46
			switch mode {
			case labelsFlat:
				fmt.Fprintf(b, `<text class="value" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, cx, top+ph-h-4, esc(label))
			case labelsUpright:
				// Turned a quarter left about its foot, just above the bar,
				// centred on it.
				lx, ly := cx+valueFont*0.35, top+ph-h-4
				fmt.Fprintf(b, `<text class="value" x="%.1f" y="%.1f" transform="rotate(-90 %.1f %.1f)">%s</text>`, lx, ly, lx, ly, esc(label))
			}
		}
		switch {
		case horizontal:
			fmt.Fprintf(b, `<text class="cat" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, leftPad-6, top+start+band*0.4+catFont*0.35, esc(cat))
		case upright:
			cx, cy := leftPad+start+band*0.4+catFont*0.35, top+ph+6
			fmt.Fprintf(b, `<text class="cat" x="%.1f" y="%.1f" text-anchor="end" transform="rotate(-90 %.1f %.1f)">%s</text>`, cx, cy, cx, cy, esc(cat))
		default:
			fmt.Fprintf(b, `<text class="cat" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, leftPad+start+band*0.4, top+ph+18, esc(cat))
		}
	}
	fmt.Fprintf(b, `<line class="axis-line" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, leftPad, top+ph, leftPad+pw, top+ph)
	legend(b, names, legendRows, height-legendH+6)
	return height
}

// legendLayout splits the legend's entries into rows no wider than width.
func legendLayout(names []string, width float64) [][]int {
	var rows [][]int
	x := 0.0
	for k, n := range names {
		w := 16 + textPx(n, legendFont) + 24
		if len(rows) == 0 || (x+w > width && x > 0) {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], k)
		x += w
	}
	return rows
}

func legend(b *strings.Builder, names []string, rows [][]int, y float64) {
	for _, row := range rows {
		x := 80.0
		for _, k := range row {
			fmt.Fprintf(b, `<rect class="key" x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`, x, y-10, palette[k%len(palette)])
			fmt.Fprintf(b, `<text class="legend" x="%.1f" y="%.1f">%s</text>`, x+16, y, esc(names[k]))
			x += 16 + textPx(names[k], legendFont) + 24
		}
		y += 22
	}
}

// pie draws one series as slices, the share on each slice wide enough to
// hold it, and a legend with every category's value and share beside it.
func pie(b *strings.Builder, cats []string, vals []float64, format string) float64 {
	total := 0.0
	for _, v := range vals {
		if !math.IsNaN(v) && v > 0 {
			total += v
		}
	}
	height := math.Max(chartH, 60+24*float64(len(cats)))
	cx, cy, r := chartW/2-140, height/2+14, 120.0
	if total == 0 {
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">（无数据）</text>`, chartW/2, height/2)
		return height
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
		// The share on the slice when the arc at 0.62 r is longer than the
		// text; a thin slice has it in the legend only.
		share := fmt.Sprintf("%.1f%%", frac*100)
		if 2*math.Pi*frac*r*0.62 > textPx(share, 13)+8 {
			mid := (angle + end) / 2
			lx, ly := cx+r*0.62*math.Cos(mid), cy+r*0.62*math.Sin(mid)
			fmt.Fprintf(b, `<text class="slice-label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, lx, ly+4, share)
		}
		angle = end
	}
	// Legend to the right with the values and shares.
	y := cy - float64(len(cats)-1)*12 + 4
	for i, c := range cats {
		share := ""
		if !math.IsNaN(vals[i]) && vals[i] > 0 {
			share = fmt.Sprintf("（%.2f%%）", vals[i]/total*100)
		}
		fmt.Fprintf(b, `<rect class="key" x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`, cx+r+40, y-10, palette[(2*i)%len(palette)])
		fmt.Fprintf(b, `<text class="legend" x="%.1f" y="%.1f">%s：%s%s</text>`, cx+r+58, y, esc(c), esc(reports.DisplayAs(vals[i], format)), share)
		y += 24
	}
	return height
}
