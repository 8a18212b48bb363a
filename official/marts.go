package official

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"shequ/models"
)

// Mart is a mart with a year column: what a close freezes.
type Mart struct {
	Name    string   // coverage (in schema marts)
	Columns []string // in table order
	Types   []string // the database types, by column
	// Key are the columns that identify a row within a year: those of the
	// model's unique test, without year (every column when it has none).
	Key []string
}

// Type returns the database type of column c ("" when there is none).
func (m Mart) Type(c string) string {
	for i, x := range m.Columns {
		if x == c {
			return m.Types[i]
		}
	}
	return ""
}

// YearMarts lists the marts of the warehouse that have a year column, by
// name, with the keys the project's models declare.
func YearMarts(ctx context.Context, q Querier, pr *models.Project) ([]Mart, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.table_name, c.column_name, c.data_type
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'marts' AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("list the marts: %w", err)
	}
	defer rows.Close()
	byName := map[string]*Mart{}
	var names []string
	for rows.Next() {
		var t, c, typ string
		if err := rows.Scan(&t, &c, &typ); err != nil {
			return nil, err
		}
		m := byName[t]
		if m == nil {
			m = &Mart{Name: t}
			byName[t] = m
			names = append(names, t)
		}
		m.Columns = append(m.Columns, c)
		m.Types = append(m.Types, typ)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Mart
	for _, n := range names {
		m := byName[n]
		if m.Type("year") == "" {
			continue
		}
		m.Key = martKey(pr, *m)
		out = append(out, *m)
	}
	return out, nil
}

func martKey(pr *models.Project, m Mart) []string {
	var key []string
	if pr != nil {
		if mo := pr.Model("marts." + m.Name); mo != nil {
			for _, t := range mo.Tests {
				if t.Kind == "unique" && len(t.Columns) > 0 {
					key = nil
					for _, c := range t.Columns {
						if c != "year" && m.Type(c) != "" {
							key = append(key, c)
						}
					}
					break
				}
			}
		}
	}
	if len(key) == 0 {
		for _, c := range m.Columns {
			if c != "year" {
				key = append(key, c)
			}
		}
	}
	return key
}

// MartLabels are the marts' names in Chinese, for the delta report.
var MartLabels = map[string]string{
	"coverage": "覆盖率", "staffing": "项目人员", "project_costs": "项目经费标准", "fund_use": "资金使用",
	"evaluation_scores": "评估得分", "service_mix": "服务结构", "city_rewards": "市级奖励资金分配",
	"facility_compliance": "功能室达标", "site_subsidies": "示范点补贴", "payments": "资金拨付",
	"provider_standing": "承接机构资格", "data_quality": "数据质量",
}

// MartLabel is the mart's Chinese name, or its own name.
func MartLabel(m string) string {
	if l, ok := MartLabels[m]; ok {
		return l
	}
	return m
}

// ensureClosedTables makes closed.<mart> for each mart (a version column,
// then the mart's columns) and gives an existing one the columns the mart
// has gained since.
func ensureClosedTables(ctx context.Context, q Querier, marts []Mart) error {
	for _, m := range marts {
		ok, err := hasTable(ctx, q, "closed", m.Name)
		if err != nil {
			return err
		}
		if !ok {
			if _, err := q.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE closed.%s AS SELECT CAST(NULL AS INTEGER) AS version, * FROM marts.%s LIMIT 0`,
				quoteIdent(m.Name), quoteIdent(m.Name))); err != nil {
				return fmt.Errorf("create closed.%s: %w", m.Name, err)
			}
			continue
		}
		have, err := tableColumns(ctx, q, "closed", m.Name)
		if err != nil {
			return err
		}
		for i, c := range m.Columns {
			if !have[c] {
				if _, err := q.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE closed.%s ADD COLUMN %s %s`, quoteIdent(m.Name), quoteIdent(c), m.Types[i])); err != nil {
					return fmt.Errorf("closed.%s: add column %s: %w", m.Name, c, err)
				}
			}
		}
	}
	return nil
}

func tableColumns(ctx context.Context, q Querier, schema, table string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?`, schema, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, rows.Err()
}

// RefreshViews (re)makes the view official.<mart> of every mart: the rows
// of the highest version of each closed year, and the working rows of
// every other year; a mart without a year, or never closed, as it is.
func RefreshViews(ctx context.Context, q Querier) error {
	rows, err := q.QueryContext(ctx, `SELECT table_name, bool_or(column_name = 'year')
		FROM information_schema.columns WHERE table_schema = 'marts' GROUP BY table_name ORDER BY table_name`)
	if err != nil {
		return err
	}
	type mart struct {
		name    string
		hasYear bool
	}
	var ms []mart
	for rows.Next() {
		var m mart
		if err := rows.Scan(&m.name, &m.hasYear); err != nil {
			rows.Close()
			return err
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		n := quoteIdent(m.name)
		view := fmt.Sprintf("SELECT * FROM marts.%s", n)
		if m.hasYear {
			ok, err := hasTable(ctx, q, "closed", m.name)
			if err != nil {
				return err
			}
			if ok {
				view = fmt.Sprintf(`SELECT * FROM marts.%[1]s WHERE year NOT IN (SELECT year FROM closed.versions)
UNION ALL BY NAME
SELECT c.* EXCLUDE (version) FROM closed.%[1]s c
JOIN (SELECT year, max(version) AS version FROM closed.versions GROUP BY year) v ON c.year = v.year AND c.version = v.version`, n)
			}
		}
		if _, err := q.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW official.%s AS %s", n, view)); err != nil {
			return fmt.Errorf("official.%s: %w", m.name, err)
		}
	}
	return nil
}

// Source is the relation an export of mart reads: official.<mart> when
// there is such a view (closed years as closed), else marts.<mart>.
func Source(ctx context.Context, q Querier) (func(mart string) string, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'official'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		have[n] = true
	}
	return func(mart string) string {
		if have[mart] {
			return "official." + quoteIdent(mart)
		}
		return "marts." + quoteIdent(mart)
	}, rows.Err()
}

// keyText writes a row's key for people: district=临江区, urban_rural=urban.
func keyText(cols []string, vals []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + "=" + vals[i]
	}
	return strings.Join(parts, ", ")
}
