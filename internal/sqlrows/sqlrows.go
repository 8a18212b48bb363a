// Package sqlrows reads the rows of a query result, so that no caller
// writes the rows.Next, rows.Scan, rows.Err loop again: into a slice of
// structs (All), of one column's values (Column), or row by row as the
// values database/sql gives (Each). Every function closes the rows.
package sqlrows

import "database/sql"

// All scans every row into a new T through the pointers fields gives for
// it (in the order of the columns), and returns them in order.
func All[T any](rows *sql.Rows, fields func(*T) []any) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(fields(&v)...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Column reads a result of one column.
func Column[T any](rows *sql.Rows) ([]T, error) {
	return All(rows, func(v *T) []any { return []any{v} })
}

// Each calls fn with the values of every row, each as database/sql scans
// it into an any (nil, int64, float64, bool, string, []byte, time.Time or
// a type of the driver's). vals is reused for the next row: clone it to
// keep it. An error of fn stops the reading and is returned.
func Each(rows *sql.Rows, fn func(vals []any) error) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}
