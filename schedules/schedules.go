// Package schedules owns the definitions of the jobs `shequ serve` runs:
// one small YAML file each, naming the job, when it runs (a cron
// expression in a time zone) and the pipeline steps it runs. Load reads and
// validates every definition before anything is scheduled and reports every
// problem at once, each with its file, line and field.
//
// The definitions shipped with shequ are embedded (FS); `--schedules DIR`
// reads others. The daemon that runs them is schedules/scheduler.
package schedules

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // time zones load on a host without /usr/share/zoneinfo

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// FS holds the shipped definitions.
//
//go:embed *.yaml
var FS embed.FS

// DefaultZone is the time zone of a definition that names none.
const DefaultZone = "Asia/Shanghai"

// The steps a job may run, in the order they always run.
const (
	StepIngest = "ingest"
	StepBuild  = "build"
	StepTest   = "test"
	StepReport = "report"
)

// stepOrder is the pipeline order; stepOptions the options each step takes.
var (
	stepOrder   = []string{StepIngest, StepBuild, StepTest, StepReport}
	stepOptions = map[string][]string{
		StepIngest: nil,
		StepBuild:  {"select"},
		StepTest:   {"select"},
		StepReport: nil,
	}
	fields = []string{"name", "description", "cron", "zone", "steps", "retry", "timeout"}
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
)

// Definition is one validated schedule.
type Definition struct {
	// File is where the definition was read ("schedules/nightly.yaml").
	File        string
	Name        string
	Description string
	// Cron is the expression as written, without a CRON_TZ= prefix.
	Cron string
	// Zone is the IANA name of the time zone the expression is read in.
	Zone     string
	Location *time.Location
	Steps    []Step
	Retry    Retry
	// Timeout bounds one attempt of the job; 0 is no bound.
	Timeout time.Duration

	schedule cron.Schedule
}

// Step is one pipeline step of a job with its options.
type Step struct {
	Name   string // ingest | build | test | report
	Select string // build, test: only these models (as --select)
}

func (s Step) String() string {
	var opts []string
	if s.Select != "" {
		opts = append(opts, "select="+s.Select)
	}
	if len(opts) == 0 {
		return s.Name
	}
	return s.Name + "(" + strings.Join(opts, " ") + ")"
}

// Retry says how a failed job is tried again: up to Attempts runs in all,
// waiting Backoff before the second, twice that before the third, and so
// on, never more than MaxBackoff.
type Retry struct {
	Attempts   int
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// Wait is how long to wait after the failed attempt n (1-based).
func (r Retry) Wait(n int) time.Duration {
	d := r.Backoff
	for i := 1; i < n && d < r.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.MaxBackoff)
}

// Default retry: one attempt, no retry.
const (
	defaultBackoff = time.Minute
	maxAttempts    = 10
)

// Schedule is when the job runs, with shequ's daylight-saving rules (see
// dst.go): a time skipped by a spring-forward change runs when the change
// is over, and a time repeated by a fall-back change runs once.
func (d *Definition) Schedule() cron.Schedule { return d.schedule }

// Next returns the next n run times after from, in the definition's zone.
func (d *Definition) Next(from time.Time, n int) []time.Time {
	var out []time.Time
	t := from
	for range n {
		t = d.schedule.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(d.Location))
	}
	return out
}

// StepNames lists the steps' names.
func (d *Definition) StepNames() []string {
	out := make([]string, len(d.Steps))
	for i, s := range d.Steps {
		out[i] = s.String()
	}
	return out
}

// LoadEmbedded reads the shipped definitions.
func LoadEmbedded() ([]*Definition, error) { return Load(FS, "schedules") }

// Load reads and validates every *.yaml and *.yml file at the top of fsys;
// prefix is put before file names in problems ("schedules"). It returns
// the definitions sorted by name, or Problems listing everything wrong.
func Load(fsys fs.FS, prefix string) ([]*Definition, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read schedules %s: %w", prefix, err)
	}
	var defs []*Definition
	var ps Problems
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := path.Join(prefix, e.Name())
		switch path.Ext(e.Name()) {
		case ".yaml", ".yml":
		case ".toml", ".json":
			ps = append(ps, Problem{File: name, Reason: "only YAML definitions are read; write it as " + strings.TrimSuffix(e.Name(), path.Ext(e.Name())) + ".yaml"})
			continue
		default:
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			ps = append(ps, Problem{File: name, Reason: err.Error()})
			continue
		}
		d, fps := Parse(name, data)
		ps = append(ps, fps...)
		if d != nil {
			defs = append(defs, d)
		}
	}
	if len(defs) == 0 && len(ps) == 0 {
		ps = append(ps, Problem{File: prefix, Reason: "no schedule definitions (*.yaml) found; write one per job, e.g. nightly.yaml"})
	}
	ps = append(ps, duplicates(defs)...)
	if len(ps) > 0 {
		sort.SliceStable(ps, func(i, j int) bool {
			if ps[i].File != ps[j].File {
				return ps[i].File < ps[j].File
			}
			return ps[i].Line < ps[j].Line
		})
		return nil, ps
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	return defs, nil
}

