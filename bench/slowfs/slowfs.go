// Package slowfs is a FUSE pass-through file system that waits a fixed delay
// before every request reaching it and counts the requests (by operation and
// by calling process). It stands in for EFS in the runtime benchmark and
// tests: the delay models a network round trip, the kernel's entry and
// attribute caches model NFS attribute caching.
package slowfs

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Options configures a mount.
type Options struct {
	Delay           time.Duration // wait before serving each request
	EntryTimeout    time.Duration // kernel cache of name lookups
	AttrTimeout     time.Duration // kernel cache of attributes
	NegativeTimeout time.Duration // kernel cache of failed lookups
	ReadOnly        bool          // mount read-only (EROFS on writes), like the web tasks' EFS mount
	// ReadMiBps caps the data rate of all READ requests together (0: no
	// cap), a stand-in for a per-client throughput limit.
	ReadMiBps float64
}

// rateLimiter spaces out reads so that together they stay under a data rate.
type rateLimiter struct {
	mu   sync.Mutex
	next time.Time
	bps  float64
}

func (l *rateLimiter) wait(n uint32) {
	if l == nil || l.bps <= 0 {
		return
	}
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	l.next = l.next.Add(time.Duration(float64(n) / l.bps * float64(time.Second)))
	until := l.next
	l.mu.Unlock()
	time.Sleep(time.Until(until))
}

// Stats counts requests that reached the file system.
type Stats struct {
	total atomic.Int64
	mu    sync.Mutex
	ops   map[string]int64
	pids  map[uint32]int64
	tgid  sync.Map // thread id -> process id
}

// Snapshot is a copy of the counters, as served on /stats. PIDs counts by
// the process (not thread) that caused the request; "0" is the kernel's own
// requests, such as FORGET.
type Snapshot struct {
	Total int64            `json:"total"`
	Ops   map[string]int64 `json:"ops"`
	PIDs  map[string]int64 `json:"pids"`
}

// Except returns the number of requests caused by processes other than
// pids, not counting the kernel's own (pid 0).
func (sn Snapshot) Except(pids ...int) int64 {
	skip := map[string]bool{"0": true}
	for _, p := range pids {
		skip[strconv.Itoa(p)] = true
	}
	var n int64
	for pid, c := range sn.PIDs {
		if !skip[pid] {
			n += c
		}
	}
	return n
}

func newStats() *Stats { return &Stats{ops: map[string]int64{}, pids: map[uint32]int64{}} }

func (s *Stats) add(op string, tid uint32) {
	pid := s.processOf(tid)
	s.total.Add(1)
	s.mu.Lock()
	s.ops[op]++
	s.pids[pid]++
	s.mu.Unlock()
}

// processOf maps the thread id FUSE reports to its process id (Tgid), read
// once per thread from /proc. 0 (requests the kernel makes on its own) stays 0.
func (s *Stats) processOf(tid uint32) uint32 {
	if tid == 0 {
		return 0
	}
	if v, ok := s.tgid.Load(tid); ok {
		return v.(uint32)
	}
	pid := tid
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", tid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32); err == nil {
					pid = uint32(n)
				}
				break
			}
		}
	}
	s.tgid.Store(tid, pid)
	return pid
}

// Snapshot returns the counters.
func (s *Stats) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{Total: s.total.Load(), Ops: map[string]int64{}, PIDs: map[string]int64{}}
	for k, v := range s.ops {
		snap.Ops[k] = v
	}
	for k, v := range s.pids {
		snap.PIDs[fmt.Sprint(k)] = v
	}
	return snap
}

// Reset sets all counters to zero.
func (s *Stats) Reset() {
	s.mu.Lock()
	s.total.Store(0)
	s.ops = map[string]int64{}
	s.pids = map[uint32]int64{}
	s.mu.Unlock()
}

// Handler serves GET /stats (JSON Snapshot) and POST /reset.
func (s *Stats) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Snapshot())
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// String formats the counters, busiest operations first.
func (sn Snapshot) String() string {
	type kv struct {
		k string
		v int64
	}
	var ops []kv
	for k, v := range sn.Ops {
		ops = append(ops, kv{k, v})
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].v > ops[j].v || ops[i].v == ops[j].v && ops[i].k < ops[j].k })
	out := fmt.Sprintf("%d requests", sn.Total)
	for _, o := range ops {
		out += fmt.Sprintf(" %s=%d", o.k, o.v)
	}
	return out
}

