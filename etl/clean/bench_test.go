package clean

import "testing"

// Benchmarks on typical cell values. Run with
//
//	go test -run='^$' -bench=. -benchmem ./etl/clean/

var (
	sinkS   string
	sinkD   Dec
	sinkI   int64
	sinkErr error
)

func benchStrings(b *testing.B, inputs []string, fn func(string)) {
	for _, in := range inputs {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fn(in)
			}
		})
	}
}

func BenchmarkText(b *testing.B) {
	benchStrings(b, []string{
		"LJ2013-001",
		"临江区",
		" 2013519903001\u00a0",
		"１，２３４．５",
	}, func(s string) { sinkS = Text(s) })
}

func BenchmarkDecimal(b *testing.B) {
	benchStrings(b, []string{
		"821000",
		"821000.00",
		"1,234,567.89",
		"0.30000000000000004",
		"98.2%",
		"９８．２％",
	}, func(s string) { sinkD, sinkErr = Decimal(s) })
}

func BenchmarkInt(b *testing.B) {
	benchStrings(b, []string{"53", "1,234", "2.013E3"}, func(s string) { sinkI, sinkErr = Int(s) })
}

func BenchmarkDate(b *testing.B) {
	benchStrings(b, []string{
		"2015-01-01",
		"2013/1/3",
		"2013.12.30",
		"2013年1月3日",
		"41275",
		"2015-01-01 00:00:00",
	}, func(s string) { _, sinkErr = Date(s) })
}

func BenchmarkCode(b *testing.B) {
	benchStrings(b, []string{
		"LJ2013-001",
		"2013519903001",
		"2013519903001.0",
		"5.19902001001E+11",
	}, func(s string) { sinkS = Code(s) })
}

func BenchmarkCommunityCode(b *testing.B) {
	benchStrings(b, []string{"519902001001", "5.19902001001E+11"}, func(s string) { sinkS, sinkErr = CommunityCode(s) })
}

func BenchmarkCreditCode(b *testing.B) {
	benchStrings(b, []string{"52519902M93894823Q"}, func(s string) { sinkS, sinkErr = CreditCode(s) })
}

func BenchmarkIDNumber(b *testing.B) {
	benchStrings(b, []string{"51990319770217416X"}, func(s string) { sinkS, sinkErr = IDNumber(s) })
}

func BenchmarkServiceItem(b *testing.B) {
	benchStrings(b, []string{"1.1.1", "2.2.2 女性职业技能提升", "４．３．５"}, func(s string) { sinkS, sinkErr = ServiceItem(s) })
}

func BenchmarkEnum(b *testing.B) {
	benchStrings(b, []string{"城镇", "Urban"}, func(s string) { sinkS, sinkErr = Enum(s, urbanRural) })
}

func BenchmarkBool(b *testing.B) {
	benchStrings(b, []string{"是", "TRUE", "中共党员"}, func(s string) { _, sinkErr = Bool(s, partyWords) })
}
