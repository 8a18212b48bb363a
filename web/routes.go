package web

import (
	"io/fs"
	"net/http"

	"shequ/web/account"
)

// Who may use a route. The list below is the one place that says it:
// every route not public needs a signed-in account of one of the roles.
var (
	public     []account.Role                                                                      // anyone, signed in or not
	everyone   = []account.Role{account.Planner, account.District, account.Analyst, account.Admin} // any account
	submitters = []account.Role{account.Planner, account.District, account.Admin}                  // send files, read receipts (personal data)
	city       = []account.Role{account.Planner, account.Admin}                                    // the submission board
	cityWide   = []account.Role{account.Planner, account.Admin, account.Analyst}                   // what is no district's: the providers
	admins     = []account.Role{account.Admin}
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, roles []account.Role, h http.HandlerFunc) {
		mux.Handle(pattern, s.guard(roles, h))
	}
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(static)))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	if s.cfg.Machine != nil {
		mux.Handle("GET /healthz", s.cfg.Machine)
		mux.Handle("GET /runs", s.cfg.Machine)
	}

	handle("GET /login", public, s.loginShow)
	handle("POST /login", public, s.loginCheck)
	handle("POST /logout", everyone, s.logout)
	handle("GET /password", everyone, s.passwordShow)
	handle("POST /password", everyone, s.passwordUpdate)
	handle("GET /{$}", everyone, s.home)
	handle("GET /template.xlsx", everyone, s.templateDownload)

	handle("GET /portal", submitters, s.portalShow)
	handle("POST /upload", submitters, s.uploadForm)
	handle("POST /api/submissions", submitters, s.uploadAPI)
	handle("GET /api/submissions", submitters, s.submissionsAPI)
	handle("GET /submissions", submitters, s.historyShow)
	handle("GET /submissions/{id}", submitters, s.submissionShow)
	handle("GET /api/submissions/{id}", submitters, s.submissionAPI)
	handle("GET /submissions/{id}/receipt.xlsx", submitters, s.receiptDownload)

	handle("GET /board", city, s.boardShow)
	handle("GET /board/reminder", city, s.reminderDownload)

	// The dashboard: each page and its workbook (the same URL with .xlsx).
	dashboard := func(path string, roles []account.Role, view, nav string, build dashPage, extra ...string) {
		h := s.dashboard(view, nav, build, extra...)
		handle("GET "+path, roles, h)
		handle("GET "+path+".xlsx", roles, h)
	}
	dashboard("/overview", everyone, "dash", "overview", s.overviewPage)
	dashboard("/drill", everyone, "dash", "drill", s.drillPage, "street", "community")
	dashboard("/project", everyone, "dash", "drill", s.projectPage, "code")
	dashboard("/allocation", everyone, "allocation", "allocation", s.allocationPage, "budget", "rate")
	dashboard("/providers", cityWide, "dash", "providers", s.providersPage)
	dashboard("/scorecard", everyone, "dash", "scorecard", s.scorecardPage)

	// Analysts' SQL and the saved queries, in the caller's scope.
	handle("GET /sql", everyone, s.sqlShow)
	handle("GET /queries/{name}", everyone, s.queryShow)
	handle("GET /queries", everyone, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/sql#saved", http.StatusSeeOther) })
	for _, f := range []string{"csv", "xlsx", "parquet"} {
		handle("GET /sql/result."+f, everyone, s.sqlDownload)
		handle("GET /queries/{name}/result."+f, everyone, s.queryDownload)
	}

	handle("GET /marts", everyone, s.martsShow)
	handle("GET /marts/{name}", everyone, s.martShow)
	handle("GET /api/marts/{name}", everyone, s.martAPI)

	handle("GET /admin/users", admins, s.usersShow)
	handle("POST /admin/users", admins, s.userAdd)
	handle("POST /admin/users/{name}/{action}", admins, s.userChange)
	handle("GET /admin/settings", admins, s.settingsShow)
	handle("POST /admin/settings", admins, s.settingsUpdate)
	handle("GET /admin/audit", admins, s.auditShow)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.notFound(w, r)
	})
	return s.secure(mux)
}