// duplicates finds names defined by more than one file.
func duplicates(defs []*Definition) Problems {
	var ps Problems
	first := map[string]*Definition{}
	for _, d := range defs {
		if f, ok := first[d.Name]; ok {
			ps = append(ps, Problem{File: d.File, Field: "name", Reason: fmt.Sprintf("%q is also the name of %s; each schedule needs its own name", d.Name, f.File)})
			continue
		}
		first[d.Name] = d
	}
	return ps
}

// Parse reads and validates one definition. It returns the definition
// only when it has no problem.
func Parse(file string, data []byte) (*Definition, Problems) {
	c := &collector{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		c.add(0, "", "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, c.ps
	}
	if len(doc.Content) == 0 {
		c.add(0, "", "the file is empty; give at least name, cron and steps")
		return nil, c.ps
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		c.add(root.Line, "", "a definition is a mapping of fields (name: …, cron: …, steps: …), not a %s", kindName(root))
		return nil, c.ps
	}
	d := &Definition{File: file, Retry: Retry{Attempts: 1, Backoff: defaultBackoff}}
	base := path.Base(file)
	d.Name = strings.TrimSuffix(base, path.Ext(base))
	var cronNode, zoneNode, stepsNode *yaml.Node
	nameLine := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "name":
			d.Name, nameLine = c.str(v, "name"), v.Line
		case "description":
			d.Description = c.str(v, "description")
		case "cron":
			cronNode = v
		case "zone":
			zoneNode = v
		case "steps":
			stepsNode = v
		case "retry":
			c.retry(v, &d.Retry)
		case "timeout":
			d.Timeout = c.duration(v, "timeout")
		default:
			c.add(k.Line, k.Value, "unknown field; the fields are %s", strings.Join(fields, ", "))
		}
	}
	if !nameRE.MatchString(d.Name) {
		c.add(nameLine, "name", "%q is not a job name: use lowercase letters, digits, - and _ (at most 40), e.g. nightly", d.Name)
	}
	c.schedule(d, cronNode, zoneNode, root.Line)
	d.Steps = c.steps(stepsNode, root.Line)
	if len(c.ps) > 0 {
		return nil, c.ps
	}
	return d, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "single value"
	}
	return "YAML node"
}

// str reads a scalar string.
func (c *collector) str(v *yaml.Node, field string) string {
	if v.Kind != yaml.ScalarNode {
		c.add(v.Line, field, "must be a single value, not a %s", kindName(v))
		return ""
	}
	return strings.TrimSpace(v.Value)
}

// duration reads a Go duration ("90s", "10m", "2h").
func (c *collector) duration(v *yaml.Node, field string) time.Duration {
	s := c.str(v, field)
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		c.add(v.Line, field, "%q is not a duration: write e.g. 90s, 10m or 2h", s)
		return 0
	}
	return d
}

func (c *collector) retry(v *yaml.Node, r *Retry) {
	if v.Kind != yaml.MappingNode {
		c.add(v.Line, "retry", "must be a mapping such as {attempts: 3, backoff: 1m}, not a %s", kindName(v))
		return
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		field := "retry." + k.Value
		switch k.Value {
		case "attempts":
			var n int
			if err := val.Decode(&n); err != nil || n < 1 || n > maxAttempts {
				c.add(val.Line, field, "%q is not a number of attempts: write 1 (no retry) to %d", val.Value, maxAttempts)
				continue
			}
			r.Attempts = n
		case "backoff":
			if d := c.duration(val, field); d > 0 {
				r.Backoff = d
			}
		case "max_backoff":
			if d := c.duration(val, field); d > 0 {
				r.MaxBackoff = d
			}
		default:
			c.add(k.Line, field, "unknown field; retry takes attempts, backoff and max_backoff")
		}
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = max(time.Hour, r.Backoff)
	}
	if r.MaxBackoff < r.Backoff {
		c.add(v.Line, "retry.max_backoff", "%s is shorter than backoff %s", r.MaxBackoff, r.Backoff)
	}
}

