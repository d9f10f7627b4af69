package codesync

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/wpfleet/wpfleet/release/tree"
)

// blockSize is what one file costs on disk at least; used to account space.
const blockSize = 4096

// UnpackLimits bounds what one artifact may write.
type UnpackLimits struct {
	// MaxBytes is the most disk space (file sizes rounded up to 4 KiB, plus
	// 4 KiB per directory and symlink) the unpacked tree may take. 0: no limit.
	MaxBytes int64
	// MaxEntries is the most tar entries accepted. 0: tree.MaxEntries, the
	// bound the release job publishes within.
	MaxEntries int
}

func (l UnpackLimits) withDefaults() UnpackLimits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = tree.MaxEntries
	}
	return l
}

// UnpackStats describes an unpacked tree.
type UnpackStats struct {
	Files, Dirs, Symlinks int
	Bytes                 int64 // sum of regular file sizes
	DiskBytes             int64 // space accounted against MaxBytes
}

// ErrNoSpace marks a refusal for lack of disk space.
var ErrNoSpace = errors.New("not enough free space")

// Unpack extracts the tar stream r into dir, which must exist and be empty.
//
// What it accepts is release/tree's definition, the one the release job checks before it
// publishes: names and paths that pass tree.CheckPath, regular files, directories and
// symlinks (and hard links to a regular file extracted before, which tar writes for a second
// path of one inode), at most MaxEntries entries. A symlink must stay inside the tree when
// resolved through the tree's own links (tree.ResolveLink), so links are checked only once
// the whole archive is known and created last: nothing is ever written through a link, and
// an entry below a symlink or a second entry of one path is refused. Files get mode 0644
// (0755 if any execute bit is set) and their tar modification time; directories 0755. Owners
// are not restored. On error the partly written tree is left for the caller to remove.
func Unpack(ctx context.Context, r io.Reader, dir string, lim UnpackLimits) (UnpackStats, error) {
	lim = lim.withDefaults()
	u := &unpacker{dir: dir, lim: lim, buf: make([]byte, 256<<10),
		dirs: map[string]bool{"": true}, files: map[string]bool{}, links: map[string]string{}}
	tr := tar.NewReader(r)
	for entries := 1; ; entries++ {
		if err := ctx.Err(); err != nil {
			return u.st, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return u.st, fmt.Errorf("read tar: %w", err)
		}
		if entries > lim.MaxEntries {
			return u.st, fmt.Errorf("artifact has more than %d entries, the limit", lim.MaxEntries)
		}
		if err := u.entry(hdr, tr); err != nil {
			return u.st, err
		}
	}
	return u.st, u.makeLinks()
}

type unpacker struct {
	dir   string
	lim   UnpackLimits
	st    UnpackStats
	buf   []byte
	dirs  map[string]bool   // tree-relative; "" is the root
	files map[string]bool   // regular files
	links map[string]string // symlink -> target, created at the end
}

func (u *unpacker) entry(hdr *tar.Header, r io.Reader) error {
	name, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	if name == "" {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("entry %q: the tree root must be a directory", hdr.Name)
		}
		return nil
	}
	if err := u.checkPlace(hdr.Name, name, hdr.Typeflag == tar.TypeDir); err != nil {
		return err
	}
	full := filepath.Join(u.dir, filepath.FromSlash(name))
	switch hdr.Typeflag {
	case tar.TypeDir:
		if u.dirs[name] {
			return nil // a directory may be listed twice
		}
		if err := os.Mkdir(full, 0o755); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		u.dirs[name] = true
		u.st.Dirs++
		return u.account(blockSize)
	case tar.TypeReg:
		if hdr.Size < 0 {
			return fmt.Errorf("entry %q: negative size", hdr.Name)
		}
		if err := u.account(roundUp(hdr.Size)); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if hdr.Mode&0o111 != 0 {
			mode = 0o755
		}
		if err := writeFile(full, r, hdr, mode, u.buf); err != nil {
			return err
		}
		u.files[name] = true
		u.st.Files++
		u.st.Bytes += hdr.Size
	case tar.TypeLink:
		// tar stores a second path of an inode it already archived as a hard link; only
		// links to regular files of this tree are made.
		target, err := cleanName(hdr.Linkname)
		if err != nil || !u.files[target] {
			return fmt.Errorf("hard link %q -> %q: the target must be a regular file earlier in the same archive", hdr.Name, hdr.Linkname)
		}
		if err := os.Link(filepath.Join(u.dir, filepath.FromSlash(target)), full); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		u.files[name] = true
		u.st.Files++
	case tar.TypeSymlink:
		if err := tree.CheckTarget(hdr.Linkname); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		u.links[name] = hdr.Linkname
		u.st.Symlinks++
		return u.account(blockSize)
	default:
		return fmt.Errorf("entry %q has tar type %q: only regular files, directories, symlinks and hard links within the tree are allowed", hdr.Name, string(hdr.Typeflag))
	}
	return nil
}

