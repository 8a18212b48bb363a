package official

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"shequ/internal/say"
)

// Keys of the city profile. A district's code is district.<its name>; a
// policy document's 文号 and title are doc.<NNN>.number and doc.<NNN>.title,
// NNN being the number the policy files cite it by ("seed 001").
const (
	KeyCity   = "city.name"   // 城市名称: 江州市
	KeyCode   = "city.code"   // 行政区划代码: 519900
	KeyBureau = "city.bureau" // 报告抬头单位: 江州市民政局
)

// Document is a policy document the policy parameters come from.
type Document struct {
	ID     string // 000, 001, 003, 004: as the policy files cite it ("seed 001")
	Number string // 文号: 深府办〔2011〕111号; empty when not set
	Title  string // without 《》
	// Issuer is who issued the document, for people reading `shequ
	// settings show`; not printed on reports.
	Issuer string
}

// Citation is how a report names the document: 《title》（文号）, with
// 文号未设置 when the city has not set it.
func (d Document) Citation() string {
	n := d.Number
	if n == "" {
		n = "文号未设置"
	}
	t := d.Title
	if t == "" {
		t = "政策文件 " + d.ID
	}
	return "《" + t + "》（" + n + "）"
}

// DefaultDocuments are the policy documents behind the default policy
// (the seeds, read from their headers). The 文号 of 004 is not in its
// text: the city sets it (shequ settings set doc.004.number …).
var DefaultDocuments = []Document{
	{ID: "000", Number: "深民函〔2016〕1223号", Title: "深圳市社区党群服务中心政府购买项目服务标准", Issuer: "深圳市民政局"},
	{ID: "001", Number: "深府办〔2011〕111号", Title: "深圳市社区服务“十二五”规划", Issuer: "深圳市人民政府办公厅，2011年12月30日"},
	{ID: "003", Number: "昆政办发〔2016〕125号", Title: "昆山市全面推进社区服务社会化工作方案", Issuer: "昆山市人民政府办公室"},
	{ID: "004", Number: "", Title: "东莞市社区综合服务中心示范点建设实施方案", Issuer: "东莞市人民政府办公室，2011年6月9日"},
}

// District is a district of the city with its administrative code.
type District struct {
	Name string
	Code string
}

// Profile is the city's profile in force.
type Profile struct {
	City      string // empty when not set
	Code      string
	Bureau    string
	Districts []District
	Documents []Document // by ID
}

// Document returns the document cited as id, or one with only its ID.
func (p *Profile) Document(id string) Document {
	for _, d := range p.Documents {
		if d.ID == id {
			return d
		}
	}
	return Document{ID: id}
}

// Issuer is the bureau's name for report headers: city.bureau, else
// <city>民政局, else empty.
func (p *Profile) Issuer() string {
	if p.Bureau != "" {
		return p.Bureau
	}
	if p.City != "" {
		return p.City + "民政局"
	}
	return ""
}

// A Setting is one key of the profile with its value in force and the
// change that set it (none for a default).
type Setting struct {
	Key, Label string
	Value      string
	Default    bool // the built-in default: no change has set it
	By, Reason string
	At         time.Time
	ChangeID   int64
}

// A Change is one row of the settings' history.
type Change struct {
	ID         int64
	Key        string
	Value      sql.NullString
	By, Reason string
	At         time.Time
}

var (
	reDistrictKey = regexp.MustCompile(`^district\.(\S+)$`)
	reDocKey      = regexp.MustCompile(`^doc\.(\d{3})\.(number|title)$`)
	reCode        = regexp.MustCompile(`^\d{6}$`)
)

// Label is what a key means, in Chinese.
func Label(key string) string {
	switch key {
	case KeyCity:
		return "城市名称"
	case KeyCode:
		return "城市行政区划代码"
	case KeyBureau:
		return "报告抬头单位（民政局名称）"
	}
	if m := reDistrictKey.FindStringSubmatch(key); m != nil {
		return m[1] + "行政区划代码"
	}
	if m := reDocKey.FindStringSubmatch(key); m != nil {
		if m[2] == "number" {
			return "政策文件 " + m[1] + " 的文号"
		}
		return "政策文件 " + m[1] + " 的标题"
	}
	return ""
}