// schedule validates the cron expression and the zone and parses them.
// robfig/cron panics on a CRON_TZ= prefix with nothing after it and loads
// zones itself; both are checked here first, so Parse never panics and
// every zone problem names the field it is in.
func (c *collector) schedule(d *Definition, cronNode, zoneNode *yaml.Node, line int) {
	zoneLine := line
	if zoneNode != nil {
		d.Zone, zoneLine = c.str(zoneNode, "zone"), zoneNode.Line
	}
	prefixZone := ""
	if cronNode == nil {
		c.add(line, "cron", "missing: say when the job runs, e.g. cron: \"0 2 * * *\" (02:00 every day)")
	} else {
		n := len(c.ps)
		expr := c.str(cronNode, "cron")
		for _, p := range []string{"CRON_TZ=", "TZ="} {
			if !strings.HasPrefix(expr, p) {
				continue
			}
			rest := expr[len(p):]
			i := strings.IndexAny(rest, " \t")
			if i < 0 {
				c.add(cronNode.Line, "cron", "%q has a %s prefix but no expression after it; put the zone in the zone field and the expression in cron", expr, p)
				expr = ""
				break
			}
			prefixZone, expr = rest[:i], strings.TrimSpace(rest[i:])
			if prefixZone == "" {
				c.add(cronNode.Line, "cron", "%s names no time zone; put the zone in the zone field, e.g. zone: Asia/Shanghai", p)
			}
			break
		}
		if strings.Contains(expr, "TZ=") {
			c.add(cronNode.Line, "cron", "%q: a time zone may only come first; put it in the zone field", expr)
			expr = ""
		}
		if expr == "" && len(c.ps) == n {
			c.add(cronNode.Line, "cron", "is empty: say when the job runs, e.g. \"0 2 * * *\"")
		}
		d.Cron = expr
	}
	switch {
	case prefixZone != "" && d.Zone != "" && prefixZone != d.Zone:
		c.add(zoneLine, "zone", "%q differs from CRON_TZ=%s in cron; give the zone once, in the zone field", d.Zone, prefixZone)
	case prefixZone != "":
		d.Zone, zoneLine = prefixZone, cronNode.Line
	case d.Zone == "":
		d.Zone = DefaultZone
	}
	if d.Zone == "Local" {
		c.add(zoneLine, "zone", "Local depends on the host's settings; name the zone, e.g. Asia/Shanghai")
	} else if loc, err := time.LoadLocation(d.Zone); err != nil || d.Zone == "" {
		c.add(zoneLine, "zone", "%q is not a time zone: use an IANA name such as Asia/Shanghai or UTC", d.Zone)
	} else {
		d.Location = loc
	}
	if d.Cron == "" {
		return
	}
	s, err := parseCron(d.Cron)
	if err != nil {
		c.add(cronNode.Line, "cron", "%q: %s; write minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\", or @every 10m", d.Cron, err)
		return
	}
	if d.Location == nil {
		return
	}
	if spec, ok := s.(*cron.SpecSchedule); ok {
		spec.Location = d.Location
		s = dstSafe{spec}
	}
	if s.Next(time.Now()).IsZero() {
		c.add(cronNode.Line, "cron", "%q never runs (no such date in the next five years)", d.Cron)
		return
	}
	d.schedule = s
}

// parseCron parses a standard five-field expression or a descriptor,
// turning a panic of the parser into an error.
func parseCron(expr string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cannot be read (%v)", r)
		}
	}()
	return cron.ParseStandard(expr)
}

func (c *collector) steps(v *yaml.Node, line int) []Step {
	if v == nil {
		c.add(line, "steps", "missing: list what the job runs, from %s", strings.Join(stepOrder, ", "))
		return nil
	}
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		c.add(v.Line, "steps", "must be a list of steps, e.g. [build, test]")
		return nil
	}
	var out []Step
	last := -1
	for i, item := range v.Content {
		field := fmt.Sprintf("steps[%d]", i)
		var st Step
		var opts *yaml.Node
		switch {
		case item.Kind == yaml.ScalarNode:
			st.Name = item.Value
		case item.Kind == yaml.MappingNode && len(item.Content) == 2:
			st.Name, opts = item.Content[0].Value, item.Content[1]
		default:
			c.add(item.Line, field, "a step is a name (build) or a name with options (build: {select: coverage+})")
			continue
		}
		allowed, ok := stepOptions[st.Name]
		if !ok {
			c.add(item.Line, field, "%q is not a step: the steps are %s", st.Name, strings.Join(stepOrder, ", "))
			continue
		}
		if pos := slices.Index(stepOrder, st.Name); pos <= last {
			c.add(item.Line, field, "%s comes after %s: steps run in the order %s, each at most once", st.Name, out[len(out)-1].Name, strings.Join(stepOrder, ", "))
		} else {
			last = pos
		}
		if opts != nil && !(opts.Kind == yaml.ScalarNode && opts.Tag == "!!null") {
			c.stepOptions(opts, field, allowed, &st)
		}
		out = append(out, st)
	}
	return out
}

func (c *collector) stepOptions(v *yaml.Node, field string, allowed []string, st *Step) {
	if v.Kind != yaml.MappingNode {
		c.add(v.Line, field+"."+st.Name, "options are a mapping such as {select: coverage+}, not a %s", kindName(v))
		return
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		f := field + "." + k.Value
		if !slices.Contains(allowed, k.Value) {
			if st.Name == StepBuild && k.Value == "policy" {
				// The policy is kept in the warehouse with who changed it and
				// why; a job that brought its own would be undone by the next.
				c.add(k.Line, f, "build takes no policy: every job builds with the policy kept in the warehouse; change it with shequ policy set FILE --by NAME --reason \"…\" (政策保存在仓库中)")
				continue
			}
			if len(allowed) == 0 {
				c.add(k.Line, f, "%s takes no options", st.Name)
			} else {
				c.add(k.Line, f, "unknown option of %s; it takes %s", st.Name, strings.Join(allowed, ", "))
			}
			continue
		}
		switch k.Value {
		case "select":
			st.Select = c.str(val, f)
		}
	}
}
