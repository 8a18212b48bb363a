package console

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/mattn/go-runewidth"
)

// errInterrupt is Ctrl-C at the prompt.
var errInterrupt = errors.New("interrupt")

// editor reads one line at a time from a terminal in raw mode, with the
// usual editing keys and history. It measures text by display width, so
// a line of Chinese is drawn and edited right (x/term's Terminal counts
// every rune as one column). A line wider than the terminal scrolls
// sideways instead of wrapping.
type editor struct {
	in    *bufio.Reader
	out   io.Writer
	hist  *history
	width func() int // terminal columns
}

func newEditor(in io.Reader, out io.Writer, hist *history, width func() int) *editor {
	return &editor{in: bufio.NewReader(in), out: out, hist: hist, width: width}
}

type lineState struct {
	prompt string
	buf    []rune
	pos    int
}

// readLine reads a line. It returns io.EOF for Ctrl-D on an empty line
// and errInterrupt for Ctrl-C.
func (ed *editor) readLine(prompt string) (string, error) {
	ls := &lineState{prompt: prompt}
	histIdx := -1 // -1: the line being typed
	pending := ""
	ed.refresh(ls)
	setLine := func(s string) {
		ls.buf = []rune(s)
		ls.pos = len(ls.buf)
	}
	for {
		r, _, err := ed.in.ReadRune()
		if err != nil {
			if len(ls.buf) > 0 && err == io.EOF {
				io.WriteString(ed.out, "\r\n")
				return string(ls.buf), nil
			}
			return "", err
		}
		switch r {
		case '\r', '\n':
			ls.pos = len(ls.buf)
			ed.refresh(ls)
			io.WriteString(ed.out, "\r\n")
			return string(ls.buf), nil
		case 3: // ^C
			io.WriteString(ed.out, "^C\r\n")
			return "", errInterrupt
		case 4: // ^D
			if len(ls.buf) == 0 {
				return "", io.EOF
			}
			if ls.pos < len(ls.buf) {
				ls.buf = append(ls.buf[:ls.pos], ls.buf[ls.pos+1:]...)
			}
		case 127, 8: // backspace
			if ls.pos > 0 {
				ls.buf = append(ls.buf[:ls.pos-1], ls.buf[ls.pos:]...)
				ls.pos--
			}
		case 1: // ^A
			ls.pos = 0
		case 5: // ^E
			ls.pos = len(ls.buf)
		case 2: // ^B
			ls.pos = max(ls.pos-1, 0)
		case 6: // ^F
			ls.pos = min(ls.pos+1, len(ls.buf))
		case 21: // ^U
			ls.buf = append([]rune(nil), ls.buf[ls.pos:]...)
			ls.pos = 0
		case 11: // ^K
			ls.buf = ls.buf[:ls.pos]
		case 23: // ^W
			start := ls.pos
			for start > 0 && unicode.IsSpace(ls.buf[start-1]) {
				start--
			}
			for start > 0 && !unicode.IsSpace(ls.buf[start-1]) {
				start--
			}
			ls.buf = append(ls.buf[:start], ls.buf[ls.pos:]...)
			ls.pos = start
		case 12: // ^L
			io.WriteString(ed.out, "\x1b[H\x1b[2J")
		case 16, 14: // ^P, ^N
			histIdx, pending = ed.history(ls, r == 16, histIdx, pending, setLine)
		case '\t':
			ed.insert(ls, []rune("    "))
		case 27: // escape sequences
			switch ed.escape() {
			case "up":
				histIdx, pending = ed.history(ls, true, histIdx, pending, setLine)
			case "down":
				histIdx, pending = ed.history(ls, false, histIdx, pending, setLine)
			case "left":
				ls.pos = max(ls.pos-1, 0)
			case "right":
				ls.pos = min(ls.pos+1, len(ls.buf))
			case "home":
				ls.pos = 0
			case "end":
				ls.pos = len(ls.buf)
			case "delete":
				if ls.pos < len(ls.buf) {
					ls.buf = append(ls.buf[:ls.pos], ls.buf[ls.pos+1:]...)
				}
			case "word-left":
				for ls.pos > 0 && unicode.IsSpace(ls.buf[ls.pos-1]) {
					ls.pos--
				}
				for ls.pos > 0 && !unicode.IsSpace(ls.buf[ls.pos-1]) {
					ls.pos--
				}
			case "word-right":
				for ls.pos < len(ls.buf) && unicode.IsSpace(ls.buf[ls.pos]) {
					ls.pos++
				}
				for ls.pos < len(ls.buf) && !unicode.IsSpace(ls.buf[ls.pos]) {
					ls.pos++
				}
			}
		default:
			if r >= ' ' && r != 127 && r != unicode.ReplacementChar {
				ed.insert(ls, []rune{r})
			}
		}
		ed.refresh(ls)
	}
}

