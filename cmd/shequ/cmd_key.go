package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"shequ/etl/ingest"
	"shequ/internal/say"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "key",
		summary: "the key that hashes ID numbers: show it, back it up, restore it, rotate it",
		usage: `Usage: shequ key show
       shequ key backup --out FILE
       shequ key restore FILE
       shequ key rotate [--force]

ID numbers are stored only masked and as a keyed hash (HMAC-SHA256), so
that one person can be matched across projects and years. The key is kept
outside the warehouse: in $SHEQU_ID_KEY when set, else in the key file
beside it (shequ.duckdb.key, readable by its owner only). The warehouse
keeps only the key's fingerprint, and an ingest refuses to hash with any
other key: the same person would get two hashes. So back the key up, and
keep the backup apart from the warehouse.

  show      where the key comes from, its fingerprint, and whether it is the
            key the warehouse keeps the fingerprint of
  backup    write the key to FILE (mode 0600)
  restore   put the key of a backup FILE back as the key file, after
            checking it is the warehouse's key
  rotate    use a new key from now on ($SHEQU_ID_KEY when set, else a new
            random key file). ID numbers are not kept, so nothing can be
            hashed again: once the warehouse holds hashed ID numbers a person
            no longer matches across the rotation, and rotate asks for
            --force. Back up the old key first.

Examples:
  shequ key show
  shequ key backup --out /media/backup/shequ.duckdb.key
  shequ key restore /media/backup/shequ.duckdb.key`,
		run: runKey,
	})
}

func runKey(ctx context.Context, e *env, args []string) error {
	var out string
	var force bool
	sub, pos, err := e.parseSub(lookup("key"), args, []string{"show", "backup", "restore", "rotate"}, func(sub string, f *flag.FlagSet) {
		switch sub {
		case "backup":
			f.StringVar(&out, "out", "", "write the backup to this `file` (mode 0600)")
		case "rotate":
			f.BoolVar(&force, "force", false, "rotate although the warehouse holds hashed ID numbers (they will not match the new ones)")
		}
	})
	if err != nil {
		return err
	}
	path, err := filepath.Abs(e.cfg.Warehouse)
	if err != nil {
		return err
	}
	switch sub {
	case "show":
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
		}
		return e.keyShow(ctx, path)
	case "backup":
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
		}
		if out == "" {
			return usagef("backup needs --out FILE")
		}
		return e.keyBackup(ctx, path, out)
	case "restore":
		if len(pos) != 1 {
			return usagef("restore takes the backup FILE")
		}
		return e.keyRestore(ctx, pos[0])
	case "rotate":
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
		}
		return e.keyRotate(ctx, force)
	}
	return usagef("unknown key command %q: show, backup, restore or rotate", sub)
}

// keyState is what the warehouse keeps about its key, read without
// keeping a writer out; nil when there is no warehouse yet.
type keyState struct {
	recorded *ingest.Recorded
	hashed   int64
	source   warehouse.Source
}

