package csv

import (
	"bytes"

	"golang.org/x/text/transform"
)

// The dialect of a CSV file: how its lines end and what separates its
// fields. Both are sniffed from the decoded text of the file's start (at
// most SniffBytes of it), when the file is opened.

// Delimiters a file may use, in the order a tie is broken.
var delimiters = [...]byte{',', '\t', ';'}

// sniffLines is how many records decide the delimiter.
const sniffLines = 100

// dialect is what sniff found.
type dialect struct {
	comma  rune // ',', '\t' or ';'
	loneCR bool // lines end in a lone CR (old Mac, Excel for Mac)
}

// sniff looks at the decoded start of a file; atEOF says it is the whole
// file (else its last line may be cut off).
func sniff(text []byte, atEOF bool) dialect {
	d := dialect{comma: ','}
	if !atEOF {
		// A CR at the very end may be the first half of a CRLF.
		text = bytes.TrimSuffix(text, []byte{'\r'})
	}
	d.loneCR = loneCRLines(text)
	if d.loneCR {
		text = crToLFBytes(text)
	}
	d.comma = sniffComma(text, atEOF)
	return d
}

// loneCRLines reports whether CR not followed by LF ends most lines: it
// outnumbers the line ends in LF (with or without a CR before it).
func loneCRLines(text []byte) bool {
	cr, lf := 0, bytes.Count(text, []byte{'\n'})
	for i, c := range text {
		if c == '\r' && (i+1 == len(text) || text[i+1] != '\n') {
			cr++
		}
	}
	return cr > lf
}

// crToLFBytes is crToLF over a whole text.
func crToLFBytes(text []byte) []byte {
	out, _, _ := transform.Bytes(crToLF{}, text)
	return out
}

// sniffComma counts each candidate delimiter per record, outside quotes as
// encoding/csv would read them with that delimiter, over the first
// sniffLines records that hold anything. A delimiter scores the number of
// records in which it occurs its most common (non-zero) number of times: the
// real one occurs as often in every row, a comma or semicolon inside text
// only here and there. Among delimiters that score within a tenth of the
// best, the one that splits records into more fields wins (a tab-separated
// file whose every row holds one thousands separator "1,788"); a file
// without any is comma-separated.
func sniffComma(text []byte, atEOF bool) rune {
	type score struct {
		consistent, fields int
	}
	var scores [len(delimiters)]score
	best := 0
	for i, d := range delimiters {
		counts := countPerRecord(text, d, atEOF)
		freq := map[int]int{}
		for _, n := range counts {
			if n > 0 {
				freq[n]++
			}
		}
		for n, f := range freq {
			if f > scores[i].consistent || f == scores[i].consistent && n > scores[i].fields {
				scores[i] = score{f, n}
			}
		}
		best = max(best, scores[i].consistent)
	}
	if best == 0 {
		return ','
	}
	pick := -1
	for i, s := range scores {
		if s.consistent*10 >= best*9 && (pick < 0 || s.fields > scores[pick].fields) {
			pick = i
		}
	}
	return rune(delimiters[pick])
}

// countPerRecord counts d outside quotes in each record of text that is not
// blank. A quote opens a quoted field only at the start of a field, as in
// encoding/csv; inside, a doubled quote is a quote. The last record is left
// out when text may be cut off inside it.
func countPerRecord(text []byte, d byte, atEOF bool) []int {
	var counts []int
	n, fieldStart, inQuote, blank := 0, true, false, true
	for i := 0; i < len(text) && len(counts) < sniffLines; i++ {
		c := text[i]
		if inQuote {
			if c == '"' {
				if i+1 < len(text) && text[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		switch c {
		case '\n':
			if !blank {
				counts = append(counts, n)
			}
			n, fieldStart, blank = 0, true, true
			continue
		case '\r':
			continue
		case d:
			n++
			fieldStart = true
			blank = false
			continue
		case '"':
			if fieldStart {
				inQuote = true
			}
		}
		fieldStart = false
		blank = false
	}
	if atEOF && !blank && !inQuote && len(counts) < sniffLines {
		counts = append(counts, n)
	}
	return counts
}

// crToLF turns each CR not followed by LF into LF, so that encoding/csv
// (which ends lines at LF only) reads a file whose lines end in a lone CR;
// CRLF stays as it is. Line numbers stay right: every line end is one LF.
type crToLF struct{ transform.NopResetter }

func (crToLF) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		i := bytes.IndexByte(src[nSrc:], '\r')
		end := len(src)
		if i >= 0 {
			end = nSrc + i
		}
		k := copy(dst[nDst:], src[nSrc:end])
		nDst += k
		nSrc += k
		if nSrc < end {
			return nDst, nSrc, transform.ErrShortDst
		}
		if i < 0 {
			break
		}
		// src[nSrc] is CR.
		if nSrc+1 == len(src) && !atEOF {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if nDst == len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		if nSrc+1 < len(src) && src[nSrc+1] == '\n' {
			dst[nDst] = '\r'
		} else {
			dst[nDst] = '\n'
		}
		nDst++
		nSrc++
	}
	return nDst, nSrc, nil
}
