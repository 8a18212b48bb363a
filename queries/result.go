package queries

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"shequ/internal/sqlrows"
)

// Result is what a statement returned: its columns, their DuckDB types
// and its rows, each value as database/sql scanned it.
type Result struct {
	Columns []string
	Types   []string // DuckDB type names: INTEGER, VARCHAR, DECIMAL(18,2), DATE …
	Rows    [][]any
}

// Collect reads every row of rows and closes it.
func Collect(rows *sql.Rows) (*Result, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: cols, Types: make([]string, len(cols))}
	if cts, err := rows.ColumnTypes(); err == nil {
		for i, ct := range cts {
			res.Types[i] = ct.DatabaseTypeName()
		}
	}
	err = sqlrows.Each(rows, func(vals []any) error {
		res.Rows = append(res.Rows, slices.Clone(vals))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Status reports whether the result only says a statement ran (SET,
// CREATE TEMP …): DuckDB answers those with one "Success" or "Count"
// column.
func (r *Result) Status() bool {
	return len(r.Columns) == 1 && (r.Columns[0] == "Success" || r.Columns[0] == "Count") && len(r.Rows) <= 1
}

// Strings formats every value with FormatValue.
func (r *Result) Strings() [][]string {
	out := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		line := make([]string, len(row))
		for j, v := range row {
			line[j] = FormatValue(v, r.typ(j))
		}
		out[i] = line
	}
	return out
}

func (r *Result) typ(i int) string {
	if i < len(r.Types) {
		return r.Types[i]
	}
	return ""
}

// Numeric reports whether column i holds numbers (right-aligned in tables).
func (r *Result) Numeric(i int) bool { return NumericType(r.typ(i)) }

// NumericType reports whether a DuckDB type name is a number type.
func NumericType(t string) bool {
	t = strings.ToUpper(t)
	if strings.HasPrefix(t, "DECIMAL") {
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
		"FLOAT", "DOUBLE", "REAL":
		return true
	}
	return false
}

// FormatValue writes a value the way DuckDB's own CLI would: NULL, dates
// as 2006-01-02, timestamps without a zone unless they have one, decimals
// exactly, doubles shortest.
func FormatValue(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		if strings.EqualFold(typ, "UUID") && len(x) == 16 {
			h := hex.EncodeToString(x)
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case time.Time:
		switch strings.ToUpper(typ) {
		case "DATE":
			return x.Format("2006-01-02")
		case "TIME":
			return x.Format("15:04:05.999999")
		case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
			return x.Local().Format("2006-01-02 15:04:05.999999-07")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case *big.Int:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = FormatValue(e, "")
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("'%s': %s", k, FormatValue(x[k], ""))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case fmt.Stringer:
		if scale, ok := decimalScale(typ); ok {
			return padScale(x.String(), scale)
		}
		return x.String()
	}
	return fmt.Sprint(v)
}

// decimalScale reads the scale of DECIMAL(w,s).
func decimalScale(typ string) (int, bool) {
	t := strings.ToUpper(strings.ReplaceAll(typ, " ", ""))
	if !strings.HasPrefix(t, "DECIMAL(") || !strings.HasSuffix(t, ")") {
		return 0, false
	}
	_, s, ok := strings.Cut(t[len("DECIMAL("):len(t)-1], ",")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// padScale writes a decimal with exactly scale digits after the point:
// duckdb-go drops trailing zeros (821000 for 821000.00).
func padScale(s string, scale int) string {
	if scale <= 0 || strings.ContainsAny(s, "eE") {
		return s
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) >= scale {
		return s
	}
	return whole + "." + frac + strings.Repeat("0", scale-len(frac))
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}
