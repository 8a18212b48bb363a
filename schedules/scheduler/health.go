package scheduler

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"shequ/warehouse"
)

// RunView is a row of ops.runs as /runs and /healthz show it.
type RunView struct {
	ID           int64      `json:"run_id"`
	Parent       int64      `json:"parent_run_id,omitempty"`
	Job          string     `json:"job"`
	Step         string     `json:"step,omitempty"`
	Trigger      string     `json:"trigger"`
	Started      time.Time  `json:"started"`
	Ended        *time.Time `json:"ended,omitempty"`
	Status       string     `json:"status"`
	Files        int        `json:"files"`
	RowsLoaded   int64      `json:"rows_loaded"`
	RowsRejected int64      `json:"rows_rejected"`
	ModelsBuilt  int        `json:"models_built"`
	TestsFailed  int        `json:"tests_failed"`
	Error        string     `json:"error,omitempty"`
	// Pending marks a record the scheduler has not yet written to
	// ops.runs (the warehouse was busy); it has no run_id yet.
	Pending bool `json:"pending,omitempty"`
}

func view(r *warehouse.Run) *RunView {
	if r == nil {
		return nil
	}
	v := &RunView{ID: r.ID, Parent: r.Parent, Job: r.Job, Step: r.Step, Trigger: r.Trigger, Started: r.Started, Status: r.Status,
		Files: r.Files, RowsLoaded: r.RowsLoaded, RowsRejected: r.RowsRejected, ModelsBuilt: r.ModelsBuilt, TestsFailed: r.TestsFailed,
		Error: r.Error, Pending: r.ID == 0}
	if !r.Ended.IsZero() && r.Status != warehouse.RunRunning {
		e := r.Ended
		v.Ended = &e
	}
	return v
}

// JobHealth is what /healthz says of one job.
type JobHealth struct {
	Name         string     `json:"name"`
	Description  string     `json:"description,omitempty"`
	Cron         string     `json:"cron"`
	Zone         string     `json:"zone"`
	Steps        []string   `json:"steps"`
	Next         *time.Time `json:"next,omitempty"`
	Running      bool       `json:"running"`
	RunningSince *time.Time `json:"running_since,omitempty"`
	// Last is the newest run of the job, skips included; LastOK the newest
	// that succeeded.
	Last   *RunView `json:"last,omitempty"`
	LastOK *RunView `json:"last_ok,omitempty"`
	// Failed says the newest run that was not skipped failed or was
	// interrupted.
	Failed bool `json:"failed"`
}

// Health is the body of /healthz. Status is "ok", "failing" (a job's last
// run failed: see jobs[].failed) or "stopping". The daemon answers 200 as
// long as it runs.
type Health struct {
	Status    string      `json:"status"`
	Started   time.Time   `json:"started"`
	Warehouse string      `json:"warehouse"`
	Jobs      []JobHealth `json:"jobs"`
}

// othersEvery is how often /healthz and /runs read the warehouse again for
// the runs other processes made (a `serve --once` from cron, a manual run).
const othersEvery = 5 * time.Second

// readOthers reads the newest runs from the warehouse (the live file when
// no job writes it, else the published snapshot), at most every
// othersEvery, so that /healthz and /runs show the runs other processes
// made. A warehouse that cannot be read leaves the view as it was.
func (s *Scheduler) readOthers(ctx context.Context) {
	s.recMu.Lock()
	due := time.Since(s.othersRead) >= othersEvery
	if due {
		s.othersRead = time.Now()
	}
	s.recMu.Unlock()
	if !due || !s.tryWriter() {
		return // a job of this daemon is writing: its own runs are known
	}
	defer s.releaseWriter()
	w, _, err := warehouse.OpenLatest(ctx, s.opt.Warehouse)
	if err != nil {
		return
	}
	defer w.Close()
	if err := s.refresh(ctx, w, true); err != nil {
		s.log.Debug("runs of other processes not read", keyErr, err)
	}
}

// Health reports the daemon's state and each job's last runs.
func (s *Scheduler) Health() Health {
	h := Health{Status: "ok", Started: s.started, Warehouse: s.opt.Warehouse}
	now := time.Now()
	s.mu.Lock()
	running := map[string]time.Time{}
	for name, r := range s.running {
		running[name] = r.Started
	}
	s.mu.Unlock()
	s.recMu.Lock()
	defer s.recMu.Unlock()
	for _, d := range s.defs {
		st := s.state[d.Name]
		j := JobHealth{Name: d.Name, Description: d.Description, Cron: d.Cron, Zone: d.Zone, Steps: d.StepNames(),
			Last: view(st.last), LastOK: view(st.lastOK)}
		if next := d.Schedule().Next(now); !next.IsZero() && s.cron != nil {
			next = next.In(d.Location)
			j.Next = &next
		}
		if since, ok := running[d.Name]; ok {
			j.Running, j.RunningSince = true, &since
		}
		if st.done != nil && (st.done.Status == warehouse.RunFailed || st.done.Status == warehouse.RunInterrupted) {
			j.Failed = true
			h.Status = "failing"
		}
		h.Jobs = append(h.Jobs, j)
	}
	if s.isStopping() {
		h.Status = "stopping"
	}
	return h
}

// Runs lists the newest runs, the records not yet written first: of one
// job when job is set, only failed and interrupted ones when failed is.
func (s *Scheduler) Runs(job string, failed bool, limit int) []RunView {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	out := []RunView{}
	add := func(r *warehouse.Run) {
		if len(out) >= limit || (job != "" && r.Job != job) ||
			(failed && r.Status != warehouse.RunFailed && r.Status != warehouse.RunInterrupted) {
			return
		}
		out = append(out, *view(r))
	}
	for i := len(s.pending) - 1; i >= 0; i-- {
		add(&s.pending[i])
	}
	for i := range s.history {
		add(&s.history[i])
	}
	return out
}

// Handler serves GET /healthz and GET /runs[?job=J][&failed=1][&limit=N].
func (s *Scheduler) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		s.readOthers(r.Context())
		writeJSON(w, s.Health())
	})
	mux.HandleFunc("GET /runs", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit := 50
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				http.Error(w, "limit must be a positive number", http.StatusBadRequest)
				return
			}
			limit = n
		}
		failed, _ := strconv.ParseBool(q.Get("failed"))
		writeJSON(w, s.Runs(q.Get("job"), failed, limit))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
