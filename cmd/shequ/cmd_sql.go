package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-runewidth"
)

func init() {
	register(&command{
		name:    "sql",
		summary: "run SQL on the warehouse, read-only",
		usage: `Usage: shequ sql [-c SQL | FILE]

Runs SQL statements on the warehouse, read-only: a statement that would
change it is refused. Without -c or FILE the statements are read from
standard input. Results print as aligned tables.

Examples:
  shequ sql -c "SELECT * FROM marts.coverage ORDER BY year, district"
  shequ sql queries/uncovered_communities.sql`,
		run: runSQL,
	})
}

func runSQL(ctx context.Context, e *env, args []string) error {
	var command string
	fs, err := e.parse(lookup("sql"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&command, "c", "", "run these `statements` and exit")
	})
	if err != nil {
		return err
	}
	text := command
	switch {
	case command != "" && fs.NArg() > 0:
		return usagef("give either -c or a file, not both")
	case fs.NArg() > 1:
		return usagef("one file at a time")
	case fs.NArg() == 1:
		b, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		text = string(b)
	case command == "":
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		text = string(b)
	}
	db, closeDB, err := e.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	return execPrint(ctx, db, text, e.stdout)
}

// execPrint runs the statements and prints each result as a table.
func execPrint(ctx context.Context, db *sql.DB, text string, w io.Writer) error {
	rows, err := db.QueryContext(ctx, text)
	if err != nil {
		return explainSQLError(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var table [][]string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		line := make([]string, len(cols))
		for i, v := range vals {
			line[i] = formatValue(v)
		}
		table = append(table, line)
	}
	if err := rows.Err(); err != nil {
		return explainSQLError(err)
	}
	printTable(w, cols, table)
	return nil
}

func explainSQLError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "read-only") {
		return errors.New("refused: the warehouse is opened read-only for analysts; statements that change it (INSERT, UPDATE, DELETE, CREATE, DROP, …) are not allowed (只读：不允许修改仓库)\n" + msg)
	}
	return err
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case float64:
		return fmt.Sprintf("%.10g", x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// printTable aligns columns by display width, so Chinese text lines up.
func printTable(w io.Writer, cols []string, rows [][]string) {
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = runewidth.StringWidth(c)
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], runewidth.StringWidth(c))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" │ ")
			}
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-runewidth.StringWidth(c)))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(cols)
	sep := make([]string, len(cols))
	for i := range cols {
		sep[i] = strings.Repeat("─", width[i])
	}
	fmt.Fprintln(w, strings.Join(sep, "─┼─"))
	for _, r := range rows {
		line(r)
	}
	fmt.Fprintf(w, "(%d rows)\n", len(rows))
}