// Mount serves backing at mountpoint. The caller unmounts with
// server.Unmount().
func Mount(backing, mountpoint string, o Options) (*fuse.Server, *Stats, error) {
	root, err := fs.NewLoopbackRoot(backing)
	if err != nil {
		return nil, nil, err
	}
	entry, attr, neg := o.EntryTimeout, o.AttrTimeout, o.NegativeTimeout
	opts := &fs.Options{EntryTimeout: &entry, AttrTimeout: &attr, NegativeTimeout: &neg}
	opts.MountOptions = fuse.MountOptions{
		FsName:      "slowfs:" + backing,
		Name:        "slowfs",
		AllowOther:  true,
		DirectMount: true,
		// 1 MiB requests, like an NFS client's rsize on EFS.
		MaxWrite:     1 << 20,
		MaxReadAhead: 1 << 20,
	}
	// The kernel checks permissions from the cached attributes, as an NFS
	// client's access cache does, instead of sending ACCESS for every
	// access(2) call.
	opts.MountOptions.Options = append(opts.MountOptions.Options, "default_permissions")
	if o.ReadOnly {
		opts.MountOptions.Options = append(opts.MountOptions.Options, "ro")
	}
	stats := newStats()
	raw := &delayFS{RawFileSystem: fs.NewNodeFS(root, opts), delay: o.Delay, stats: stats, readOnly: o.ReadOnly}
	if o.ReadMiBps > 0 {
		raw.rate = &rateLimiter{bps: o.ReadMiBps * (1 << 20)}
	}
	server, err := fuse.NewServer(raw, mountpoint, &opts.MountOptions)
	if err != nil {
		return nil, nil, err
	}
	go server.Serve()
	if err := server.WaitMount(); err != nil {
		_ = server.Unmount()
		return nil, nil, err
	}
	return server, stats, nil
}

// delayFS wraps the loopback file system: every request is counted and
// delayed before it is served.
type delayFS struct {
	fuse.RawFileSystem
	delay time.Duration
	stats *Stats
	rate  *rateLimiter
	// readOnly: nothing is ever dirty, so FLUSH is refused once (ENOSYS)
	// and the kernel stops sending it, as an NFS client sends nothing when
	// it closes a file it only read.
	readOnly bool
}

func (d *delayFS) hit(op string, h *fuse.InHeader) {
	d.stats.add(op, h.Caller.Pid)
	if d.delay > 0 {
		time.Sleep(d.delay)
	}
}

func (d *delayFS) Lookup(c <-chan struct{}, h *fuse.InHeader, name string, out *fuse.EntryOut) fuse.Status {
	d.hit("LOOKUP", h)
	return d.RawFileSystem.Lookup(c, h, name, out)
}

func (d *delayFS) Forget(nodeid, nlookup uint64) {
	// No reply is sent for FORGET; it is counted but not delayed.
	d.stats.add("FORGET", 0)
	d.RawFileSystem.Forget(nodeid, nlookup)
}

func (d *delayFS) GetAttr(c <-chan struct{}, in *fuse.GetAttrIn, out *fuse.AttrOut) fuse.Status {
	d.hit("GETATTR", &in.InHeader)
	return d.RawFileSystem.GetAttr(c, in, out)
}

func (d *delayFS) SetAttr(c <-chan struct{}, in *fuse.SetAttrIn, out *fuse.AttrOut) fuse.Status {
	d.hit("SETATTR", &in.InHeader)
	return d.RawFileSystem.SetAttr(c, in, out)
}

func (d *delayFS) Mknod(c <-chan struct{}, in *fuse.MknodIn, name string, out *fuse.EntryOut) fuse.Status {
	d.hit("MKNOD", &in.InHeader)
	return d.RawFileSystem.Mknod(c, in, name, out)
}

func (d *delayFS) Mkdir(c <-chan struct{}, in *fuse.MkdirIn, name string, out *fuse.EntryOut) fuse.Status {
	d.hit("MKDIR", &in.InHeader)
	return d.RawFileSystem.Mkdir(c, in, name, out)
}

