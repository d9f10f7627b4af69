// Package tree is the one definition of what a release tree may contain, shared by the
// release job (which checks a tree before it publishes it) and the sync agent (which checks an
// artifact while it unpacks it), so that the job never publishes what a reader refuses.
//
// A release tree holds directories, regular files and symlinks only. Every path is relative,
// made of names that pass CheckName, and at most MaxPathBytes long; a tree has at most
// MaxEntries entries. A symlink's target must be relative and, resolved through the links of
// the tree itself (physically, the way the kernel resolves it, not by cleaning the text),
// must stay inside the tree at every step.
//
// This package uses the standard library only: it is also compiled inside the release job's
// build (release/embed.go ships it as source).
package tree

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// Limits every tree must respect.
const (
	// MaxEntries bounds the entries (files, directories, symlinks) of one release.
	MaxEntries = 1_000_000
	// MaxNameBytes is the longest name of one path component (Linux NAME_MAX).
	MaxNameBytes = 255
	// MaxPathBytes is the longest tree-relative path (Linux PATH_MAX minus room for the
	// directory a reader unpacks into).
	MaxPathBytes = 3072
	// MaxTargetBytes is the longest symlink target.
	MaxTargetBytes = 1024
	// MaxLinkHops is how many symlinks one resolution may follow (Linux follows 40).
	MaxLinkHops = 40
)

// ErrEscape marks a symlink that leaves the tree.
var ErrEscape = errors.New("leaves the release tree")

// CheckName accepts one path component: valid UTF-8, 1 to MaxNameBytes bytes, not "." or
// "..", and no '/', '\', NUL or other control character. (A backslash is a path separator to
// some tools and to readers on other systems; control characters break logs and terminals.)
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case name == "." || name == "..":
		return fmt.Errorf("name %q is not allowed", name)
	case len(name) > MaxNameBytes:
		return fmt.Errorf("name %.40q... is longer than %d bytes", name, MaxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("name %q is not valid UTF-8", name)
	}
	for _, r := range name {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("name %q has %q, which is not allowed in names (no '/', '\\' or control characters)", name, r)
		}
	}
	return nil
}

// CheckPath accepts a tree-relative slash-separated path of names that pass CheckName,
// without leading, trailing or doubled slashes, at most MaxPathBytes long.
func CheckPath(p string) error {
	if p == "" {
		return errors.New("empty path")
	}
	if len(p) > MaxPathBytes {
		return fmt.Errorf("path %.60q... is longer than %d bytes", p, MaxPathBytes)
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q is absolute", p)
	}
	for _, c := range strings.Split(p, "/") {
		if err := CheckName(c); err != nil {
			return fmt.Errorf("path %q: %w", p, err)
		}
	}
	return nil
}

// CheckTarget accepts a symlink target's text: not empty, relative, at most MaxTargetBytes,
// no NUL, valid UTF-8. Where it leads is ResolveLink's business.
func CheckTarget(target string) error {
	switch {
	case target == "":
		return errors.New("empty symlink target")
	case strings.HasPrefix(target, "/"):
		return fmt.Errorf("absolute symlink target %q", target)
	case len(target) > MaxTargetBytes:
		return fmt.Errorf("symlink target longer than %d bytes", MaxTargetBytes)
	case strings.ContainsRune(target, 0) || !utf8.ValidString(target):
		return fmt.Errorf("symlink target %q has NUL or is not valid UTF-8", target)
	}
	return nil
}

// Kind is the type of a tree entry.
type Kind uint8

// The kinds of entries. Only Dir, File and Symlink may be in a release.
const (
	Missing Kind = iota
	Dir
	File
	Symlink
	Other
)

// KindOf maps a file mode to a Kind.
func KindOf(m fs.FileMode) Kind {
	switch {
	case m.IsDir():
		return Dir
	case m.IsRegular():
		return File
	case m&fs.ModeSymlink != 0:
		return Symlink
	}
	return Other
}

// CheckKind accepts the entry types a release may hold.
func CheckKind(p string, m fs.FileMode) error {
	if KindOf(m) == Other {
		return fmt.Errorf("%q is a %s, not a file, directory or symlink", p, typeName(m))
	}
	return nil
}

func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file (" + m.Type().String() + ")"
}
