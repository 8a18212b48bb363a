// Package valerr is the error of a value that is not what it should be: a
// stable code and a short detail. etl/clean words every cleaning failure
// with it (clean.Error), and decimal arithmetic that leaves int64 reports
// invalid_number with it, so that both read alike to a caller.
package valerr

// Error is a value's failure. Code is a stable English identifier
// (invalid_number, invalid_date …); Detail is a short lowercase English
// explanation such as "want 12 digits, got 11". Callers word the
// user-facing message.
type Error struct {
	Code   string // a stable identifier, e.g. "invalid_number"
	Detail string // short English detail, e.g. "want 12 digits, got 11"
}

// Error returns "code: detail", or the code alone when there is no detail.
func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Code
	}
	return e.Code + ": " + e.Detail
}
