package codesync

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
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
