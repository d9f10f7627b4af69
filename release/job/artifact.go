package job

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wpfleet/wpfleet/release/tree"
)

// treeStats counts a checked tree.
type treeStats struct {
	files, entries int
	bytes          int64
	dirs           []string // to seal once the tree is complete
}

// writeArtifact checks the tree and writes its artifact in one walk: every path must pass
// release/tree's rules (the ones the sync agent unpacks by), only files, directories and
// symlinks, every symlink resolved through the tree's own links must stay inside it, at most
// tree.MaxEntries entries. Files are read with O_NOFOLLOW and made read-only as they are
// archived. The tar (POSIX, "./"-relative, sorted, the manifest last as manifest(stats)
// renders it) goes through `zstd -3 -T0` into out, which is fsynced; it returns the
// artifact's sha256.
func (j *job) writeArtifact(ctx context.Context, root, out string, manifest func(treeStats) ([]byte, error)) (treeStats, string, error) {
	var st treeStats
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return st, "", failf("create the artifact: %v", err)
	}
	defer f.Close()
	h := sha256.New()
	zctx, cancel := context.WithCancel(ctx)
	defer cancel()
	z := exec.CommandContext(zctx, "zstd", "-q", "-3", "-T0", "-c")
	z.Stdout = io.MultiWriter(f, h)
	z.Stderr = os.Stderr
	z.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	zin, err := z.StdinPipe()
	if err != nil {
		return st, "", failf("zstd: %v", err)
	}
	if err := z.Start(); err != nil {
		return st, "", failf("zstd: %v", err)
	}
	bw := bufio.NewWriterSize(zin, 1<<20)
	tw := tar.NewWriter(bw)
	w := &walker{root: root, tw: tw, look: tree.DirLookup(root), buf: make([]byte, 1<<20)}
	err = w.tarDir(ctx, "")
	if err == nil {
		err = w.tarManifest(manifest)
	}
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	cerr := zin.Close()
	if err != nil {
		cancel()
		_ = z.Wait()
		return w.st, "", err
	}
	if err := z.Wait(); err != nil || cerr != nil {
		return w.st, "", failf("zstd failed writing the artifact: %v %v", err, cerr)
	}
	if err := f.Sync(); err != nil {
		return w.st, "", failf("write the artifact: %v", err)
	}
	if err := f.Close(); err != nil {
		return w.st, "", failf("write the artifact: %v", err)
	}
	return w.st, hex.EncodeToString(h.Sum(nil)), nil
}

type walker struct {
	root string
	tw   *tar.Writer
	look tree.Lookup
	buf  []byte
	st   treeStats
}

func (w *walker) count(p string) error {
	if err := tree.CheckPath(p); err != nil {
		return failf("the release tree cannot be published: %v", err)
	}
	if w.st.entries++; w.st.entries >= tree.MaxEntries {
		return failf("the release tree has %d or more entries; a release holds fewer than %d", w.st.entries, tree.MaxEntries)
	}
	return nil
}

