package job

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wpfleet/wpfleet/release/tree"
)

// gitEntry is one entry of `git ls-tree -r -l`.
type gitEntry struct {
	mode, typ, oid string
	size           int64 // -1 for non-blobs
	path           string
}

// manifestName is the release's manifest at the tree's root; names starting with it are the
// job's (a repository committing one is refused, so nothing of the repository is ever taken
// for the manifest or written through).
const manifestName = ".wpfleet-release"

const lfsPointerPrefix = "version https://git-lfs.github.com/spec/"

// commitInfo is what the job learns from a commit's tree before it writes anything.
type commitInfo struct {
	entries     []gitEntry
	hooks       bool // composer.json or .wpfleet/hooks/build
	wpConfig    bool // a committed wp-config.php (replaced by the stub)
	attributes  []string
	dirs        []string // every directory, parents first
	smallBlobOK map[string]bool
}

func (j *job) lsTree(ctx context.Context, commit string) (*commitInfo, error) {
	out, err := j.git(ctx, command{timeout: 5 * time.Minute}, "ls-tree", "-r", "-l", "-z", "--full-tree", commit)
	if err != nil {
		return nil, failf("list commit %s: %v", commit, err)
	}
	info := &commitInfo{}
	dirs := map[string]bool{}
	for _, rec := range bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := strings.Cut(string(rec), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 {
			return nil, failf("unexpected ls-tree output %q", rec)
		}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		if f[3] == "-" {
			size = -1
		}
		e := gitEntry{mode: f[0], typ: f[1], oid: f[2], size: size, path: p}
		if err := info.add(e, dirs); err != nil {
			return nil, err
		}
	}
	if n := len(info.entries) + len(dirs); n > tree.MaxEntries {
		return nil, failf("commit %s has %d files and directories; a release holds at most %d", commit, n, tree.MaxEntries)
	}
	for d := range dirs {
		info.dirs = append(info.dirs, d)
	}
	sort.Strings(info.dirs) // a parent sorts before its children
	return info, nil
}

func (info *commitInfo) add(e gitEntry, dirs map[string]bool) error {
	switch {
	case e.mode == "160000":
		return failf("the commit has a submodule (%s), which releases do not support: vendor it or use composer", e.path)
	case e.typ != "blob":
		return failf("the commit has %s, a %s, which releases do not support", e.path, e.typ)
	}
	if err := tree.CheckPath(e.path); err != nil {
		return failf("the commit has a path a release cannot hold: %v", err)
	}
	first, _, _ := strings.Cut(e.path, "/")
	if strings.HasPrefix(first, manifestName) {
		return failf("the commit has %s; %s* at the top is reserved for the release's manifest", first, manifestName)
	}
	switch e.path {
	case "composer.json", ".wpfleet/hooks/build":
		info.hooks = true
	case "wp-config.php":
		info.wpConfig = true
	}
	if path.Base(e.path) == ".gitattributes" {
		info.attributes = append(info.attributes, e.path)
	}
	for d := path.Dir(e.path); d != "." && !dirs[d]; d = path.Dir(d) {
		dirs[d] = true
	}
	info.entries = append(info.entries, e)
	return nil
}

// checkLFS refuses git LFS pointer files among the given blobs: releases do not fetch LFS
// objects, and a pointer file released in place of an image or a script fails silently.
func (j *job) checkLFS(ctx context.Context, entries []gitEntry) error {
	var want bytes.Buffer
	for _, e := range entries {
		if e.mode != "120000" && e.size >= int64(len(lfsPointerPrefix)) && e.size <= 1024 {
			want.WriteString(e.oid + "\n")
		}
	}
	if want.Len() == 0 {
		return nil
	}
	out, err := j.git(ctx, command{stdin: &want, timeout: 5 * time.Minute}, "cat-file", "--batch")
	if err != nil {
		return failf("read small files of the commit: %v", err)
	}
	r := bufio.NewReader(bytes.NewReader(out))
	for {
		head, err := r.ReadString('\n')
		if err == io.EOF {
			return nil
		}
		f := strings.Fields(head)
		if err != nil || len(f) != 3 {
			return failf("unexpected cat-file output %q", head)
		}
		n, _ := strconv.Atoi(f[2])
		body := make([]byte, n+1)
		if _, err := io.ReadFull(r, body); err != nil {
			return failf("cat-file output cut short")
		}
		if bytes.HasPrefix(body, []byte(lfsPointerPrefix)) {
			return failf("%s is a git LFS pointer file: releases do not fetch LFS objects; commit the file itself (or produce it in a build hook)", pathOf(entries, f[0]))
		}
	}
}

func pathOf(entries []gitEntry, oid string) string {
	for _, e := range entries {
		if e.oid == oid {
			return e.path
		}
	}
	return oid
}

// checkoutFull writes the whole commit into the new, empty directory dir. Without hooks, git
// runs with umask 0222 so every file is created read-only (nothing needs to touch it again to
// seal it); directories are made first, writable, and sealed after the artifact.
func (j *job) checkoutFull(ctx context.Context, commit, dir string, info *commitInfo, sealed bool) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return failf("create the tree: %v", err)
	}
	for _, d := range info.dirs {
		if err := os.Mkdir(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return failf("create %s: %v", d, err)
		}
	}
	if err := j.readTree(ctx, commit); err != nil {
		return err
	}
	_, err := j.checkoutIndex(ctx, dir, sealed, nil, "-c", "checkout.workers=8", "--work-tree="+dir, "checkout-index", "--all", "--force")
	return err
}

func (j *job) readTree(ctx context.Context, commit string) error {
	if _, err := j.git(ctx, command{env: []string{"GIT_INDEX_FILE=" + j.index()}, timeout: 5 * time.Minute}, "read-tree", commit); err != nil {
		return failf("read commit %s: %v", commit, err)
	}
	return nil
}

func (j *job) index() string { return filepath.Join(j.priv, "index") }

// checkoutIndex runs git checkout-index on the job's index, with umask 0222 when sealed.
func (j *job) checkoutIndex(ctx context.Context, dir string, sealed bool, stdin io.Reader, args ...string) ([]byte, error) {
	c := command{env: []string{"GIT_INDEX_FILE=" + j.index()}, stdin: stdin, timeout: 30 * time.Minute}
	if sealed {
		c.umask = "0222"
	}
	out, err := j.git(ctx, c, args...)
	if err != nil {
		return nil, failf("check out into %s: %v", filepath.Base(dir), err)
	}
	return out, nil
}
