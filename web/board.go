package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"shequ/web/account"
	"shequ/web/data"
)

type boardData struct {
	Board *data.Board
	// Reminders: some district is late or has problems to correct. Each
	// one's reminder is read when opened (GET /board/reminder?view=1).
	Reminders bool
}

// boardShow is the submission board (报送进度): district × kind × period,
// what is in, what is missing and late, what has problems, with each
// late or failing district's reminder ready to send.
func (s *Server) boardShow(w http.ResponseWriter, r *http.Request) {
	rd, done, err := s.snap.Open(r.Context(), callerOf(r).Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	year := s.boardYear(r, rd)
	// The board of a snapshot is the same all day: made once.
	now := s.now()
	var title string
	body, err := rd.Memo(r.Context(), rd.MemoKey("board", fmt.Sprint(year), now.In(data.Shanghai).Format(time.DateOnly)), func() ([]byte, error) {
		b, err := rd.Board(r.Context(), year, now)
		if err != nil {
			return nil, err
		}
		bd := boardData{Board: b}
		for _, row := range b.Rows {
			bd.Reminders = bd.Reminders || row.NeedsReminder()
		}
		var buf bytes.Buffer
		err = s.pages.views["board"].ExecuteTemplate(&buf, "content", &view{Data: bd})
		return buf.Bytes(), err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title = fmt.Sprintf("%d 年报送进度", year)
	s.render(w, r, http.StatusOK, "made", &view{Title: title, Nav: "board", Fresh: rd.Published, Data: template.HTML(body)})
}

// reminderDownload sends one district's reminder as a text file, or,
// with view=1, as the text the board shows when it is opened.
func (s *Server) reminderDownload(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	rd, done, err := s.snap.Open(r.Context(), c.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	b, err := rd.Board(r.Context(), s.boardYear(r, rd), s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := r.URL.Query().Get("district")
	for _, row := range b.Rows {
		if row.District == d {
			if row, err = rd.WithProblems(r.Context(), row); err != nil {
				s.fail(w, r, err)
				return
			}
			if r.URL.Query().Get("view") == "1" {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Header().Set("Cache-Control", "no-store")
				fmt.Fprint(w, b.Reminder(row, s.p.Config().City))
				return
			}
			s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDownload, Address: c.addr, OK: true,
				Target: fmt.Sprintf("%s %d 年催报通知", d, b.Year)})
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Content-Disposition", attachment(fmt.Sprintf("%s_%d年催报通知.txt", d, b.Year)))
			fmt.Fprint(w, b.Reminder(row, s.p.Config().City))
			return
		}
	}
	s.notFound(w, r)
}
