package schedules

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/robfig/cron/v3"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestShipped(t *testing.T) {
	defs, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	sh := mustZone(t, "Asia/Shanghai")
	from := time.Date(2025, 2, 15, 12, 3, 0, 0, sh)
	tests := []struct {
		name  string
		steps string
		next  []string
	}{
		{"ingest", "ingest", []string{"2025-02-15 12:10", "2025-02-15 12:20", "2025-02-15 12:30"}},
		{"nightly", "build test", []string{"2025-02-16 02:00", "2025-02-17 02:00", "2025-02-18 02:00"}},
		{"report", "report", []string{"2025-03-01 06:00", "2025-04-01 06:00", "2025-05-01 06:00"}},
	}
	if len(defs) != len(tests) {
		t.Fatalf("got %d shipped schedules, want %d", len(defs), len(tests))
	}
	for i, tt := range tests {
		d := defs[i]
		if d.Name != tt.name {
			t.Errorf("schedule %d is %q, want %q", i, d.Name, tt.name)
			continue
		}
		if d.Zone != "Asia/Shanghai" || d.File != "schedules/"+tt.name+".yaml" {
			t.Errorf("%s: zone %q file %q", d.Name, d.Zone, d.File)
		}
		if got := strings.Join(d.StepNames(), " "); got != tt.steps {
			t.Errorf("%s: steps %q, want %q", d.Name, got, tt.steps)
		}
		var got []string
		for _, n := range d.Next(from, 3) {
			got = append(got, n.Format("2006-01-02 15:04"))
		}
		if strings.Join(got, ",") != strings.Join(tt.next, ",") {
			t.Errorf("%s: next %v, want %v", d.Name, got, tt.next)
		}
	}
}

// TestProblems: every problem of every file is reported at once, each with
// its file, line and field.
func TestProblems(t *testing.T) {
	fsys := fstest.MapFS{
		"good.yaml": {Data: []byte("name: good\ncron: \"0 2 * * *\"\nsteps: [build, test]\n")},
		"bad.yaml": {Data: []byte(`name: Bad Name
cron: "0 25 * * *"
zone: Mars/Olympus
steps:
  - build: {select: coverage+, colour: red}
  - ingest
  - deploy
retry: {attempts: 0, backoff: soon}
timeout: forever
owner: planning
`)},
		"tz.yaml":      {Data: []byte("cron: CRON_TZ=Asia/Shanghai\nsteps: [ingest]\n")},
		"clash.yaml":   {Data: []byte("cron: CRON_TZ=Europe/London 0 2 * * *\nzone: Asia/Shanghai\nsteps: [report: {period: week}]\n")},
		"never.yaml":   {Data: []byte("name: never\ncron: 0 0 30 2 *\nsteps: [build]\n")},
		"budget.yaml":  {Data: []byte("name: budget\ncron: '@daily'\nsteps: [build: {policy: reward_budget.csv}]\n")},
		"missing.yaml": {Data: []byte("description: nothing else\n")},
		"broken.yaml":  {Data: []byte("name: [unclosed\n")},
		"list.yaml":    {Data: []byte("- name: a\n")},
		"local.yaml":   {Data: []byte("name: local\ncron: '@daily'\nzone: Local\nsteps: [build]\n")},
		"good2.yml":    {Data: []byte("name: good\ncron: '@every 10m'\nsteps: [ingest]\n")},
		"old.toml":     {Data: []byte("name = 'x'\n")},
		"README.md":    {Data: []byte("not a definition\n")},
	}
	_, err := Load(fsys, "sched")
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v, want Problems", err)
	}
	want := []string{
		`sched/bad.yaml:1: name: "Bad Name" is not a job name`,
		`sched/bad.yaml:2: cron: "0 25 * * *": end of range (25) above maximum (23)`,
		`sched/bad.yaml:3: zone: "Mars/Olympus" is not a time zone`,
		`sched/bad.yaml:5: steps[0].colour: unknown option of build; it takes select`,
		`sched/budget.yaml:3: steps[0].policy: build takes no policy: every job builds with the policy kept in the warehouse; change it with shequ policy set`,
		`sched/bad.yaml:6: steps[1]: ingest comes after build: steps run in the order ingest, build, test, report`,
		`sched/bad.yaml:7: steps[2]: "deploy" is not a step`,
		`sched/bad.yaml:8: retry.attempts: "0" is not a number of attempts`,
		`sched/bad.yaml:8: retry.backoff: "soon" is not a duration`,
		`sched/bad.yaml:9: timeout: "forever" is not a duration`,
		`sched/bad.yaml:10: owner: unknown field; the fields are name, description, cron, zone, steps, retry, timeout`,
		`sched/tz.yaml:1: cron: "CRON_TZ=Asia/Shanghai" has a CRON_TZ= prefix but no expression after it`,
		`sched/clash.yaml:2: zone: "Asia/Shanghai" differs from CRON_TZ=Europe/London in cron`,
		`sched/clash.yaml:3: steps[0].period: report takes no options`,
		`sched/never.yaml:2: cron: "0 0 30 2 *" never runs`,
		`sched/missing.yaml:1: cron: missing`,
		`sched/missing.yaml:1: steps: missing`,
		`sched/broken.yaml: not valid YAML`,
		`sched/list.yaml:1: a definition is a mapping of fields`,
		`sched/local.yaml:3: zone: Local depends on the host's settings`,
		`sched/old.toml: only YAML definitions are read; write it as old.yaml`,
		`sched/good2.yml: name: "good" is also the name of sched/good.yaml`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems lack %q", w)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(ps), len(want), got)
	}
}

