package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"shequ/etl/ingest"
	"shequ/etl/receipt"
	"shequ/internal/atomic"
	"shequ/pipeline"
	"shequ/warehouse"
	"shequ/web/account"
)

// Receipt is the answer to an upload (POST /api/submissions): the
// submission's outcome and every problem of its rows.
type Receipt struct {
	SubmissionID int64            `json:"submission_id"`
	Status       string           `json:"status"` // loaded, duplicate, quarantined
	StatusZh     string           `json:"status_zh"`
	RowsRead     int              `json:"rows_read"`
	RowsLoaded   int              `json:"rows_loaded"`
	RowsRejected int              `json:"rows_rejected"`
	RowsWarned   int              `json:"rows_warned"`
	RowsWaiting  int              `json:"rows_waiting"` // rows waiting for their project or community (待关联)
	Problems     []ReceiptProblem `json:"problems"`
	File         string           `json:"file"` // the name the district gave the file
	District     string           `json:"district,omitempty"`
	Kinds        []string         `json:"kinds"`
	SHA256       string           `json:"sha256"`
	ReasonZh     string           `json:"reason_zh,omitempty"`
	DuplicateOf  int64            `json:"duplicate_of,omitempty"`
	ReceiptURL   string           `json:"receipt_url,omitempty"` // the annotated workbook
	PageURL      string           `json:"page_url"`
}

// ReceiptProblem is one problem of one row.
type ReceiptProblem struct {
	Sheet     string `json:"sheet"`
	Row       int    `json:"row"`
	Column    string `json:"column"`
	Header    string `json:"header,omitempty"`
	Letter    string `json:"letter,omitempty"`
	Value     string `json:"value"`
	Severity  string `json:"severity"`
	Code      string `json:"code"`
	MessageZh string `json:"message_zh"`
}

// uploadError is a refusal to take a file, with its HTTP status and the
// reason in Chinese.
type uploadError struct {
	status int
	code   string
	zh     string
}

func (e *uploadError) Error() string { return e.code + ": " + e.zh }

func refuse(status int, code, zh string) error { return &uploadError{status, code, zh} }

// accepted are the file name endings ingest reads.
var accepted = map[string]bool{".xlsx": true, ".xlsm": true, ".xls": true, ".csv": true, ".txt": true, ".et": true, ".ods": true}

// uploadAPI takes one file (multipart field "file") and answers its
// receipt as JSON.
func (s *Server) uploadAPI(w http.ResponseWriter, r *http.Request) {
	rc, err := s.upload(w, r)
	var ue *uploadError
	switch {
	case errors.As(err, &ue):
		writeJSON(w, ue.status, apiError{Error: ue.code, MessageZh: ue.zh})
	case err != nil:
		s.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, rc)
	}
}

// uploadForm is the same from the portal's form without JavaScript: it
// shows the receipt page.
func (s *Server) uploadForm(w http.ResponseWriter, r *http.Request) {
	rc, err := s.upload(w, r)
	var ue *uploadError
	switch {
	case errors.As(err, &ue):
		s.renderError(w, r, ue.status, ue.zh)
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, rc.PageURL, http.StatusSeeOther)
	}
}

