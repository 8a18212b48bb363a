package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"

	"shequ/warehouse"
	"shequ/web/account"
)

type loginData struct {
	Name     string
	Next     string
	NoUsers  bool
	LoginTok string
}

// loginShow is the login form. Its CSRF token is a cookie of its own
// (there is no session yet) that the form repeats.
func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	if c := callerOf(r); c.Name != "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, name, msg string) {
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: s.cfg.Secure,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	s.render(w, r, status, "login", &view{Title: "登录", Error: msg,
		Data: loginData{Name: name, Next: safeNext(r.FormValue("next")), NoUsers: len(s.users.all()) == 0, LoginTok: tok}})
}

// safeNext keeps a redirect after login on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// loginCheck checks the name and password: POST /login (name, password).
// Wrong passwords are throttled per account and per address; every try
// is in the audit log.
func (s *Server) loginCheck(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.showLogin(w, r, http.StatusBadRequest, "", "表单有误，请重试")
		return
	}
	c := callerOf(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	// A browser's form repeats the login cookie's token; a script (curl,
	// the tests) posting name and password alone sends no token, and a
	// form of another site is refused by its Origin before this.
	if tok := r.PostFormValue("csrf"); tok != "" {
		if ck, err := r.Cookie(loginCookie); err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(tok)) != 1 {
			s.showLogin(w, r, http.StatusForbidden, name, "登录页面已过期，请重新输入")
			return
		}
	}
	if name == "" || password == "" || len(name) > 256 || len(password) > 1024 {
		s.showLogin(w, r, http.StatusBadRequest, name, "请输入账户名和密码")
		return
	}
	audit := account.Entry{User: name, Action: account.ActLoginFailed, Address: c.addr}
	if wait := s.throttle.wait(name, c.addr); wait > 0 {
		audit.Detail = "throttled"
		s.wr.logAudit(audit)
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		s.showLogin(w, r, http.StatusTooManyRequests, name, fmt.Sprintf("密码错误次数过多，请 %d 分钟后再试", int(wait.Minutes())+1))
		return
	}
	u, ok := s.users.get(name)
	if !ok || u.Disabled {
		account.CheckNoAccount(password)
		s.throttle.failed(name, c.addr)
		if !ok {
			audit.User, audit.Detail = "", "no account "+truncate(name, 64)
		} else {
			audit.Role, audit.District, audit.Detail = u.Role, u.District, "disabled"
		}
		s.wr.logAudit(audit)
		s.showLogin(w, r, http.StatusUnauthorized, name, "账户名或密码不正确")
		return
	}
	audit.Role, audit.District = u.Role, u.District
	if !account.CheckPassword(u.PasswordHash, password) {
		s.throttle.failed(name, c.addr)
		audit.Detail = "wrong password"
		s.wr.logAudit(audit)
		s.showLogin(w, r, http.StatusUnauthorized, name, "账户名或密码不正确")
		return
	}
	s.throttle.succeeded(name)
	audit.Action, audit.OK, audit.Detail = account.ActLogin, true, ""
	s.wr.logAudit(audit)
	v, _ := s.sessions.create(u.Name, c.addr)
	s.setSession(w, v)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
	if u.MustChange {
		http.Redirect(w, r, "/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) setSession(w http.ResponseWriter, v string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true, Secure: s.cfg.Secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionMax / time.Second)})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	if ck, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.delete(ck.Value)
	}
	s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActLogout, Address: c.addr, OK: true})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// home sends each role to its first page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	switch callerOf(r).Role {
	case account.District:
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
	case account.Analyst:
		http.Redirect(w, r, "/marts", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/board", http.StatusSeeOther)
	}
}

func (s *Server) passwordShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password", &view{Title: "修改密码"})
}

// passwordUpdate sets the caller's own password: the current one, then
// the new one twice.
func (s *Server) passwordUpdate(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	old, pw, again := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("again")
	bad := func(msg string) {
		s.render(w, r, http.StatusBadRequest, "password", &view{Title: "修改密码", Error: msg})
	}
	if !account.CheckPassword(c.PasswordHash, old) {
		s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActPassword, Detail: "wrong current password", Address: c.addr})
		bad("当前密码不正确")
		return
	}
	if pw != again {
		bad("两次输入的新密码不一致")
		return
	}
	if err := account.CheckNewPassword(pw, c.Name); err != nil {
		bad(err.Error())
		return
	}
	if pw == old {
		bad("新密码不能与当前密码相同")
		return
	}
	err := s.wr.do(r.Context(), "password", false, func(ctx context.Context, wh *warehouse.Warehouse) error {
		if _, err := (account.Store{DB: wh.DB}).SetPassword(ctx, c.Name, pw, false); err != nil {
			return err
		}
		return s.users.load(ctx, wh.DB)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.dropUser(c.Name, c.session)
	s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActPassword, Address: c.addr, OK: true})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
