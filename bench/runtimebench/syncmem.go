package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wpfleet/wpfleet/internal/codesync"
	"github.com/wpfleet/wpfleet/internal/wpstack"
)

var (
	flagSyncMem      = flag.Bool("sync-memory", true, "measure the sync agent's peak memory (one large release, then a pool of several sites)")
	flagSyncMemMiB   = flag.Int("sync-memory-mib", 313, "size of each release in the sync agent's memory measurement, MiB unpacked")
	flagSyncMemSites = flag.Int("sync-memory-sites", 4, "sites of the pool in the sync agent's memory measurement")
	flagSyncMemLimit = flag.Int("sync-memory-limit-mib", 128, "also run the pool's sync under a memory cgroup of this many MiB (cgroup v1; 0: skip)")
)

// syncMemResult is the sync agent's memory in one run.
type syncMemResult struct {
	Sites        int     `json:"sites"`
	ReleaseMiB   float64 `json:"release_mib_each"`
	ArtifactMiB  float64 `json:"artifact_mib_each"`
	PeakRSSMiB   float64 `json:"peak_rss_mib"`
	Seconds      float64 `json:"seconds"`
	LimitMiB     int     `json:"cgroup_limit_mib,omitempty"`
	CgroupPeak   float64 `json:"cgroup_peak_mib,omitempty"`
	CgroupFailed int64   `json:"cgroup_times_at_limit,omitempty"`
	Error        string  `json:"error,omitempty"`
}

// syncMemory measures the sync agent's peak resident memory (the kernel's
// ru_maxrss of the process) while it copies one release of about
// -sync-memory-mib MiB (wpfleet-sync once), and while it copies one such
// release of each of -sync-memory-sites sites at once (wpfleet-sync run,
// two fetches at a time, its default), then the pool's again under a
// memory cgroup limited to the task definition's reservation (page cache
// is charged to the cgroup and reclaimed under the limit; anonymous memory
// cannot be).
func (b *bench) syncMemory() error {
	root := filepath.Join(b.work, "efs-syncmem")
	var sites []string
	for i := range max(1, *flagSyncMemSites) {
		site := fmt.Sprintf("mem-%d", i)
		sites = append(sites, site)
		backing := filepath.Join(root, site)
		if err := os.MkdirAll(backing, 0o755); err != nil {
			return err
		}
		id := wpstack.NewReleaseID()
		tree, err := wpstack.BuildWordPressTree(b.bins, backing, id)
		if err != nil {
			return err
		}
		// Files like the large site's, made different per site.
		if err := fillSite(tree, 10000+i, int64(*flagSyncMemMiB)<<20); err != nil {
			return err
		}
		if err := wpstack.Publish(b.bins, backing, id); err != nil {
			return err
		}
		logf("sync memory: site %s release %s published", site, id)
	}
	one, err := b.syncRun(root, sites[:1], "once", 0)
	if err != nil {
		return err
	}
	pool, err := b.syncRun(root, sites, "run", 0)
	if err != nil {
		return err
	}
	b.res.SyncMemory = []syncMemResult{one, pool}
	if *flagSyncMemLimit > 0 {
		limited, err := b.syncRun(root, sites, "run", *flagSyncMemLimit)
		if err != nil {
			limited.Error = err.Error()
		}
		b.res.SyncMemory = append(b.res.SyncMemory, limited)
	}
	for _, r := range b.res.SyncMemory {
		logf("sync memory: %d site(s), %.0f MiB releases: peak RSS %.1f MiB in %.1f s (cgroup limit %d MiB, peak %.0f MiB, failcnt %d)",
			r.Sites, r.ReleaseMiB, r.PeakRSSMiB, r.Seconds, r.LimitMiB, r.CgroupPeak, r.CgroupFailed)
	}
	return nil
}

