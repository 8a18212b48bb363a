package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"shequ/web/account"
	"shequ/web/data"
)

//go:embed templates static
var assets embed.FS

// pages are the parsed templates: each view with the common layout.
type pages struct {
	views map[string]*template.Template
}

var funcs = template.FuncMap{
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(data.Shanghai).Format("2006-01-02 15:04:05")
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(data.Shanghai).Format("2006-01-02")
	},
	"kindZh":   data.KindZh,
	"actionZh": account.ActionZh,
	"roleZh":   func(r account.Role) string { return r.Zh() },
	"periodZh": data.PeriodZh,
	"join":     strings.Join,
	"add":      func(a, b int) int { return a + b },
	"boardAll": func(b *data.Board) boardTable { return boardTable{b, b.Rows} },
	"boardRow": func(b *data.Board, r *data.Row) boardTable { return boardTable{b, []data.Row{*r}} },
	"statusClass": func(status string) string {
		switch status {
		case "loaded":
			return "ok"
		case "duplicate":
			return "muted"
		}
		return "bad"
	},
}

// boardTable is the board's table, of every district or one.
type boardTable struct {
	Board *data.Board
	Rows  []data.Row
}

func loadPages() (*pages, error) {
	p := &pages{views: map[string]*template.Template{}}
	views, err := fs.Glob(assets, "templates/views/*.html")
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		name := strings.TrimSuffix(strings.TrimPrefix(v, "templates/views/"), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html", "templates/grid.html", v)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", v, err)
		}
		p.views[name] = t
	}
	return p, nil
}

// view is what every page gets: the page's own data in Data.
type view struct {
	Title string
	Nav   string // the menu entry to mark
	User  *caller
	CSRF  string
	// Fresh is when the figures of the page were published: 数据截至.
	Fresh    time.Time
	Updating bool // uploads are being built into the figures
	Yielded  bool // a scheduled job has the warehouse
	Flash    string
	Error    string
	Data     any
	// Charts loads the chart script (a dashboard page with a chart).
	Charts bool
}

// Can reports whether the page's user has one of the roles (for menus;
// routes.go decides access).
func (v *view) Can(roles ...string) bool {
	if v.User == nil {
		return false
	}
	for _, r := range roles {
		if string(v.User.Role) == r {
			return true
		}
	}
	return false
}

// render writes the view named name with the layout.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t := s.pages.views[name]
	if t == nil {
		s.fail(w, r, fmt.Errorf("no view %q", name))
		return
	}
	c := callerOf(r)
	if c.Name != "" {
		v.User = c
		if c.session != nil {
			v.CSRF = c.session.csrf
		}
	}
	if v.Fresh.IsZero() {
		v.Fresh = s.snap.Published()
	}
	if d, ok := v.Data.(*dash); ok {
		for _, g := range d.Grids {
			v.Charts = v.Charts || g.Chart != nil && len(g.Rows) > 0
		}
	}
	st := s.wr.state()
	v.Updating, v.Yielded = st.Updating, st.Yielded
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render", "view", name, "err", err)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", &view{Title: http.StatusText(status), Error: msg, Data: status})
}

// staticFiles serves the embedded style, script and icon, cached for a
// day.
func staticFiles(fsys fs.FS) http.Handler {
	fileServer := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
	})
}
