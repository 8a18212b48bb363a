package clean

import (
	"strings"
	"time"
)

// Excel serial date limits (1900 date system).
const (
	maxSerial      = 2958465 // 9999-12-31
	fakeLeapSerial = 60      // Excel's non-existent 1900-02-29
)

// Date cleans a date to midnight UTC. Accepted forms, after Text (so
// full-width digits work too):
//
//   - 2015-01-01, 2015-1-1, 2015/1/1, 2015.1.1 (one separator throughout);
//   - 2015年1月1日, 2015年01月01日 (the final 日 or 号 may be missing);
//   - 20150101;
//   - any of the above followed by a time, "2015-01-01 00:00:00",
//     "2015/1/1 0:00", "2015-01-01T08:30:00Z": the time is ignored;
//   - an Excel serial number in the 1900 date system, integral or with a
//     fractional time ("41275", "41275.5"): 1..2958465, where serial 60 is
//     Excel's fictitious 1900-02-29 and is rejected.
//
// The calendar is checked (2015-02-30 is invalid_date). A bare four-digit
// number such as "2015" is a year, not a date: invalid_date.
func Date(s string) (time.Time, error) {
	t := Text(s)
	if t == "" {
		return time.Time{}, newErr(CodeInvalidDate, "empty")
	}
	if t[0] >= '0' && t[0] <= '9' && isNumeric(t) {
		return numericDate(t)
	}
	y, m, d, rest, ok := separatedDate(t)
	if !ok {
		y, m, d, rest, ok = chineseDate(t)
	}
	if !ok {
		return time.Time{}, newErr(CodeInvalidDate, "not a date")
	}
	if !timeSuffix(rest) {
		return time.Time{}, newErr(CodeInvalidDate, "not a date")
	}
	return makeDate(y, m, d)
}

// isNumeric reports whether t is digits with an optional '.' and digits.
func isNumeric(t string) bool {
	dot := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '.' && !dot && i > 0 && i < len(t)-1 {
			dot = true
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// numericDate reads a yyyymmdd number or an Excel serial.
func numericDate(t string) (time.Time, error) {
	intPart, frac := t, ""
	if i := strings.IndexByte(t, '.'); i >= 0 {
		intPart, frac = t[:i], t[i+1:]
	}
	switch len(intPart) {
	case 8:
		if strings.Trim(frac, "0") != "" {
			return time.Time{}, newErr(CodeInvalidDate, "not a date")
		}
		return makeDate(atoi(intPart[:4]), atoi(intPart[4:6]), atoi(intPart[6:]))
	case 4:
		return time.Time{}, newErr(CodeInvalidDate, "a bare year is not a date")
	}
	// Leading zeros are harmless in a stored number; skip them.
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 7 {
		return time.Time{}, newErr(CodeInvalidDate, "serial out of range")
	}
	n := atoi(intPart)
	switch {
	case n < 1 || n > maxSerial:
		return time.Time{}, newErr(CodeInvalidDate, "serial out of range")
	case n == fakeLeapSerial:
		return time.Time{}, newErr(CodeInvalidDate, "serial 60 is excel's fictitious 1900-02-29")
	case n < fakeLeapSerial:
		return time.Date(1899, 12, 31+n, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Date(1899, 12, 30+n, 0, 0, 0, 0, time.UTC), nil
}

// atoi parses up to 9 ASCII digits already known to be digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// digitsAt reads between minN and maxN digits at s[i:] and returns the
// value and the index after them.
func digitsAt(s string, i, minN, maxN int) (v, next int, ok bool) {
	j := i
	for j < len(s) && j-i < maxN && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j-i < minN {
		return 0, i, false
	}
	if j < len(s) && s[j] >= '0' && s[j] <= '9' {
		return 0, i, false // more digits than allowed
	}
	return atoi(s[i:j]), j, true
}

// separatedDate reads yyyy-m-d with '-', '/' or '.' (the same twice).
func separatedDate(t string) (y, m, d int, rest string, ok bool) {
	y, i, ok := digitsAt(t, 0, 4, 4)
	if !ok || i >= len(t) {
		return
	}
	sep := t[i]
	if sep != '-' && sep != '/' && sep != '.' {
		return 0, 0, 0, "", false
	}
	m, i, ok = digitsAt(t, i+1, 1, 2)
	if !ok || i >= len(t) || t[i] != sep {
		return 0, 0, 0, "", false
	}
	d, i, ok = digitsAt(t, i+1, 1, 2)
	if !ok {
		return 0, 0, 0, "", false
	}
	return y, m, d, t[i:], true
}

// chineseDate reads yyyy年m月d日 (日 or 号 optional).
func chineseDate(t string) (y, m, d int, rest string, ok bool) {
	y, i, ok := digitsAt(t, 0, 4, 4)
	if !ok {
		return 0, 0, 0, "", false
	}
	if i = skipSpaces(t, i); !strings.HasPrefix(t[i:], "年") {
		return 0, 0, 0, "", false
	}
	m, i, ok = digitsAt(t, skipSpaces(t, i+len("年")), 1, 2)
	if !ok {
		return 0, 0, 0, "", false
	}
	if i = skipSpaces(t, i); !strings.HasPrefix(t[i:], "月") {
		return 0, 0, 0, "", false
	}
	d, i, ok = digitsAt(t, skipSpaces(t, i+len("月")), 1, 2)
	if !ok {
		return 0, 0, 0, "", false
	}
	j := skipSpaces(t, i)
	if strings.HasPrefix(t[j:], "日") {
		i = j + len("日")
	} else if strings.HasPrefix(t[j:], "号") {
		i = j + len("号")
	}
	return y, m, d, t[i:], true
}

// skipSpaces returns the index of the first non-space ASCII byte at or
// after i.
func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// timeSuffix reports whether rest is empty or a time of day that follows a
// date: spaces or 'T', then h:mm, h:mm:ss or h:mm:ss.fff, then an optional
// 'Z'.
func timeSuffix(rest string) bool {
	if rest == "" {
		return true
	}
	i := 0
	if rest[0] == 'T' {
		i = 1
	} else {
		i = skipSpaces(rest, 0)
		if i == 0 {
			return false
		}
	}
	h, i, ok := digitsAt(rest, i, 1, 2)
	if !ok || h > 24 || i >= len(rest) || rest[i] != ':' {
		return false
	}
	mi, i, ok := digitsAt(rest, i+1, 2, 2)
	if !ok || mi > 59 {
		return false
	}
	if i < len(rest) && rest[i] == ':' {
		var sec int
		sec, i, ok = digitsAt(rest, i+1, 2, 2)
		if !ok || sec > 60 {
			return false
		}
		if i < len(rest) && rest[i] == '.' {
			j := i + 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if j == i+1 {
				return false
			}
			i = j
		}
	}
	if i < len(rest) && rest[i] == 'Z' {
		i++
	}
	return i == len(rest)
}

// makeDate validates a calendar date and returns it at midnight UTC.
func makeDate(y, m, d int) (time.Time, error) {
	if y < 1 || y > 9999 {
		return time.Time{}, newErr(CodeInvalidDate, "year out of range")
	}
	if m < 1 || m > 12 {
		return time.Time{}, newErr(CodeInvalidDate, "month out of range")
	}
	if d < 1 || d > daysIn(y, m) {
		return time.Time{}, newErr(CodeInvalidDate, "day out of range")
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// daysIn returns the number of days in month m of year y (Gregorian).
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
