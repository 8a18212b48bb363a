package models

import (
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The lineage queries of README.md run and find the submissions behind a
// project's, a district's and a centre's rows.
func TestReadmeLineageQueries(t *testing.T) {
	readme, err := fs.ReadFile(Embedded(), "README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i := strings.Index(text, "## Lineage")
	block := text[i:]
	block = block[strings.Index(block, "```sql")+len("```sql"):]
	block = block[:strings.Index(block, "```")]
	query := strings.TrimSpace(block[:strings.Index(block, ";")])
	wheres := regexp.MustCompile(`(?m)^WHERE .*$`).FindAllString(block, -1)
	if len(wheres) != 3 {
		t.Fatalf("README lineage block has %d WHERE lines, want 3", len(wheres))
	}
	w := truthWarehouse(t)
	buildAll(t, embeddedProject(t), w, BuildOptions{Select: "+intermediate.lineage +staging.submissions"})
	want := []string{
		// project: every kind, roster and facility rows of the two covered communities
		"communities 1 2|projects 2 1|project_communities 3 2|staff 4 4|expenditures 5 20|activities 6 50|evaluations 7 2|facilities 8 36",
		// district
		"communities 1 20|projects 2 7|project_communities 3 13|staff 4 50|expenditures 5 140|activities 6 379|evaluations 7 14|facilities 8 67",
		// centre
		"facilities 8 18",
	}
	for k, where := range wheres {
		q := strings.Replace(query, wheres[0], where, 1)
		rows, err := w.DB.Query(q)
		if err != nil {
			t.Fatalf("%s\n%v", q, err)
		}
		var got []string
		for rows.Next() {
			var kind, file string
			var id, n int
			var at any
			if err := rows.Scan(&kind, &id, &file, &at, &n); err != nil {
				t.Fatal(err)
			}
			if file != "truth/"+strings.TrimSuffix(file[len("truth/"):], ".csv")+".csv" {
				t.Errorf("file %q", file)
			}
			got = append(got, strings.Join([]string{kind, strconv.Itoa(id), strconv.Itoa(n)}, " "))
		}
		rows.Close()
		if strings.Join(got, "|") != want[k] {
			t.Errorf("%s:\n got %s\nwant %s", where, strings.Join(got, "|"), want[k])
		}
	}
}
