package slowfs

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestMountCountsEveryRequest(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "needs root to mount FUSE")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		skipOrFail(t, "needs /dev/fuse")
	}
	backing, mnt := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(backing, "f"), make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("releases/r1", filepath.Join(backing, "current")); err != nil {
		t.Fatal(err)
	}
	server, stats, err := Mount(backing, mnt, Options{Delay: time.Millisecond, EntryTimeout: time.Minute, AttrTimeout: time.Minute, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Unmount()

	b, err := os.ReadFile(filepath.Join(mnt, "f"))
	if err != nil || len(b) != 3<<20 {
		t.Fatalf("read through the mount: %d bytes, %v", len(b), err)
	}
	if target, err := os.Readlink(filepath.Join(mnt, "current")); err != nil || target != "releases/r1" {
		t.Fatalf("readlink: %q %v", target, err)
	}
	snap := stats.Snapshot()
	// Reads reach the file system (no kernel passthrough), one per request.
	if snap.Ops["READ"] == 0 || snap.Ops["OPEN"] != 1 || snap.Ops["READLINK"] != 1 || snap.Ops["LOOKUP"] < 2 {
		t.Fatalf("counters after one read and one readlink: %v", snap)
	}
	if snap.PIDs[strconv.Itoa(os.Getpid())] == 0 || snap.Except(os.Getpid()) != 0 {
		t.Fatalf("requests not attributed to this process: %v", snap.PIDs)
	}
	// Cached: the same read again needs no READ (keep_cache), no LOOKUP
	// (entry cache) and no ACCESS (default_permissions).
	before := stats.Snapshot()
	if _, err := os.ReadFile(filepath.Join(mnt, "f")); err != nil {
		t.Fatal(err)
	}
	after := stats.Snapshot()
	if after.Ops["READ"] != before.Ops["READ"] || after.Ops["ACCESS"] != 0 || after.Ops["LOOKUP"] != before.Ops["LOOKUP"] {
		t.Fatalf("second read was not served from the kernel's caches: before %v, after %v", before, after)
	}
	if err := os.WriteFile(filepath.Join(mnt, "g"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("write to a read-only mount: %v, want EROFS", err)
	}
	stats.Reset()
	if snap := stats.Snapshot(); snap.Total != 0 || len(snap.Ops) != 0 {
		t.Fatalf("after Reset: %v", snap)
	}
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
		t.Fatal(why)
	}
	t.Skip(why)
}
