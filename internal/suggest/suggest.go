// Package suggest finds the name a person probably meant, for "did you
// mean …?" in error messages.
package suggest

// Distance is the Levenshtein distance of a and b, counted in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest is the candidate nearest to name within maxDistance edits (the
// first of equals, in the candidates' order), or "" when none is. A
// candidate that starts with name (临江 for 临江区) is nearest of all.
func Closest(name string, candidates []string, maxDistance int) string {
	best, bestD := "", maxDistance+1
	for _, c := range candidates {
		d := Distance(name, c)
		if name != "" && len(c) > len(name) && c[:len(name)] == name {
			d = 0
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
