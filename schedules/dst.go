package schedules

import (
	"time"

	"github.com/robfig/cron/v3"
)

// dstSafe is a cron expression with the daylight-saving rules of Vixie
// cron, which robfig/cron v3 computes on the wall clock without:
//
//   - a fixed-time job (its hour field does not list every hour) whose time
//     falls in the hour skipped by a spring-forward change runs at the end
//     of the change, instead of not at all that day: 02:30 in
//     America/New_York on the second Sunday of March runs at 03:00 EDT;
//   - a fixed-time job whose time falls in the hour repeated by a fall-back
//     change runs once, at the first occurrence, instead of twice;
//   - a job that runs every hour (*/10 * * * *) follows the real clock: it
//     runs at the times that exist, and in both copies of a repeated hour.
//
// Asia/Shanghai has had no daylight saving since 1991; this matters only
// for a definition that names another zone.
type dstSafe struct {
	spec *cron.SpecSchedule
}

const allHours = 1<<24 - 1

func (s dstSafe) Next(t time.Time) time.Time {
	if s.spec.Hour&allHours == allHours {
		return s.spec.Next(t)
	}
	for {
		n := s.spec.Next(t)
		if n.IsZero() {
			return n
		}
		if g, ok := s.skipped(t, n); ok {
			return g.In(t.Location())
		}
		if !repeated(n.In(s.spec.Location)) {
			return n
		}
		t = n
	}
}

// skipped looks at every spring-forward change after t and before n: when
// the expression matches a wall-clock time the change skipped, the job
// runs at the instant of the change.
func (s dstSafe) skipped(t, n time.Time) (time.Time, bool) {
	loc := s.spec.Location
	cur := t.In(loc)
	for {
		_, end := cur.ZoneBounds()
		if end.IsZero() || !end.Before(n) {
			return time.Time{}, false
		}
		_, before := end.Add(-time.Nanosecond).In(loc).Zone()
		_, after := end.In(loc).Zone()
		if after > before && end.After(t) {
			// The wall clock jumped from end (read in the old offset) to
			// end (read in the new one); the minutes between never were.
			wall := end.In(time.FixedZone("", before))
			for m := time.Duration(0); m < time.Duration(after-before)*time.Second; m += time.Minute {
				if s.matches(wall.Add(m)) {
					return end, true
				}
			}
		}
		cur = end
	}
}

// matches reports whether the expression matches the wall-clock minute of
// w (read in w's own zone), with any second.
func (s dstSafe) matches(w time.Time) bool {
	sp := s.spec
	if 1<<uint(w.Month())&sp.Month == 0 || 1<<uint(w.Hour())&sp.Hour == 0 || 1<<uint(w.Minute())&sp.Minute == 0 {
		return false
	}
	dom := 1<<uint(w.Day())&sp.Dom != 0
	dow := 1<<uint(w.Weekday())&sp.Dow != 0
	const star = 1 << 63
	if sp.Dom&star != 0 || sp.Dow&star != 0 {
		return dom && dow
	}
	return dom || dow
}

// repeated reports whether t's wall-clock reading already happened once,
// just before a fall-back change.
func repeated(t time.Time) bool {
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, now := t.Zone()
	_, before := start.Add(-time.Nanosecond).In(t.Location()).Zone()
	return before > now && t.Sub(start) < time.Duration(before-now)*time.Second
}