// TestMalformedCronTZ: robfig/cron v3.0.1 panics on a CRON_TZ= prefix
// with nothing after it; Parse reports it instead.
func TestMalformedCronTZ(t *testing.T) {
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		cron.ParseStandard("CRON_TZ=Asia/Shanghai")
		return false
	}()
	if !panicked {
		t.Log("robfig/cron no longer panics on a bare CRON_TZ= prefix")
	}
	for _, expr := range []string{"CRON_TZ=Asia/Shanghai", "TZ=", "CRON_TZ= 0 2 * * *", "CRON_TZ=Nowhere/City 0 2 * * *", "0 2 * * * CRON_TZ=UTC"} {
		d, ps := Parse("x.yaml", []byte("cron: \""+expr+"\"\nsteps: [build]\n"))
		if d != nil || len(ps) == 0 {
			t.Errorf("%q: accepted", expr)
		}
	}
	d, ps := Parse("x.yaml", []byte("cron: CRON_TZ=Europe/London 30 1 * * *\nsteps: [build]\n"))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if d.Zone != "Europe/London" || d.Cron != "30 1 * * *" {
		t.Errorf("zone %q cron %q", d.Zone, d.Cron)
	}
}

// TestDST: a fixed-time job in a spring-forward gap still runs, at the end
// of the gap; one in a repeated fall-back hour runs once; an every-ten-
// minutes job follows the real clock.
func TestDST(t *testing.T) {
	tests := []struct {
		name, zone, cron, from string
		want                   []string
	}{
		{"spring forward 02:30 runs at 03:00", "America/New_York", "30 2 * * *", "2025-03-08 12:00",
			[]string{"2025-03-09 03:00 EDT", "2025-03-10 02:30 EDT"}},
		{"spring forward, every minute of the gap runs once", "America/New_York", "*/15 2 * * *", "2025-03-09 01:50",
			[]string{"2025-03-09 03:00 EDT", "2025-03-10 02:00 EDT"}},
		{"spring forward, a time before the gap is untouched", "America/New_York", "30 1 * * *", "2025-03-08 12:00",
			[]string{"2025-03-09 01:30 EST", "2025-03-10 01:30 EDT"}},
		{"fall back 01:30 runs once", "America/New_York", "30 1 * * *", "2025-11-01 12:00",
			[]string{"2025-11-02 01:30 EDT", "2025-11-03 01:30 EST"}},
		{"fall back, started inside the repeated hour", "America/New_York", "30 1 * * *", "2025-11-02 01:45",
			[]string{"2025-11-03 01:30 EST"}},
		{"every ten minutes follows the clock through the gap", "America/New_York", "*/30 * * * *", "2025-03-09 01:10",
			[]string{"2025-03-09 01:30 EST", "2025-03-09 03:00 EDT", "2025-03-09 03:30 EDT"}},
		{"every half hour runs in both copies of a repeated hour", "America/New_York", "30 * * * *", "2025-11-02 00:40",
			[]string{"2025-11-02 01:30 EDT", "2025-11-02 01:30 EST", "2025-11-02 02:30 EST"}},
		{"London spring forward 01:15 runs at 02:00", "Europe/London", "15 1 * * *", "2025-03-29 12:00",
			[]string{"2025-03-30 02:00 BST", "2025-03-31 01:15 BST"}},
		{"Lord Howe's half-hour change", "Australia/Lord_Howe", "15 2 * * *", "2025-10-04 12:00",
			[]string{"2025-10-05 02:30 +11", "2025-10-06 02:15 +11"}},
		{"Shanghai has no DST", "Asia/Shanghai", "30 2 * * *", "2025-03-08 12:00",
			[]string{"2025-03-09 02:30 CST", "2025-03-10 02:30 CST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ps := Parse("x.yaml", []byte("cron: \""+tt.cron+"\"\nzone: "+tt.zone+"\nsteps: [build]\n"))
			if len(ps) > 0 {
				t.Fatal(ps)
			}
			from, err := time.ParseInLocation("2006-01-02 15:04", tt.from, d.Location)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range d.Next(from, len(tt.want)) {
				got = append(got, n.Format("2006-01-02 15:04 MST"))
			}
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("next after %s\n got %v\nwant %v", tt.from, got, tt.want)
			}
		})
	}
}

func TestRetryWait(t *testing.T) {
	r := Retry{Attempts: 5, Backoff: time.Minute, MaxBackoff: 5 * time.Minute}
	var got []time.Duration
	for n := 1; n <= 5; n++ {
		got = append(got, r.Wait(n))
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("wait after attempt %d = %s, want %s", i+1, got[i], want[i])
		}
	}
}