// CheckSetting says whether value may be set for key ("" unsets it).
func CheckSetting(key, value string) error {
	if Label(key) == "" {
		return say.New("unknown_setting",
			fmt.Sprintf("未知的设置项 %q：设置项有 %s、%s、%s、district.<区名>（其6位行政区划代码）和 doc.<NNN>.number / doc.<NNN>.title", key, KeyCity, KeyCode, KeyBureau),
			fmt.Sprintf("unknown setting %q: the settings are %s, %s, %s, district.<区名> (its 6-digit code) and doc.<NNN>.number / doc.<NNN>.title", key, KeyCity, KeyCode, KeyBureau))
	}
	if value != strings.TrimSpace(value) {
		return fmt.Errorf("%s: the value has spaces at its ends", key)
	}
	if !utf8.ValidString(value) || strings.ContainsAny(value, "\r\n\t") || len([]rune(value)) > 200 {
		return fmt.Errorf("%s: the value must be one line of at most 200 characters", key)
	}
	if value == "" {
		return nil
	}
	switch {
	case key == KeyCode, reDistrictKey.MatchString(key):
		if !reCode.MatchString(value) {
			return say.New("bad_code", fmt.Sprintf("%s：%q 不是6位数字的行政区划代码", key, value), fmt.Sprintf("%s: %q is not a 6-digit administrative code", key, value))
		}
	case strings.HasSuffix(key, ".title"):
		if strings.ContainsAny(value, "《》") {
			return say.New("bad_title", fmt.Sprintf("%s：标题不含书名号《》", key), fmt.Sprintf("%s: give the title without 《》", key))
		}
	}
	return nil
}

// defaults are the built-in values of the profile's keys.
func defaults() map[string]string {
	m := map[string]string{KeyCity: "", KeyCode: "", KeyBureau: ""}
	for _, d := range DefaultDocuments {
		m["doc."+d.ID+".number"] = d.Number
		m["doc."+d.ID+".title"] = d.Title
	}
	return m
}

