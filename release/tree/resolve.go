package tree

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Lookup reports what is at a tree-relative path whose parent components are all real
// directories (never symlinks), and a symlink's target. It must not follow a symlink in the
// last component.
type Lookup func(rel string) (k Kind, target string)

// ResolveLink resolves the symlink at link (tree-relative) with target text target through the
// tree, component by component, the way the kernel would: every symlink met on the way is
// replaced by its own target, relative to the directory it is in. It fails with ErrEscape if
// any ".." would step above the tree's root, and on absolute targets and loops. Past a
// component that is missing or not a directory the rest is resolved as text (the kernel
// would stop there with an error, so nothing beyond it can be reached). It returns the
// tree-relative path the link leads to ("" for the root).
func ResolveLink(look Lookup, link, target string) (string, error) {
	if err := CheckTarget(target); err != nil {
		return "", fmt.Errorf("symlink %q: %w", link, err)
	}
	var cur []string // physical position: real directories only
	if d := parentOf(link); d != "" {
		cur = strings.Split(d, "/")
	}
	todo := splitTarget(target)
	hops, lexical := 0, false
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch {
		case c == "" || c == ".":
			continue
		case c == "..":
			if len(cur) == 0 {
				return "", fmt.Errorf("symlink %q -> %q %w", link, target, ErrEscape)
			}
			cur = cur[:len(cur)-1]
			continue
		case lexical:
			cur = append(cur, c)
			continue
		}
		next := strings.Join(append(cur[:len(cur):len(cur)], c), "/")
		kind, t := look(next)
		switch kind {
		case Dir:
			cur = append(cur, c)
		case Symlink:
			if hops++; hops > MaxLinkHops {
				return "", fmt.Errorf("symlink %q -> %q: more than %d links to follow (a loop?)", link, target, MaxLinkHops)
			}
			if err := CheckTarget(t); err != nil {
				return "", fmt.Errorf("symlink %q -> %q goes through %q: %w", link, target, next, err)
			}
			todo = append(splitTarget(t), todo...)
		default:
			cur = append(cur, c)
			lexical = true
		}
	}
	return strings.Join(cur, "/"), nil
}

func splitTarget(t string) []string { return strings.Split(t, "/") }

func parentOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// DirLookup looks entries up in a tree on disk with lstat(2) and readlink(2).
func DirLookup(root string) Lookup {
	return func(rel string) (Kind, string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		fi, err := os.Lstat(p)
		if err != nil {
			return Missing, ""
		}
		k := KindOf(fi.Mode())
		if k != Symlink {
			return k, ""
		}
		t, err := os.Readlink(p)
		if err != nil {
			return Missing, ""
		}
		return Symlink, t
	}
}

// MapLookup looks entries up in maps of a tree's directories, files and symlinks (by
// tree-relative path), as a reader builds them from an archive.
func MapLookup(dirs, files map[string]bool, links map[string]string) Lookup {
	return func(rel string) (Kind, string) {
		switch {
		case dirs[rel]:
			return Dir, ""
		case files[rel]:
			return File, ""
		}
		if t, ok := links[rel]; ok {
			return Symlink, t
		}
		return Missing, ""
	}
}
