package codesync

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/wpfleet/wpfleet/release/tree"
)

// entry is one tar entry for a test artifact.
type entry struct {
	name, body, link string
	typ              byte
	mode             int64
}

func file(name, body string) entry {
	return entry{name: name, body: body, typ: tar.TypeReg, mode: 0o644}
}
func dir(name string) entry { return entry{name: name, typ: tar.TypeDir, mode: 0o755} }
func link(name, to string) entry {
	return entry{name: name, link: to, typ: tar.TypeSymlink, mode: 0o777}
}

var mtime = time.Date(2026, 11, 26, 6, 30, 0, 0, time.UTC)

func tarBytes(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, ModTime: mtime, Linkname: e.link, Format: tar.FormatPAX}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstdBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeTestFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// publish writes a release the way docs/release-layout.md says: tree,
// artifact, checksum, then the pointer. corrupt may change the artifact bytes
// after the checksum was taken.
func publish(t *testing.T, root, id string, files map[string]string, corrupt func([]byte) []byte) {
	t.Helper()
	entries := []entry{dir("./")}
	for name, body := range files {
		entries = append(entries, file("./"+name, body))
		writeTestFile(t, filepath.Join(root, ReleasesDir, id, name), []byte(body))
	}
	manifest := fmt.Sprintf(`{"id":%q,"site":"test","future_key":1}`, id)
	entries = append(entries, file("./"+ManifestName, manifest))
	writeTestFile(t, filepath.Join(root, ReleasesDir, id, ManifestName), []byte(manifest))
	art := zstdBytes(t, tarBytes(t, entries))
	sum := sha256.Sum256(art)
	if corrupt != nil {
		art = corrupt(art)
	}
	writeTestFile(t, ArtifactPath(root, id), art)
	writeTestFile(t, filepath.Join(root, ArtifactsDir, id+ChecksumExt), []byte(hex.EncodeToString(sum[:])+"  "+id+ArtifactExt+"\n"))
	setPointer(t, root, id)
}

func setPointer(t *testing.T, root, id string) {
	t.Helper()
	tmp := filepath.Join(root, "current.tmp-"+id)
	if err := os.Symlink(ReleasesDir+"/"+id, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(root, CurrentName)); err != nil {
		t.Fatal(err)
	}
}

func newAgent(t *testing.T) (*Agent, string) {
	t.Helper()
	src := t.TempDir()
	a := &Agent{Source: src, Dest: filepath.Join(t.TempDir(), "local"), Interval: 50 * time.Millisecond, Grace: time.Hour}
	if err := a.Prepare(); err != nil {
		t.Fatal(err)
	}
	return a, src
}

