package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"

	"shequ/warehouse"
	"shequ/web/account"
)

func init() {
	register(&command{
		name:    "users",
		summary: "the web application's accounts: add, list, disable, enable, reset, token",
		usage: `Usage: shequ users add NAME --role planner|district|analyst|admin [--district D] [--password-stdin]
       shequ users list
       shequ users disable NAME
       shequ users enable NAME
       shequ users reset NAME [--password-stdin]
       shequ users token NAME

The accounts of the web application (shequ serve), kept in the warehouse
(web.users): passwords only as argon2id hashes, tokens only as SHA-256.

  add       a new account. planner: the city's planners (every district,
            the submission board); district: a district bureau's clerk, who
            submits and sees only for --district (the district's name as the
            submissions write it, e.g. 临江区); analyst: reads the marts of
            the whole city; admin: a planner who also manages accounts and
            deadlines and reads the audit log. Prints a one-time password
            (the user chooses their own at the first login), or reads the
            password from standard input with --password-stdin.
  list      every account: name, role, district, state
  disable   the account can no longer log in; its API tokens are revoked
  enable    the account can log in again
  reset     a new one-time password (or --password-stdin)
  token     a new API token for scripts (Authorization: Bearer TOKEN),
            printed once: it is kept only as its SHA-256

While shequ serve runs it is the warehouse's writer: add and change
accounts on its 账户 page (admins), or stop it first.

Examples:
  shequ users add 王芳 --role planner
  shequ users add linjiang --role district --district 临江区
  echo "$PASSWORD" | shequ users add ops --role admin --password-stdin
  shequ users token analyst1`,
		run: runUsers,
	})
}

func runUsers(ctx context.Context, e *env, args []string) error {
	var role, district string
	var stdinPassword bool
	sub, pos, err := e.parseSub(lookup("users"), args, []string{"add", "list", "disable", "enable", "reset", "token"}, func(sub string, f *flag.FlagSet) {
		switch sub {
		case "add":
			f.StringVar(&role, "role", "", "planner, district, analyst or admin")
			f.StringVar(&district, "district", "", "the `district` of a district account, as the submissions write it")
			f.BoolVar(&stdinPassword, "password-stdin", false, "read the password from standard input instead of generating one")
		case "reset":
			f.BoolVar(&stdinPassword, "password-stdin", false, "read the password from standard input instead of generating one")
		}
	})
	if err != nil {
		return err
	}
	one := func() (string, error) {
		if len(pos) != 1 {
			return "", usagef("users %s takes one account NAME", sub)
		}
		return pos[0], nil
	}
	switch sub {
	case "list":
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
		}
		return e.usersList(ctx)
	case "add", "disable", "enable", "reset", "token":
	default:
		return usagef("unknown users command %q: add, list, disable, enable, reset or token", sub)
	}
	name, err := one()
	if err != nil {
		return err
	}
	if err := account.CheckName(name); err != nil {
		return usageErr(err)
	}
	w, err := warehouse.Open(ctx, e.cfg.Warehouse, warehouse.Options{Command: "shequ users " + sub})
	if err != nil {
		return err
	}
	defer w.Close()
	st := account.Store{DB: w.DB}
	audit := func(action, detail string) error {
		return account.WriteAudit(ctx, w.DB, []account.Entry{{At: time.Now(), User: cliUser(), Action: action, Target: name, Detail: detail, Address: "shequ users (command line)", OK: true}})
	}
	switch sub {
	case "add":
		r, err := account.ParseRole(role)
		if err != nil {
			return usagef("--role: %v", err)
		}
		u := account.User{Name: name, Role: r, District: strings.TrimSpace(district)}
		if err := u.Validate(); err != nil {
			return usageErr(err)
		}
		password, generated, err := e.newPassword(stdinPassword, name)
		if err != nil {
			return err
		}
		if err := st.Add(ctx, u, password, generated); err != nil {
			return err
		}
		if err := audit(account.ActUserAdd, describe(u)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "✓ account %s added: %s\n", name, describe(u))
		if generated {
			fmt.Fprintf(e.stdout, "  one-time password (shown once; a new one is chosen at the first login) 一次性密码: %s\n", password)
		}
	case "reset":
		password, generated, err := e.newPassword(stdinPassword, name)
		if err != nil {
			return err
		}
		if _, err := st.SetPassword(ctx, name, password, generated); err != nil {
			return err
		}
		if err := audit(account.ActUserReset, ""); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "✓ password of %s reset\n", name)
		if generated {
			fmt.Fprintf(e.stdout, "  one-time password (shown once) 一次性密码: %s\n", password)
		}
	case "disable", "enable":
		if err := st.SetDisabled(ctx, name, sub == "disable"); err != nil {
			return err
		}
		action := account.ActUserEnable
		if sub == "disable" {
			action = account.ActUserDisable
		}
		if err := audit(action, ""); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "✓ account %s %sd\n", name, sub)
	case "token":
		token, err := st.NewToken(ctx, name)
		if err != nil {
			return err
		}
		if err := audit(account.ActToken, ""); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "API token of %s (shown once; send it as Authorization: Bearer TOKEN):\n", name)
		fmt.Fprintln(e.stdout, token)
	}
	return nil
}

// newPassword reads the password from standard input, or generates a
// one-time password.
func (e *env) newPassword(fromStdin bool, name string) (password string, generated bool, err error) {
	if !fromStdin {
		return account.NewPassword(), true, nil
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", false, fmt.Errorf("--password-stdin: read the password: %w", err)
	}
	password = strings.TrimRight(line, "\r\n")
	if err := account.CheckNewPassword(password, name); err != nil {
		return "", false, usagef("--password-stdin: %v", err)
	}
	return password, false, nil
}

func (e *env) usersList(ctx context.Context) error {
	w, src, err := warehouse.OpenLatest(ctx, e.cfg.Warehouse)
	if err != nil {
		return err
	}
	defer w.Close()
	users, err := account.Store{DB: w.DB}.List(ctx)
	if err != nil {
		return fmt.Errorf("read the accounts of %s: %w", src, err)
	}
	if len(users) == 0 {
		fmt.Fprintln(e.stdout, "no accounts yet: shequ users add NAME --role planner|district|analyst|admin")
		return nil
	}
	rows := [][]string{{"name", "role", "district", "state", "created"}}
	for _, u := range users {
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case u.MustChange:
			state = "active (one-time password not yet changed)"
		}
		rows = append(rows, []string{u.Name, string(u.Role), orDash(u.District), state, u.Created.Local().Format("2006-01-02 15:04")})
	}
	printColumns(e.stdout, rows)
	return nil
}

// printColumns prints rows as columns lined up by display width (a
// Chinese character takes two).
func printColumns(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func describe(u account.User) string {
	if u.Role == account.District {
		return fmt.Sprintf("%s (%s) of %s", u.Role, u.Role.Zh(), u.District)
	}
	return fmt.Sprintf("%s (%s)", u.Role, u.Role.Zh())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cliUser names who ran the command, for the audit log.
func cliUser() string {
	if u, err := user.Current(); err == nil {
		return "os:" + u.Username
	}
	return "os:?"
}
