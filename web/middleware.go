package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"shequ/web/account"
	"shequ/web/data"
)

// CSP is the Content-Security-Policy of every response: the page may load
// script, style, images and fonts from its own origin only, connect only
// to it, submit forms only to it, and be framed by nobody. No inline
// script or style runs.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secure sets the security headers of every response and recovers a
// handler's panic.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panicked", "path", r.URL.Path, "panic", v)
				http.Error(w, "服务器内部错误", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// caller is who sent a request.
type caller struct {
	account.User
	session *session // nil for a token or no sign-in
	token   bool     // signed in with Authorization: Bearer
	addr    string
	warm    bool // the server's own warm-up (warm.go), never a request from outside
}

// Scope is the rows the caller may see: a district account's own
// district, the whole city for the other roles.
func (c *caller) Scope() data.Scope {
	if c.Role == account.District {
		return data.Scope{District: c.District}
	}
	return data.City
}

type ctxKey struct{}

func callerOf(r *http.Request) *caller {
	c, _ := r.Context().Value(ctxKey{}).(*caller)
	if c == nil {
		return &caller{}
	}
	return c
}

// isAPI tells a request for JSON.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// guard is the one authorisation middleware: it finds who calls (session
// cookie, or a Bearer token on /api/), refuses a role the route does not
// allow, checks the CSRF token and the Origin of every state-changing
// request made with a session, and sends a user with a one-time password
// to choose their own first.
func (s *Server) guard(roles []account.Role, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &caller{addr: s.clientAddr(r)}
		if wc, ok := r.Context().Value(ctxKey{}).(*caller); ok && wc.warm && r.Method == http.MethodGet {
			// The server's own warm-up: a context value only this
			// process can set; no request from outside carries one.
			c = wc
		} else if auth := r.Header.Get("Authorization"); auth != "" {
			token, ok := strings.CutPrefix(auth, "Bearer ")
			u, found := s.users.byToken(strings.TrimSpace(token))
			if !ok || !found || !isAPI(r) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="shequ"`)
				writeJSON(w, http.StatusUnauthorized, apiError{Error: "unauthorized", MessageZh: "API 令牌无效，或该地址不接受令牌（令牌只用于 /api/）"})
				return
			}
			c.User, c.token = u, true
		} else if ck, err := r.Cookie(sessionCookie); err == nil {
			if sess := s.sessions.get(ck.Value); sess != nil {
				if u, ok := s.users.get(sess.user); ok && !u.Disabled {
					c.User, c.session = u, sess
				}
			}
		}
		ctx := context.WithValue(r.Context(), ctxKey{}, c)
		r = r.WithContext(ctx)
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !c.token {
			if !s.sameOrigin(r) {
				s.forbidden(w, r, "跨站请求被拒绝")
				return
			}
		}
		if roles == nil { // public
			next(w, r)
			return
		}
		if c.Name == "" {
			s.unauthorized(w, r)
			return
		}
		if !slices.Contains(roles, c.Role) {
			s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActDenied, Target: r.Method + " " + r.URL.Path, Address: c.addr})
			s.forbidden(w, r, "您的账户没有权限访问此页面")
			return
		}
		if c.session != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !s.csrfOK(r, c.session.csrf) {
				s.forbidden(w, r, "表单已过期或缺少校验码（CSRF），请刷新页面后重试")
				return
			}
		}
		if c.session != nil && c.MustChange && r.URL.Path != "/password" && r.URL.Path != "/logout" {
			if isAPI(r) {
				writeJSON(w, http.StatusForbidden, apiError{Error: "password_change_required", MessageZh: "请先登录网页修改一次性密码"})
				return
			}
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		next(w, r)
	})
}

// csrfOK checks the request's CSRF token (the form field csrf, or the
// header X-Csrf-Token) against want, in constant time. A multipart form's
// token is read by its handler, from the field before the file.
func (s *Server) csrfOK(r *http.Request, want string) bool {
	got := r.Header.Get("X-Csrf-Token")
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		got = r.PostFormValue("csrf")
	}
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return true // checked by the upload handler, which streams the body
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin refuses a state-changing request another site's page sent:
// its Origin (or, without one, its Referer) must be this server.
func (s *Server) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		o = r.Header.Get("Referer")
	}
	if o == "" || o == "null" {
		// Scripts (curl) send neither; browsers send Origin on POST. A
		// missing Origin is let through to the CSRF check.
		return o == ""
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// clientAddr is the client's address: the connection's peer, or, behind
// a TLS proxy, the last address the proxy added to X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if a := strings.TrimSpace(parts[len(parts)-1]); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type apiError struct {
	Error     string `json:"error"`
	MessageZh string `json:"message_zh"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) || r.Method != http.MethodGet {
		if isAPI(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shequ"`)
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "unauthorized", MessageZh: "请先登录，或使用有效的 API 令牌"})
			return
		}
		s.renderError(w, r, http.StatusUnauthorized, "请先登录")
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	if isAPI(r) {
		writeJSON(w, http.StatusForbidden, apiError{Error: "forbidden", MessageZh: msg})
		return
	}
	s.renderError(w, r, http.StatusForbidden, msg)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		writeJSON(w, http.StatusNotFound, apiError{Error: "not_found", MessageZh: "没有找到"})
		return
	}
	s.renderError(w, r, http.StatusNotFound, "没有找到这个页面")
}

// fail answers an unexpected error: logged, and a plain message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "path", r.URL.Path, "err", err)
	if isAPI(r) {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: "internal", MessageZh: "服务器内部错误，请稍后重试"})
		return
	}
	s.renderError(w, r, http.StatusInternalServerError, "服务器内部错误，请稍后重试")
}