// Settings lists every key in force: the built-in ones (set or not) and
// every key a change has set, sorted: the city, the districts, the
// documents.
func Settings(ctx context.Context, q Querier) ([]Setting, error) {
	def := defaults()
	byKey := map[string]*Setting{}
	for k, v := range def {
		byKey[k] = &Setting{Key: k, Label: Label(k), Value: v, Default: true}
	}
	ok, err := hasTable(ctx, q, "settings", "changes")
	if err != nil {
		return nil, err
	}
	if ok {
		rows, err := q.QueryContext(ctx, `SELECT key, value, set_by, set_at, reason, change_id FROM settings.current`)
		if err != nil {
			return nil, fmt.Errorf("read the settings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s Setting
			var v sql.NullString
			if err := rows.Scan(&s.Key, &v, &s.By, &s.At, &s.Reason, &s.ChangeID); err != nil {
				return nil, err
			}
			s.Label = Label(s.Key)
			if !v.Valid {
				// Unset: back to the default, or gone (a district).
				if d, ok := def[s.Key]; ok {
					s.Value, s.Default = d, true
					byKey[s.Key] = &s
				} else {
					delete(byKey, s.Key)
				}
				continue
			}
			s.Value = v.String
			byKey[s.Key] = &s
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]Setting, 0, len(byKey))
	for _, s := range byKey {
		out = append(out, *s)
	}
	rank := func(k string) int {
		switch {
		case k == KeyCity:
			return 0
		case k == KeyCode:
			return 1
		case k == KeyBureau:
			return 2
		case strings.HasPrefix(k, "district."):
			return 3
		}
		return 4
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := rank(out[i].Key), rank(out[j].Key)
		if ri != rj {
			return ri < rj
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// LoadProfile reads the profile in force.
func LoadProfile(ctx context.Context, q Querier) (*Profile, error) {
	ss, err := Settings(ctx, q)
	if err != nil {
		return nil, err
	}
	p := &Profile{}
	docs := map[string]*Document{}
	for _, d := range DefaultDocuments {
		d := d
		docs[d.ID] = &d
	}
	for _, s := range ss {
		switch {
		case s.Key == KeyCity:
			p.City = s.Value
		case s.Key == KeyCode:
			p.Code = s.Value
		case s.Key == KeyBureau:
			p.Bureau = s.Value
		case reDistrictKey.MatchString(s.Key):
			p.Districts = append(p.Districts, District{Name: reDistrictKey.FindStringSubmatch(s.Key)[1], Code: s.Value})
		default:
			if m := reDocKey.FindStringSubmatch(s.Key); m != nil {
				d := docs[m[1]]
				if d == nil {
					d = &Document{ID: m[1]}
					docs[m[1]] = d
				}
				if m[2] == "number" {
					d.Number = s.Value
				} else {
					d.Title = s.Value
				}
			}
		}
	}
	for _, d := range docs {
		p.Documents = append(p.Documents, *d)
	}
	sort.Slice(p.Documents, func(i, j int) bool { return p.Documents[i].ID < p.Documents[j].ID })
	sort.Slice(p.Districts, func(i, j int) bool { return p.Districts[i].Name < p.Districts[j].Name })
	return p, nil
}

// ErrNoBy and ErrNoReason refuse a change that does not say who made it
// or why.
var (
	ErrNoBy     error = say.New("by_missing", "须注明修改人：--by 姓名", "say who makes the change: --by NAME")
	ErrNoReason error = say.New("reason_missing", "须注明修改原因：--reason \"…\"", "say why: --reason \"…\"")
)

// Set records a change of one key: value "" unsets it (back to the
// default; a district is removed). Setting the value in force again is
// refused: it would be a change that changes nothing.
func Set(ctx context.Context, q Querier, key, value, by, reason string) (*Change, error) {
	by, reason = strings.TrimSpace(by), strings.TrimSpace(reason)
	if by == "" {
		return nil, ErrNoBy
	}
	if reason == "" {
		return nil, ErrNoReason
	}
	if err := CheckSetting(key, value); err != nil {
		return nil, err
	}
	ss, err := Settings(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, s := range ss {
		if s.Key == key && s.Value == value && (value != "" || s.Default) {
			return nil, say.New("unchanged", fmt.Sprintf("%s 已是 %q，设置值未改变", key, value), fmt.Sprintf("%s is already %q: nothing to change", key, value))
		}
	}
	if value == "" && reDistrictKey.MatchString(key) {
		found := false
		for _, s := range ss {
			found = found || s.Key == key
		}
		if !found {
			return nil, fmt.Errorf("%s is not set: nothing to remove", key)
		}
	}
	c := &Change{Key: key, By: by, Reason: reason, At: time.Now().UTC().Truncate(time.Microsecond)}
	if value != "" {
		c.Value = sql.NullString{String: value, Valid: true}
	}
	err = q.QueryRowContext(ctx, `INSERT INTO settings.changes
		SELECT coalesce(max(change_id), 0) + 1, ?, ?, ?, ?, ? FROM settings.changes RETURNING change_id`,
		key, c.Value, by, c.At, reason).Scan(&c.ID)
	if err != nil {
		return nil, fmt.Errorf("record the setting: %w", err)
	}
	return c, nil
}

// History lists the changes of the settings, oldest first; of one key
// when key is not empty.
func History(ctx context.Context, q Querier, key string) ([]Change, error) {
	ok, err := hasTable(ctx, q, "settings", "changes")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT change_id, key, value, set_by, set_at, reason FROM settings.changes
		WHERE ? = '' OR key = ? ORDER BY change_id`, key, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.ID, &c.Key, &c.Value, &c.By, &c.At, &c.Reason); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
