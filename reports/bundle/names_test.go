package bundle_test

import (
	"archive/zip"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// internalName matches what a reader must never see: the warehouse's and
// the policy files' own names (coverage_target_urban, marts.city_rewards,
// policy/parameters.csv, reward_rates), the seeds' numbering (seed 001
// §(十二), DOMAIN §6), and English left over from the policy files'
// sources and notes ("split is an assumption", "default") or a
// placeholder said to the reader (比例为假定).
var internalName = regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b` + // snake_case identifiers
	`|\b(?:marts|staging|intermediate|policy|raw|ops|settings|official|closed)[./][a-z_]+` + // relations and policy files
	`|\bseed\b|§|\bDOMAIN\b|\bassumption\b|\bdefault\b|\boverride\b|\bsetting\b` +
	`|\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b` + // three English words in a row
	`|假定`)

// readerText is the text a reader sees in a report file: an HTML page's
// text (without its styles, tags and attributes), a workbook's cell
// strings, headers and footers, chart texts and sheet names.
func readerText(t *testing.T, path string) string {
	t.Helper()
	if strings.HasSuffix(path, ".html") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := regexp.MustCompile(`(?s)<style.*?</style>`).ReplaceAllString(string(b), " ")
		s = regexp.MustCompile(`(?s)<head>.*?</head>`).ReplaceAllString(s, " ")
		return html.UnescapeString(tag.ReplaceAllString(s, " "))
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	texts := regexp.MustCompile(`(?s)<(?:a:)?t(?: [^>]*)?>(.*?)</(?:a:)?t>|<(?:oddHeader|oddFooter)>(.*?)</|<sheet name="([^"]*)"`)
	var b strings.Builder
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") || !strings.HasPrefix(f.Name, "xl/") {
			continue
		}
		for _, m := range texts.FindAllSubmatch(read(t, f), -1) {
			b.WriteString(html.UnescapeString(string(m[1]) + string(m[2]) + string(m[3])))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestNoInternalNames scans every report a planner reads, each workbook
// and page of 2013 and 2014, for internal names, seeds and English: the
// parameters are named in Chinese with their sources cited by title and
// 文号.
func TestNoInternalNames(t *testing.T) {
	n := 0
	for _, year := range []string{"2013", "2014"} {
		files, _ := filepath.Glob(filepath.Join(out, year, "*.*"))
		for _, f := range files {
			n++
			text := readerText(t, f)
			if !strings.Contains(text, "江州市") {
				t.Fatalf("%s: nothing read", f)
			}
			for _, line := range strings.Split(text, "\n") {
				for _, m := range internalName.FindAllString(line, -1) {
					t.Errorf("%s/%s shows %q in: %.160s", year, filepath.Base(f), m, strings.TrimSpace(line))
					break
				}
			}
		}
	}
	if n != 10 {
		t.Errorf("scanned %d reports, want 10 (two years of the workbook, the page, the details, the allocation's workbook and page)", n)
	}
}
