package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"shequ/web/account"
	"shequ/web/data"
)

// dash is a dashboard page: its state, what it says about itself and its
// grids. The page and its workbook (the same URL with .xlsx) are made
// from it.
type dash struct {
	St    *state
	Title string
	// Heading is the page's h1; Facts are name, value pairs shown above
	// the grids (and on the workbook's first sheet).
	Heading string
	Facts   [][2]string
	// Crumbs lead back up a drill-down: name, link.
	Crumbs [][2]string
	Grids  []*Grid
	// Extra is what the page's own template needs besides.
	Extra any
	// NoVersion hides the version picker (pages of current rows only).
	NoVersion bool
}

// Grid returns the grid with id, or nil.
func (d *dash) Grid(id string) *Grid {
	for _, g := range d.Grids {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// dashPage is what builds a dashboard page from a read of the snapshot.
type dashPage func(r *http.Request, rd *data.Read, st *state) (*dash, error)

// extraParams are the parameters a page takes besides year, version and
// district.
func (s *Server) dashboard(name, nav string, build dashPage, extra ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := callerOf(r)
		rd, done, err := s.snap.Open(r.Context(), c.Scope())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		defer done()
		st, err := s.readState(r, rd, extra...)
		if s.dashError(w, r, err) {
			return
		}
		d, err := build(r, rd, st)
		if s.dashError(w, r, err) {
			return
		}
		d.St = st
		if strings.HasSuffix(r.URL.Path, ".xlsx") {
			s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDownload, Address: c.addr, OK: true,
				Target: d.Title + " 导出", Detail: st.URL()})
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			w.Header().Set("Content-Disposition", attachment(d.Title+".xlsx"))
			w.Header().Set("Cache-Control", "no-store")
			if err := writeWorkbook(w, d, rd.Published); err != nil {
				s.log.Error("export", "page", st.URL(), "err", err)
			}
			return
		}
		s.render(w, r, http.StatusOK, name, &view{Title: d.Title, Nav: nav, Fresh: rd.Published, Data: d})
	}
}

// errBadParam is a page's own parameter that is wrong, said in Chinese.
type errBadParam struct{ msg string }

func (e *errBadParam) Error() string { return e.msg }

func badParam(format string, a ...any) error { return &errBadParam{fmt.Sprintf(format, a...)} }

func (s *Server) dashError(w http.ResponseWriter, r *http.Request, err error) bool {
	var bp *errBadParam
	switch {
	case err == nil:
		return false
	case errors.Is(err, errBadYear):
		s.renderError(w, r, http.StatusBadRequest, "年度应为四位数字，例如 2014")
	case errors.Is(err, errBadState):
		s.renderError(w, r, http.StatusBadRequest, "链接中的参数有误（版本应为空、working 或版本号）")
	case errors.As(err, &bp):
		s.renderError(w, r, http.StatusBadRequest, bp.msg)
	case errors.Is(err, data.ErrNotFound):
		s.notFound(w, r)
	default:
		s.martError(w, r, err)
	}
	return true
}