// syncRun copies the sites' releases with a fresh agent (cold page cache)
// and returns its peak memory: "once" exits by itself, "run" is stopped
// once every site's release is in place.
func (b *bench) syncRun(root string, sites []string, cmd string, limitMiB int) (syncMemResult, error) {
	r := syncMemResult{Sites: len(sites), LimitMiB: limitMiB}
	m, err := readManifest(filepath.Join(root, sites[0]), mustPointer(filepath.Join(root, sites[0])))
	if err != nil {
		return r, err
	}
	r.ReleaseMiB = float64(m.Bytes) / (1 << 20)
	if fi, err := os.Stat(filepath.Join(root, sites[0], "artifacts", mustPointer(filepath.Join(root, sites[0]))+".tar.zst")); err == nil {
		r.ArtifactMiB = float64(fi.Size()) / (1 << 20)
	}
	dest := filepath.Join(b.work, "syncmem-local")
	_ = os.RemoveAll(dest)
	defer os.RemoveAll(dest)
	_ = os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0o200)
	c := exec.Command(*flagSyncBin, cmd)
	c.Env = append(wpstack.BaseEnv(), "WPFLEET_SITES="+strings.Join(sites, " "), "WPFLEET_SYNC_SOURCE="+root, "WPFLEET_SYNC_DEST="+dest,
		"WPFLEET_SYNC_MIN_FREE_MIB=256", "WPFLEET_SYNC_INTERVAL=200ms")
	lf, err := os.Create(filepath.Join(b.work, fmt.Sprintf("syncmem-%s-%d-%d.log", cmd, len(sites), limitMiB)))
	if err != nil {
		return r, err
	}
	defer lf.Close()
	c.Stdout, c.Stderr = lf, lf
	var cg string
	start := time.Now()
	if err := c.Start(); err != nil {
		return r, err
	}
	if limitMiB > 0 {
		if cg, err = memoryCgroup(c.Process.Pid, limitMiB); err != nil {
			_ = c.Process.Kill()
			_ = c.Wait()
			return r, err
		}
		defer os.Remove(cg)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	if cmd == "run" {
		err = waitSynced(exited, dest, sites)
		r.Seconds = time.Since(start).Seconds()
		if err == nil {
			_ = c.Process.Signal(syscall.SIGTERM)
			if werr := <-exited; werr != nil {
				err = fmt.Errorf("stopped with %v", werr)
			}
		}
	} else {
		err = <-exited
		r.Seconds = time.Since(start).Seconds()
	}
	if c.ProcessState == nil { // still running after a timeout
		_ = c.Process.Kill()
		<-exited
	}
	if c.ProcessState != nil {
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.PeakRSSMiB = float64(ru.Maxrss) / 1024 // KiB on Linux
		}
	}
	if cg != "" {
		r.CgroupPeak = float64(readInt(filepath.Join(cg, "memory.max_usage_in_bytes"))) / (1 << 20)
		r.CgroupFailed = readInt(filepath.Join(cg, "memory.failcnt"))
	}
	if err != nil {
		return r, fmt.Errorf("wpfleet-sync %s (%d sites, limit %d MiB): %v (log %s)", cmd, len(sites), limitMiB, err, lf.Name())
	}
	return r, nil
}

// waitSynced waits until every site's release is in place under dest, or
// the agent has exited (an error: "run" does not end by itself; killed by
// the kernel when over a cgroup's limit).
func waitSynced(exited chan error, dest string, sites []string) error {
	deadline := time.Now().Add(10 * time.Minute)
	for codesync.PoolHealth(dest, sites, time.Minute) != nil {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited before every release was in place: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("releases not in place within 10 minutes")
		}
	}
	return nil
}

// memoryCgroup puts pid into a new cgroup v1 memory group limited to
// limitMiB (no swap here) and returns its directory.
func memoryCgroup(pid, limitMiB int) (string, error) {
	dir := filepath.Join("/sys/fs/cgroup/memory", fmt.Sprintf("wpfleet-bench-sync-%d", pid))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("memory cgroup (cgroup v1 at /sys/fs/cgroup/memory): %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), []byte(strconv.Itoa(limitMiB<<20)), 0o644); err != nil {
		os.Remove(dir)
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		os.Remove(dir)
		return "", err
	}
	return dir, nil
}

func readInt(name string) int64 {
	b, _ := os.ReadFile(name)
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func mustPointer(site string) string {
	id, _ := codesync.ReadPointer(site)
	return id
}

func (b *bench) printSyncMemory() {
	if len(b.res.SyncMemory) == 0 {
		return
	}
	fmt.Printf("\n| sync agent | release each (unpacked / artifact) | peak RSS | time | under a memory cgroup |\n|---|---|---|---|---|\n")
	for _, r := range b.res.SyncMemory {
		what := "`wpfleet-sync once`, 1 site"
		if r.Sites > 1 {
			what = fmt.Sprintf("`wpfleet-sync run`, %d sites at once (2 fetches at a time)", r.Sites)
		}
		cg := "-"
		if r.Error != "" {
			cg = fmt.Sprintf("limit %d MiB: failed: %s", r.LimitMiB, r.Error)
		} else if r.LimitMiB > 0 {
			cg = fmt.Sprintf("limit %d MiB: completed, usage peak %.0f MiB (page cache included, reclaimed at the limit %d times)", r.LimitMiB, r.CgroupPeak, r.CgroupFailed)
		}
		fmt.Printf("| %s | %.0f / %.0f MiB | %.1f MiB | %.1f s | %s |\n", what, r.ReleaseMiB, r.ArtifactMiB, r.PeakRSSMiB, r.Seconds, cg)
	}
}