func readLive(t *testing.T, a *Agent, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(a.Dest, CurrentName, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUnpackRefusesUnsafeEntries(t *testing.T) {
	cases := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"absolute path", []entry{file("/etc/passwd", "x")}, "is absolute"},
		{"dot-dot", []entry{file("./a/../../evil", "x")}, `name ".." is not allowed`},
		{"dot-dot at start", []entry{file("../evil", "x")}, `name ".." is not allowed`},
		{"backslash", []entry{file(`./wp-content/a\b.php`, "x")}, `not allowed in names`},
		{"control character", []entry{file("./a\nb", "x")}, `not allowed in names`},
		{"absolute symlink", []entry{link("./l", "/etc")}, "absolute symlink target"},
		{"escaping symlink", []entry{dir("./a/"), link("./a/l", "../../x")}, "leaves the release tree"},
		{"escaping via clean", []entry{link("./l", "a/../../x")}, "leaves the release tree"},
		// issue 9: d -> . makes "d/d/d/../.." one level up as text but two above the root
		// physically; the old lexical check let it through and the agent served /etc/passwd.
		{"escaping through a link to the root", []entry{link("./d", "."), link("./pw", "d/d/d/../../etc/passwd")}, "leaves the release tree"},
		// The link it goes through comes later in the archive: checked with the whole tree known.
		{"escaping through a later link", []entry{link("./pw", "d/../etc/passwd"), link("./d", ".")}, "leaves the release tree"},
		{"link loop", []entry{link("./a", "b"), link("./b", "a"), link("./c", "a/x")}, "a loop"},
		{"write below symlink", []entry{dir("./d/"), link("./l", "d"), file("./l/f", "x")}, `below symlink "l"`},
		{"write below later symlink", []entry{file("./l/f", "x"), link("./l", "d")}, "second entry of the same path"},
		{"hard link outside", []entry{file("./a", "x"), {name: "./b", link: "/etc/passwd", typ: tar.TypeLink}}, "must be a regular file earlier in the same archive"},
		{"hard link up", []entry{{name: "./b", link: "../x", typ: tar.TypeLink}}, "must be a regular file earlier in the same archive"},
		{"hard link to directory", []entry{dir("./d/"), {name: "./b", link: "d", typ: tar.TypeLink}}, "must be a regular file earlier in the same archive"},
		{"hard link to later file", []entry{{name: "./b", link: "a", typ: tar.TypeLink}, file("./a", "x")}, "must be a regular file earlier in the same archive"},
		{"fifo", []entry{{name: "./p", typ: tar.TypeFifo, mode: 0o644}}, "only regular files, directories, symlinks"},
		{"char device", []entry{{name: "./c", typ: tar.TypeChar, mode: 0o644}}, "only regular files, directories, symlinks"},
		{"duplicate file", []entry{file("./a", "1"), file("./a", "2")}, "second entry of the same path"},
		{"file over symlink", []entry{link("./a", "b"), file("./a", "2")}, "second entry of the same path"},
		{"symlink over directory", []entry{dir("./a/"), link("./a", ".")}, "second entry of the same path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			_, err := Unpack(context.Background(), bytes.NewReader(tarBytes(t, c.entries)), filepath.Join(out), UnpackLimits{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Unpack error = %v, want one containing %q", err, c.want)
			}
			// Nothing may have been written outside the tree.
			if _, err := os.Lstat(filepath.Join(filepath.Dir(out), "evil")); err == nil {
				t.Fatal("a file was written outside the tree")
			}
		})
	}
}

