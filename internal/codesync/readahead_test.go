package codesync

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestParallelReaderKeepsOrder(t *testing.T) {
	data := make([]byte, 1<<20+12345)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := openDirect(name) // O_DIRECT where the file system allows it
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct{ chunk, n int }{{4096, 1}, {4096, 8}, {1000, 3}, {3 * 4096, 3}, {1 << 22, 4}} {
		r := newParallelReader(f, int64(len(data)), c.chunk, c.n)
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("chunk %d, %d in flight: %d bytes, %v", c.chunk, c.n, len(got), err)
		}
	}
	// A file shorter than the size it was opened with is an error, not a
	// silent short read.
	r := newParallelReader(f, int64(len(data))+5000, 4096, 4)
	if _, err := io.ReadAll(r); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short file: %v", err)
	}
	r.Close()
}

// The reader's memory does not grow with the file: its n+1 buffers are
// reused (a new buffer per chunk made the agent's heap follow the size of
// the artifact between collections).
func TestParallelReaderReusesBuffers(t *testing.T) {
	const size, chunk, n = 16 << 20, 64 << 10, 4
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, bytes.Repeat([]byte("wpfleet."), size/8), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := openDirect(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := newParallelReader(f, size, chunk, n)
	got, err := io.Copy(io.Discard, r)
	r.Close()
	runtime.ReadMemStats(&after)
	if err != nil || got != size {
		t.Fatalf("read %d bytes, %v", got, err)
	}
	// n+1 buffers of chunk bytes (plus alignment), and small change.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > (n+1)*(chunk+directAlign)+512<<10 {
		t.Errorf("reading %d MiB allocated %d KiB, want about %d KiB (n+1 reused buffers)", size>>20, alloc>>10, (n+1)*chunk>>10)
	}
}
