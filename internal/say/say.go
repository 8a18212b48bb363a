// Package say words errors for the bureau's users: Chinese first, then
// English with a stable code, as the receipts already are.
//
//	err := say.New("inbox_missing",
//		fmt.Sprintf("收件箱 %s 不是文件夹：请把各区报送文件放在那里，或用 --inbox 指定", dir),
//		fmt.Sprintf("inbox %s is not a directory: put the districts' files there or pass --inbox DIR", dir))
//
// Error() is one line, for logs and the runs table: "中文 (code: English)".
// The command prints Lines: the Chinese on the first line, the English
// with its code on the next. An error that is not a say.Error gets a
// Chinese first line from its kind (a permission, a missing file, an SQL
// syntax error, an interruption…) and its own text as the English.
package say

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"github.com/duckdb/duckdb-go/v2"
)

// Error is an error for users in both languages.
type Error struct {
	Code string // a stable English identifier: warehouse_missing, sql_syntax …
	Zh   string // the message in Chinese, whole: what happened and what to do
	En   string // the same in English
	Err  error  // the cause, if any (not printed: Zh and En say it)
}

// New is an error for users.
func New(code, zh, en string) *Error { return &Error{Code: code, Zh: zh, En: en} }

// Wrap is an error for users caused by err, which errors.Is and As see.
func Wrap(err error, code, zh, en string) *Error { return &Error{Code: code, Zh: zh, En: en, Err: err} }

func (e *Error) Error() string { return e.Zh + " (" + e.English() + ")" }

// English is the English message with its code: "code: message".
func (e *Error) English() string {
	if e.Code == "" {
		return e.En
	}
	return e.Code + ": " + e.En
}

func (e *Error) Unwrap() error { return e.Err }

// Worded is an error type of another package that words itself in both
// languages (a lock held by another process, say): Lines prints it as it
// does an Error. Its Error() should be "zh (code: en)", as Error's is.
type Worded interface {
	error
	Words() (code, zh, en string)
}

// Words makes *Error a Worded.
func (e *Error) Words() (code, zh, en string) { return e.Code, e.Zh, e.En }

// Lines words err for a user: zh first, en after. An Error (or a Worded)
// inside err gives its Chinese, and the English of err with its own text
// in English; any other error a Chinese line from its kind.
//
// Several errors joined (errors.Join, or a type whose Unwrap gives a
// slice) are each put in English; the Chinese is the first's, with how
// many more there are.
func Lines(err error) (zh, en string) {
	ws := worded(err, nil)
	if len(ws) == 0 {
		return Kind(err), err.Error()
	}
	en = err.Error()
	for i, w := range ws {
		code, z, e := w.Words()
		one := &Error{Code: code, Zh: z, En: e}
		if i == 0 {
			zh = z
		}
		if strings.Contains(en, w.Error()) {
			en = strings.Replace(en, w.Error(), one.English(), 1)
		} else if i == 0 {
			en = one.English()
		}
	}
	if len(ws) > 1 {
		zh += fmt.Sprintf("（共 %d 处，详见下文）", len(ws))
	}
	return zh, en
}

// worded appends the outermost Worded errors of err's tree, in order.
func worded(err error, out []Worded) []Worded {
	if w, ok := err.(Worded); ok {
		return append(out, w)
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if next := u.Unwrap(); next != nil {
			return worded(next, out)
		}
	case interface{ Unwrap() []error }:
		for _, next := range u.Unwrap() {
			out = worded(next, out)
		}
	}
	return out
}

// Kind is a Chinese line for an error that has none of its own, from what
// kind of error it is.
func Kind(err error) string {
	var db *duckdb.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "已中断，未完成的工作没有保存"
	case errors.Is(err, context.DeadlineExceeded):
		return "超时，未完成"
	case errors.Is(err, syscall.ENOSPC):
		return "磁盘空间不足，未完成：请清理磁盘后重试"
	case errors.Is(err, fs.ErrPermission):
		return "没有权限读写下列文件或文件夹"
	case errors.Is(err, fs.ErrNotExist):
		return "找不到下列文件或文件夹"
	case errors.As(err, &db):
		switch db.Type {
		case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax:
			return "查询语句有语法错误（SQL）"
		case duckdb.ErrorTypeCatalog:
			return "查询中的表、视图或函数不存在"
		case duckdb.ErrorTypeBinder:
			return "查询中的列名或表达式有误"
		case duckdb.ErrorTypeConversion, duckdb.ErrorTypeMismatchType, duckdb.ErrorTypeInvalidType:
			return "查询中的数据类型不匹配"
		case duckdb.ErrorTypePermission:
			return "不允许的操作"
		case duckdb.ErrorTypeOutOfMemory:
			return "内存不足，未完成"
		case duckdb.ErrorTypeInterrupt:
			return "查询已中断"
		}
		return "数据库报错"
	}
	return "未能完成，原因见下行（英文）"
}
