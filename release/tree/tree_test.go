package tree

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"index.php", "wp-content", ".htaccess", "日本語.txt", "a b", "x.", "...", strings.Repeat("n", 255)} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", `a\b.php`, "a/b", "tab\there", "nl\n", "del\x7f", "nul\x00", "\xff\xfe", "c1\u0085", strings.Repeat("n", 256)} {
		if err := CheckName(bad); err == nil {
			t.Errorf("CheckName(%q) = nil, want an error", bad)
		}
	}
}

func TestCheckPath(t *testing.T) {
	for _, ok := range []string{"a", "a/b/c.php", "wp-content/themes/t/style.css"} {
		if err := CheckPath(ok); err != nil {
			t.Errorf("CheckPath(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/etc/passwd", "a//b", "a/", "a/../b", "./a", `dir\file`, strings.Repeat("a/", 1600) + "b"} {
		if err := CheckPath(bad); err == nil {
			t.Errorf("CheckPath(%q) = nil, want an error", bad)
		}
	}
}

// fakeTree is a tree as maps: dirs, files, links.
func fakeTree(dirs []string, files []string, links map[string]string) Lookup {
	d, f := map[string]bool{}, map[string]bool{}
	for _, x := range dirs {
		d[x] = true
	}
	for _, x := range files {
		f[x] = true
	}
	return MapLookup(d, f, links)
}

func TestResolveLink(t *testing.T) {
	dirs := []string{"a", "a/b", "a/b/c", "wp-content"}
	files := []string{"index.php", "a/b/c/f.txt"}
	links := map[string]string{
		"d":          ".",         // the tree's root
		"up":         "a/b/../..", // the root again
		"a/b/sib":    "../b",      // a/b
		"a/self":     "self",      // loop
		"a/b/dot":    "../..",     // root, from two levels down
		"wp-content": "",          // not used: wp-content is a dir
	}
	delete(links, "wp-content")
	look := fakeTree(dirs, files, links)
	for _, tc := range []struct {
		link, target, want string
	}{
		{"x", "index.php", "index.php"},
		{"x", "d/d/d/index.php", "index.php"},
		{"a/x", "../a/b/c/f.txt", "a/b/c/f.txt"},
		{"a/b/x", "sib/c/f.txt", "a/b/c/f.txt"},
		{"x", "d", ""},
		{"a/x", "missing/../../index.php", "index.php"},
		{"x", "index.php/../a", "a"}, // through a file: text from there on
	} {
		got, err := ResolveLink(look, tc.link, tc.target)
		if err != nil || got != tc.want {
			t.Errorf("ResolveLink(%s -> %s) = %q, %v; want %q", tc.link, tc.target, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ link, target, why string }{
		// The escape: d -> . makes d/d/d one level deep as text, but the root itself.
		{"x", "d/d/d/../../etc/passwd", "leaves"},
		{"a/b/x", "dot/..", "leaves"},
		{"x", "up/../other-site/current/index.php", "leaves"},
		{"x", "..", "leaves"},
		{"a/b/c/x", "../../../..", "leaves"},
		{"x", "/etc/passwd", "absolute"},
		{"x", "a/self", "loop"},
		{"x", "", "empty"},
	} {
		_, err := ResolveLink(look, tc.link, tc.target)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ResolveLink(%s -> %s) = %v, want an error about %q", tc.link, tc.target, err, tc.why)
		}
		if tc.why == "leaves" && !errors.Is(err, ErrEscape) {
			t.Errorf("ResolveLink(%s -> %s): %v is not ErrEscape", tc.link, tc.target, err)
		}
	}
}

// A link whose target text stays inside but which physically escapes through another link
// of the same tree, on a real file system: what lexical cleaning (realpath -s, path.Join)
// accepted.
func TestResolveLinkOnDisk(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "wp-content/uploads"), 0o755))
	must(os.WriteFile(filepath.Join(root, "index.php"), nil, 0o644))
	must(os.Symlink(".", filepath.Join(root, "d")))
	must(os.Symlink("d/d/d/../../etc/passwd", filepath.Join(root, "pw")))
	must(os.Symlink("../index.php", filepath.Join(root, "wp-content/idx")))
	look := DirLookup(root)
	if _, err := ResolveLink(look, "pw", "d/d/d/../../etc/passwd"); !errors.Is(err, ErrEscape) {
		t.Fatalf("pw: %v, want ErrEscape", err)
	}
	// The kernel agrees: root/d/d/d/../.. (not cleaned as text) is two levels above root.
	got, err1 := os.Stat(root + "/d/d/d/../..")
	want, err2 := os.Stat(filepath.Dir(filepath.Dir(root)))
	if err1 != nil || err2 != nil || !os.SameFile(got, want) {
		t.Fatalf("kernel does not resolve d/d/d/../.. above the root (%v %v); the test's premise is wrong", err1, err2)
	}
	if got, err := ResolveLink(look, "wp-content/idx", "../index.php"); err != nil || got != "index.php" {
		t.Fatalf("wp-content/idx: %q %v", got, err)
	}
}

