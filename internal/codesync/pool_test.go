package codesync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// One agent for a pool of sites: each site's release reaches SourceRoot/s
// -> DestRoot/s; a site whose artifact is corrupt (or whose first release
// is not published yet) holds back no other site; health names the site
// that is not in place.
func TestPoolSitesSyncIndependently(t *testing.T) {
	srcRoot, destRoot := t.TempDir(), filepath.Join(t.TempDir(), "local")
	for _, s := range []string{"a", "b", "c"} {
		if err := os.MkdirAll(filepath.Join(srcRoot, s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, filepath.Join(srcRoot, "a"), "a1", map[string]string{"index.php": "site a"}, nil)
	publish(t, filepath.Join(srcRoot, "b"), "b1", map[string]string{"index.php": "site b"}, func(b []byte) []byte {
		b[len(b)/2] ^= 0xff
		return b
	})
	// c: nothing published yet.
	p := &Pool{Sites: []string{"a", "b", "c"}, SourceRoot: srcRoot, DestRoot: destRoot,
		Interval: 50 * time.Millisecond, Grace: time.Hour, RetryAfter: time.Hour, Parallel: 2}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()

	waitFor(t, "site a live", func() bool {
		b, err := os.ReadFile(filepath.Join(destRoot, "a", CurrentName, "index.php"))
		return err == nil && string(b) == "site a"
	})
	err := PoolHealth(destRoot, p.Sites, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "site b:") || strings.Contains(err.Error(), "site a:") || strings.Contains(err.Error(), "site c:") {
		t.Fatalf("health with b's first release corrupt: %v (want only site b named)", err)
	}
	// b's next release is good (its failed one is not retried for an hour,
	// a new id is fetched at once); c gets its first release.
	publish(t, filepath.Join(srcRoot, "b"), "b2", map[string]string{"index.php": "site b two"}, nil)
	publish(t, filepath.Join(srcRoot, "c"), "c1", map[string]string{"index.php": "site c"}, nil)
	waitFor(t, "every site healthy", func() bool { return PoolHealth(destRoot, p.Sites, time.Minute) == nil })
	for s, want := range map[string]string{"a": "site a", "b": "site b two", "c": "site c"} {
		if b, _ := os.ReadFile(filepath.Join(destRoot, s, CurrentName, "index.php")); string(b) != want {
			t.Errorf("site %s serves %q, want %q", s, b, want)
		}
	}
	if _, err := os.Stat(filepath.Join(destRoot, "a", "b2")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a site's release landed in another site's directory")
	}
}

func TestPoolOnceAndHealthRefuseNoSites(t *testing.T) {
	srcRoot, destRoot := t.TempDir(), t.TempDir()
	for _, s := range []string{"a", "b"} {
		if err := os.MkdirAll(filepath.Join(srcRoot, s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, filepath.Join(srcRoot, "a"), "a1", map[string]string{"x": "1"}, nil)
	p := &Pool{Sites: []string{"a", "b"}, SourceRoot: srcRoot, DestRoot: destRoot, Interval: time.Second}
	res, err := p.Once(context.Background())
	if res[0].Live != "a1" || err == nil || !strings.Contains(err.Error(), "site b:") {
		t.Fatalf("Once: %+v %v (want a live, b failing: nothing published)", res, err)
	}
	if err := PoolHealth(destRoot, nil, time.Minute); err == nil {
		t.Error("health of no sites")
	}
	if err := (&Pool{}).Run(context.Background()); err == nil {
		t.Error("Run with no sites")
	}
}

// Fetches in progress hold their space: a second site's fetch sees the
// free space less what the first holds, and gets it back afterwards.
func TestDiskReservations(t *testing.T) {
	d := NewDisk(1)
	budget, release := d.reserve(100, 60)
	if budget != 100 || d.reserved() != 60 {
		t.Fatalf("first: budget %d, held %d", budget, d.reserved())
	}
	if b, _ := d.reserve(100, 60); b != 40 {
		t.Fatalf("second fetch's budget %d, want 40 (100 free, 60 held)", b)
	}
	release()
	if d.reserved() != 0 {
		t.Fatalf("held %d after release", d.reserved())
	}
	var nilDisk *Disk
	if b, r := nilDisk.reserve(100, 60); b != 100 {
		t.Fatal("nil disk reserves")
	} else {
		r()
	}
	// One slot: the second acquire waits until the context ends.
	rel, err := d.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := d.acquire(ctx); err == nil {
		t.Fatal("second fetch got a slot while the only one was taken")
	}
	rel()
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
