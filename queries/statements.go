package queries

import (
	"fmt"
	"strings"

	"shequ/internal/say"
	"shequ/internal/sqltext"
)

// A Statement is one SQL statement of a text, with where it starts.
type Statement = sqltext.Statement

// Split splits src into its statements at the semicolons outside strings,
// quoted identifiers and comments. Statements holding only comments are
// dropped.
func Split(src string) []Statement { return sqltext.Split(src) }

// Complete reports whether src ends with a complete statement: its last
// character outside comments is a semicolon, not inside a string.
func Complete(src string) bool { return sqltext.Complete(src) }

// RefusedError is a statement refused because it could change the
// warehouse, lock it, or reach beyond it (read or write another file,
// load an extension, change a guarded setting).
type RefusedError struct {
	Keyword string // the statement's first keyword, upper-case
	Hint    string
	// Reason, when set, says why in place of "would change the warehouse".
	Reason string
}

func (e *RefusedError) Error() string { return say.New(e.Words()).Error() }

// Words words the refusal in Chinese and English (say.Worded).
func (e *RefusedError) Words() (code, zh, en string) {
	en = fmt.Sprintf("refused: %s would change the warehouse; analysts' sessions are read-only", e.Keyword)
	zh = fmt.Sprintf("已拒绝：%s 会修改数据仓库，分析查询只能读取", e.Keyword)
	switch {
	case e.Reason != "":
		en = "refused: " + e.Reason
		switch {
		case strings.Contains(e.Reason, reasonFiles):
			zh = "已拒绝：分析查询只读取数据仓库，不能读写其他文件"
		case strings.Contains(e.Reason, reasonLocked):
			zh = "已拒绝：分析会话的设置已锁定，不能更改"
		case strings.Contains(e.Reason, reasonExtensions):
			zh = "已拒绝：分析会话不能安装或加载扩展"
		default:
			zh = "已拒绝：分析查询只能读取数据仓库"
		}
	case e.Keyword == "ATTACH" || e.Keyword == "DETACH":
		en = fmt.Sprintf("refused: %s is not allowed in a read-only session: attaching the live warehouse would keep the nightly build out", e.Keyword)
		zh = fmt.Sprintf("已拒绝：只读查询不允许 %s（连接正在写入的数据仓库会挡住夜间构建）", e.Keyword)
	}
	if e.Hint != "" {
		en += "; " + e.Hint
		if e.Hint == hintKeep || e.Hint == hintOut {
			zh += "；要保存查询结果，请用 --format csv|xlsx|json|markdown --out 文件"
		}
	}
	return "sql_refused", zh, en
}

const (
	hintKeep   = "keep a result with --format csv|xlsx|json|markdown --out FILE (shequ sql -c \"…\" --format csv --out result.csv); scratch tables with CREATE TEMP TABLE"
	hintOut    = "to keep a result, run it with --format csv|xlsx|json|markdown --out FILE (shequ sql -c \"…\" --format csv --out result.csv): shequ writes the file itself"
	hintTemp   = "only temp.NAME objects can be changed"
	hintAttach = "to combine files of your own with the warehouse, open the snapshot from your own DuckDB client (duckdb -readonly shequ.snapshot.duckdb)"

	// reasonFiles is why reading or writing another file is refused.
	reasonFiles = "analysts' sessions read the warehouse and touch no other file: read_csv, read_text, read_parquet, glob, COPY, EXPORT and ATTACH of files are turned off"
	// reasonLocked is why changing a setting that guards the session is refused.
	reasonLocked = "the settings of analysts' sessions are locked; external access, extensions and the lock itself cannot be changed"
	// reasonExtensions is why INSTALL and LOAD are refused.
	reasonExtensions = "analysts' sessions install and load no extension"
)

// guardedSettings are the settings that keep an analyst's session inside
// the warehouse; SET, RESET and PRAGMA of them are refused up front (and
// DuckDB's locked configuration refuses them too).
var guardedSettings = map[string]bool{
	"enable_external_access": true, "lock_configuration": true,
	"autoinstall_known_extensions": true, "autoload_known_extensions": true,
	"allow_unsigned_extensions": true, "allow_community_extensions": true, "allow_unredacted_secrets": true,
	"allowed_paths": true, "allowed_directories": true, "disabled_filesystems": true,
	"extension_directory": true, "custom_extension_repository": true, "autoinstall_extension_repository": true,
	"temp_directory": true, "secret_directory": true, "home_directory": true,
	"profiling_output": true, "log_query_path": true, "enable_logging": true,
}

