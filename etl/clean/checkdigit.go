package clean

import (
	"strconv"
	"unicode/utf8"
)

// creditAlphabet is the GB 32100-2015 character set in value order: digits,
// then capital letters without I, O, S, V and Z.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the GB 32100-2015 weights of the first 17 characters.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditValue maps a byte to its value in creditAlphabet, or -1.
var creditValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(creditAlphabet); i++ {
		t[creditAlphabet[i]] = int8(i)
	}
	return t
}()

// idWeights are the GB 11643-1999 weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum mod 11 to the GB 11643-1999 check character.
const idCheck = "10X98765432"

// upperASCII upper-cases the ASCII letters of s, allocating only when s has a
// lower-case letter.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'a' && c <= 'z' {
					b[j] = c - ('a' - 'A')
				}
			}
			return string(b)
		}
	}
	return s
}

// lengthError reports a code of the wrong length in characters.
func lengthError(want int, c string) *Error {
	n := utf8.RuneCountInString(c)
	if n == 0 {
		return newErr(CodeInvalidCode, "empty")
	}
	return newErr(CodeInvalidCode, "want "+strconv.Itoa(want)+" characters, got "+strconv.Itoa(n))
}

// charError reports the character at byte offset i of c, outside a code's
// alphabet, with its 1-based character position.
func charError(c string, i int) *Error {
	r, _ := utf8.DecodeRuneInString(c[i:])
	pos := utf8.RuneCountInString(c[:i]) + 1
	return newErr(CodeInvalidCode, "invalid character "+strconv.QuoteRune(r)+" at position "+strconv.Itoa(pos))
}

// CreditCode cleans a unified social credit code (统一社会信用代码) per
// GB 32100-2015: Code, upper-cased, exactly 18 characters from 0-9 and A-Z
// without I, O, S, V, Z, else invalid_code; the 18th character must be the
// check character computed from the first 17 (weights 1, 3, 9, … 28, modulus
// 31), else bad_check_character. "52519902M93894823Q" is valid.
func CreditCode(s string) (string, error) {
	c := upperASCII(Code(s))
	if len(c) != 18 {
		return "", lengthError(18, c)
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := creditValue[c[i]]
		if v < 0 {
			return "", charError(c, i)
		}
		if i < 17 {
			sum += int(v) * creditWeights[i]
		}
	}
	want := creditAlphabet[(31-sum%31)%31]
	if c[17] != want {
		return "", newErr(CodeBadCheckCharacter, "check character should be "+string(rune(want)))
	}
	return c, nil
}

// IDNumber cleans a resident identity card number per GB 11643-1999: Code,
// a lower-case x upper-cased, exactly 18 characters (17 digits, then a digit
// or X), else invalid_code; the check character (weights 7, 9, 10, … 2,
// modulus 11, "10X98765432") must match, else bad_check_character. The
// result is personal data: store MaskID of it, never the value.
func IDNumber(s string) (string, error) {
	c := Code(s)
	if len(c) == 18 && c[17] == 'x' {
		c = c[:17] + "X"
	}
	if len(c) != 18 {
		return "", lengthError(18, c)
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if !isDigit(c[i]) {
			return "", charError(c, i)
		}
		sum += int(c[i]-'0') * idWeights[i]
	}
	if last := c[17]; !isDigit(last) && last != 'X' {
		return "", charError(c, 17)
	}
	want := idCheck[sum%11]
	if c[17] != want {
		return "", newErr(CodeBadCheckCharacter, "check character should be "+string(rune(want)))
	}
	return c, nil
}
