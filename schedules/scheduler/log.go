package scheduler

import (
	"fmt"
	"log/slog"
)

// Attribute keys of the scheduler's log lines.
const (
	keyJob     = "job"
	keyRun     = "run_id"
	keyTrigger = "trigger"
	keyAttempt = "attempt"
	keyStatus  = "status"
	keyTook    = "took"
	keyNext    = "next"
	keyErr     = "err"
)

// cronLogger passes robfig/cron's own messages to slog: its routine ones
// (every wake-up) at debug level.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron "+msg, append(kv, keyErr, fmt.Sprint(err))...)
}