// Check reports whether a statement may run in an analyst's read-only
// session: nil, or a *RefusedError. It is a first line, giving a clear
// message before anything runs; the real guarantee is that the session's
// database is opened read-only.
//
// Reads (SELECT, FROM, WITH, VALUES, TABLE, SHOW, DESCRIBE, SUMMARIZE,
// EXPLAIN, PIVOT, PRAGMA, CALL), session statements (SET, RESET, USE,
// transactions, PREPARE/EXECUTE) and CREATE TEMP … are allowed; so are
// INSERT, UPDATE, DELETE, DROP, ALTER and TRUNCATE on temp.NAME.
// Everything else is refused: writes to the warehouse, COPY (TO a file as
// well as FROM one: shequ writes what analysts keep, with --out), EXPORT
// and IMPORT DATABASE, ATTACH and DETACH (attaching the live warehouse
// file would lock out its writer), SET, RESET and PRAGMA of the settings
// that guard the session, CHECKPOINT, VACUUM, MERGE, INSTALL and LOAD. A
// statement whose first word it does not know (a typo such as SELEC) goes
// to DuckDB, whose read-only session reports the syntax error or refuses
// the write.
//
// The session itself is the guarantee (warehouse.Options.Sandbox): DuckDB
// touches no file but the database, loads no extension, and its
// configuration is locked; Explain turns its refusals into these words.
func Check(stmt string) error {
	toks := sqltext.Scan(stmt).Tokens()
	for len(toks) > 0 && toks[0] == "(" {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return nil
	}
	kw := strings.ToUpper(toks[0])
	refuse := func(hint string) error { return &RefusedError{Keyword: kw, Hint: hint} }
	switch kw {
	case "SET", "RESET", "PRAGMA":
		if guardedSetting(toks[1:]) {
			return &RefusedError{Keyword: kw, Reason: reasonLocked}
		}
		return nil
	case "SELECT", "FROM", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "SUMMARIZE", "EXPLAIN",
		"PIVOT", "UNPIVOT", "PIVOT_WIDER", "PIVOT_LONGER", "CALL",
		"USE", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE", "EXECUTE", "DEALLOCATE":
		return nil
	case "EXPORT", "IMPORT":
		return &RefusedError{Keyword: kw, Reason: kw + " DATABASE writes or reads files: " + reasonFiles, Hint: hintOut}
	case "INSTALL", "LOAD", "FORCE":
		return &RefusedError{Keyword: kw, Reason: reasonExtensions}
	case "COPY":
		return checkCopy(toks[1:], refuse)
	case "CREATE":
		rest := upper(toks[1:])
		if len(rest) >= 2 && rest[0] == "OR" && rest[1] == "REPLACE" {
			rest = rest[2:]
		}
		if len(rest) > 0 && (rest[0] == "TEMP" || rest[0] == "TEMPORARY") || target(kw, toks[1:]) {
			return nil
		}
		return refuse(hintKeep)
	case "INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "TRUNCATE":
		if target(kw, toks[1:]) {
			return nil
		}
		return refuse(hintKeep + "; " + hintTemp)
	case "ATTACH", "DETACH":
		return refuse(hintAttach)
	case "CHECKPOINT", "FORCE_CHECKPOINT", "VACUUM", "ANALYZE", "MERGE", "UPSERT", "COMMENT", "REPLACE":
		return refuse("")
	}
	// Not a keyword this check knows: DuckDB judges it in the read-only,
	// sandboxed session (a typo is a syntax error, not a refusal).
	return nil
}

// checkCopy refuses COPY … FROM as a write to the warehouse and COPY … TO
// as a file written: analysts keep results with --out, which shequ writes.
func checkCopy(toks []string, refuse func(string) error) error {
	i := 0
	if i < len(toks) && toks[i] == "(" {
		i = skipParens(toks, i)
	} else {
		for i < len(toks) && toks[i] != "(" && !strings.EqualFold(toks[i], "TO") && !strings.EqualFold(toks[i], "FROM") {
			i++
		}
		if i < len(toks) && toks[i] == "(" { // a column list
			i = skipParens(toks, i)
		}
	}
	if i < len(toks) && strings.EqualFold(toks[i], "TO") {
		return &RefusedError{Keyword: "COPY", Reason: "COPY … TO writes a file: " + reasonFiles, Hint: hintOut}
	}
	return refuse(hintKeep)
}

// guardedSetting reports whether the tokens after SET, RESET or PRAGMA
// name a guarded setting (SET GLOBAL x, SET SESSION x, RESET x, PRAGMA x).
func guardedSetting(toks []string) bool {
	for _, t := range toks {
		switch u := strings.ToUpper(t); u {
		case "GLOBAL", "SESSION", "LOCAL":
			continue
		}
		return guardedSettings[strings.ToLower(t)]
	}
	return false
}

func skipParens(toks []string, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i] {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// target reports whether the object a write statement changes is a
// temporary one, named temp.NAME.
func target(kw string, toks []string) bool {
	skip := map[string]bool{"INTO": true, "FROM": true, "TABLE": true, "VIEW": true, "MACRO": true, "SEQUENCE": true,
		"FUNCTION": true, "TYPE": true, "INDEX": true, "IF": true, "EXISTS": true, "OR": true, "REPLACE": true, "IGNORE": true, "ONLY": true}
	for i, t := range toks {
		if skip[strings.ToUpper(t)] {
			continue
		}
		return strings.EqualFold(t, "temp") && i+2 < len(toks) && toks[i+1] == "."
	}
	return false
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}
