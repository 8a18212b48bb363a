package clean

import (
	"shequ/internal/decimal"
	"shequ/internal/valerr"
)

// Error is a cleaning failure. Code is a stable English identifier, one of
// the Code* constants; Detail is a short lowercase English explanation such
// as "want 12 digits, got 11". Callers word the user-facing message. It is
// valerr.Error, the error Dec's arithmetic reports too.
type Error = valerr.Error

// Stable error codes carried by Error.Code.
const (
	// CodeInvalidNumber: not a number, not a whole number, or out of range.
	CodeInvalidNumber = decimal.CodeInvalidNumber
	// CodeInvalidDate: not a recognised date form or not a calendar date.
	CodeInvalidDate = "invalid_date"
	// CodeInvalidEnum: not one of the allowed values (also quarters).
	CodeInvalidEnum = "invalid_enum"
	// CodeInvalidCode: a code of the wrong length, alphabet or shape.
	CodeInvalidCode = "invalid_code"
	// CodeBadCheckCharacter: a well-formed code whose check character is wrong.
	CodeBadCheckCharacter = "bad_check_character"
	// CodeInvalidBool: booleans use the enum code.
	CodeInvalidBool = "invalid_enum"
)

func newErr(code, detail string) *Error { return &Error{Code: code, Detail: detail} }
