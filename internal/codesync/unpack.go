package codesync

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// blockSize is what one file costs on disk at least; used to account space.
const blockSize = 4096

// UnpackLimits bounds what one artifact may write.
type UnpackLimits struct {
	// MaxBytes is the most disk space (file sizes rounded up to 4 KiB, plus
	// 4 KiB per directory and symlink) the unpacked tree may take. 0: no limit.
	MaxBytes int64
	// MaxEntries is the most tar entries accepted. 0: no limit.
	MaxEntries int
}

// UnpackStats describes an unpacked tree.
type UnpackStats struct {
	Files, Dirs, Symlinks int
	Bytes                 int64 // sum of regular file sizes
	DiskBytes             int64 // space accounted against MaxBytes
}

// Unpack extracts the tar stream r into dir, which must exist and be empty.
// Only regular files, directories and symlinks are accepted (and hard links
// to a regular file extracted before, which tar writes for a second path of
// one inode); absolute names,
// ".." components, links pointing outside the tree, entries below a symlink,
// and duplicate entries are refused. Files get mode 0644 (0755 if any execute
// bit is set) and their tar modification time; directories get 0755. Owners
// are not restored. On error the partly written tree is left for the caller
// to remove.
func Unpack(ctx context.Context, r io.Reader, dir string, lim UnpackLimits) (UnpackStats, error) {
	var st UnpackStats
	tr := tar.NewReader(r)
	links := map[string]bool{} // symlinks created so far (tree-relative)
	files := map[string]bool{} // regular files created so far
	dirs := map[string]bool{".": true}
	buf := make([]byte, 256<<10)
	entries := 0
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("read tar: %w", err)
		}
		entries++
		if lim.MaxEntries > 0 && entries > lim.MaxEntries {
			return st, fmt.Errorf("artifact has more than %d entries, the limit", lim.MaxEntries)
		}
		name, err := cleanName(hdr.Name)
		if err != nil {
			return st, err
		}
		if name == "." {
			if hdr.Typeflag != tar.TypeDir {
				return st, fmt.Errorf("entry %q: the tree root must be a directory", hdr.Name)
			}
			continue
		}
		if under := linkAncestor(name, links); under != "" {
			return st, fmt.Errorf("entry %q is below symlink %q: not allowed", hdr.Name, under)
		}
		full := filepath.Join(dir, filepath.FromSlash(name))
		if parent := path.Dir(name); !dirs[parent] {
			if err := mkdirAll(dir, parent, dirs); err != nil {
				return st, err
			}
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.Mkdir(full, 0o755); err != nil {
				if !errors.Is(err, fs.ErrExist) || !dirs[name] {
					return st, fmt.Errorf("entry %q: %w", hdr.Name, err)
				}
			}
			dirs[name] = true
			st.Dirs++
			st.DiskBytes += blockSize
		case tar.TypeReg:
			if hdr.Size < 0 {
				return st, fmt.Errorf("entry %q: negative size", hdr.Name)
			}
			st.DiskBytes += roundUp(hdr.Size)
			if lim.MaxBytes > 0 && st.DiskBytes > lim.MaxBytes {
				return st, fmt.Errorf("unpacked tree would exceed %d bytes of disk, the space allowed: %w", lim.MaxBytes, ErrNoSpace)
			}
			mode := os.FileMode(0o644)
			if hdr.Mode&0o111 != 0 {
				mode = 0o755
			}
			if err := writeFile(full, tr, hdr, mode, buf); err != nil {
				return st, err
			}
			files[name] = true
			st.Files++
			st.Bytes += hdr.Size
		case tar.TypeLink:
			// tar stores a second path of an inode it already archived as
			// a hard link; only links to regular files of this tree are made.
			target, err := cleanName(hdr.Linkname)
			if err != nil || !files[target] {
				return st, fmt.Errorf("hard link %q -> %q: the target must be a regular file earlier in the same archive", hdr.Name, hdr.Linkname)
			}
			if err := os.Link(filepath.Join(dir, filepath.FromSlash(target)), full); err != nil {
				return st, fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
			files[name] = true
			st.Files++
		case tar.TypeSymlink:
			if err := checkLink(name, hdr.Linkname); err != nil {
				return st, err
			}
			if err := os.Symlink(hdr.Linkname, full); err != nil {
				return st, fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
			links[name] = true
			st.Symlinks++
			st.DiskBytes += blockSize
		default:
			return st, fmt.Errorf("entry %q has tar type %q: only regular files, directories, symlinks and hard links within the tree are allowed", hdr.Name, string(hdr.Typeflag))
		}
	}
}

// ErrNoSpace marks a refusal for lack of disk space.
var ErrNoSpace = errors.New("not enough free space")

func roundUp(n int64) int64 {
	return (n + blockSize - 1) / blockSize * blockSize
}

// cleanName turns a tar entry name into a clean tree-relative slash path.
func cleanName(name string) (string, error) {
	if name == "" {
		return "", errors.New("tar entry with an empty name")
	}
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("entry %q: absolute paths are not allowed", name)
	}
	if strings.ContainsRune(name, 0) || strings.Contains(name, `\`) {
		return "", fmt.Errorf("entry %q: NUL and backslash are not allowed in names", name)
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", fmt.Errorf("entry %q: \"..\" components are not allowed", name)
		}
	}
	return path.Clean(name), nil
}

// linkAncestor returns the first proper ancestor of name that is a symlink.
func linkAncestor(name string, links map[string]bool) string {
	if len(links) == 0 {
		return ""
	}
	for p := path.Dir(name); p != "."; p = path.Dir(p) {
		if links[p] {
			return p
		}
	}
	return ""
}

// checkLink refuses symlink targets that are absolute or resolve outside the
// tree when followed from the link's own directory.
func checkLink(name, target string) error {
	if target == "" {
		return fmt.Errorf("symlink %q has an empty target", name)
	}
	if strings.HasPrefix(target, "/") {
		return fmt.Errorf("symlink %q -> %q: absolute targets are not allowed", name, target)
	}
	resolved := path.Join(path.Dir(name), target)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return fmt.Errorf("symlink %q -> %q points outside the release tree", name, target)
	}
	return nil
}

// mkdirAll creates the missing parents of a tree-relative directory rel.
func mkdirAll(root, rel string, dirs map[string]bool) error {
	var missing []string
	for p := rel; p != "." && !dirs[p]; p = path.Dir(p) {
		missing = append(missing, p)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		p := missing[i]
		if err := os.Mkdir(filepath.Join(root, filepath.FromSlash(p)), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create directory %q: %w", p, err)
		}
		dirs[p] = true
	}
	return nil
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
