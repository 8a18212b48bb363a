// Package clean holds the value cleaners every reader and stage shares: pure
// functions that turn the raw text of one cell, as a district wrote it in an
// Excel workbook or a CSV file, into a clean value or a *Error.
//
// Input is the raw cell text. Numeric xlsx cells arrive as the raw stored
// number: "41275" for a date, "0.85" for a cell shown as 85%,
// "0.30000000000000004" with binary float noise, "5.19902001001E+11" for a
// long code typed as a number. CSV fields arrive as typed. Every cleaner
// first trims whitespace (including NBSP, zero-width spaces, the BOM and the
// ideographic space) and folds full-width ASCII to half-width, see Text.
//
// The cleaners are written for millions of cells: clean ASCII input takes a
// fast path that does not allocate, and no regular expressions are used.
// Nothing here goes through float64 where digits must be kept exactly.
//
// By column type of the dictionary (DOMAIN.md §2):
//
//	text       Text
//	header     HeaderFull, HeaderKey (key and bracketed unit)
//	int        Int
//	dec        Decimal → Dec (exact; MulPow10 applies a header unit), Ratio
//	date       Date
//	bool       Bool
//	enum       Enum with a map keyed by EnumKey; Quarter
//	code       Code, CommunityCode, CodeList, CreditCode, IDNumber (+ MaskID),
//	           ServiceItem
//
// Failures are *Error values whose Code is one of the Code* constants.
package clean
