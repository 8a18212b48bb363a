package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// creditAlphabet is the GB 32100-2015 character set in value order (the
// same table etl/clean checks against).
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCheck returns the GB 32100-2015 check character of the first 17
// characters of a unified social credit code.
func creditCheck(c17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		v := -1
		for j := 0; j < len(creditAlphabet); j++ {
			if creditAlphabet[j] == c17[i] {
				v = j
				break
			}
		}
		if v < 0 {
			panic("gen: credit code character outside the alphabet: " + c17)
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}

// creditCode makes a valid code of a social organisation (registration
// authority 5 = civil affairs, category 2) registered in the area of
// district: 52, the 6-digit area code, a 9-character organisation code,
// the check character.
func creditCode(r *rand.Rand, area string) string {
	b := []byte("52" + area)
	for len(b) < 17 {
		b = append(b, creditAlphabet[r.IntN(len(creditAlphabet))])
	}
	return string(b) + string(creditCheck(string(b)))
}

// wrongCredit returns code with its check character replaced by another
// valid character: a code that fails only its check (bad_check_character).
func wrongCredit(r *rand.Rand, code string) string {
	for {
		c := creditAlphabet[r.IntN(len(creditAlphabet))]
		if c != code[17] {
			return code[:17] + string(c)
		}
	}
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// idCheck returns the GB 11643-1999 check character of 17 digits.
func idCheck(d17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// idNumber makes a valid resident ID number: area, birth date, a sequence
// number whose parity is the sex (odd male), the check character.
func idNumber(area string, birth time.Time, seq int, male bool) string {
	if male != (seq%2 == 1) {
		seq++
	}
	seq %= 1000
	d := fmt.Sprintf("%s%04d%02d%02d%03d", area, birth.Year(), birth.Month(), birth.Day(), seq)
	return d + string(idCheck(d))
}

// wrongID replaces the check character of a valid ID number.
func wrongID(r *rand.Rand, id string) string {
	for {
		c := idCheckChars[r.IntN(len(idCheckChars))]
		if c != id[17] {
			return id[:17] + string(c)
		}
	}
}

// pad3 formats n as three digits.
func pad3(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}
