package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"shequ/etl/receipt"
	"shequ/internal/suggest"
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

A row rejected only because its project or community had not been sent
yet waits (待关联); when a later file brings it, the row loads by itself
(已关联入库) and the receipt is written again.

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
	rows, err := db.QueryContext(ctx, `WITH waiting AS (
			SELECT submission_id, count(DISTINCT (sheet, "row")) AS n FROM raw.orphans
			WHERE released_by IS NULL AND NOT blocked GROUP BY ALL),
		out AS (SELECT DISTINCT submission_id, sheet, "row" FROM raw.rejects WHERE severity = 'error' AND released_by IS NULL),
		released AS (
			SELECT r.submission_id, count(DISTINCT (r.sheet, r."row")) AS n FROM raw.rejects r
			ANTI JOIN out o ON o.submission_id = r.submission_id AND o.sheet = r.sheet AND o."row" = r."row"
			WHERE r.released_by IS NOT NULL GROUP BY ALL)
		SELECT s.submission_id, file, sha256, status, coalesce(kinds, ''), coalesce(district, ''),
			rows_read, rows_loaded, rows_rejected, rows_warned, coalesce(w.n, 0), coalesce(r.n, 0)
		FROM raw.submissions s LEFT JOIN waiting w USING (submission_id) LEFT JOIN released r USING (submission_id)
		WHERE ? = '' OR list_contains(string_split(coalesce(district, ''), ','), ?) ORDER BY s.submission_id`, district, district)
	if err != nil {
		return err
	}
	defer rows.Close()
	var table [][]string
	for rows.Next() {
		var info receipt.Info
		var kinds string
		var waiting int
		if err := rows.Scan(&info.Submission, &info.File, &info.SHA256, &info.Status, &kinds, &info.District,
			&info.Read, &info.Loaded, &info.Rejected, &info.Warned, &waiting, &info.Released); err != nil {
			return err
		}
		// A file of several districts has a receipt in each district's
		// folder, of its rows only.
		var written []string
		for _, p := range receipt.Paths(e.cfg.Receipts, info) {
			if _, err := os.Stat(p); err == nil {
				if district == "" || strings.Contains(p, string(filepath.Separator)+district+string(filepath.Separator)) {
					written = append(written, p)
				}
			}
		}
		path := strings.Join(written, ", ")
		if path == "" {
			path = "(not written)"
		}
		table = append(table, []string{fmt.Sprint(info.Submission), info.District, info.File, info.Status,
			fmt.Sprint(info.Loaded), fmt.Sprint(info.Rejected), fmt.Sprint(info.Warned),
			fmt.Sprint(waiting), fmt.Sprint(info.Released), path})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(table) == 0 {
		if district == "" {
			fmt.Fprintln(e.stderr, "no submissions yet (尚无报送)")
			return nil
		}
		// A district that matches nothing is a mistake, not an empty list.
		var known []string
		rows, err := db.QueryContext(ctx, `SELECT DISTINCT unnest(string_split(district, ',')) AS d FROM raw.submissions WHERE district IS NOT NULL ORDER BY d`)
		if err == nil {
			for rows.Next() {
				var d string
				if rows.Scan(&d) == nil {
					known = append(known, d)
				}
			}
			rows.Close()
		}
		en, zh := fmt.Sprintf("no district %q has sent a file", district), fmt.Sprintf("没有来自“%s”的报送", district)
		if near := suggest.Closest(district, known, 2); near != "" {
			en += fmt.Sprintf("; did you mean %s?", near)
			zh += fmt.Sprintf("，是不是“%s”？", near)
		} else if len(known) > 0 {
			en += "; districts: " + strings.Join(known, ", ")
			zh += "；已报送的区：" + strings.Join(known, "、")
		}
		return usageBoth(zh, en)
	}
	printTable(e.stdout, []string{"submission", "district", "file", "status", "loaded", "rejected", "warned",
		"waiting (待关联)", "released (已关联入库)", "receipt"}, table)
	return nil
}