func readKeyState(ctx context.Context, path string) (*keyState, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	w, src, err := warehouse.OpenLatest(ctx, path)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	rec, err := ingest.RecordedKey(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	n, err := ingest.HashedIDs(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	return &keyState{recorded: rec, hashed: n, source: src}, nil
}

var errKeyLost error = say.New("key_lost", "数据仓库的身份证号密钥缺失或不符：恢复之前拒绝接收报送；请从备份恢复（shequ key restore 文件，或 $"+ingest.KeyEnv+"），见 shequ help key",
	"the warehouse's ID key is not there: ingests are refused until it is restored from its backup "+
		"(shequ key restore FILE, or $"+ingest.KeyEnv+"); see shequ help key")

// keyShow prints where the key comes from and whether it is the
// warehouse's; a missing or wrong key is an error (exit 1).
func (e *env) keyShow(ctx context.Context, path string) error {
	st, err := readKeyState(ctx, path)
	if err != nil {
		return err
	}
	k, kerr := ingest.ReadKey(path)
	var rows [][]string
	switch {
	case kerr == nil && k.FromEnv:
		rows = append(rows, []string{"key", "$" + ingest.KeyEnv + " (the environment; the key file is not used)"})
	case kerr == nil:
		mode := ""
		if fi, err := os.Stat(k.Source); err == nil {
			mode = fmt.Sprintf(" (mode %04o)", fi.Mode().Perm())
		}
		rows = append(rows, []string{"key", k.Source + mode})
	case errors.Is(kerr, fs.ErrNotExist):
		rows = append(rows, []string{"key", fmt.Sprintf("none: no file %s, and $%s is not set", ingest.KeyPath(path), ingest.KeyEnv)})
	default:
		return kerr
	}
	if kerr == nil {
		rows = append(rows, []string{"fingerprint", k.Fingerprint})
	}
	var problem error
	switch {
	case st == nil:
		rows = append(rows, []string{"warehouse", fmt.Sprintf("none yet at %s: the first ingest makes a key", path)})
	default:
		rows = append(rows, []string{"hashed ID numbers", fmt.Sprintf("%d staff rows", st.hashed)})
		switch rec := st.recorded; {
		case rec == nil && kerr == nil:
			rows = append(rows, []string{"warehouse", "keeps no fingerprint yet: the next ingest keeps this key's"})
		case rec == nil && st.hashed > 0:
			rows = append(rows, []string{"warehouse", "keeps no fingerprint, and its hashes were made with a key that is gone"})
			problem = errKeyLost
		case rec == nil:
			rows = append(rows, []string{"warehouse", "keeps no fingerprint yet: the next ingest makes a key"})
		case kerr != nil:
			rows = append(rows, []string{"warehouse", fmt.Sprintf("uses the key of fingerprint %s, since %s: MISSING", rec.Fingerprint, rec.Created.Format("2006-01-02 15:04"))})
			problem = errKeyLost
		case rec.Fingerprint != k.Fingerprint:
			rows = append(rows, []string{"warehouse", fmt.Sprintf("uses the key of fingerprint %s, since %s: NOT THIS KEY", rec.Fingerprint, rec.Created.Format("2006-01-02 15:04"))})
			problem = errKeyLost
		default:
			rows = append(rows, []string{"warehouse", fmt.Sprintf("uses this key, since %s ✓", rec.Created.Format("2006-01-02 15:04"))})
		}
	}
	for _, r := range rows {
		fmt.Fprintf(e.stdout, "%-18s %s\n", r[0]+":", r[1])
	}
	return problem
}

// keyBackup writes the key to out, 0600, once it is known to be the
// warehouse's.
func (e *env) keyBackup(ctx context.Context, path, out string) error {
	k, err := ingest.ReadKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("there is no ID key to back up: no file %s, and $%s is not set (the first ingest makes one)", ingest.KeyPath(path), ingest.KeyEnv)
	}
	if err != nil {
		return err
	}
	st, err := readKeyState(ctx, path)
	if err != nil {
		return err
	}
	if st != nil && st.recorded != nil && st.recorded.Fingerprint != k.Fingerprint {
		return fmt.Errorf("the ID key in %s (fingerprint %s) is not the key this warehouse's ID numbers were hashed with (fingerprint %s): "+
			"a backup of it would not restore the warehouse's; nothing was written (密钥与仓库不符，未备份)",
			k.Source, ingest.Short(k.Fingerprint), ingest.Short(st.recorded.Fingerprint))
	}
	if old, err := ingest.ReadKeyFile(out); err == nil {
		if old.Fingerprint != k.Fingerprint {
			return fmt.Errorf("%s holds another key (fingerprint %s): not overwritten; back up to another file", out, ingest.Short(old.Fingerprint))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s exists and is not a key backup: not overwritten (%v)", out, err)
	}
	if err := ingest.WriteKeyFile(out, k.Bytes); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up the ID key (fingerprint %s, from %s) to %s, mode 0600\n", ingest.Short(k.Fingerprint), k.Source, out)
	fmt.Fprintf(e.stdout, "keep it apart from the warehouse: with both, guessed ID numbers can be tested (备份请与仓库分开保管)\n")
	return nil
}

func (e *env) keyRestore(ctx context.Context, from string) error {
	w, err := e.pipe().OpenExisting(ctx, "shequ key restore")
	if err != nil {
		return err
	}
	defer w.Close()
	k, err := ingest.RestoreKey(ctx, w.DB, w.Path, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored the ID key (fingerprint %s) to %s, mode 0600 (已恢复密钥)\n", ingest.Short(k.Fingerprint), k.Source)
	if os.Getenv(ingest.KeyEnv) != "" {
		fmt.Fprintf(e.stderr, "note: $%s is set, and is used instead of the key file while it is\n", ingest.KeyEnv)
	}
	return nil
}

func (e *env) keyRotate(ctx context.Context, force bool) error {
	w, err := e.pipe().OpenExisting(ctx, "shequ key rotate")
	if err != nil {
		return err
	}
	defer w.Close()
	old, err := ingest.RecordedKey(ctx, w.DB)
	if err != nil {
		return err
	}
	k, n, err := ingest.RotateKey(ctx, w.DB, w.Path, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rotated: ID numbers are hashed from now on with the key of fingerprint %s (%s)\n", ingest.Short(k.Fingerprint), k.Source)
	if old != nil {
		fmt.Fprintf(e.stdout, "the key of fingerprint %s is retired (kept in ops.id_key)\n", ingest.Short(old.Fingerprint))
	}
	if n > 0 {
		fmt.Fprintf(e.stdout, "%d staff rows were hashed with earlier keys: those persons will not match their rows from now on (轮换前后的同一人无法匹配)\n", n)
	}
	fmt.Fprintf(e.stdout, "back up the new key: shequ key backup --out FILE\n")
	return nil
}
