package job

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"
)

const idTimeLayout = "20060102T150405Z"

var idRE = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}$`)

// preflight checks the tools before anything is touched (exit 2 when one is missing).
func (j *job) preflight() error {
	var need []string
	if j.cfg.Action == "release" {
		need = append(need, "git", "zstd", "aws", "bwrap")
		if !j.cfg.SkipUpdateDB {
			need = append(need, "php")
		}
	}
	for _, c := range need {
		if _, err := exec.LookPath(c); err != nil {
			return usage("required command '%s' is not installed", c)
		}
	}
	if j.cfg.Action == "release" {
		if _, err := mysqlClient(); err != nil {
			return err
		}
		if err := sandboxWorks(j.cfg); err != nil {
			return usage("the sandbox for repository code does not work here: %v", err)
		}
	}
	return nil
}

// takeLock takes the site's lock (flock, non-blocking), records the holder and clears what
// killed jobs left behind. The lock's descriptor is close-on-exec: no process the job starts
// can keep it after the job is gone.
func (j *job) takeLock() error {
	for _, d := range []string{j.siteDir(), filepath.Join(j.siteDir(), "releases"), filepath.Join(j.siteDir(), "artifacts"), j.metaDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return failf("create %s: %v", d, err)
		}
	}
	f, err := os.OpenFile(filepath.Join(j.metaDir(), "lock"), os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return failf("open the lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := make([]byte, 400)
		n, _ := f.ReadAt(holder, 0)
		f.Close()
		h := strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return '?'
			}
			return r
		}, strings.TrimSpace(string(holder[:n])))
		if h == "" {
			h = "holder unknown"
		}
		return &jobError{code: exitLocked, msg: fmt.Sprintf("site %s is being released by another job (%s); try again when it ends", j.cfg.Site, h)}
	}
	j.lock = f
	host, _ := os.Hostname()
	build := j.cfg.BuildID
	if build == "" {
		build = "none"
	}
	holder := fmt.Sprintf("pid=%d host=%s build=%s action=%s ref=%s since=%s\n", os.Getpid(), host, build,
		j.cfg.Action, j.cfg.Ref, time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(holder), 0)
	}
	j.clearLeftovers()
	return nil
}

// clearLeftovers removes what killed jobs left: the work area (even directories a hook made
// read-only) and stray pointer candidates. Failures are reported, not fatal: work paths are
// unique to each job.
func (j *job) clearLeftovers() {
	if err := removeAll(j.tmpDir()); err != nil {
		j.logf("warning: could not clear %s: %v", j.tmpDir(), err)
	}
	if err := os.MkdirAll(j.tmpDir(), 0o755); err != nil {
		j.logf("warning: %v", err)
	}
	stray, _ := filepath.Glob(filepath.Join(j.siteDir(), "current.tmp-*"))
	for _, p := range stray {
		_ = os.Remove(p)
	}
}

// removeAll removes a tree that may hold directories without write, read or search
// permission (sealed releases, or whatever a hook left): as their owner (the job's uid on
// EFS) it gives them the permissions it needs first.
func removeAll(p string) error {
	err := os.RemoveAll(p)
	if err == nil || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	makeWritable(p)
	return os.RemoveAll(p)
}

// makeWritable gives every directory under p (p included) mode 0755, top down, so that each
// directory can be read before the walk goes into it.
func makeWritable(p string) {
	fi, err := os.Lstat(p)
	if err != nil || !fi.IsDir() {
		return
	}
	_ = os.Chmod(p, 0o755)
	ents, _ := os.ReadDir(p)
	for _, e := range ents {
		if e.IsDir() {
			makeWritable(filepath.Join(p, e.Name()))
		}
	}
}

// currentID returns the id `current` names, "" if there is no pointer yet.
func currentID(site string) (string, error) {
	t, err := os.Readlink(filepath.Join(site, "current"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", failf("read %s/current: %v", site, err)
	}
	id, ok := strings.CutPrefix(t, "releases/")
	if !ok || !idRE.MatchString(id) {
		return "", failf("%s/current points to '%s', not releases/<id>", site, t)
	}
	return id, nil
}

// switchTo points `current` at releases/<id> with one rename.
func switchTo(site, id string) error {
	tmp := filepath.Join(site, "current.tmp-"+id)
	_ = os.Remove(tmp)
	if err := os.Symlink("releases/"+id, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(site, "current")); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(site)
}

func syncDir(d string) error {
	f, err := os.Open(d)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// appendHistory records a pointer switch: "<unix time> <id> <action>".
func appendHistory(meta, id, action string) error {
	f, err := os.OpenFile(filepath.Join(meta, "history"), os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%d %s %s\n", time.Now().Unix(), id, action)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// historyIDs returns the ids of the history file in order (oldest switch first).
func historyIDs(meta string) []string {
	b, err := os.ReadFile(filepath.Join(meta, "history"))
	if err != nil {
		return nil
	}
	var ids []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && idRE.MatchString(f[1]) {
			ids = append(ids, f[1])
		}
	}
	return ids
}

// previousID is the release live before cur: the latest other id in the history whose
// directory still exists.
func previousID(history []string, cur string, exists func(string) bool) string {
	for i := len(history) - 1; i >= 0; i-- {
		if id := history[i]; id != cur && exists(id) {
			return id
		}
	}
	return ""
}

// pruneList returns the releases to remove: all but the live one, the one before it and the
// keep most recently live, "recent" meaning the last switch to it in the history (never a
// release id's text: ids of one second, or of a clock that was set back, sort wrongly).
// Releases never switched to are older than every switched one, and among themselves ordered
// by id.
func pruneList(ids, history []string, cur, prev string, keep int) []string {
	last := map[string]int{}
	for i, id := range history {
		last[id] = i + 1
	}
	ordered := append([]string(nil), ids...)
	sort.SliceStable(ordered, func(x, y int) bool {
		a, b := ordered[x], ordered[y]
		if last[a] != last[b] {
			return last[a] > last[b]
		}
		return a > b
	})
	var out []string
	for i, id := range ordered {
		if i < keep || id == cur || id == prev {
			continue
		}
		out = append(out, id)
	}
	return out
}