func (d *delayFS) Unlink(c <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	d.hit("UNLINK", h)
	return d.RawFileSystem.Unlink(c, h, name)
}

func (d *delayFS) Rmdir(c <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	d.hit("RMDIR", h)
	return d.RawFileSystem.Rmdir(c, h, name)
}

func (d *delayFS) Rename(c <-chan struct{}, in *fuse.RenameIn, oldName, newName string) fuse.Status {
	d.hit("RENAME", &in.InHeader)
	return d.RawFileSystem.Rename(c, in, oldName, newName)
}

func (d *delayFS) Link(c <-chan struct{}, in *fuse.LinkIn, name string, out *fuse.EntryOut) fuse.Status {
	d.hit("LINK", &in.InHeader)
	return d.RawFileSystem.Link(c, in, name, out)
}

func (d *delayFS) Symlink(c <-chan struct{}, h *fuse.InHeader, to, name string, out *fuse.EntryOut) fuse.Status {
	d.hit("SYMLINK", h)
	return d.RawFileSystem.Symlink(c, h, to, name, out)
}

func (d *delayFS) Readlink(c <-chan struct{}, h *fuse.InHeader) ([]byte, fuse.Status) {
	d.hit("READLINK", h)
	return d.RawFileSystem.Readlink(c, h)
}

func (d *delayFS) Access(c <-chan struct{}, in *fuse.AccessIn) fuse.Status {
	d.hit("ACCESS", &in.InHeader)
	return d.RawFileSystem.Access(c, in)
}

func (d *delayFS) GetXAttr(c <-chan struct{}, h *fuse.InHeader, attr string, dest []byte) (uint32, fuse.Status) {
	d.hit("GETXATTR", h)
	return d.RawFileSystem.GetXAttr(c, h, attr, dest)
}

func (d *delayFS) ListXAttr(c <-chan struct{}, h *fuse.InHeader, dest []byte) (uint32, fuse.Status) {
	d.hit("LISTXATTR", h)
	return d.RawFileSystem.ListXAttr(c, h, dest)
}

func (d *delayFS) SetXAttr(c <-chan struct{}, in *fuse.SetXAttrIn, attr string, data []byte) fuse.Status {
	d.hit("SETXATTR", &in.InHeader)
	return d.RawFileSystem.SetXAttr(c, in, attr, data)
}

func (d *delayFS) RemoveXAttr(c <-chan struct{}, h *fuse.InHeader, attr string) fuse.Status {
	d.hit("REMOVEXATTR", h)
	return d.RawFileSystem.RemoveXAttr(c, h, attr)
}

func (d *delayFS) Create(c <-chan struct{}, in *fuse.CreateIn, name string, out *fuse.CreateOut) fuse.Status {
	d.hit("CREATE", &in.InHeader)
	st := d.RawFileSystem.Create(c, in, name, out)
	noPassthrough(&out.OpenFlags, &out.BackingID)
	return st
}

func (d *delayFS) Open(c <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	d.hit("OPEN", &in.InHeader)
	st := d.RawFileSystem.Open(c, in, out)
	noPassthrough(&out.OpenFlags, &out.BackingID)
	// Keep cached pages across opens (they are dropped when the file's
	// attributes change), as an NFS client keeps its page cache while the
	// file's change attribute stays the same.
	out.OpenFlags |= fuse.FOPEN_KEEP_CACHE
	return st
}

// noPassthrough keeps reads going through this file system: as root on a
// recent kernel the loopback would otherwise hand the kernel the backing file
// (FUSE passthrough) and reads would skip the delay.
func noPassthrough(flags *uint32, backingID *int32) {
	*flags &^= fuse.FOPEN_PASSTHROUGH
	*backingID = 0
}

func (d *delayFS) Read(c <-chan struct{}, in *fuse.ReadIn, buf []byte) (fuse.ReadResult, fuse.Status) {
	d.hit("READ", &in.InHeader)
	d.rate.wait(in.Size)
	return d.RawFileSystem.Read(c, in, buf)
}

func (d *delayFS) Lseek(c <-chan struct{}, in *fuse.LseekIn, out *fuse.LseekOut) fuse.Status {
	d.hit("LSEEK", &in.InHeader)
	return d.RawFileSystem.Lseek(c, in, out)
}

