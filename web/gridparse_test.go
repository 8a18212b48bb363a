package web

import (
	"testing"

	"shequ/web/webtest"
)

// The grids of a page and the check of its workbook are webtest's, shared
// with the browser's tests (web/e2e).
type (
	pageGrid = webtest.Grid
	pageRow  = webtest.Row
)

func parseGrids(t testing.TB, page []byte) map[string]*pageGrid { return webtest.ParseGrids(t, page) }

func checkWorkbook(t testing.TB, what string, page, book []byte) {
	t.Helper()
	webtest.CheckWorkbook(t, what, page, book)
}
