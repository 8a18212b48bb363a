package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shequ/warehouse"
	"shequ/web/account"
	"shequ/web/data"
)

type usersData struct {
	Users    []account.User
	Roles    []account.Role
	Password string // a one-time password just made, shown once
	For      string
}

func (s *Server) usersShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "users", &view{Title: "账户管理", Nav: "users", Data: usersData{Users: s.users.all(), Roles: account.Roles}})
}

// userAdd creates an account with a one-time password, shown once.
func (s *Server) userAdd(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	role, err := account.ParseRole(r.PostFormValue("role"))
	u := account.User{Name: strings.TrimSpace(r.PostFormValue("name")), Role: role, District: strings.TrimSpace(r.PostFormValue("district"))}
	if err == nil {
		err = u.Validate()
	}
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "users", &view{Title: "账户管理", Nav: "users", Error: err.Error(), Data: usersData{Users: s.users.all(), Roles: account.Roles}})
		return
	}
	password := account.NewPassword()
	err = s.wr.do(r.Context(), "user add", false, func(ctx context.Context, wh *warehouse.Warehouse) error {
		if err := (account.Store{DB: wh.DB}).Add(ctx, u, password, true); err != nil {
			return err
		}
		return s.users.load(ctx, wh.DB)
	})
	if errors.Is(err, account.ErrExists) {
		s.render(w, r, http.StatusConflict, "users", &view{Title: "账户管理", Nav: "users", Error: "已有同名账户：" + u.Name, Data: usersData{Users: s.users.all(), Roles: account.Roles}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, Action: account.ActUserAdd, Target: u.Name, Detail: string(u.Role) + " " + u.District, Address: c.addr, OK: true})
	s.render(w, r, http.StatusOK, "users", &view{Title: "账户管理", Nav: "users", Flash: "账户已创建", Data: usersData{Users: s.users.all(), Roles: account.Roles, Password: password, For: u.Name}})
}

// userChange disables, enables or resets the password of an account.
func (s *Server) userChange(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	name, action := r.PathValue("name"), r.PathValue("action")
	if _, ok := s.users.get(name); !ok {
		s.notFound(w, r)
		return
	}
	if name == c.Name && action == "disable" {
		s.renderError(w, r, http.StatusBadRequest, "不能停用自己的账户")
		return
	}
	var password, act string
	err := s.wr.do(r.Context(), "user "+action, false, func(ctx context.Context, wh *warehouse.Warehouse) error {
		st := account.Store{DB: wh.DB}
		var err error
		switch action {
		case "disable":
			act, err = account.ActUserDisable, st.SetDisabled(ctx, name, true)
		case "enable":
			act, err = account.ActUserEnable, st.SetDisabled(ctx, name, false)
		case "reset":
			password = account.NewPassword()
			act = account.ActUserReset
			_, err = st.SetPassword(ctx, name, password, true)
		default:
			return errUnknownAction
		}
		if err != nil {
			return err
		}
		return s.users.load(ctx, wh.DB)
	})
	if errors.Is(err, errUnknownAction) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if action != "enable" {
		s.sessions.dropUser(name, nil)
	}
	s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, Action: act, Target: name, Address: c.addr, OK: true})
	s.render(w, r, http.StatusOK, "users", &view{Title: "账户管理", Nav: "users", Flash: "已完成：" + account.ActionZh(act) + " " + name,
		Data: usersData{Users: s.users.all(), Roles: account.Roles, Password: password, For: name}})
}

var errUnknownAction = errors.New("unknown action")

// daysIn is the most days month m has (29 for February).
func daysIn(m int) int {
	return time.Date(2000, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type settingsData struct {
	Deadlines []data.Deadline
}

// settingsShow shows the deadlines of the board.
func (s *Server) settingsShow(w http.ResponseWriter, r *http.Request) {
	var dls []data.Deadline
	err := s.wr.do(r.Context(), "read settings", false, func(ctx context.Context, wh *warehouse.Warehouse) error {
		var err error
		dls, err = data.ReadDeadlines(ctx, wh.DB)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "settings", &view{Title: "报送截止日期", Nav: "settings", Data: settingsData{dls}})
}

// settingsUpdate sets the deadlines: fields due_KIND_PERIOD as
// offset-month-day (0-04-15 is April 15 of the data's year, 1-01-15 is
// January 15 of the year after).
func (s *Server) settingsUpdate(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	var changed []string
	var bad string
	err := s.wr.submit(r.Context(), &task{name: "settings", publish: true, fn: func(ctx context.Context, wh *warehouse.Warehouse) error {
		dls, err := data.ReadDeadlines(ctx, wh.DB)
		if err != nil {
			return err
		}
		for _, d := range dls {
			v := strings.TrimSpace(r.PostFormValue("due_" + d.Kind + "_" + d.Period))
			if v == "" {
				continue
			}
			var off, m, day int
			if n, err := fmt.Sscanf(v, "%d-%d-%d", &off, &m, &day); n != 3 || err != nil || off < 0 || off > 100 || m < 1 || m > 12 || day < 1 || day > daysIn(m) {
				bad = fmt.Sprintf("%s %s：“%s”应写作 年偏移-月-日，如 0-04-15", data.KindZh(d.Kind), d.Period, v)
				return nil
			}
			if off == d.YearOffset && m == d.Month && day == d.Day {
				continue
			}
			if _, err := wh.DB.ExecContext(ctx, `UPDATE web.deadlines SET year_offset = ?, month = ?, day = ?, updated_at = now()::TIMESTAMP, updated_by = ?
				WHERE kind = ? AND period = ?`, off, m, day, c.Name, d.Kind, d.Period); err != nil {
				return err
			}
			changed = append(changed, fmt.Sprintf("%s %s: %d-%02d-%02d → %d-%02d-%02d", d.Kind, d.Period, d.YearOffset, d.Month, d.Day, off, m, day))
		}
		return nil
	}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if bad != "" {
		s.renderError(w, r, http.StatusBadRequest, bad)
		return
	}
	if len(changed) > 0 {
		s.wr.logAudit(account.Entry{User: c.Name, Role: c.Role, Action: account.ActSettings, Target: "报送截止日期", Detail: strings.Join(changed, "; "), Address: c.addr, OK: true})
	}
	http.Redirect(w, r, "/admin/settings?saved="+strconv.Itoa(len(changed)), http.StatusSeeOther)
}

type auditData struct {
	Entries []account.Entry
}

// auditShow shows the newest entries of the audit log.
func (s *Server) auditShow(w http.ResponseWriter, r *http.Request) {
	var entries []account.Entry
	err := s.wr.do(r.Context(), "read audit", false, func(ctx context.Context, wh *warehouse.Warehouse) error {
		entries = s.wr.pendingAudit() // only the writer writes them: none is written meanwhile
		es, err := account.ReadAudit(ctx, wh.DB, 500)
		entries = append(entries, es...)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audit", &view{Title: "审计日志", Nav: "audit", Data: auditData{entries}})
}
