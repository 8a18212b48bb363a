package schedules_test

import (
	"fmt"
	"time"

	"shequ/schedules"
)

// A definition a planner can read, and when it runs. On the day New York
// springs forward, 02:30 does not exist: the job runs at 03:00 instead of
// not at all.
func ExampleParse() {
	d, problems := schedules.Parse("schedules/weekly.yaml", []byte(`
name: weekly
cron: "30 2 * * 0"        # 02:30 every Sunday
zone: America/New_York
steps:
  - ingest
  - build: {select: coverage+}
  - test
retry: {attempts: 3, backoff: 5m}
`))
	if len(problems) > 0 {
		fmt.Println(problems)
		return
	}
	fmt.Println(d.Name, d.StepNames(), "attempts", d.Retry.Attempts)
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, d.Location)
	for _, t := range d.Next(from, 3) {
		fmt.Println(t.Format("Mon 2006-01-02 15:04 MST"))
	}
	// Output:
	// weekly [ingest build(select=coverage+) test] attempts 3
	// Sun 2025-03-02 02:30 EST
	// Sun 2025-03-09 03:00 EDT
	// Sun 2025-03-16 02:30 EDT
}

// Every problem of a definition at once, each with its file, line and
// field.
func ExampleParse_problems() {
	_, problems := schedules.Parse("schedules/bad.yaml", []byte(`
name: bad
cron: "0 2 * *"
steps: [test, build]
`))
	for _, p := range problems {
		fmt.Println(p)
	}
	// Output:
	// schedules/bad.yaml:3: cron: "0 2 * *": expected exactly 5 fields, found 4: [0 2 * *]; write minute hour day-of-month month day-of-week, e.g. "0 2 * * *", or @every 10m
	// schedules/bad.yaml:4: steps[1]: build comes after test: steps run in the order ingest, build, test, report, each at most once
}