// upload streams the file to the staging folder (never into memory whole,
// never under the client's name), checks it, and has the writer put it in
// the inbox under a generated name and ingest it.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) (*Receipt, error) {
	c := callerOf(r)
	lim := s.cfg.Limits
	audit := account.Entry{User: c.Name, Role: c.Role, District: c.District, Action: account.ActUpload, Address: c.addr}
	refused := func(err error) (*Receipt, error) {
		var ue *uploadError
		if errors.As(err, &ue) {
			audit.Detail = ue.code + ": " + ue.zh
			s.wr.logAudit(audit)
		}
		return nil, err
	}
	if r.ContentLength > lim.UploadBytes+1<<20 {
		w.Header().Set("Connection", "close")
		return refused(refuse(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("文件超过 %d MB 的上限，已拒收。请拆分后分别报送。", lim.UploadBytes>>20)))
	}
	if !s.uploads.allow(c.Name) {
		return refused(refuse(http.StatusTooManyRequests, "too_many_uploads", fmt.Sprintf("一小时内最多上传 %d 个文件，请稍后再试。", lim.UploadsPerHour)))
	}
	if s.wr.queued() >= 32 {
		return refused(refuse(http.StatusServiceUnavailable, "busy", "系统正忙，请一分钟后重试。"))
	}
	r.Body = http.MaxBytesReader(w, r.Body, lim.UploadBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return refused(refuse(http.StatusBadRequest, "not_multipart", "请以表单上传文件（multipart/form-data，字段 file）。"))
	}
	csrfOK := c.session == nil || r.Header.Get("X-Csrf-Token") != "" // the header was checked by guard
	var staged, original, sum string
	var size int64
	defer func() {
		if staged != "" {
			os.Remove(staged)
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return refused(bodyError(err, lim))
		}
		switch part.FormName() {
		case "csrf":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			if c.session != nil && subtle.ConstantTimeCompare(b, []byte(c.session.csrf)) == 1 {
				csrfOK = true
			}
		case "file":
			if !csrfOK {
				return refused(refuse(http.StatusForbidden, "csrf", "表单已过期或缺少校验码（CSRF），请刷新页面后重试。"))
			}
			if staged != "" {
				return refused(refuse(http.StatusBadRequest, "one_file", "一次上传一个文件。"))
			}
			original = displayName(part.FileName())
			ext := strings.ToLower(path.Ext(original))
			if !accepted[ext] {
				return refused(refuse(http.StatusUnsupportedMediaType, "format",
					"只接收 Excel 工作簿（.xlsx）或 CSV 文件。"))
			}
			staged, sum, size, err = s.stage(part, ext, lim.UploadBytes)
			if err != nil {
				return refused(bodyError(err, lim))
			}
		default:
			io.Copy(io.Discard, io.LimitReader(part, 1<<20))
		}
		part.Close()
	}
	if staged == "" {
		if !csrfOK {
			return refused(refuse(http.StatusForbidden, "csrf", "表单已过期或缺少校验码（CSRF），请刷新页面后重试。"))
		}
		return refused(refuse(http.StatusBadRequest, "no_file", "没有收到文件：请选择要报送的文件（字段 file）。"))
	}
	audit.Target = original
	if size == 0 {
		return refused(refuse(http.StatusBadRequest, "empty", "文件为空（0 字节），请重新选择。"))
	}
	if msg := zipProblem(staged, size, lim.Unzipped, lim.Ratio); msg != "" {
		return refused(refuse(http.StatusUnprocessableEntity, "zip_bomb", msg))
	}
	var cl *claims
	if c.Role == account.District {
		if cl, err = readClaims(staged); err != nil {
			return nil, err
		}
	}
	var rc *Receipt
	file := staged // the writer's from here on: it moves or removes it
	staged = ""
	err = s.wr.do(r.Context(), "upload", true, func(ctx context.Context, wh *warehouse.Warehouse) error {
		defer func() {
			if file != "" {
				os.Remove(file)
			}
		}()
		if cl != nil {
			msg, err := cl.foreignRows(ctx, wh.DB, c.District)
			if err != nil {
				return err
			}
			if msg != "" {
				return refuse(http.StatusForbidden, "other_district", msg)
			}
		}
		rel, err := s.toInbox(file, c, filepath.Ext(original))
		if err != nil {
			return err
		}
		file = ""
		rc, err = s.ingestUpload(ctx, wh, c, rel, original, size, sum)
		return err
	})
	if err != nil {
		return refused(err)
	}
	audit.OK = true
	audit.Target = fmt.Sprintf("第 %d 号报送 %s", rc.SubmissionID, original)
	audit.Detail = fmt.Sprintf("%s: loaded %d, rejected %d, warned %d", rc.Status, rc.RowsLoaded, rc.RowsRejected, rc.RowsWarned)
	s.wr.logAudit(audit)
	return rc, nil
}

// bodyError words a failure reading the request body.
func bodyError(err error, lim Limits) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, errTooLarge) {
		return refuse(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("文件超过 %d MB 的上限，已拒收。请拆分后分别报送。", lim.UploadBytes>>20))
	}
	var ue *uploadError
	if errors.As(err, &ue) {
		return err
	}
	return refuse(http.StatusBadRequest, "bad_upload", "上传中断或表单有误，请重试。")
}

var errTooLarge = errors.New("upload too large")

// stage writes a part to a new file of the staging folder, hashing it,
// and stops past limit bytes.
func (s *Server) stage(part *multipart.Part, ext string, limit int64) (file, sum string, size int64, err error) {
	f, err := os.CreateTemp(s.staging, "upload-*"+ext)
	if err != nil {
		return "", "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(part, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = errTooLarge
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", 0, err
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), n, nil
}

// displayName is the client's file name for display only: its last
// element, without control characters, at most 120 characters. It never
// becomes a path.
func displayName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	if name == "." || name == "" {
		name = "file"
	}
	return name
}

