package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"time"

	"shequ/schedules"
)

func init() {
	register(&command{
		name:    "schedules",
		summary: "list the schedules and their next run times",
		usage: `Usage: shequ schedules [--schedules DIR] [--json]

Reads and checks every schedule definition (the built-in ones, or the
*.yaml files of --schedules DIR) and lists each with its cron expression,
time zone, steps and next three run times. A definition with a problem is
refused with its file, line, field and what to write instead; every
problem is listed at once.

A definition is one YAML file:

    name: nightly
    cron: "0 2 * * *"          # minute hour day month weekday, or @every 10m
    zone: Asia/Shanghai        # the default
    steps: [build, test]       # ingest, build, test, report, in that order
    retry: {attempts: 2, backoff: 15m}
    timeout: 3h

Examples:
  shequ schedules
  shequ schedules --schedules /etc/shequ/schedules`,
		run: runSchedules,
	})
}

// scheduleFlags adds --schedules.
func scheduleFlags(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "schedules", getenv("SHEQU_SCHEDULES", ""), "read the schedule definitions from this `dir` instead of the built-in ones ($SHEQU_SCHEDULES)")
}

// loadSchedules reads the built-in definitions, or those of dir.
func loadSchedules(dir string) ([]*schedules.Definition, error) {
	if dir == "" {
		return schedules.LoadEmbedded()
	}
	return schedules.Load(os.DirFS(dir), dir)
}

func runSchedules(ctx context.Context, e *env, args []string) error {
	var dir string
	var asJSON bool
	fs, err := e.parse(lookup("schedules"), args, 0, func(fs *flag.FlagSet) {
		scheduleFlags(fs, &dir)
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	defs, err := loadSchedules(dir)
	if err != nil {
		return err
	}
	now := time.Now()
	if asJSON {
		type entry struct {
			Name        string      `json:"name"`
			Description string      `json:"description,omitempty"`
			File        string      `json:"file"`
			Cron        string      `json:"cron"`
			Zone        string      `json:"zone"`
			Steps       []string    `json:"steps"`
			Retry       int         `json:"attempts"`
			Next        []time.Time `json:"next"`
		}
		var out []entry
		for _, d := range defs {
			out = append(out, entry{d.Name, d.Description, d.File, d.Cron, d.Zone, d.StepNames(), d.Retry.Attempts, d.Next(now, 3)})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	var rows [][]string
	for _, d := range defs {
		var next []string
		for _, t := range d.Next(now, 3) {
			next = append(next, t.Format("2006-01-02 15:04"))
		}
		rows = append(rows, []string{d.Name, d.Cron, d.Zone, strings.Join(d.StepNames(), ", "), strings.Join(next, "  ")})
	}
	printTable(e.stdout, []string{"schedule", "cron", "zone", "steps", "next runs (in the zone)"}, rows)
	return nil
}
