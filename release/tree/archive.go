package tree

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// Archive checks the entries of a release archive (tar) in their order, the way a reader
// unpacks them: every entry's name, type and place, a bound on their number, and, once all are
// known, every symlink (Finish). The sync agent unpacks with it; the release job checks an
// artifact with it before a rollback switches to it.
type Archive struct {
	max   int
	n     int
	dirs  map[string]bool // "" is the root
	files map[string]bool
	links map[string]string
}

// NewArchive starts a check allowing maxEntries entries (MaxEntries if 0 or less).
func NewArchive(maxEntries int) *Archive {
	if maxEntries <= 0 {
		maxEntries = MaxEntries
	}
	return &Archive{max: maxEntries, dirs: map[string]bool{"": true}, files: map[string]bool{}, links: map[string]string{}}
}

// Placed says where an accepted entry goes.
type Placed struct {
	// Path is the tree-relative path ("" for the root directory).
	Path string
	// Mkdirs are parent directories without an entry of their own yet, outermost first:
	// create them before the entry.
	Mkdirs []string
	// Skip is set for the root and for a directory listed a second time.
	Skip bool
	// LinkTo is, for a hard link, the tree-relative path of the file it links to.
	LinkTo string
}

// Add checks one entry: its name (CleanEntryName), its type (directory, regular file, symlink,
// or a hard link to a regular file earlier in the archive), that no other entry had its path
// (a directory may be listed twice), and that it is not below a symlink or a file. Symlink
// targets are only checked as text here; Finish resolves them.
func (a *Archive) Add(name string, typ byte, linkname string) (Placed, error) {
	if a.n++; a.n > a.max {
		return Placed{}, fmt.Errorf("artifact has more than %d entries, the limit", a.max)
	}
	p, err := CleanEntryName(name)
	if err != nil {
		return Placed{}, err
	}
	if p == "" {
		if typ != tar.TypeDir {
			return Placed{}, fmt.Errorf("entry %q: the tree root must be a directory", name)
		}
		return Placed{Skip: true}, nil
	}
	_, isLink := a.links[p]
	if a.files[p] || isLink || (a.dirs[p] && typ != tar.TypeDir) {
		return Placed{}, fmt.Errorf("entry %q: a second entry of the same path", name)
	}
	if a.dirs[p] {
		return Placed{Path: p, Skip: true}, nil
	}
	pl := Placed{Path: p}
	if pl.Mkdirs, err = a.parents(name, p); err != nil {
		return Placed{}, err
	}
	switch typ {
	case tar.TypeDir:
		a.dirs[p] = true
	case tar.TypeReg:
		a.files[p] = true
	case tar.TypeLink:
		t, err := CleanEntryName(linkname)
		if err != nil || !a.files[t] {
			return Placed{}, fmt.Errorf("hard link %q -> %q: the target must be a regular file earlier in the same archive", name, linkname)
		}
		a.files[p], pl.LinkTo = true, t
	case tar.TypeSymlink:
		if err := CheckTarget(linkname); err != nil {
			return Placed{}, fmt.Errorf("entry %q: %w", name, err)
		}
		a.links[p] = linkname
	default:
		return Placed{}, fmt.Errorf("entry %q has tar type %q: only regular files, directories, symlinks and hard links within the tree are allowed", name, string(typ))
	}
	return pl, nil
}

// parents returns the missing parent directories of p and marks them as directories; it
// refuses a parent that is a symlink or a file.
func (a *Archive) parents(name, p string) ([]string, error) {
	var missing []string
	for d := parentOf(p); d != "" && !a.dirs[d]; d = parentOf(d) {
		if _, ok := a.links[d]; ok {
			return nil, fmt.Errorf("entry %q is below symlink %q: not allowed", name, d)
		}
		if a.files[d] {
			return nil, fmt.Errorf("entry %q is below regular file %q", name, d)
		}
		missing = append(missing, d)
	}
	for i, j := 0, len(missing)-1; i < j; i, j = i+1, j-1 {
		missing[i], missing[j] = missing[j], missing[i]
	}
	for _, d := range missing {
		a.dirs[d] = true
	}
	return missing, nil
}

// Link is a symlink of the archive.
type Link struct{ Path, Target string }

// Finish resolves every symlink through the whole tree (ResolveLink) and returns them,
// sorted by path, for the reader to create last.
func (a *Archive) Finish() ([]Link, error) {
	out := make([]Link, 0, len(a.links))
	for p, t := range a.links {
		out = append(out, Link{p, t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	look := MapLookup(a.dirs, a.files, a.links)
	for _, l := range out {
		if _, err := ResolveLink(look, l.Path, l.Target); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CleanEntryName turns a tar entry name into a tree-relative path ("" for the root): an
// optional "./" prefix and one trailing "/" are dropped, and the rest must pass CheckPath (no
// absolute paths, no "." or ".." components, no backslashes).
func CleanEntryName(name string) (string, error) {
	if name == "" {
		return "", errors.New("tar entry with an empty name")
	}
	n := strings.TrimPrefix(name, "./")
	if n == "." || n == "" {
		return "", nil
	}
	n = strings.TrimSuffix(n, "/")
	if err := CheckPath(n); err != nil {
		return "", fmt.Errorf("entry %q: %w", name, err)
	}
	return n, nil
}

// EntryName is the name a writer gives the tree-relative path p in an archive: "./p", with a
// trailing "/" for directories, and "./" for the root.
func EntryName(p string, dir bool) string {
	n := "./" + path.Clean("/" + p)[1:]
	if dir && !strings.HasSuffix(n, "/") {
		n += "/"
	}
	return n
}

// CheckArchive reads a whole tar stream and checks it as a reader would unpack it, without
// writing anything. It returns the number of regular files and their bytes.
func CheckArchive(r io.Reader, maxEntries int) (files int, bytes int64, err error) {
	a := NewArchive(maxEntries)
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return files, bytes, fmt.Errorf("read tar: %w", err)
		}
		if _, err := a.Add(hdr.Name, hdr.Typeflag, hdr.Linkname); err != nil {
			return files, bytes, err
		}
		if hdr.Typeflag == tar.TypeReg {
			files++
			bytes += hdr.Size
		}
	}
	_, err = a.Finish()
	return files, bytes, err
}