func (w *walker) tarDir(ctx context.Context, rel string) error {
	if err := ctx.Err(); err != nil {
		return failf("interrupted")
	}
	dir := filepath.Join(w.root, filepath.FromSlash(rel))
	if err := w.tw.WriteHeader(&tar.Header{Name: tree.EntryName(rel, true), Typeflag: tar.TypeDir, Mode: 0o755,
		ModTime: time.Unix(0, 0), Format: tar.FormatPAX}); err != nil {
		return failf("write the artifact: %v", err)
	}
	if rel != "" {
		w.st.dirs = append(w.st.dirs, dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return failf("read %s: %v", rel, err)
	}
	for _, e := range ents {
		p := path.Join(rel, e.Name())
		if err := w.count(p); err != nil {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return failf("read %s: %v", p, err)
		}
		if err := tree.CheckKind(p, fi.Mode()); err != nil {
			return failf("release tree has %v", err)
		}
		switch tree.KindOf(fi.Mode()) {
		case tree.Dir:
			err = w.tarDir(ctx, p)
		case tree.File:
			err = w.tarFile(p, fi)
		case tree.Symlink:
			err = w.tarLink(p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) tarFile(p string, fi os.FileInfo) error {
	full := filepath.Join(w.root, filepath.FromSlash(p))
	f, err := os.OpenFile(full, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return failf("read %s: %v", p, err)
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return failf("read %s: %v", p, err)
	}
	mode := int64(0o644)
	if fi.Mode()&0o111 != 0 {
		mode = 0o755
	}
	if fi.Mode()&0o222 != 0 { // seal: published files are read-only
		if err := f.Chmod(fi.Mode().Perm() &^ 0o222); err != nil {
			return failf("make %s read-only: %v", p, err)
		}
	}
	hdr := &tar.Header{Name: tree.EntryName(p, false), Typeflag: tar.TypeReg, Mode: mode, Size: fi.Size(),
		ModTime: fi.ModTime().Truncate(time.Second), Format: tar.FormatPAX}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return failf("write the artifact: %v", err)
	}
	if n, err := io.CopyBuffer(w.tw, io.LimitReader(f, fi.Size()), w.buf); err != nil || n != fi.Size() {
		return failf("archive %s: %v (%d of %d bytes)", p, err, n, fi.Size())
	}
	w.st.files++
	w.st.bytes += fi.Size()
	return nil
}

func (w *walker) tarLink(p string) error {
	target, err := os.Readlink(filepath.Join(w.root, filepath.FromSlash(p)))
	if err != nil {
		return failf("read symlink %s: %v", p, err)
	}
	if _, err := tree.ResolveLink(w.look, p, target); err != nil {
		return failf("%v: releases hold only links that stay inside the release", err)
	}
	if err := w.tw.WriteHeader(&tar.Header{Name: tree.EntryName(p, false), Typeflag: tar.TypeSymlink, Linkname: target,
		Mode: 0o777, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}); err != nil {
		return failf("write the artifact: %v", err)
	}
	return nil
}

// tarManifest adds the manifest (without its sha256: a file cannot hold its own archive's
// checksum) as the last entry.
func (w *walker) tarManifest(manifest func(treeStats) ([]byte, error)) error {
	if err := w.count(manifestName); err != nil {
		return err
	}
	b, err := manifest(w.st)
	if err != nil {
		return err
	}
	if err := w.tw.WriteHeader(&tar.Header{Name: tree.EntryName(manifestName, false), Typeflag: tar.TypeReg, Mode: 0o644,
		Size: int64(len(b)), ModTime: time.Now().Truncate(time.Second), Format: tar.FormatPAX}); err != nil {
		return failf("write the artifact: %v", err)
	}
	if _, err := w.tw.Write(b); err != nil {
		return failf("write the artifact: %v", err)
	}
	return nil
}

// seal makes the tree's directories read-only (its files were made read-only as they were
// archived); the root stays writable until it is published.
func seal(st treeStats) error {
	for i := len(st.dirs) - 1; i >= 0; i-- {
		if err := os.Chmod(st.dirs[i], 0o555); err != nil {
			return failf("make %s read-only: %v", st.dirs[i], err)
		}
	}
	return nil
}

// verifyArtifact reads an artifact whole, checking its sha256 against want and its content
// against release/tree's rules the way a reader unpacks it (what a rollback switches to must
// be what the sync agent accepts).
func verifyArtifact(ctx context.Context, file, want string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	z := exec.CommandContext(ctx, "zstd", "-q", "-d", "-c")
	z.Stdin = io.TeeReader(f, h)
	z.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	zout, err := z.StdoutPipe()
	if err != nil {
		return err
	}
	if err := z.Start(); err != nil {
		return err
	}
	_, _, cerr := tree.CheckArchive(zout, 0)
	_, _ = io.Copy(io.Discard, zout)
	werr := z.Wait()
	if _, err := io.Copy(h, f); err != nil { // what zstd did not read (a trailing frame)
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("its sha256 is %s, its checksum file says %s", got, want)
	}
	if werr != nil {
		return fmt.Errorf("it does not decompress: %v", werr)
	}
	if cerr != nil {
		return fmt.Errorf("a reader would refuse it: %v", cerr)
	}
	return nil
}
