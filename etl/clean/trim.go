package clean

// Trim cleans free text (names, titles, notes): it trims the same white
// space as Text (NBSP, zero-width characters, the BOM, the ideographic
// space) but keeps full-width punctuation inside the text as written, so
// "开设党的建设宣传栏，开展政策服务日" keeps its Chinese comma.
func Trim(s string) string {
	if isCleanASCII(s) {
		return s
	}
	return trimSpace(s)
}
