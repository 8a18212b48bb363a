package account

import (
	"context"
	"database/sql"
	"time"
)

// Audit actions.
const (
	ActLogin       = "login"
	ActLoginFailed = "login_failed"
	ActLogout      = "logout"
	ActPassword    = "password"
	ActUpload      = "upload"
	ActDownload    = "download"
	ActSettings    = "settings"
	ActUserAdd     = "user_add"
	ActUserDisable = "user_disable"
	ActUserEnable  = "user_enable"
	ActUserReset   = "user_reset"
	ActToken       = "token"
	ActDenied      = "denied"
)

// ActionZh names an audit action in Chinese.
func ActionZh(a string) string {
	switch a {
	case ActLogin:
		return "登录"
	case ActLoginFailed:
		return "登录失败"
	case ActLogout:
		return "退出"
	case ActPassword:
		return "修改密码"
	case ActUpload:
		return "上传报送"
	case ActDownload:
		return "下载"
	case ActSettings:
		return "修改设置"
	case ActUserAdd:
		return "新建账户"
	case ActUserDisable:
		return "停用账户"
	case ActUserEnable:
		return "启用账户"
	case ActUserReset:
		return "重置密码"
	case ActToken:
		return "生成令牌"
	case ActDenied:
		return "越权访问被拒"
	}
	return a
}

// Entry is one line of the audit log: who, when, what, from where.
type Entry struct {
	At       time.Time
	User     string // "" when the name matched no account
	Role     Role
	District string
	Action   string
	Target   string
	Detail   string
	Address  string
	OK       bool
}

// WriteAudit appends entries to web.audit.
func WriteAudit(ctx context.Context, db *sql.DB, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO web.audit (happened_at, user_name, role, district, action, target, detail, address, ok)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, e.At.UTC(), nullStr(e.User), nullStr(string(e.Role)), nullStr(e.District),
			e.Action, nullStr(e.Target), nullStr(e.Detail), nullStr(e.Address), e.OK); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ReadAudit returns the newest entries of web.audit, newest first.
func ReadAudit(ctx context.Context, db *sql.DB, limit int) ([]Entry, error) {
	rows, err := db.QueryContext(ctx, `SELECT happened_at, user_name, role, district, action, target, detail, address, ok
		FROM web.audit ORDER BY happened_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var user, role, district, target, detail, addr sql.NullString
		if err := rows.Scan(&e.At, &user, &role, &district, &e.Action, &target, &detail, &addr, &e.OK); err != nil {
			return nil, err
		}
		e.User, e.Role, e.District, e.Target, e.Detail, e.Address = user.String, Role(role.String), district.String, target.String, detail.String, addr.String
		out = append(out, e)
	}
	return out, rows.Err()
}
