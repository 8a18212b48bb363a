package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/xuri/excelize/v2"

	"shequ/web/arrowsql"
)

// TestSQLPage: an analyst's SQL runs on the snapshot and its results
// download as CSV, xlsx and Parquet holding the same rows; what `shequ
// sql` refuses is refused; a district account's SQL sees its district
// only, whatever it asks; a saved query runs from its form.
func TestSQLPage(t *testing.T) {
	e := fullCity(t)
	an := e.client(t)
	an.login("analyst")
	q := "SELECT year, district, urban_rural, communities, covered, coverage_rate FROM marts.coverage ORDER BY ALL"
	page := an.getOK("/sql?q=" + url.QueryEscape(q))
	if !bytes.Contains(page, []byte("8 行")) {
		t.Errorf("the page does not say 8 rows")
	}
	csvBody := an.getOK("/sql/result.csv?q=" + url.QueryEscape(q))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBody, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, w := range expected(t, "coverage") {
		want = append(want, strings.Join([]string{w["year"], w["district"], w["urban_rural"], w["communities"], w["covered"]}, ","))
	}
	sort.Strings(want)
	var got []string
	for _, r := range recs[1:] {
		got = append(got, strings.Join(r[:5], ","))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CSV\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	book, err := excelize.OpenReader(bytes.NewReader(an.getOK("/sql/result.xlsx?q=" + url.QueryEscape(q))))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("result")
	if len(rows) != len(recs) {
		t.Errorf("xlsx has %d rows, CSV %d", len(rows), len(recs))
	}
	pq := an.getOK("/sql/result.parquet?q=" + url.QueryEscape(q))
	pr, err := file.NewParquetReader(bytes.NewReader(pq))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if int(tbl.NumRows()) != len(recs)-1 {
		t.Errorf("Parquet has %d rows, CSV %d", tbl.NumRows(), len(recs)-1)
	}
	if tr := arrowsql.Text(tbl.Column(5).Data().Chunk(0), 0); tr != recs[1][5] {
		t.Errorf("Parquet's first coverage_rate %s, CSV's %s", tr, recs[1][5])
	}

	for _, bad := range []string{"DELETE FROM marts.coverage", "COPY marts.coverage TO '/tmp/x.csv'", "SELECT * FROM read_csv('/etc/passwd')",
		"ATTACH '/tmp/x.duckdb' AS x", "SET enable_external_access = true", "CREATE TABLE marts.x AS SELECT 1", "INSTALL httpfs"} {
		body := an.getOK("/sql?q=" + url.QueryEscape(bad))
		if !bytes.Contains(body, []byte(`id="sql-error"`)) || !bytes.Contains(body, []byte("refused")) {
			t.Errorf("%s was not refused", bad)
		}
		if resp, _ := an.get("/sql/result.csv?q=" + url.QueryEscape(bad)); resp.StatusCode != 400 {
			t.Errorf("download of %s: %s, want 400", bad, resp.Status)
		}
	}
	if body := an.getOK("/sql?q=" + url.QueryEscape("CREATE TEMP TABLE t AS SELECT 1 AS x; SELECT x FROM t")); bytes.Contains(body, []byte(`id="sql-error"`)) {
		t.Errorf("a temp table was refused")
	}

	lj := e.client(t)
	lj.login("lj")
	body := lj.getOK("/sql/result.csv?q=" + url.QueryEscape("SELECT DISTINCT district FROM marts.coverage UNION ALL SELECT DISTINCT district FROM intermediate.project_years"))
	if strings.Contains(string(body), "青山区") || !strings.Contains(string(body), "临江区") {
		t.Errorf("a district's SQL sees %q", body)
	}
	for _, other := range []string{"SELECT * FROM marts.provider_standing", "SELECT * FROM raw.communities", "SELECT * FROM web.users"} {
		if body := lj.getOK("/sql?q=" + url.QueryEscape(other)); !bytes.Contains(body, []byte(`id="sql-error"`)) {
			t.Errorf("a district's %s ran", other)
		}
	}

	saved := parseSQLResult(t, an.getOK("/queries/uncovered_communities?year=2014&district="+url.QueryEscape("青山区")))
	wantU := truthUncovered(t, "2014", "青山区")
	if len(saved) != len(wantU)+1 {
		t.Errorf("uncovered_communities: %d rows, want %d", len(saved)-1, len(wantU))
	}
	col := -1
	for i, h := range saved[0] {
		if h == "community_code" {
			col = i
		}
	}
	for _, r := range saved[1:] {
		if _, ok := wantU[r[col]]; !ok {
			t.Errorf("uncovered_communities lists %s", r[col])
		}
	}
	if body := an.getOK("/queries/project_card?run=1"); !bytes.Contains(body, []byte("project_code is required")) {
		t.Errorf("a saved query without its required parameter: %.300s", body)
	}
}

// parseSQLResult reads the first result table of the SQL page: the
// header, then the rows.
func parseSQLResult(t testing.TB, page []byte) [][]string {
	t.Helper()
	i := bytes.Index(page, []byte(`class="list data sql-result"`))
	if i < 0 {
		t.Fatalf("no result on the page: %.2000s", page)
	}
	var out [][]string
	rest := string(page[i:])
	rest = rest[:strings.Index(rest, "</table>")]
	for _, tr := range strings.Split(rest, "<tr>")[1:] {
		var row []string
		for _, cell := range strings.Split(tr, "</t")[:] {
			if j := strings.LastIndex(cell, ">"); j >= 0 && (strings.Contains(cell, "<td") || strings.Contains(cell, "<th")) {
				row = append(row, cell[j+1:])
			}
		}
		out = append(out, row)
	}
	return out
}
