package codesync

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// openDirect opens name for reading with O_DIRECT where the file system
// supports it: the artifact is read once, in large requests (an NFS client
// sends reads of up to rsize straight to the server, a FUSE file system gets
// max_read) instead of page-cache readahead's small ones, and it does not
// push the site's pages out of the cache. Elsewhere it opens name normally.
func openDirect(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_DIRECT, 0)
	if err == nil {
		probe := alignedBuf(directAlign)
		if _, err := f.ReadAt(probe, 0); err == nil || err == io.EOF {
			return f, nil
		}
		f.Close()
	}
	return os.Open(name)
}

const directAlign = 4096

// alignedBuf returns n bytes whose address is a multiple of directAlign, as
// O_DIRECT may require.
func alignedBuf(n int) []byte {
	b := make([]byte, n+directAlign)
	off := int(uintptr(unsafe.Pointer(&b[0])) & (directAlign - 1))
	if off != 0 {
		off = directAlign - off
	}
	return b[off : off+n : off+n]
}

// readFull reads len(buf) bytes at off; for O_DIRECT the request is rounded
// up to the alignment (the file ends before it only at the last chunk).
func readFull(f *os.File, buf []byte, off int64) (int, error) {
	want := len(buf)
	req := buf[:cap(buf)]
	if padded := (want + directAlign - 1) / directAlign * directAlign; padded <= cap(buf) {
		req = buf[:padded]
	}
	got := 0
	for got < want {
		n, err := f.ReadAt(req[got:], off+int64(got))
		got += n
		if err != nil {
			if errors.Is(err, io.EOF) && got >= want {
				break
			}
			return min(got, want), err
		}
		if n == 0 {
			return got, io.ErrUnexpectedEOF
		}
	}
	return want, nil
}

// parallelReader reads a file front to back with up to n positional reads
// of chunk bytes in flight, delivering the bytes in order. On a network file
// system the round trips of the reads overlap instead of adding up. Its
// n+1 buffers (n in flight, one being read) are reused from chunk to chunk:
// its memory is (n+1) × chunk whatever the file's size, and reading makes no
// garbage (a new buffer per chunk made the agent's heap grow with the
// artifact between collections).
type parallelReader struct {
	futures chan chan chunkResult
	free    chan []byte // buffers the consumer is done with
	stop    chan struct{}
	once    sync.Once
	cur     []byte // unread part of held
	held    []byte // the buffer being read, whole
	err     error
}

type chunkResult struct {
	buf []byte // whole buffer
	n   int    // bytes read into it
	err error
}

func newParallelReader(f *os.File, size int64, chunk, n int) *parallelReader {
	// O_DIRECT reads start at aligned offsets.
	chunk = max(directAlign, (chunk+directAlign-1)/directAlign*directAlign)
	r := &parallelReader{futures: make(chan chan chunkResult, n), free: make(chan []byte, n+1), stop: make(chan struct{})}
	go func() {
		defer close(r.futures)
		made := 0
		for off := int64(0); off < size; off += int64(chunk) {
			var buf []byte
			if made < n+1 {
				buf, made = alignedBuf(chunk), made+1
			} else {
				select {
				case buf = <-r.free:
				case <-r.stop:
					return
				}
			}
			ch := make(chan chunkResult, 1)
			select {
			case r.futures <- ch:
			case <-r.stop:
				return
			}
			go func(off int64, buf []byte) {
				want := int(min(int64(chunk), size-off))
				got, err := readFull(f, buf[:want], off)
				switch {
				case got == want:
					err = nil
				case err == nil || err == io.EOF:
					err = io.ErrUnexpectedEOF // shorter than the size it had
				}
				ch <- chunkResult{buf, got, err}
			}(off, buf)
		}
	}()
	return r
}

func (r *parallelReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.held != nil {
			r.free <- r.held // never blocks: capacity n+1, n+1 buffers
			r.held = nil
		}
		if r.err != nil {
			return 0, r.err
		}
		ch, ok := <-r.futures
		if !ok {
			r.err = io.EOF
			return 0, io.EOF
		}
		res := <-ch
		r.held, r.cur = res.buf, res.buf[:res.n]
		if res.err != nil {
			r.err = res.err
			if len(r.cur) == 0 {
				return 0, r.err
			}
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// Close stops further reads; reads in flight finish on their own.
func (r *parallelReader) Close() error {
	r.once.Do(func() { close(r.stop) })
	return nil
}