func TestUnpackWritesTree(t *testing.T) {
	out := t.TempDir()
	entries := []entry{
		dir("./"),
		file("./index.php", "<?php echo 1;"),
		{name: "./bin/run", body: "#!/bin/sh\n", typ: tar.TypeReg, mode: 0o4750}, // setuid bit dropped
		file("./wp-content/themes/t/style.css", "body{}"),                        // parents without entries
		link("./wp-content/themes/t/alias.css", "style.css"),
		link("./top", "wp-content/themes"),
		dir("./empty/"),
		{name: "./index-copy.php", link: "./index.php", typ: tar.TypeLink},
	}
	st, err := Unpack(context.Background(), bytes.NewReader(tarBytes(t, entries)), out, UnpackLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 4 || st.Symlinks != 2 {
		t.Fatalf("stats = %+v, want 4 files (one a hard link) and 2 symlinks", st)
	}
	if b, err := os.ReadFile(filepath.Join(out, "index-copy.php")); err != nil || string(b) != "<?php echo 1;" {
		t.Fatalf("hard link: %q %v", b, err)
	}
	fi, err := os.Stat(filepath.Join(out, "bin/run"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 || fi.Mode()&os.ModeSetuid != 0 {
		t.Fatalf("bin/run mode = %v, want 0755 without setuid", fi.Mode())
	}
	fi, err = os.Stat(filepath.Join(out, "index.php"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 || !fi.ModTime().Equal(mtime) {
		t.Fatalf("index.php mode %v mtime %v, want 0644 and %v", fi.Mode(), fi.ModTime(), mtime)
	}
	b, err := os.ReadFile(filepath.Join(out, "top/t/alias.css"))
	if err != nil || string(b) != "body{}" {
		t.Fatalf("through symlinks: %q, %v", b, err)
	}
}

func TestUnpackLimits(t *testing.T) {
	big := tarBytes(t, []entry{file("./a", strings.Repeat("x", 10000)), file("./b", "y")})
	if _, err := Unpack(context.Background(), bytes.NewReader(big), t.TempDir(), UnpackLimits{MaxBytes: 8192}); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("MaxBytes: err = %v, want ErrNoSpace", err)
	}
	if _, err := Unpack(context.Background(), bytes.NewReader(big), t.TempDir(), UnpackLimits{MaxEntries: 1}); err == nil || !strings.Contains(err.Error(), "more than 1 entries") {
		t.Fatalf("MaxEntries: err = %v", err)
	}
}

// Without a limit set, the agent still bounds entries (tree.MaxEntries, the bound the release
// job publishes within), so an artifact of tiny entries cannot make it create files forever.
// (The cut itself is TestUnpackLimits; a million real entries would take the test 10 s.)
func TestUnpackBoundsEntriesByDefault(t *testing.T) {
	if got := (UnpackLimits{MaxBytes: 5}).withDefaults(); got.MaxEntries != tree.MaxEntries || got.MaxBytes != 5 {
		t.Fatalf("defaults: %+v, want MaxEntries %d", got, tree.MaxEntries)
	}
	if got := (UnpackLimits{MaxEntries: 7}).withDefaults(); got.MaxEntries != 7 {
		t.Fatalf("an explicit limit is kept: %+v", got)
	}
}

func TestParsePointerAndChecksum(t *testing.T) {
	for _, bad := range []string{"/sites/x/releases/a", "releases/../x", "releases/", "releases/a/b", "../releases/a", "releases/.hidden"} {
		if _, err := ParsePointer(bad); err == nil {
			t.Errorf("ParsePointer(%q) accepted", bad)
		}
	}
	if id, err := ParsePointer("releases/20261126T063000Z-3f2a9c1d0b7e"); err != nil || id != "20261126T063000Z-3f2a9c1d0b7e" {
		t.Errorf("ParsePointer valid: %q %v", id, err)
	}
	good := strings.Repeat("ab", 32)
	if _, err := ParseChecksum([]byte(good+"  r1.tar.zst\n"), "r1"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{good + "  r2.tar.zst\n", good[:62] + "  r1.tar.zst", "", good + "  r1.tar.zst extra"} {
		if _, err := ParseChecksum([]byte(bad), "r1"); err == nil {
			t.Errorf("ParseChecksum(%q) accepted", bad)
		}
	}
}

func TestSyncFetchesAndSwitches(t *testing.T) {
	a, src := newAgent(t)
	if _, err := a.Sync(context.Background()); err == nil {
		t.Fatal("Sync with no published release succeeded")
	}
	if Health(a.Dest, time.Minute) == nil {
		t.Fatal("Health ok before any release is in place")
	}
	publish(t, src, "r1", map[string]string{"index.php": "one", "wp-content/a.css": "a"}, nil)
	res, err := a.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Switched || res.Live != "r1" || res.Fetched == nil || res.Fetched.Files != 3 {
		t.Fatalf("result %+v", res)
	}
	if got := readLive(t, a, "index.php"); got != "one" {
		t.Fatalf("live index.php = %q", got)
	}
	target, _ := os.Readlink(filepath.Join(a.Dest, CurrentName))
	if target != "releases/r1" {
		t.Fatalf("local pointer = %q, want the relative link releases/r1", target)
	}
	res, err = a.Sync(context.Background())
	if err != nil || res.Switched || res.Fetched != nil {
		t.Fatalf("second Sync with nothing new: %+v %v", res, err)
	}
	publish(t, src, "r2", map[string]string{"index.php": "two"}, nil)
	if res, err = a.Sync(context.Background()); err != nil || res.Live != "r2" {
		t.Fatalf("Sync r2: %+v %v", res, err)
	}
	if got := readLive(t, a, "index.php"); got != "two" {
		t.Fatalf("live index.php = %q", got)
	}
	if _, err := os.Stat(filepath.Join(a.Dest, ReleasesDir, "r1", "index.php")); err != nil {
		t.Fatalf("old release removed before its grace period: %v", err)
	}
}

func TestSyncKeepsOldReleaseOnBadArtifact(t *testing.T) {
	cases := map[string]func(t *testing.T, src string){
		"sha256 mismatch": func(t *testing.T, src string) {
			publish(t, src, "r2", map[string]string{"index.php": "two"}, func(b []byte) []byte {
				// Valid zstd and tar, other content: only the checksum can tell.
				return zstdBytes(t, tarBytes(t, []entry{file("./index.php", "evil")}))
			})
		},
		"partial artifact": func(t *testing.T, src string) {
			publish(t, src, "r2", map[string]string{"index.php": "two", "big": strings.Repeat("z", 1<<16)}, func(b []byte) []byte { return b[:len(b)/2] })
		},
		"missing checksum file": func(t *testing.T, src string) {
			publish(t, src, "r2", map[string]string{"index.php": "two"}, nil)
			os.Remove(filepath.Join(src, ArtifactsDir, "r2"+ChecksumExt))
		},
		"missing artifact": func(t *testing.T, src string) {
			publish(t, src, "r2", map[string]string{"index.php": "two"}, nil)
			os.Remove(ArtifactPath(src, "r2"))
		},
		"unsafe entry": func(t *testing.T, src string) {
			publish(t, src, "r2", map[string]string{"index.php": "two"}, nil)
			art := zstdBytes(t, tarBytes(t, []entry{file("./index.php", "two"), link("./x", "../../etc")}))
			sum := sha256.Sum256(art)
			writeTestFile(t, ArtifactPath(src, "r2"), art)
			writeTestFile(t, filepath.Join(src, ArtifactsDir, "r2"+ChecksumExt), []byte(hex.EncodeToString(sum[:])+"  r2.tar.zst\n"))
		},
		// issue 9: a link that stays inside as text (12 names down, 12 up) but leaves the tree
		// physically (each d is the root) used to be unpacked, and nginx served /etc/passwd
		// through it.
		"link escaping through another link": func(t *testing.T, src string) {
			publish(t, src, "r2", map[string]string{"index.php": "two"}, nil)
			art := zstdBytes(t, tarBytes(t, []entry{file("./index.php", "two"), link("./d", "."),
				link("./passwd.txt", strings.Repeat("d/", 12)+strings.Repeat("../", 12)+"etc/passwd")}))
			sum := sha256.Sum256(art)
			writeTestFile(t, ArtifactPath(src, "r2"), art)
			writeTestFile(t, filepath.Join(src, ArtifactsDir, "r2"+ChecksumExt), []byte(hex.EncodeToString(sum[:])+"  r2.tar.zst\n"))
		},
		"backslash in a name": func(t *testing.T, src string) {
			publish(t, src, "r2", map[string]string{"index.php": "two", `wp-content\x.php`: "x"}, nil)
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			a, src := newAgent(t)
			publish(t, src, "r1", map[string]string{"index.php": "one"}, nil)
			if _, err := a.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			breakIt(t, src)
			res, err := a.Sync(context.Background())
			if err == nil {
				t.Fatalf("Sync of a broken release succeeded: %+v", res)
			}
			if res.Live != "r1" || readLive(t, a, "index.php") != "one" {
				t.Fatalf("live release changed after a failed sync: %+v", res)
			}
			if _, err := os.Stat(filepath.Join(a.Dest, ReleasesDir, "r2")); !os.IsNotExist(err) {
				t.Fatalf("broken release left in releases/: %v", err)
			}
			if left, _ := os.ReadDir(a.tmpDir()); len(left) != 0 {
				t.Fatalf("staging not cleaned: %v", left)
			}
			// A failed release is not fetched again at once.
			if _, err := a.Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "retrying after") {
				t.Fatalf("second Sync: %v, want the retry wait", err)
			}
		})
	}
}

func TestSyncRefusesWhenDiskWouldFillUp(t *testing.T) {
	a, src := newAgent(t)
	publish(t, src, "r1", map[string]string{"index.php": "one"}, nil)
	if _, err := a.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	free, err := freeBytes(a.Dest)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, src, "r2", map[string]string{"index.php": "two"}, nil)
	// Keep free the space there is now, plus 1 MiB: no release fits.
	a.MinFree = free + 1<<20
	_, err = a.Sync(context.Background())
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Sync error = %v, want ErrNoSpace", err)
	}
	if readLive(t, a, "index.php") != "one" {
		t.Fatal("live release changed")
	}
	// With a margin that fits, the manifest-less size check passes and the
	// unpack budget is enforced while writing.
	a.MinFree = free - 64<<10
	a.failed = map[string]failure{}
	m := `{"id":"r2","bytes":10485760,"files":1}` // says 10 MiB: more than the 64 KiB allowed
	writeTestFile(t, filepath.Join(src, ReleasesDir, "r2", ManifestName), []byte(m))
	if _, err := a.Sync(context.Background()); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Sync with manifest over budget: %v, want ErrNoSpace", err)
	}
	a.MinFree = 0
	a.failed = map[string]failure{}
	if res, err := a.Sync(context.Background()); err != nil || res.Live != "r2" {
		t.Fatalf("Sync with room: %+v %v", res, err)
	}
}

