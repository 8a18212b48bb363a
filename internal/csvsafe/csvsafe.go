// Package csvsafe keeps text cells of the CSV files shequ writes from
// being taken for formulas by a spreadsheet (CSV injection, or formula
// injection): a district can name a file or write a cell
// =HYPERLINK("http://…","点击"), and an analyst who opens the export in
// Excel or LibreOffice would run it.
//
// Following OWASP's advice, a text cell that starts with =, +, -, @, a tab
// or a carriage return is written with a single quote ' in front, which
// spreadsheets show as text and do not evaluate. Only text is escaped:
// numbers, dates and booleans are written as they are, so a negative
// amount stays -12.50 and reads back as a number. Both writers of CSV use
// it: the marts' exports (reports/export) and `shequ sql --format csv`
// (queries/output).
package csvsafe

// Prefix is what goes in front of an escaped cell.
const Prefix = "'"

// Risky reports whether a text cell would be taken for a formula: it
// starts with =, +, -, @, a tab or a carriage return.
func Risky(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Text returns a text cell as it is safe to write: with Prefix in front
// when it is Risky, else unchanged. Call it for text values only, never
// for numbers.
func Text(s string) string {
	if Risky(s) {
		return Prefix + s
	}
	return s
}
