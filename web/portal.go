package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"shequ/etl/dict"
	"shequ/etl/receipt"
	"shequ/etl/template"
	"shequ/web/account"
	"shequ/web/data"
)

type portalData struct {
	Recent   []data.Submission
	Board    *data.Board
	Row      *data.Row
	MaxMB    int64
	District string
}

// portalShow is the district's page: the upload, the latest receipts and
// the district's own progress on the board.
func (s *Server) portalShow(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	rd, done, err := s.snap.Open(r.Context(), c.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	recent, err := rd.Submissions(r.Context(), 10)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pd := portalData{Recent: recent, MaxMB: s.cfg.Limits.UploadBytes >> 20, District: c.District}
	if c.Role == account.District {
		b, err := rd.Board(r.Context(), s.boardYear(r, rd), s.now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		pd.Board = b
		for i := range b.Rows {
			if b.Rows[i].District == c.District {
				pd.Row = &b.Rows[i]
			}
		}
	}
	s.render(w, r, http.StatusOK, "portal", &view{Title: "数据报送", Nav: "portal", Fresh: rd.Published, Data: pd})
}

type historyData struct {
	Submissions []data.Submission
	Waiting     []data.Orphan
}

// historyShow lists the submissions the caller sees with their outcomes,
// and the rows waiting for their project or community.
func (s *Server) historyShow(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	rd, done, err := s.snap.Open(r.Context(), c.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	subs, err := rd.Submissions(r.Context(), 1000)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	waiting, err := rd.Waiting(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "history", &view{Title: "报送记录", Nav: "history", Fresh: rd.Published, Data: historyData{subs, waiting}})
}

// submissionsAPI is the history as JSON.
func (s *Server) submissionsAPI(w http.ResponseWriter, r *http.Request) {
	rd, done, err := s.snap.Open(r.Context(), callerOf(r).Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	// The same for everyone in the scope until the next snapshot: made once.
	body, err := rd.Memo(r.Context(), rd.MemoKey("api", "submissions"), func() ([]byte, error) {
		subs, err := rd.Submissions(r.Context(), 1000)
		if err != nil {
			return nil, err
		}
		if subs == nil {
			subs = []data.Submission{}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(true)
		err = enc.Encode(map[string]any{"as_of": rd.Published.Format(time.RFC3339), "submissions": subs})
		return buf.Bytes(), err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

type submissionData struct {
	Sub      data.Submission
	Problems []data.Problem
	Waiting  []data.Orphan
	Receipt  bool
}

// openSubmission reads submission id in the caller's scope. A submission
// uploaded a moment ago may not be in the snapshot yet: it waits for the
// rebuild that is under way (a few seconds at most).
func (s *Server) openSubmission(r *http.Request) (*data.Read, func(), *submissionData, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, nil, data.ErrNotFound
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		signal := s.wr.publishedSignal()
		rd, done, err := s.snap.Open(r.Context(), callerOf(r).Scope())
		if err != nil {
			return nil, nil, nil, err
		}
		sub, err := rd.Submission(r.Context(), id)
		if errors.Is(err, data.ErrNotFound) && s.wr.state().Updating && time.Now().Before(deadline) {
			done()
			select {
			case <-signal:
				continue
			case <-r.Context().Done():
				return nil, nil, nil, r.Context().Err()
			case <-time.After(time.Until(deadline)):
				continue
			}
		}
		if err != nil {
			done()
			return nil, nil, nil, err
		}
		sd := &submissionData{Sub: sub}
		if sd.Problems, err = rd.Problems(r.Context(), id); err != nil {
			done()
			return nil, nil, nil, err
		}
		all, err := rd.Waiting(r.Context())
		if err != nil {
			done()
			return nil, nil, nil, err
		}
		for _, o := range all {
			if o.Submission == id {
				sd.Waiting = append(sd.Waiting, o)
			}
		}
		sd.Receipt = s.receiptPath(callerOf(r), id) != ""
		return rd, done, sd, nil
	}
}

// submissionShow is the receipt page of a submission.
func (s *Server) submissionShow(w http.ResponseWriter, r *http.Request) {
	rd, done, sd, err := s.openSubmission(r)
	if errors.Is(err, data.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	s.render(w, r, http.StatusOK, "submission", &view{Title: fmt.Sprintf("第 %d 号报送回执", sd.Sub.ID), Nav: "history", Fresh: rd.Published, Data: sd})
}

// submissionAPI is the receipt of a submission as JSON.
func (s *Server) submissionAPI(w http.ResponseWriter, r *http.Request) {
	_, done, sd, err := s.openSubmission(r)
	if errors.Is(err, data.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	rc := Receipt{SubmissionID: sd.Sub.ID, Status: sd.Sub.Status, StatusZh: sd.Sub.StatusZh(), RowsRead: sd.Sub.Read, RowsLoaded: sd.Sub.Loaded,
		RowsRejected: sd.Sub.Rejected, RowsWarned: sd.Sub.Warned, RowsWaiting: sd.Sub.Waiting, File: sd.Sub.Name(), District: sd.Sub.District,
		Kinds: sd.Sub.Kinds, SHA256: sd.Sub.SHA256, ReasonZh: sd.Sub.ReasonZh, DuplicateOf: sd.Sub.DuplicateOf,
		PageURL: fmt.Sprintf("/submissions/%d", sd.Sub.ID), Problems: []ReceiptProblem{}}
	if rc.Kinds == nil {
		rc.Kinds = []string{}
	}
	if sd.Receipt {
		rc.ReceiptURL = rc.PageURL + "/receipt.xlsx"
	}
	for _, p := range sd.Problems {
		rc.Problems = append(rc.Problems, ReceiptProblem{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Header: p.Header, Letter: p.Letter,
			Value: p.Value, Severity: p.Severity, Code: p.Code, MessageZh: p.MessageZh})
	}
	writeJSON(w, http.StatusOK, rc)
}

// receiptPath finds the receipt workbook of a submission for the caller:
// ingest writes it under the receipts folder, in the folder of the
// district its rows are of (which a later release may change), named from
// its number. A file of several districts has a receipt in each district's
// folder holding that district's rows only: a district account gets its
// own district's, never another's; a city account the newest.
func (s *Server) receiptPath(c *caller, id int64) string {
	dir := s.p.Config().Receipts
	pattern := filepath.Join(dir, "*", fmt.Sprintf("%d_*_回执.xlsx", id))
	if c != nil && c.Role == account.District {
		own := filepath.Dir(receipt.Path(dir, receipt.Info{District: c.District, Submission: id, File: "x"}))
		pattern = filepath.Join(own, fmt.Sprintf("%d_*_回执.xlsx", id))
	}
	matches, _ := filepath.Glob(pattern)
	if len(matches) == 0 {
		return ""
	}
	best := matches[0]
	var at time.Time
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.ModTime().After(at) {
			best, at = m, st.ModTime()
		}
	}
	return best
}

// receiptDownload sends the receipt workbook: the 回执 sheet and the
// district's own data with every offending cell marked. It holds personal
// data: only a caller who sees the submission gets it, and every download
// is in the audit log.
func (s *Server) receiptDownload(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	_, done, sd, err := s.openSubmission(r)
	if errors.Is(err, data.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	done()
	p := s.receiptPath(c, sd.Sub.ID)
	if p == "" {
		s.notFound(w, r)
		return
	}
	f, err := os.Open(p)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	st, _ := f.Stat()
	name := strings.TrimSuffix(sd.Sub.Name(), filepath.Ext(sd.Sub.Name())) + "_回执.xlsx"
	s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDownload, Address: c.addr, OK: true,
		Target: fmt.Sprintf("第 %d 号报送的回执", sd.Sub.ID), Detail: sd.Sub.Name()})
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment(name))
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", st.ModTime(), f)
}

// attachment is a Content-Disposition that saves a file under name (UTF-8
// names as RFC 6266 says, with an ASCII fallback).
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	var enc strings.Builder
	for _, c := range []byte(name) { // RFC 5987: attr-chars as they are, every other byte %XX
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, enc.String())
}

// templateDownload sends the blank submission workbook.
func (s *Server) templateDownload(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment("社区服务数据报送模板.xlsx"))
	if err := template.Write(w, dict.Kinds); err != nil {
		s.log.Error("write the template", "err", err)
		return
	}
	s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDownload, Address: c.addr, OK: true, Target: "报送模板"})
}

// boardYear is the year of ?year=, else the latest year with rows, else
// this year.
func (s *Server) boardYear(r *http.Request, rd *data.Read) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	if y, err := rd.LatestYear(r.Context()); err == nil && y != 0 {
		return y
	}
	return s.now().In(data.Shanghai).Year()
}