// toInbox moves a staged upload into the inbox: into the uploader's
// district folder (市级 for the city's accounts), under a name made of the
// time and random letters. Returns its path relative to the inbox.
func (s *Server) toInbox(staged string, c *caller, ext string) (string, error) {
	folder := "市级"
	if c.Role == account.District {
		folder = safeFolder(c.District)
	}
	inbox := s.p.Config().Inbox
	dir := filepath.Join(inbox, folder)
	if err := atomic.MkdirAll(dir, atomic.PrivateDir); err != nil {
		return "", err
	}
	name := fmt.Sprintf("web-%s-%s%s", s.now().In(time.Local).Format("20060102-150405"), randomToken()[:10], strings.ToLower(ext))
	name = strings.ReplaceAll(name, "_", "x") // base64url letters, one file-name element
	dst := filepath.Join(dir, name)
	if err := os.Chmod(staged, atomic.Private); err != nil {
		return "", err
	}
	if err := os.Rename(staged, dst); err != nil {
		// Another file system: copy, then remove.
		if err := copyFile(staged, dst); err != nil {
			return "", err
		}
		os.Remove(staged)
	}
	return folder + "/" + name, nil
}

// safeFolder makes a district's name one file-name element.
func safeFolder(d string) string {
	d = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, d)
	d = strings.Trim(d, " .")
	if d == "" {
		return "unknown"
	}
	return d
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomic.WriteFileMode(dst, atomic.Private, atomic.PrivateDir, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// ingestUpload runs the ingest on the inbox (the upload and anything else
// new), records who sent the file, and returns its receipt.
func (s *Server) ingestUpload(ctx context.Context, wh *warehouse.Warehouse, c *caller, rel, original string, size int64, sum string) (*Receipt, error) {
	sm, err := s.p.Ingest(ctx, wh, pipeline.IngestOptions{})
	if err != nil {
		return nil, err
	}
	var fr *ingest.FileResult
	for i := range sm.Files {
		if sm.Files[i].File == rel {
			fr = &sm.Files[i]
		}
	}
	if fr == nil {
		for _, d := range sm.Deferred {
			if d.File == rel {
				return nil, fmt.Errorf("the upload %s was left for the next run: %v", rel, d.Err)
			}
		}
		return nil, fmt.Errorf("the ingest did not report the upload %s", rel)
	}
	var district any
	if c.Role == account.District {
		district = c.District
	}
	if _, err := wh.DB.ExecContext(ctx, `INSERT INTO web.uploads (submission_id, uploaded_at, user_name, district, original_name, inbox_file, size_bytes, sha256)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, fr.Submission, s.now().UTC(), c.Name, district, original, rel, size, sum); err != nil {
		return nil, err
	}
	rc := &Receipt{
		SubmissionID: fr.Submission, Status: fr.Status, RowsRead: fr.Read, RowsLoaded: fr.Loaded, RowsRejected: fr.Rejected,
		RowsWarned: fr.Warned, File: original, District: fr.District, Kinds: fr.Kinds, SHA256: fr.SHA256, ReasonZh: fr.ReasonZh,
		Problems: []ReceiptProblem{}, PageURL: fmt.Sprintf("/submissions/%d", fr.Submission),
	}
	if rc.Kinds == nil {
		rc.Kinds = []string{}
	}
	rc.StatusZh = receipt.StatusZh(rc.Status)
	if fr.Receipt != "" {
		rc.ReceiptURL = fmt.Sprintf("/submissions/%d/receipt.xlsx", fr.Submission)
	}
	if fr.Status == ingest.StatusDuplicate {
		var dup sql.NullInt64
		_ = wh.DB.QueryRowContext(ctx, `SELECT duplicate_of FROM raw.submissions WHERE submission_id = ?`, fr.Submission).Scan(&dup)
		rc.DuplicateOf = dup.Int64
	}
	rows, err := wh.DB.QueryContext(ctx, `SELECT sheet, "row", "column", coalesce(header, ''), coalesce(letter, ''), coalesce(value, ''), severity, code, message_zh
		FROM raw.rejects WHERE submission_id = ? ORDER BY sheet, "row", "column", code`, fr.Submission)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p ReceiptProblem
		if err := rows.Scan(&p.Sheet, &p.Row, &p.Column, &p.Header, &p.Letter, &p.Value, &p.Severity, &p.Code, &p.MessageZh); err != nil {
			return nil, err
		}
		rc.Problems = append(rc.Problems, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := wh.DB.QueryRowContext(ctx, `SELECT count(*) FROM raw.orphans WHERE submission_id = ? AND released_by IS NULL`, fr.Submission).Scan(&rc.RowsWaiting); err != nil {
		return nil, err
	}
	return rc, nil
}
