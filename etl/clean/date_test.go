package clean

import (
	"testing"
	"time"
)

var dateCases = []struct {
	name, in, want string // want is yyyy-mm-dd, "" on error
	code           string
}{
	{"iso", "2015-01-01", "2015-01-01", ""},
	{"iso short", "2015-1-1", "2015-01-01", ""},
	{"slash", "2015/1/1", "2015-01-01", ""},
	{"slash padded", "2013/01/03", "2013-01-03", ""},
	{"dot", "2015.1.1", "2015-01-01", ""},
	{"dot padded", "2015.12.31", "2015-12-31", ""},
	{"chinese", "2015年1月1日", "2015-01-01", ""},
	{"chinese padded", "2015年01月01日", "2015-01-01", ""},
	{"chinese without day mark", "2015年1月1", "2015-01-01", ""},
	{"chinese hao", "2015年1月1号", "2015-01-01", ""},
	{"chinese spaced", "2015 年 1 月 1 日", "2015-01-01", ""},
	{"chinese with time", "2015年1月1日 8:30", "2015-01-01", ""},
	{"compact", "20150101", "2015-01-01", ""},
	{"compact from numeric cell", "20150101.0", "2015-01-01", ""},
	{"datetime", "2015-01-01 00:00:00", "2015-01-01", ""},
	{"datetime short", "2015/1/1 0:00", "2015-01-01", ""},
	{"datetime fraction seconds", "2015-01-01 13:45:10.250", "2015-01-01", ""},
	{"datetime T", "2015-01-01T08:30:00Z", "2015-01-01", ""},
	{"datetime two spaces", "2015-01-01  08:30", "2015-01-01", ""},
	{"full-width digits", "２０１５－０１－０１", "2015-01-01", ""},
	{"full-width slash", "２０１５／１／１", "2015-01-01", ""},
	{"full-width chinese", "２０１５年１月１日", "2015-01-01", ""},
	{"full-width dot", "２０１５．１．１", "2015-01-01", ""},
	{"surrounding spaces", "\u00a0 2015-01-01\u3000", "2015-01-01", ""},
	{"leap day", "2016-02-29", "2016-02-29", ""},
	{"leap day 2000", "2000-02-29", "2000-02-29", ""},
	{"serial", "41275", "2013-01-01", ""},
	{"serial with time", "41275.5", "2013-01-01", ""},
	{"serial almost midnight", "41275.999988426", "2013-01-01", ""},
	{"serial 1", "1", "1900-01-01", ""},
	{"serial 59", "59", "1900-02-28", ""},
	{"serial 61", "61", "1900-03-01", ""},
	{"serial 10000", "10000", "1927-05-18", ""},
	{"serial max", "2958465", "9999-12-31", ""},
	{"serial leading zero", "041275", "2013-01-01", ""},
	{"serial full-width", "４１２７５", "2013-01-01", ""},
	{"serial 60 fictitious", "60", "", CodeInvalidDate},
	{"serial zero", "0", "", CodeInvalidDate},
	{"serial too big", "2958466", "", CodeInvalidDate},
	{"serial too long", "123456789", "", CodeInvalidDate},
	{"negative serial", "-41275", "", CodeInvalidDate},
	{"bare year", "2015", "", CodeInvalidDate},
	{"bare year with fraction", "2015.5", "", CodeInvalidDate},
	{"year and month dot", "2015.1", "", CodeInvalidDate},
	{"year and month", "2015-01", "", CodeInvalidDate},
	{"chinese year and month", "2015年1月", "", CodeInvalidDate},
	{"feb 30", "2015-02-30", "", CodeInvalidDate},
	{"feb 29 non leap", "2015-02-29", "", CodeInvalidDate},
	{"feb 29 1900", "1900-02-29", "", CodeInvalidDate},
	{"april 31", "2015-04-31", "", CodeInvalidDate},
	{"month 13", "2015-13-01", "", CodeInvalidDate},
	{"month 0", "2015-00-10", "", CodeInvalidDate},
	{"day 0", "2015-01-00", "", CodeInvalidDate},
	{"compact bad day", "20150132", "", CodeInvalidDate},
	{"compact with fraction", "20150101.5", "", CodeInvalidDate},
	{"mixed separators", "2015-1/1", "", CodeInvalidDate},
	{"two digit year", "15-1-1", "", CodeInvalidDate},
	{"us order", "1/1/2015", "", CodeInvalidDate},
	{"three digit month", "2015-001-01", "", CodeInvalidDate},
	{"trailing garbage", "2015-01-01x", "", CodeInvalidDate},
	{"garbage time", "2015-01-01 abc", "", CodeInvalidDate},
	{"bad time", "2015-01-01 25:00", "", CodeInvalidDate},
	{"time without minutes", "2015-01-01 8", "", CodeInvalidDate},
	{"chinese full stop", "2015。1。1", "", CodeInvalidDate},
	{"empty", "", "", CodeInvalidDate},
	{"text", "去年", "", CodeInvalidDate},
	{"year zero", "0000-01-01", "", CodeInvalidDate},
	{"trailing dot", "41275.", "", CodeInvalidDate},
}

func TestDate(t *testing.T) {
	for _, c := range dateCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Date(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("Date(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if c.code != "" {
				if !got.IsZero() {
					t.Errorf("Date(%q) = %v with an error, want the zero time", c.in, got)
				}
				return
			}
			if s := got.Format(time.DateOnly); s != c.want {
				t.Errorf("Date(%q) = %s, want %s", c.in, s, c.want)
			}
			if got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
				t.Errorf("Date(%q) = %v, want midnight UTC", c.in, got)
			}
		})
	}
}

// TestDateSerialsAgree checks serials from 61 (1900-03-01) to the end of
// 2100 against the days-since-1899-12-30 rule (four-digit serials excepted:
// those are read as bare years), and that the ISO form of each day parses
// back.
func TestDateSerialsAgree(t *testing.T) {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	end := time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
	for n := 61; ; n++ {
		want := base.AddDate(0, 0, n)
		if want.After(end) {
			break
		}
		if (n%97 != 0 && n < 40000) || (n >= 1000 && n <= 9999) {
			continue // sample the early years, check every recent day
		}
		got, err := Date(itoa(n))
		if err != nil || !got.Equal(want) {
			t.Fatalf("Date(%d) = %v, %v; want %v", n, got, err, want)
		}
		iso, err := Date(want.Format(time.DateOnly))
		if err != nil || !iso.Equal(want) {
			t.Fatalf("Date(%q) = %v, %v; want %v", want.Format(time.DateOnly), iso, err, want)
		}
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestDateNoAlloc(t *testing.T) {
	for _, in := range []string{"2015-01-01", "2015/1/1", "41275", "2015年1月1日", "20150101"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = Date(in) }); n != 0 {
			t.Errorf("Date(%q) allocates %v times, want 0", in, n)
		}
	}
}
