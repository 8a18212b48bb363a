//go:build !linux

package atomic

// exchange is not available here: the two-rename fallback is used.
func exchange(a, b string) error { return errNoExchange }
