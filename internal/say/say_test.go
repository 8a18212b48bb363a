package say

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
)

func TestLines(t *testing.T) {
	base := New("inbox_missing", "收件箱 /nope 不是文件夹", "inbox /nope is not a directory")
	_, statErr := os.Stat("/nonexistent/shequ")
	for _, tc := range []struct {
		err    error
		zh, en string
	}{
		{base, "收件箱 /nope 不是文件夹", "inbox_missing: inbox /nope is not a directory"},
		{fmt.Errorf("ingest: %w", base), "收件箱 /nope 不是文件夹", "ingest: inbox_missing: inbox /nope is not a directory"},
		{Wrap(statErr, "x", "甲", "a"), "甲", "x: a"},
		{fmt.Errorf("open: %w", statErr), "找不到下列文件或文件夹", "open: stat /nonexistent/shequ: no such file or directory"},
		{fmt.Errorf("run: %w", context.Canceled), "已中断，未完成的工作没有保存", "run: context canceled"},
		{errors.New("boom"), "未能完成，原因见下行（英文）", "boom"},
		{errors.Join(fmt.Errorf("statement 1: %w", base), fmt.Errorf("statement 2: %w", New("y", "乙", "b"))),
			"收件箱 /nope 不是文件夹（共 2 处，详见下文）", "statement 1: inbox_missing: inbox /nope is not a directory\nstatement 2: y: b"},
	} {
		zh, en := Lines(tc.err)
		if zh != tc.zh || en != tc.en {
			t.Errorf("Lines(%v) = %q, %q; want %q, %q", tc.err, zh, en, tc.zh, tc.en)
		}
	}
	if got := base.Error(); got != "收件箱 /nope 不是文件夹 (inbox_missing: inbox /nope is not a directory)" {
		t.Errorf("Error() = %q", got)
	}
}