func TestKind(t *testing.T) {
	dir := t.TempDir()
	if err := CheckKind("x", os.ModeNamedPipe); err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Fatalf("FIFO: %v", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckKind("d", fi.Mode()); err != nil || KindOf(fi.Mode()) != Dir {
		t.Fatalf("dir: %v", err)
	}
}

func tarOf(t *testing.T, entries ...[3]string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e[0], Mode: 0o644}
		switch e[1] {
		case "d":
			h.Typeflag = tar.TypeDir
		case "f":
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e[2]))
		case "l":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e[2]
		case "p":
			h.Typeflag = tar.TypeFifo
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e[1] == "f" {
			if _, err := tw.Write([]byte(e[2])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestCheckArchive(t *testing.T) {
	files, n, err := CheckArchive(tarOf(t, [3]string{"./", "d", ""}, [3]string{"./a/b.txt", "f", "hello"},
		[3]string{"./l", "l", "a/b.txt"}, [3]string{"./a/", "d", ""}), 0)
	if err != nil || files != 1 || n != 5 {
		t.Fatalf("good archive: %d files %d bytes %v", files, n, err)
	}
	for name, buf := range map[string]*bytes.Buffer{
		"escape":     tarOf(t, [3]string{"./d", "l", "."}, [3]string{"./x", "l", "d/d/../../y"}),
		"fifo":       tarOf(t, [3]string{"./p", "p", ""}),
		"backslash":  tarOf(t, [3]string{`./a\b`, "f", ""}),
		"duplicate":  tarOf(t, [3]string{"./a", "f", ""}, [3]string{"./a", "f", ""}),
		"below link": tarOf(t, [3]string{"./a", "l", "b"}, [3]string{"./a/x", "f", ""}),
	} {
		if _, _, err := CheckArchive(buf, 0); err == nil {
			t.Errorf("%s: CheckArchive accepted it", name)
		}
	}
	if _, _, err := CheckArchive(tarOf(t, [3]string{"./a", "f", ""}, [3]string{"./b", "f", ""}), 1); err == nil || !strings.Contains(err.Error(), "more than 1 entries") {
		t.Fatalf("entry limit: %v", err)
	}
}

func TestEntryName(t *testing.T) {
	for _, tc := range []struct {
		p    string
		dir  bool
		want string
	}{{"", true, "./"}, {"a/b", false, "./a/b"}, {"a/b", true, "./a/b/"}} {
		if got := EntryName(tc.p, tc.dir); got != tc.want {
			t.Errorf("EntryName(%q, %v) = %q, want %q", tc.p, tc.dir, got, tc.want)
		}
		if c, err := CleanEntryName(EntryName(tc.p, tc.dir)); err != nil || c != tc.p {
			t.Errorf("CleanEntryName(EntryName(%q)) = %q %v", tc.p, c, err)
		}
	}
}
