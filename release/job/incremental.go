package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wpfleet/wpfleet/release/tree"
)

// base is the live release when the new tree may start as hard links to it: neither it nor
// the new commit has hooks (so both trees are exactly their commits plus the stub and the
// manifest), it is sealed (every file read-only, none modified since its manifest was
// written), and its commit is in the mirror.
type base struct {
	id, commit string
	sealed     time.Time
	tree       string // the hard-linked copy, once prelink made it
	done       chan error
	once       sync.Once
	err        error
}

// wait returns prelink's result (once it is done).
func (b *base) wait() error {
	b.once.Do(func() { b.err = <-b.done })
	return b.err
}

var hexRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// baseRelease returns the live release if it can be the base of an incremental tree, or why
// not.
func (j *job) baseRelease() (*base, string) {
	if j.oldID == "" {
		return nil, "first release"
	}
	if j.cfg.FullCheckout {
		return nil, "WPFLEET_FULL_CHECKOUT=1"
	}
	mf := filepath.Join(j.siteDir(), "releases", j.oldID, manifestName)
	fi, err := os.Lstat(mf)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, "the live release has no manifest"
	}
	if fi.Mode()&0o222 != 0 {
		return nil, "the live release is not sealed (made by an older job)"
	}
	var m struct {
		Commit string   `json:"commit"`
		Hooks  []string `json:"hooks"`
	}
	b, err := os.ReadFile(mf)
	if err != nil || json.Unmarshal(b, &m) != nil || !hexRE.MatchString(m.Commit) || m.Hooks == nil {
		return nil, "the live release's manifest is not readable"
	}
	if len(m.Hooks) > 0 {
		return nil, "the live release was built by hooks"
	}
	return &base{id: j.oldID, commit: m.Commit, sealed: fi.ModTime()}, ""
}

// prelink hard-links the base into the work area in the background, while the database and
// fetch steps wait on the network.
func (j *job) prelink(b *base) {
	b.tree = filepath.Join(j.tmpDir(), "prelink-"+b.id)
	j.work = append(j.work, b.tree)
	b.done = make(chan error, 1)
	src := filepath.Join(j.siteDir(), "releases", b.id)
	go func() { b.done <- linkTree(src, b.tree, b.sealed) }()
}

// errTampered marks a base release changed after it was published.
var errTampered = errors.New("changed after it was published")

// linkTree makes dst a copy of src made of hard links (symlinks are linked too), leaving out
// the manifest and wp-config.php at the root. Every file must still be read-only and not
// modified after sealed; otherwise the copy would carry an in-place edit into the new release.
func linkTree(src, dst string, sealed time.Time) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	return linkDir(src, dst, "", sealed)
}

func linkDir(src, dst, rel string, sealed time.Time) error {
	ents, err := os.ReadDir(filepath.Join(src, rel))
	if err != nil {
		return err
	}
	for _, e := range ents {
		r := path.Join(rel, e.Name())
		if rel == "" && (e.Name() == manifestName || e.Name() == "wp-config.php") {
			continue
		}
		from, to := filepath.Join(src, r), filepath.Join(dst, r)
		switch e.Type() {
		case fs.ModeDir:
			if err := os.Mkdir(to, 0o755); err != nil {
				return err
			}
			if err := linkDir(src, dst, r, sealed); err != nil {
				return err
			}
			continue
		case 0:
			fi, err := e.Info()
			if err != nil {
				return err
			}
			if fi.Mode()&0o222 != 0 || fi.ModTime().After(sealed) {
				return fmt.Errorf("%s was %w", r, errTampered)
			}
		case fs.ModeSymlink:
		default:
			return fmt.Errorf("%s is not a file, directory or symlink", r)
		}
		if err := os.Link(from, to); err != nil {
			return err
		}
	}
	return nil
}

// change is one path two commits differ in.
type change struct{ status, path string }

func (j *job) diff(ctx context.Context, from, to string) ([]change, error) {
	out, err := j.git(ctx, command{timeout: 5 * time.Minute}, "diff-tree", "-r", "-z", "--no-renames", "--name-status", from, to)
	if err != nil {
		return nil, failf("compare %s with %s: %v", from[:12], to[:12], err)
	}
	f := bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0})
	var cs []change
	for i := 0; i+1 < len(f); i += 2 {
		cs = append(cs, change{string(f[i]), string(f[i+1])})
	}
	return cs, nil
}

// attributesChanged reports whether a .gitattributes file differs: it can change how every
// other file is checked out (eol, ident, filters), so only a full checkout is exact then.
func attributesChanged(cs []change) string {
	for _, c := range cs {
		if path.Base(c.path) == ".gitattributes" {
			return c.path
		}
	}
	return ""
}

// applyChanges turns the hard-linked base in dir into the new commit: every changed path is
// removed first (so no file shared with the base is ever written), emptied directories go,
// and the changed paths are checked out (read-only) from the job's index of the new commit.
func (j *job) applyChanges(ctx context.Context, dir string, cs []change) error {
	sort.Slice(cs, func(a, b int) bool { return strings.Count(cs[a].path, "/") > strings.Count(cs[b].path, "/") })
	for _, c := range cs {
		if err := removeInTree(dir, c.path); err != nil {
			return failf("remove %s from the new tree: %v", c.path, err)
		}
	}
	for _, c := range cs {
		for d := path.Dir(c.path); d != "."; d = path.Dir(d) {
			if os.Remove(filepath.Join(dir, filepath.FromSlash(d))) != nil {
				break // not empty (or gone): its parents stay too
			}
		}
	}
	var list bytes.Buffer
	for _, c := range cs {
		if c.status == "D" {
			continue
		}
		if err := mkdirInTree(dir, path.Dir(c.path)); err != nil {
			return failf("create the directory of %s: %v", c.path, err)
		}
		list.WriteString(c.path)
		list.WriteByte(0)
	}
	if list.Len() == 0 {
		return nil
	}
	_, err := j.checkoutIndex(ctx, dir, true, &list, "--work-tree="+dir, "checkout-index", "--force", "-z", "--stdin")
	return err
}

// removeInTree removes rel under root without following a symlink on the way: if a parent
// is not a directory there is nothing of rel to remove.
func removeInTree(root, rel string) error {
	p := root
	parts := strings.Split(rel, "/")
	for _, c := range parts[:len(parts)-1] {
		p = filepath.Join(p, c)
		fi, err := os.Lstat(p)
		if err != nil || !fi.IsDir() {
			return nil
		}
	}
	return os.RemoveAll(filepath.Join(p, parts[len(parts)-1]))
}

// mkdirInTree creates the directory rel under root (and its parents), refusing to go through
// anything that is not a directory.
func mkdirInTree(root, rel string) error {
	if rel == "." {
		return nil
	}
	p := root
	for _, c := range strings.Split(rel, "/") {
		p = filepath.Join(p, c)
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
		case err != nil:
			return err
		case !fi.IsDir():
			return fmt.Errorf("%s is not a directory", p)
		}
	}
	return tree.CheckPath(rel)
}
