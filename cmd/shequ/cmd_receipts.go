package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"shequ/etl/receipt"
)

func init() {
	register(&command{
		name:    "receipts",
		summary: "list the receipts (回执) written for the districts",
		usage: `Usage: shequ receipts [--district D]

Every file received gets a receipt workbook for the district that sent it:
its SHA-256, the counts read / loaded / rejected / warned, every problem
(sheet, row, column, value, reason in Chinese) and a copy of the district's
own workbook with each offending cell filled red and commented. Receipts
are written to receipts/ beside the warehouse ($SHEQU_RECEIPTS).

Example:
  shequ receipts --district 青山区`,
		run: runReceipts,
	})
}

func runReceipts(ctx context.Context, e *env, args []string) error {
	var district string
	fs, err := e.parse(lookup("receipts"), args, flagWarehouse, func(fs *flag.FlagSet) {
		fs.StringVar(&district, "district", "", "only receipts of this `district`")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	db, closeDB, err := e.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	rows, err := db.QueryContext(ctx, `SELECT submission_id, file, sha256, status, coalesce(kinds, ''), coalesce(district, ''),
		rows_read, rows_loaded, rows_rejected, rows_warned FROM raw.submissions
		WHERE ? = '' OR list_contains(string_split(coalesce(district, ''), ','), ?) ORDER BY submission_id`, district, district)
	if err != nil {
		return err
	}
	defer rows.Close()
	var table [][]string
	for rows.Next() {
		var info receipt.Info
		var kinds string
		if err := rows.Scan(&info.Submission, &info.File, &info.SHA256, &info.Status, &kinds, &info.District,
			&info.Read, &info.Loaded, &info.Rejected, &info.Warned); err != nil {
			return err
		}
		path := receipt.Path(e.receiptsDir(), info)
		if _, err := os.Stat(path); err != nil {
			path = "(not written)"
		}
		table = append(table, []string{fmt.Sprint(info.Submission), info.District, info.File, info.Status,
			fmt.Sprint(info.Loaded), fmt.Sprint(info.Rejected), fmt.Sprint(info.Warned), path})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(table) == 0 {
		what := "no submissions yet"
		if district != "" {
			what = "no submissions from " + district
		}
		fmt.Fprintln(e.stderr, what)
		return nil
	}
	printTable(e.stdout, []string{"submission", "district", "file", "status", "loaded", "rejected", "warned", "receipt"}, table)
	return nil
}
