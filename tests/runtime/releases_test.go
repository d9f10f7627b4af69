package runtime

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// manyReleases is how many releases TestManyReleases publishes.
const manyReleases = 30

// TestManyReleases: one task of a pool of two sites through 30 releases,
// the sites' releases alternating. Without the OPcache watcher the shared
// OPcache (128 MiB for two sites) is full after about six releases and
// from then on caches nothing of the live releases (issue 11). With it,
// after the 30th release: each site's live release is cached
// (wp-settings.php among its scripts), no script of a replaced release is
// left, warm front pages are answered from the cache alone (hit rate over
// the views), OPcache never logged "full", and no request failed or ran
// stale code on the way. The time a front page takes is measured by the
// benchmark (docs/runtime.md), not asserted here.
func TestManyReleases(t *testing.T) {
	need(t)
	sites := []string{"many-a", "many-b"}
	tk := startTask(t, "many", wpstack.ModeLocal, sites, func(o *wpstack.PoolOptions) {
		o.SyncInterval = 200 * time.Millisecond
		o.SyncGrace = 3 * time.Second
		o.Env = map[string]string{"WPFLEET_OPCACHE_CHECK_SECONDS": "1", "WPFLEET_OPCACHE_GRACE_SECONDS": "2"}
	})
	first := map[string]string{}
	for _, s := range sites {
		first[s] = tk.releases[s]
		views(t, tk, s, tk.releases[s], 3)
	}
	// Releases alternate between the sites; one of each is published at a
	// time (the agent fetches both at once), then both are viewed.
	start := time.Now()
	for i := 0; i < manyReleases; i += len(sites) {
		ids := map[string]string{}
		for _, s := range sites {
			ids[s] = tk.publishSite(t, s)
		}
		for _, s := range sites {
			err := wpstack.WaitFor(tk.pool.Sync, 20*time.Second, fmt.Sprintf("release %s of %s", ids[s], s), func() error {
				resp, err := wpstack.Do("GET", tk.pool.Home(s)+"/wpfleet-release.txt", nil, nil)
				if err != nil || resp.StatusCode != 200 || strings.TrimSpace(resp.Body) != ids[s] {
					return fmt.Errorf("not yet: %v %+v", err, resp)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			tk.releases[s] = ids[s]
			views(t, tk, s, ids[s], 1)
		}
	}
	t.Logf("%d releases published and served in %.1f s", manyReleases, time.Since(start).Seconds())

	// The watcher drops the last replaced releases once their grace is over.
	var st wpstack.OPcacheStatus
	err := wpstack.WaitFor(tk.pool.FPM, 30*time.Second, "no replaced release in the OPcache", func() (err error) {
		if st, err = tk.pool.OPcacheStatus(); err != nil {
			return err
		}
		for s, ss := range st.Sites {
			if len(ss.Stale) > 0 || st.RestartPending {
				return fmt.Errorf("site %s: %d replaced releases cached (restart pending: %v)", s, len(ss.Stale), st.RestartPending)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		views(t, tk, s, tk.releases[s], 3)
	}
	before, err := tk.pool.OPcacheStatus()
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for _, s := range sites {
		views(t, tk, s, tk.releases[s], n)
	}
	after, err := tk.pool.OPcacheStatus()
	if err != nil {
		t.Fatal(err)
	}
	hits, misses := after.Hits-before.Hits, after.Misses-before.Misses
	rate := float64(hits) / float64(max(1, hits+misses))
	t.Logf("after %d releases: OPcache %.1f of %.1f MiB used (%.1f free), %d scripts, %d manual restarts; %d views: %d hits, %d misses (hit rate %.4f)",
		manyReleases, after.MemoryMiB.Used, after.MemoryMiB.Size, after.MemoryMiB.Free, after.Scripts, after.Restarts.Manual, 2*n, hits, misses, rate)
	if hits < 2*n*100 || rate < 0.999 || after.LastRestartTime != before.LastRestartTime {
		t.Errorf("warm front pages after %d releases: %d hits, %d misses (hit rate %.4f), restart between: %v; want every script from the cache",
			manyReleases, hits, misses, rate, after.LastRestartTime != before.LastRestartTime)
	}
	for _, s := range sites {
		ss := after.Sites[s]
		if ss.Release != tk.releases[s] || !ss.WPSettingsPHP || ss.LiveScripts < 200 || len(ss.Stale) > 0 {
			t.Errorf("site %s after %d releases: %+v; want release %s cached (wp-settings.php and its other scripts) and no replaced release",
				s, manyReleases, ss, tk.releases[s])
		}
	}
	if after.CacheFull || after.Restarts.OOM+after.Restarts.Hash > 0 || after.Restarts.Manual < 3 {
		t.Errorf("OPcache full %v, restarts %+v: want the watcher's resets only, a few at least", after.CacheFull, after.Restarts)
	}
	resets, full := opcacheLines(t, tk.pool)
	if len(full) > 0 || len(resets) == 0 {
		t.Errorf("OPcache log lines: %d resets, %d \"full\": %v", len(resets), len(full), full)
	}
	reasons := map[any]int{}
	for _, r := range resets {
		reasons[r["reason"]]++
	}
	t.Logf("the watcher's resets: %v", reasons)
	if len(resets) > 0 {
		r := resets[len(resets)-1]
		if r["reason"] != "replaced releases" || r["stale"] == nil || r["memory_mib"] == nil {
			t.Errorf("reset line: %v", r)
		}
	}
	for _, s := range sites {
		if _, err := os.Stat(tk.pool.Opts.Local + "/" + s + "/releases/" + first[s]); err == nil {
			t.Errorf("site %s: the first release is still on the task's disk", s)
		}
	}
}

// views fetches the site's front page n times: each must be release id's,
// and run its code (the platform's release header and the code's agree).
func views(t *testing.T, tk *task, site, id string, n int) []time.Duration {
	t.Helper()
	var d []time.Duration
	for range n {
		start := time.Now()
		resp, err := wpstack.Do("GET", tk.pool.Home(site)+"/", nil, nil)
		d = append(d, time.Since(start))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("site %s front page: %v %+v", site, err, resp)
		}
		code, platform, abspath := resp.Header.Get("X-Test-Release"), resp.Header.Get("X-Wpfleet-Release"), resp.Header.Get("X-Test-Abspath")
		if code != id || platform != id || !strings.HasSuffix(abspath, "/releases/"+id+"/") {
			t.Fatalf("site %s: code of release %q, platform says %q, from %q; want %s", site, code, platform, abspath, id)
		}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d
}

// opcacheLines returns the watcher's "reset" and "full" lines from the php
// container's log.
func opcacheLines(t *testing.T, pool *wpstack.Pool) (resets, full []map[string]any) {
	t.Helper()
	f, err := os.Open(pool.FPM.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), `{"wpfleet":"opcache"`) {
			continue
		}
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("opcache line %q: %v", sc.Text(), err)
		}
		switch l["status"] {
		case "reset":
			resets = append(resets, l)
		case "full":
			full = append(full, l)
		default:
			t.Errorf("opcache line: %s", sc.Text())
		}
	}
	return resets, full
}

// TestOPcacheFull: an OPcache too small for the live releases of its sites
// (WPFLEET_OPCACHE_MIB=32 for two sites of ~17 MiB each) is reported: the
// watcher logs {"wpfleet":"opcache","status":"full",...} (what the pool's
// metric filter counts), once while it lasts, and the sites are still
// served (uncached).
func TestOPcacheFull(t *testing.T) {
	need(t)
	sites := []string{"full-a", "full-b"}
	tk := startTask(t, "opcache-full", wpstack.ModeEFS, sites, func(o *wpstack.PoolOptions) {
		o.Env = map[string]string{"WPFLEET_OPCACHE_MIB": "32", "WPFLEET_OPCACHE_CHECK_SECONDS": "1", "WPFLEET_OPCACHE_REPEAT_SECONDS": "3600"}
	})
	var full []map[string]any
	err := wpstack.WaitFor(tk.pool.FPM, 20*time.Second, `an OPcache "full" line`, func() error {
		for _, s := range sites {
			views(t, tk, s, tk.releases[s], 1)
		}
		if _, full = opcacheLines(t, tk.pool); len(full) == 0 {
			return fmt.Errorf("none yet")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	_, full = opcacheLines(t, tk.pool)
	l := full[0]
	live, _ := l["live"].(map[string]any)
	if len(full) != 1 || l["reason"] != "memory" || len(live) != 2 || l["memory_mib"] == nil {
		t.Errorf(`"full" lines: %v; want one, reason "memory", naming both sites' live releases`, full)
	}
	st, err := tk.pool.OPcacheStatus()
	if err != nil || !st.CacheFull || st.MemoryMiB.Size != 32 {
		t.Errorf("status: %v %+v, want a full OPcache of 32 MiB", err, st)
	}
}
