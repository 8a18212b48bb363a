package warehouse

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"shequ/internal/say"
)

// Holder describes the process that holds the write lock of a warehouse.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
	Host    string    `json:"host,omitempty"`
}

// LockedError is returned by Open when another process is writing the
// warehouse. It names the holder instead of DuckDB's file-lock error.
type LockedError struct {
	Path   string
	Holder Holder
}

func (e *LockedError) Error() string { return say.New(e.Words()).Error() }

// Words words the error in Chinese and English (say.Worded).
func (e *LockedError) Words() (code, zh, en string) {
	h := e.Holder
	if h.PID == 0 {
		return "warehouse_busy", fmt.Sprintf("数据仓库 %s 正被另一个 shequ 进程使用，请稍后再试", e.Path),
			fmt.Sprintf("warehouse %s is in use by another shequ process; try again when it has finished", e.Path)
	}
	since := h.Since.Local().Format("2006-01-02 15:04:05")
	return "warehouse_busy",
		fmt.Sprintf("数据仓库 %s 自 %s 起正被进程 %d（%s）写入，请稍后再试，或查询已发布的快照", e.Path, since, h.PID, h.Command),
		fmt.Sprintf("warehouse %s is being written by pid %d (%s) since %s; try again when it has finished, or read the published snapshot", e.Path, h.PID, h.Command, since)
}

// writeLock is an advisory lock on "<warehouse>.lock" held for as long as a
// process may write. The kernel releases it if the process dies, so a crash
// never leaves a stale lock behind; the file's content only names the holder.
type writeLock struct {
	f      *os.File
	shared bool // a reader's hold (tryReadLock): leaves the holder's note alone
}

func acquireWriteLock(path, command string) (*writeLock, error) {
	f, err := os.OpenFile(FilesOf(path).Lock, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) {
		dir := filepath.Dir(path)
		return nil, say.Wrap(err, "folder_not_writable",
			fmt.Sprintf("此用户对文件夹 %s 没有写权限，不能写入数据仓库：请以运行 shequ 的用户执行，或只读查询已发布的快照（shequ sql、query、runs）", dir),
			fmt.Sprintf("the folder %s is not writable by this user, and a writer keeps its lock file there: "+
				"run this as the user that runs shequ, or read the published snapshot (shequ sql, query, runs)", dir))
	}
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Path: path, Holder: readHolder(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", FilesOf(path).Lock, err)
	}
	host, _ := os.Hostname()
	h := Holder{PID: os.Getpid(), Command: command, Since: time.Now().UTC(), Host: host}
	b, _ := json.Marshal(h)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
		_ = f.Sync()
	}
	return &writeLock{f: f}, nil
}

func readHolder(f *os.File) Holder {
	var h Holder
	b := make([]byte, 4096)
	n, _ := f.ReadAt(b, 0)
	_ = json.Unmarshal([]byte(strings.TrimSpace(string(b[:n]))), &h)
	return h
}

func (l *writeLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	if !l.shared {
		_ = l.f.Truncate(0)
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// tryReadLock takes the lock file shared, without waiting, so that no
// writer can start while a short read of the live file is under way. It
// returns nil when a writer holds the file.
func tryReadLock(path string) (l *writeLock, busy bool) {
	// A reader who may not write still takes the shared lock, on the lock
	// file as it is.
	f, err := os.OpenFile(FilesOf(path).Lock, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) {
		f, err = os.Open(FilesOf(path).Lock)
	}
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, errors.Is(err, syscall.EWOULDBLOCK)
	}
	return &writeLock{f: f, shared: true}, false
}
