package web

import (
	"context"
	"errors"
	"fmt"

	"shequ/warehouse"
	"shequ/web/account"
)

// DemoAccount is an account DemoAccounts made, with its new password.
type DemoAccount struct {
	Name, Describe, Password string
}

// DemoAccounts makes the demo's accounts — planner, admin, analyst and
// one named for each district of the warehouse — or gives them new
// passwords if they exist, and returns them. For a demo warehouse only
// (the command checks).
func (s *Server) DemoAccounts(ctx context.Context) ([]DemoAccount, error) {
	var out []DemoAccount
	err := s.wr.do(ctx, "demo accounts", false, func(ctx context.Context, wh *warehouse.Warehouse) error {
		users := []account.User{{Name: "planner", Role: account.Planner}, {Name: "admin", Role: account.Admin}, {Name: "analyst", Role: account.Analyst}}
		rows, err := wh.DB.QueryContext(ctx, `SELECT DISTINCT district FROM raw.communities WHERE district IS NOT NULL
			UNION SELECT DISTINCT district FROM raw.projects WHERE district IS NOT NULL ORDER BY 1`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return err
			}
			users = append(users, account.User{Name: d, Role: account.District, District: d})
		}
		rows.Close()
		st := account.Store{DB: wh.DB}
		for _, u := range users {
			pw := account.NewPassword()
			err := st.Add(ctx, u, pw, false)
			if errors.Is(err, account.ErrExists) {
				_, err = st.SetPassword(ctx, u.Name, pw, false)
				if err == nil {
					err = st.SetDisabled(ctx, u.Name, false)
				}
			}
			if err != nil {
				return fmt.Errorf("demo account %s: %w", u.Name, err)
			}
			d := fmt.Sprintf("%s（%s）", u.Role, u.Role.Zh())
			if u.District != "" {
				d = fmt.Sprintf("%s（%s）", u.Role, u.District)
			}
			out = append(out, DemoAccount{Name: u.Name, Describe: d, Password: pw})
			s.wr.logAudit(account.Entry{User: "shequ serve --demo-accounts", Action: account.ActUserAdd, Target: u.Name, Detail: "demo", Address: "command line", OK: true})
		}
		return s.users.load(ctx, wh.DB)
	})
	return out, err
}