func TestOldReleasesRemovedAfterGrace(t *testing.T) {
	a, src := newAgent(t)
	a.Grace = 300 * time.Millisecond
	publish(t, src, "r1", map[string]string{"index.php": "one"}, nil)
	publishSync := func(id string) {
		t.Helper()
		publish(t, src, id, map[string]string{"index.php": id}, nil)
		if _, err := a.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	publishSync("r1")
	publishSync("r2")
	old := filepath.Join(a.Dest, ReleasesDir, "r1")
	if _, err := os.Stat(old); err != nil {
		t.Fatalf("r1 removed within its grace period: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := a.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(old); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("r1 still on disk 10 s after its 300 ms grace period")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if readLive(t, a, "index.php") != "r2" {
		t.Fatal("live release damaged by cleanup")
	}
	// Rolling back to a release still on disk needs no fetch.
	publishSync("r3")
	setPointer(t, src, "r2")
	res, err := a.Sync(context.Background())
	if err != nil || res.Live != "r2" || res.Fetched != nil {
		t.Fatalf("rollback within grace: %+v %v", res, err)
	}
}

// TestPointerSwitchIsAtomic reads through the local pointer while releases
// are switched and checks that every read sees one complete release.
func TestPointerSwitchIsAtomic(t *testing.T) {
	a, src := newAgent(t)
	publish(t, src, "r0", map[string]string{"a": "r0", "b": "r0"}, nil)
	if _, err := a.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var reads atomic.Int64
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				// Resolve once, then read two files of that release, the way
				// nginx pins a request with $realpath_root.
				root, err := filepath.EvalSymlinks(filepath.Join(a.Dest, CurrentName))
				if err != nil {
					errs <- fmt.Errorf("resolve current: %w", err)
					return
				}
				x, err1 := os.ReadFile(filepath.Join(root, "a"))
				y, err2 := os.ReadFile(filepath.Join(root, "b"))
				if err1 != nil || err2 != nil || string(x) != string(y) || filepath.Base(root) != string(x) {
					errs <- fmt.Errorf("inconsistent read in %s: %q %q %v %v", root, x, y, err1, err2)
					return
				}
				reads.Add(1)
			}
		}()
	}
	for i := 1; i <= 20; i++ {
		id := fmt.Sprintf("r%d", i)
		publish(t, src, id, map[string]string{"a": id, "b": id}, nil)
		if _, err := a.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if reads.Load() == 0 {
		t.Fatal("readers never ran")
	}
}

