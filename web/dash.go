package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
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

// dashboard serves a dashboard page built by build, and its workbook
// (the same path with .xlsx); extra are the parameters the page takes
// besides year, version and district.
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
		// A page depends on the snapshot, the scope and its state
		// alone: it is made once per snapshot (web/data.Read.Memo).
		xlsx := strings.HasSuffix(r.URL.Path, ".xlsx")
		made, err := rd.Memo(r.Context(), rd.MemoKey(name, strconv.FormatBool(xlsx), st.URL()), func() ([]byte, error) {
			d, err := build(r, rd, st)
			if err != nil {
				return nil, err
			}
			d.St = st
			var buf bytes.Buffer
			charts := "0"
			if xlsx {
				err = writeWorkbook(&buf, d, rd.Published)
			} else {
				charts, err = s.renderContent(&buf, name, d)
			}
			if err != nil {
				return nil, err
			}
			return []byte(d.Title + "\x00" + charts + "\x00" + buf.String()), nil
		})
		if s.dashError(w, r, err) {
			return
		}
		title, rest, _ := strings.Cut(string(made), "\x00")
		charts, body, _ := strings.Cut(rest, "\x00")
		if xlsx {
			s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDownload, Address: c.addr, OK: true,
				Target: title + " 导出", Detail: st.URL()})
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			w.Header().Set("Content-Disposition", attachment(title+".xlsx"))
			w.Header().Set("Cache-Control", "no-store")
			io.WriteString(w, body)
			return
		}
		s.render(w, r, http.StatusOK, "made", &view{Title: title, Nav: nav, Fresh: rd.Published, Charts: charts == "1", Data: template.HTML(body)})
	}
}

// renderContent renders a dashboard page's content (its view's
// "content", without the layout, which holds the caller's name and
// CSRF token), and whether it has a chart.
func (s *Server) renderContent(w io.Writer, name string, d *dash) (string, error) {
	t := s.pages.views[name]
	if t == nil {
		return "", fmt.Errorf("no view %q", name)
	}
	charts := "0"
	for _, g := range d.Grids {
		if g.Chart != nil && len(g.Rows) > 0 {
			charts = "1"
		}
	}
	return charts, t.ExecuteTemplate(w, "content", &view{Title: d.Title, Data: d})
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
