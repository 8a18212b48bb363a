// Package queries is what analysts run on the warehouse: the saved
// queries of this folder (one .sql file each, a single SELECT under a
// header naming its parameters), run with bound parameters; and the
// statement checks that keep an analyst's session read-only.
package queries
