package codesync

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
// What it accepts is release/tree's definition (tree.Archive), the one the release job
// checks before it publishes: names and paths that pass tree.CheckPath, regular files,
// directories and symlinks (and hard links to a regular file extracted before, which tar
// writes for a second path of one inode), at most MaxEntries entries, no second entry of one
// path and none below a symlink or a file. A symlink must stay inside the tree when resolved
// through the tree's own links (tree.ResolveLink), so links are checked once the whole
// archive is known and created last: nothing is ever written through a link. Files get mode
// 0644 (0755 if any execute bit is set) and their tar modification time; directories 0755.
// Owners are not restored. On error the partly written tree is left for the caller to remove.
func Unpack(ctx context.Context, r io.Reader, dir string, lim UnpackLimits) (UnpackStats, error) {
	lim = lim.withDefaults()
	u := &unpacker{dir: dir, lim: lim, buf: make([]byte, 256<<10), check: tree.NewArchive(lim.MaxEntries)}
	tr := tar.NewReader(r)
	for {
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
		if err := u.entry(hdr, tr); err != nil {
			return u.st, err
		}
	}
	links, err := u.check.Finish()
	if err != nil {
		return u.st, err
	}
	for _, l := range links {
		if err := os.Symlink(l.Target, u.path(l.Path)); err != nil {
			return u.st, fmt.Errorf("symlink %q: %w", l.Path, err)
		}
	}
	return u.st, nil
}

type unpacker struct {
	dir   string
	lim   UnpackLimits
	st    UnpackStats
	buf   []byte
	check *tree.Archive
}

func (u *unpacker) path(rel string) string { return filepath.Join(u.dir, filepath.FromSlash(rel)) }

func (u *unpacker) entry(hdr *tar.Header, r io.Reader) error {
	pl, err := u.check.Add(hdr.Name, hdr.Typeflag, hdr.Linkname)
	if err != nil || pl.Skip {
		return err
	}
	for _, d := range pl.Mkdirs {
		if err := os.Mkdir(u.path(d), 0o755); err != nil {
			return fmt.Errorf("create directory %q: %w", d, err)
		}
	}
	full := u.path(pl.Path)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.Mkdir(full, 0o755); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
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
		u.st.Files++
		u.st.Bytes += hdr.Size
	case tar.TypeLink:
		if err := os.Link(u.path(pl.LinkTo), full); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		u.st.Files++
	case tar.TypeSymlink: // created by Unpack once every link is checked
		u.st.Symlinks++
		return u.account(blockSize)
	}
	return nil
}

func (u *unpacker) account(n int64) error {
	u.st.DiskBytes += n
	if u.lim.MaxBytes > 0 && u.st.DiskBytes > u.lim.MaxBytes {
		return fmt.Errorf("unpacked tree would exceed %d bytes of disk, the space allowed: %w", u.lim.MaxBytes, ErrNoSpace)
	}
	return nil
}

func roundUp(n int64) int64 {
	return (n + blockSize - 1) / blockSize * blockSize
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