func (d *delayFS) GetLk(c <-chan struct{}, in *fuse.LkIn, out *fuse.LkOut) fuse.Status {
	d.hit("GETLK", &in.InHeader)
	return d.RawFileSystem.GetLk(c, in, out)
}

func (d *delayFS) SetLk(c <-chan struct{}, in *fuse.LkIn) fuse.Status {
	d.hit("SETLK", &in.InHeader)
	return d.RawFileSystem.SetLk(c, in)
}

func (d *delayFS) SetLkw(c <-chan struct{}, in *fuse.LkIn) fuse.Status {
	d.hit("SETLKW", &in.InHeader)
	return d.RawFileSystem.SetLkw(c, in)
}

func (d *delayFS) Release(c <-chan struct{}, in *fuse.ReleaseIn) {
	d.hit("RELEASE", &in.InHeader)
	d.RawFileSystem.Release(c, in)
}

func (d *delayFS) Write(c <-chan struct{}, in *fuse.WriteIn, data []byte) (uint32, fuse.Status) {
	d.hit("WRITE", &in.InHeader)
	return d.RawFileSystem.Write(c, in, data)
}

func (d *delayFS) CopyFileRange(c <-chan struct{}, in *fuse.CopyFileRangeIn) (uint32, fuse.Status) {
	d.hit("COPY_FILE_RANGE", &in.InHeader)
	return d.RawFileSystem.CopyFileRange(c, in)
}

func (d *delayFS) Flush(c <-chan struct{}, in *fuse.FlushIn) fuse.Status {
	d.hit("FLUSH", &in.InHeader)
	if d.readOnly {
		return fuse.ENOSYS
	}
	return d.RawFileSystem.Flush(c, in)
}

func (d *delayFS) Fsync(c <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	d.hit("FSYNC", &in.InHeader)
	return d.RawFileSystem.Fsync(c, in)
}

func (d *delayFS) Fallocate(c <-chan struct{}, in *fuse.FallocateIn) fuse.Status {
	d.hit("FALLOCATE", &in.InHeader)
	return d.RawFileSystem.Fallocate(c, in)
}

func (d *delayFS) OpenDir(c <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	d.hit("OPENDIR", &in.InHeader)
	return d.RawFileSystem.OpenDir(c, in, out)
}

func (d *delayFS) ReadDir(c <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	d.hit("READDIR", &in.InHeader)
	return d.RawFileSystem.ReadDir(c, in, out)
}

func (d *delayFS) ReadDirPlus(c <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	d.hit("READDIRPLUS", &in.InHeader)
	return d.RawFileSystem.ReadDirPlus(c, in, out)
}

func (d *delayFS) ReleaseDir(in *fuse.ReleaseIn) {
	d.hit("RELEASEDIR", &in.InHeader)
	d.RawFileSystem.ReleaseDir(in)
}

func (d *delayFS) FsyncDir(c <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	d.hit("FSYNCDIR", &in.InHeader)
	return d.RawFileSystem.FsyncDir(c, in)
}

func (d *delayFS) StatFs(c <-chan struct{}, h *fuse.InHeader, out *fuse.StatfsOut) fuse.Status {
	d.hit("STATFS", h)
	return d.RawFileSystem.StatFs(c, h, out)
}

func (d *delayFS) Statx(c <-chan struct{}, in *fuse.StatxIn, out *fuse.StatxOut) fuse.Status {
	d.hit("STATX", &in.InHeader)
	return d.RawFileSystem.Statx(c, in, out)
}

func (d *delayFS) Tmpfile(c <-chan struct{}, in *fuse.CreateIn, out *fuse.CreateOut) fuse.Status {
	d.hit("TMPFILE", &in.InHeader)
	return d.RawFileSystem.Tmpfile(c, in, out)
}

func (d *delayFS) Writev(c <-chan struct{}, in *fuse.WriteIn, data [][]byte) (uint32, fuse.Status) {
	d.hit("WRITE", &in.InHeader)
	return d.RawFileSystem.Writev(c, in, data)
}

func (d *delayFS) Ioctl(c <-chan struct{}, in *fuse.IoctlIn, inbuf []byte, out *fuse.IoctlOut, outbuf []byte) fuse.Status {
	d.hit("IOCTL", &in.InHeader)
	return d.RawFileSystem.Ioctl(c, in, inbuf, out, outbuf)
}
