package codesync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/zstd"
)

// The artifact is read in chunks of readChunk bytes with up to readParallel
// reads in flight: a few large reads whose round trips overlap, instead of
// many small ones one after the other.
const (
	readChunk    = 4 << 20
	readParallel = 4
)

// FetchStats describes one fetched release.
type FetchStats struct {
	ArtifactBytes int64
	UnpackStats
}

// ErrChecksum marks an artifact whose sha256 does not match its .sha256 file.
var ErrChecksum = errors.New("artifact checksum mismatch")

// ArtifactPath returns root/artifacts/<id>.tar.zst.
func ArtifactPath(root, id string) string {
	return filepath.Join(root, ArtifactsDir, id+ArtifactExt)
}

// Fetch reads root/artifacts/<id>.tar.zst in one sequential pass, hashing,
// decompressing and unpacking it into dir (which must exist and be empty),
// then checks the sha256 against root/artifacts/<id>.tar.zst.sha256. Any
// error means dir must not be used. The whole stream is read to its end, so
// the checksum covers every byte of the file.
func Fetch(ctx context.Context, root, id, dir string, lim UnpackLimits) (FetchStats, error) {
	var st FetchStats
	if err := ValidID(id); err != nil {
		return st, err
	}
	sumFile := filepath.Join(root, ArtifactsDir, id+ChecksumExt)
	content, err := os.ReadFile(sumFile)
	if err != nil {
		return st, fmt.Errorf("release %s has no readable checksum file: %w", id, err)
	}
	want, err := ParseChecksum(content, id)
	if err != nil {
		return st, err
	}
	f, err := openDirect(ArtifactPath(root, id))
	if err != nil {
		return st, fmt.Errorf("open artifact of %s: %w", id, err)
	}
	defer f.Close()

	fi, err := f.Stat()
	if err != nil {
		return st, err
	}
	pr := newParallelReader(f, fi.Size(), readChunk, readParallel)
	defer pr.Close()
	h := sha256.New()
	counted := &countingReader{r: pr}
	tee := io.TeeReader(counted, h)
	zr, err := zstd.NewReader(tee, zstd.WithDecoderConcurrency(2))
	if err != nil {
		return st, err
	}
	defer zr.Close()

	st.UnpackStats, err = Unpack(ctx, zr, dir, lim)
	if err != nil {
		return st, fmt.Errorf("unpack artifact of %s: %w", id, err)
	}
	// Read past the end of the tar archive: zstd padding, trailing frames,
	// then whatever else the file holds, so the hash sees every byte.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return st, fmt.Errorf("decompress artifact of %s: %w", id, err)
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return st, fmt.Errorf("read artifact of %s: %w", id, err)
	}
	st.ArtifactBytes = counted.n
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return st, fmt.Errorf("%w: %s is %s, %s says %s", ErrChecksum, filepath.Base(ArtifactPath(root, id)), hex.EncodeToString(got), filepath.Base(sumFile), hex.EncodeToString(want))
	}
	if m, err := readManifestFile(filepath.Join(dir, ManifestName)); err == nil && m.ID != "" && m.ID != id {
		return st, fmt.Errorf("artifact of %s holds the manifest of release %q", id, m.ID)
	}
	return st, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
