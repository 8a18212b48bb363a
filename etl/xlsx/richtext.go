package xlsx

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rich text, as excelize's xlsxSI.String reads a shared string (<si>) or
// an inline string (<is>): the text of its <t>, then of the <t> of each
// run <r>, with _xHHHH_ escapes decoded. Run properties and phonetic runs
// are not text; their attributes that excelize decodes into numbers or
// booleans are checked, because one it cannot parse fails its decoding,
// which the fast reader leaves to excelize.

// richText reads the rich-text element just read.
func richText(z *xmlTok) (string, error) {
	var t string
	var hasT bool
	var runs []string
	err := z.children(func() error {
		switch string(z.local) {
		case "t":
			if hasT {
				return errFallback // excelize would keep the last
			}
			hasT = true
			var err error
			t, err = z.textContent()
			return err
		case "r":
			run, err := richRun(z)
			runs = append(runs, run)
			return err
		case "rPh":
			if !typedAttrs(z.attrs, "sb", 'u', "eb", 'u') {
				return errFallback
			}
		case "phoneticPr":
			if !typedAttrs(z.attrs, "fontId", 'i') {
				return errFallback
			}
		}
		return z.skip()
	})
	if err != nil {
		return "", err
	}
	if len(runs) > 0 {
		t += strings.Join(runs, "")
	}
	return bstrUnmarshal(t), nil
}

// richRun reads a run <r>: the text of its <t>.
func richRun(z *xmlTok) (string, error) {
	var t string
	var hasT bool
	err := z.children(func() error {
		switch string(z.local) {
		case "t":
			if hasT {
				return errFallback
			}
			hasT = true
			var err error
			t, err = z.textContent()
			return err
		case "rPr":
			return runProps(z)
		}
		return z.skip()
	})
	return t, err
}

// runProps steps over a run's properties (<rPr>), checking the typed
// attributes of its children.
func runProps(z *xmlTok) error {
	return z.children(func() error {
		ok := true
		switch string(z.local) {
		case "charset", "family":
			ok = typedAttrs(z.attrs, "val", 'i')
		case "b", "i", "strike", "outline", "shadow", "condense", "extend":
			ok = typedAttrs(z.attrs, "val", 'b')
		case "sz":
			ok = typedAttrs(z.attrs, "val", 'f')
		case "color":
			ok = typedAttrs(z.attrs, "auto", 'b', "indexed", 'i', "theme", 'i', "tint", 'f')
		}
		if !ok {
			return errFallback
		}
		return z.skip()
	})
}

// typedAttrs checks attributes as encoding/xml fills typed fields: pairs of
// a local name and a kind ('i' int, 'u' uint32, 'f' float64, 'b' bool); an
// empty value is the zero value.
func typedAttrs(attrs []xmlAttr, spec ...any) bool {
	for _, a := range attrs {
		for k := 0; k+1 < len(spec); k += 2 {
			if string(a.local) != spec[k].(string) || len(a.val) == 0 {
				continue
			}
			v := strings.TrimSpace(string(a.val))
			var err error
			switch spec[k+1].(rune) {
			case 'i':
				_, err = strconv.ParseInt(v, 10, 64)
			case 'u':
				_, err = strconv.ParseUint(v, 10, 32)
			case 'f':
				_, err = strconv.ParseFloat(v, 64)
			case 'b':
				_, err = strconv.ParseBool(v)
			}
			if err != nil {
				return false
			}
		}
	}
	return true
}

// bstrUnmarshal decodes the _xHHHH_ escapes Excel writes for characters XML
// cannot hold, as excelize does: _x005F_ is '_', and the escape of a
// surrogate half (which strconv.Unquote refuses) disappears.
func bstrUnmarshal(s string) string {
	i := indexBstr(s, 0)
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	from := 0
	for ; i >= 0; i = indexBstr(s, from) {
		b = append(b, s[from:i]...)
		n, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
		if r := rune(n); r < 0xD800 || r > 0xDFFF {
			b = utf8.AppendRune(b, r)
		}
		from = i + 7
	}
	return string(append(b, s[from:]...))
}

// indexBstr finds the next _xHHHH_ at or after from.
func indexBstr(s string, from int) int {
	for from < len(s) {
		i := strings.Index(s[from:], "_x")
		if i < 0 {
			return -1
		}
		i += from
		if i+7 > len(s) {
			return -1
		}
		if isHex(s[i+2]) && isHex(s[i+3]) && isHex(s[i+4]) && isHex(s[i+5]) && s[i+6] == '_' {
			return i
		}
		from = i + 1
	}
	return -1
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