// checkPlace refuses a second entry of one path (except directories listed twice) and an
// entry below a symlink or a file, and creates missing parent directories.
func (u *unpacker) checkPlace(raw, name string, isDir bool) error {
	if u.files[name] || (u.dirs[name] && !isDir) {
		return fmt.Errorf("entry %q: a second entry of the same path", raw)
	}
	if _, ok := u.links[name]; ok {
		return fmt.Errorf("entry %q: a second entry of the same path", raw)
	}
	parent := path.Dir(name)
	if parent == "." {
		parent = ""
	}
	if u.dirs[parent] {
		return nil
	}
	var missing []string
	for p := parent; p != "" && !u.dirs[p]; p = parentDir(p) {
		if _, ok := u.links[p]; ok {
			return fmt.Errorf("entry %q is below symlink %q: not allowed", raw, p)
		}
		if u.files[p] {
			return fmt.Errorf("entry %q is below regular file %q", raw, p)
		}
		missing = append(missing, p)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		p := missing[i]
		if err := os.Mkdir(filepath.Join(u.dir, filepath.FromSlash(p)), 0o755); err != nil {
			return fmt.Errorf("create directory %q: %w", p, err)
		}
		u.dirs[p] = true
	}
	return nil
}

func parentDir(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

func (u *unpacker) account(n int64) error {
	u.st.DiskBytes += n
	if u.lim.MaxBytes > 0 && u.st.DiskBytes > u.lim.MaxBytes {
		return fmt.Errorf("unpacked tree would exceed %d bytes of disk, the space allowed: %w", u.lim.MaxBytes, ErrNoSpace)
	}
	return nil
}

// makeLinks checks every symlink against the whole tree, then creates them.
func (u *unpacker) makeLinks() error {
	names := make([]string, 0, len(u.links))
	for n := range u.links {
		names = append(names, n)
	}
	sort.Strings(names)
	look := tree.MapLookup(u.dirs, u.files, u.links)
	for _, n := range names {
		if _, err := tree.ResolveLink(look, n, u.links[n]); err != nil {
			return err
		}
	}
	for _, n := range names {
		if err := os.Symlink(u.links[n], filepath.Join(u.dir, filepath.FromSlash(n))); err != nil {
			return fmt.Errorf("entry %q: %w", n, err)
		}
	}
	return nil
}

func roundUp(n int64) int64 {
	return (n + blockSize - 1) / blockSize * blockSize
}

// cleanName turns a tar entry name into a tree-relative slash path ("" for the root): an
// optional "./" prefix and one trailing "/" (directories) are dropped, and the rest must
// pass tree.CheckPath (no absolute paths, no "." or ".." components, no backslashes).
func cleanName(name string) (string, error) {
	if name == "" {
		return "", errors.New("tar entry with an empty name")
	}
	n := strings.TrimPrefix(name, "./")
	if n == "." || n == "" {
		return "", nil
	}
	n = strings.TrimSuffix(n, "/")
	if err := tree.CheckPath(n); err != nil {
		return "", fmt.Errorf("entry %q: %w", name, err)
	}
	return n, nil
}

func writeFile(full string, r io.Reader, hdr *tar.Header, mode os.FileMode, buf []byte) error {
	// O_EXCL|O_NOFOLLOW: never overwrite an earlier entry, never write
	// through a link.
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, mode)
	if err != nil {
		return fmt.Errorf("entry %q: %w", hdr.Name, err)
	}
	n, err := io.CopyBuffer(f, io.LimitReader(r, hdr.Size), buf)
	if err == nil && n != hdr.Size {
		err = io.ErrUnexpectedEOF
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("entry %q: %w", hdr.Name, err)
	}
	// Keep the release's modification times so every task answers with the
	// same Last-Modified and ETag for a static file.
	if err := os.Chtimes(full, hdr.ModTime, hdr.ModTime); err != nil {
		return fmt.Errorf("entry %q: %w", hdr.Name, err)
	}
	return nil
}