// A pointer that exists but cannot be used is not "nothing released yet":
// the agent stays unhealthy, and so does one that has stopped.
func TestHealthBeforeFirstReleaseNeedsAnAbsentPointer(t *testing.T) {
	a, src := newAgent(t)
	if err := os.Symlink("../elsewhere", filepath.Join(src, CurrentName)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	time.Sleep(200 * time.Millisecond)
	if err := Health(a.Dest, time.Minute); err == nil {
		t.Fatal("healthy with a malformed shared pointer")
	}
	if err := os.Remove(filepath.Join(src, CurrentName)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for Health(a.Dest, time.Minute) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not healthy with no pointer at all: %v", Health(a.Dest, time.Minute))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	time.Sleep(150 * time.Millisecond)
	if err := Health(a.Dest, 100*time.Millisecond); err == nil {
		t.Fatal("a stopped agent awaiting its first release is still healthy")
	}
}

func TestRunAndHealth(t *testing.T) {
	a, src := newAgent(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	time.Sleep(200 * time.Millisecond)
	// Nothing was ever released: a running agent is healthy, so a new site's
	// tasks start and pass the load balancer's check; it copies the first
	// release when it appears.
	if err := Health(a.Dest, time.Minute); err != nil {
		t.Fatalf("Health of a running agent before the site's first release: %v", err)
	}
	publish(t, src, "r1", map[string]string{"index.php": "one"}, nil)
	deadline := time.Now().Add(10 * time.Second)
	for Health(a.Dest, time.Minute) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not healthy 10 s after publishing: %v", Health(a.Dest, time.Minute))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A stopped agent's heartbeat goes stale.
	time.Sleep(150 * time.Millisecond)
	if err := Health(a.Dest, 100*time.Millisecond); err == nil || !strings.Contains(err.Error(), "heartbeat") {
		t.Fatalf("Health of a stopped agent: %v", err)
	}
}