func (ed *editor) insert(ls *lineState, rs []rune) {
	buf := make([]rune, 0, len(ls.buf)+len(rs))
	buf = append(buf, ls.buf[:ls.pos]...)
	buf = append(buf, rs...)
	ls.buf = append(buf, ls.buf[ls.pos:]...)
	ls.pos += len(rs)
}

// history moves through the history: older when up.
func (ed *editor) history(ls *lineState, up bool, idx int, pending string, set func(string)) (int, string) {
	if ed.hist == nil {
		return idx, pending
	}
	next := idx - 1
	if up {
		next = idx + 1
	}
	switch {
	case next >= ed.hist.Len() || next < -1:
		return idx, pending
	case idx == -1:
		pending = string(ls.buf)
	}
	if next == -1 {
		set(pending)
	} else {
		set(ed.hist.At(next))
	}
	return next, pending
}

// escape reads the rest of an escape sequence and names its key.
func (ed *editor) escape() string {
	b, err := ed.in.ReadByte()
	if err != nil {
		return ""
	}
	switch b {
	case 'b':
		return "word-left"
	case 'f':
		return "word-right"
	case 'O':
		c, _ := ed.in.ReadByte()
		return map[byte]string{'H': "home", 'F': "end", 'A': "up", 'B': "down", 'C': "right", 'D': "left"}[c]
	case '[':
	default:
		return ""
	}
	// CSI: parameters, then a final byte in @–~.
	var params []byte
	for {
		c, err := ed.in.ReadByte()
		if err != nil {
			return ""
		}
		if c >= 0x40 && c <= 0x7e {
			p := string(params)
			switch c {
			case 'A':
				return "up"
			case 'B':
				return "down"
			case 'C':
				if strings.HasSuffix(p, ";5") || strings.HasSuffix(p, ";3") {
					return "word-right"
				}
				return "right"
			case 'D':
				if strings.HasSuffix(p, ";5") || strings.HasSuffix(p, ";3") {
					return "word-left"
				}
				return "left"
			case 'H':
				return "home"
			case 'F':
				return "end"
			case '~':
				n, _ := strconv.Atoi(strings.Split(p, ";")[0])
				return map[int]string{1: "home", 7: "home", 4: "end", 8: "end", 3: "delete"}[n]
			}
			return ""
		}
		params = append(params, c)
	}
}

// refresh redraws the prompt and the line, scrolled so that the cursor is
// in view, and puts the cursor at its place.
func (ed *editor) refresh(ls *lineState) {
	cols := 80
	if ed.width != nil {
		if w := ed.width(); w > 0 {
			cols = w
		}
	}
	pw := runewidth.StringWidth(ls.prompt)
	room := max(cols-pw-1, 1)
	start := 0
	for start < ls.pos && runewidth.StringWidth(string(ls.buf[start:ls.pos])) > room {
		start++
	}
	end := ls.pos
	for end < len(ls.buf) && runewidth.StringWidth(string(ls.buf[start:end+1])) <= room {
		end++
	}
	var b strings.Builder
	b.WriteString("\r")
	b.WriteString(ls.prompt)
	b.WriteString(string(ls.buf[start:end]))
	b.WriteString("\x1b[K\r")
	if col := pw + runewidth.StringWidth(string(ls.buf[start:ls.pos])); col > 0 {
		b.WriteString("\x1b[" + strconv.Itoa(col) + "C")
	}
	io.WriteString(ed.out, b.String())
}
