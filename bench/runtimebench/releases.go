package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

var (
	flagReleases      = flag.Int("releases", 30, "OPcache across releases: releases to publish to one task of a pool of two sites, alternating (0: skip)")
	flagReleasesViews = flag.Int("releases-views", 60, "timed front-page views per site and task at the first and the last release")
)

// releaseSites are the two sites of the pool in the releases benchmark.
var releaseSites = []string{"rel-a", "rel-b"}

// releaseTask is one task of the pool: "watched" with the image's OPcache
// watcher, "unwatched" with the watcher checking once an hour (what the
// image did before issue 11), "fresh" (as "watched") started after the last
// release, so that its first release is timed at the same time as the
// others' last (the machine's load drifts over minutes; a comparison made
// at one time is not affected).
type releaseTask struct {
	name string
	pool *wpstack.Pool
}

// releaseResult is the OPcache benchmark's outcome for one task.
type releaseResult struct {
	FirstMedian  float64               `json:"first_release_median_ms"`
	LastMedian   float64               `json:"last_release_median_ms"`
	FirstP90     float64               `json:"first_release_p90_ms"`
	LastP90      float64               `json:"last_release_p90_ms"`
	Status       wpstack.OPcacheStatus `json:"opcache_after"`
	ColdAfterRst float64               `json:"first_view_after_reset_ms,omitempty"`
	WarmAfterRst float64               `json:"median_after_reset_ms,omitempty"`
	HitRate      float64               `json:"hit_rate_last_views"`
}

// releases runs two tasks of a pool of two sites side by side on the same
// release layout (local mode, the EFS stand-in a plain directory), times
// front pages at the first release, publishes -releases releases
// (alternating sites; each is viewed a few times once served, as traffic
// would), and times front pages again once the watcher has dropped the
// replaced releases. Views alternate between the tasks and sites so that
// the machine's load affects all alike. The watcher's grace is shortened to
// 2 s (and the agents' to 3 s) because the releases come seconds apart here,
// hours apart in use.
func (b *bench) releases() error {
	efs := filepath.Join(b.work, "efs-releases")
	for _, s := range releaseSites {
		if err := publish(b.bins, filepath.Join(efs, s)); err != nil {
			return err
		}
	}
	var tasks []*releaseTask
	defer func() {
		for _, tk := range tasks {
			tk.pool.Stop()
		}
	}()
	for _, name := range []string{"watched", "unwatched"} {
		tk, err := b.releaseTask(efs, name)
		if err != nil {
			return err
		}
		tasks = append(tasks, tk)
	}
	first, err := timeViews(tasks, *flagReleasesViews)
	if err != nil {
		return err
	}
	logf("releases: first release timed; publishing %d releases", *flagReleases)
	for i := range *flagReleases {
		site := releaseSites[i%2]
		id, err := publishServed(b.bins, tasks, efs, site)
		if err != nil {
			return fmt.Errorf("release %d: %w", i+1, err)
		}
		for _, tk := range tasks {
			for range 3 {
				if _, err := timeView(tk.pool, site, id); err != nil {
					return err
				}
			}
		}
	}
	if err := waitNoStale(tasks[0].pool); err != nil {
		return err
	}
	fresh, err := b.releaseTask(efs, "fresh")
	if err != nil {
		return err
	}
	tasks = append(tasks, fresh)
	last, err := timeViews(tasks, *flagReleasesViews)
	if err != nil {
		return err
	}
	b.res.Releases = map[string]*releaseResult{}
	for _, tk := range tasks {
		r := &releaseResult{}
		if tk.name == "fresh" {
			first[tk.name] = last[tk.name]
		}
		r.FirstMedian, r.FirstP90 = stats(first[tk.name])
		r.LastMedian, r.LastP90 = stats(last[tk.name])
		if r.Status, err = tk.pool.OPcacheStatus(); err != nil {
			return err
		}
		b.res.Releases[tk.name] = r
	}
	if err := b.hitRates(tasks); err != nil {
		return err
	}
	if err := b.resetCost(tasks[0].pool); err != nil {
		return err
	}
	for _, tk := range tasks {
		r := b.res.Releases[tk.name]
		logf("releases, %s task: front page median %.1f ms at release 1, %.1f ms after %d releases (%+.1f%%); OPcache %.0f/%.0f MiB used, full %v",
			tk.name, r.FirstMedian, r.LastMedian, *flagReleases, 100*(r.LastMedian/r.FirstMedian-1), r.Status.MemoryMiB.Used, r.Status.MemoryMiB.Size, r.Status.CacheFull)
	}
	return nil
}

// releaseTask starts a task of the pool of releaseSites on efs (local
// mode, one php-fpm worker per site).
func (b *bench) releaseTask(efs, name string) (*releaseTask, error) {
	check := "1"
	if name == "unwatched" {
		check = "3600"
	}
	dir := filepath.Join(b.work, "task-releases-"+name)
	o := wpstack.PoolOptions{
		Mode: wpstack.ModeLocal, EFS: efs, Local: filepath.Join(dir, "local"), SyncBin: *flagSyncBin, DB: b.db,
		SyncInterval: 200 * time.Millisecond, SyncGrace: 3 * time.Second,
		Env: map[string]string{"WPFLEET_FPM_MAX_CHILDREN": "1", "WPFLEET_OPCACHE_CHECK_SECONDS": check, "WPFLEET_OPCACHE_GRACE_SECONDS": "2"},
	}
	for _, s := range releaseSites {
		o.Sites = append(o.Sites, wpstack.PoolSite{Name: s, DBName: "wp_bench", DBUser: "wpu_bench", DBPass: "bench-password-not-secret"})
	}
	pool, err := wpstack.StartPool(b.bins, b.repo, dir, o)
	if err != nil {
		return nil, fmt.Errorf("%s task: %w", name, err)
	}
	if err := b.install(pool); err != nil {
		pool.Stop()
		return nil, err
	}
	return &releaseTask{name: name, pool: pool}, nil
}

// publishServed publishes a release of site and waits until every task
// serves it; it returns the release id.
func publishServed(bins wpstack.Binaries, tasks []*releaseTask, efs, site string) (string, error) {
	id := wpstack.NewReleaseID()
	if _, err := wpstack.BuildWordPressTree(bins, filepath.Join(efs, site), id); err != nil {
		return "", err
	}
	if err := wpstack.Publish(bins, filepath.Join(efs, site), id); err != nil {
		return "", err
	}
	for _, tk := range tasks {
		err := wpstack.WaitFor(tk.pool.Sync, 60*time.Second, "release "+id, func() error {
			resp, err := wpstack.Do("GET", tk.pool.Home(site)+"/wpfleet-release.txt", nil, nil)
			if err != nil || strings.TrimSpace(resp.Body) != id {
				return fmt.Errorf("not yet: %v", err)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return id, nil
}

// waitNoStale waits until the task's OPcache holds no replaced release.
func waitNoStale(pool *wpstack.Pool) error {
	return wpstack.WaitFor(pool.FPM, 60*time.Second, "no replaced release in the OPcache", func() error {
		st, err := pool.OPcacheStatus()
		if err != nil {
			return err
		}
		if st.RestartPending {
			return fmt.Errorf("restart pending")
		}
		for s, ss := range st.Sites {
			if len(ss.Stale) > 0 {
				return fmt.Errorf("site %s has replaced releases cached", s)
			}
		}
		return nil
	})
}

// timeViews warms every site of every task up (10 views each), then times
// n views per site and task, taking turns one by one (each round starting
// with the next task, so that no task always follows the same one).
func timeViews(tasks []*releaseTask, n int) (map[string][]float64, error) {
	out := map[string][]float64{}
	for round := range 10 + n {
		for i := range tasks {
			tk := tasks[(round+i)%len(tasks)]
			for _, s := range releaseSites {
				d, err := timeView(tk.pool, s, "")
				if err != nil {
					return nil, fmt.Errorf("%s task: %w", tk.name, err)
				}
				if round >= 10 {
					out[tk.name] = append(out[tk.name], d)
				}
			}
		}
	}
	return out, nil
}

// timeView times one front-page view of site (of release id, if given).
func timeView(pool *wpstack.Pool, site, id string) (float64, error) {
	start := time.Now()
	resp, err := wpstack.Do("GET", pool.Home(site)+"/", nil, nil)
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != 200 || (id != "" && resp.Header.Get("X-Wpfleet-Release") != id) {
		return 0, fmt.Errorf("site %s front page: HTTP %d release %q, want %q", site, resp.StatusCode, resp.Header.Get("X-Wpfleet-Release"), id)
	}
	return float64(d.Microseconds()) / 1000, nil
}

func stats(v []float64) (median, p90 float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return percentile(s, 50), percentile(s, 90)
}

// hitRates: the OPcache hit rate over 20 more views per site of each task.
func (b *bench) hitRates(tasks []*releaseTask) error {
	for _, tk := range tasks {
		before, err := tk.pool.OPcacheStatus()
		if err != nil {
			return err
		}
		for range 20 {
			for _, s := range releaseSites {
				if _, err := timeView(tk.pool, s, ""); err != nil {
					return err
				}
			}
		}
		after, err := tk.pool.OPcacheStatus()
		if err != nil {
			return err
		}
		h, m := after.Hits-before.Hits, after.Misses-before.Misses
		b.res.Releases[tk.name].HitRate = float64(h) / float64(max(1, h+m))
	}
	return nil
}

// resetCost: what a reset costs the sites of the pool: the first front
// page of a site after it (compiled again) and the median of the next 20.
func (b *bench) resetCost(pool *wpstack.Pool) error {
	if out, err := pool.OPcache("reset"); err != nil {
		return fmt.Errorf("wpfleet-opcache reset: %v %s", err, out)
	}
	var cold, warm []float64
	for _, s := range releaseSites {
		d, err := timeView(pool, s, "")
		if err != nil {
			return err
		}
		cold = append(cold, d)
	}
	for range 20 {
		for _, s := range releaseSites {
			d, err := timeView(pool, s, "")
			if err != nil {
				return err
			}
			warm = append(warm, d)
		}
	}
	r := b.res.Releases["watched"]
	r.ColdAfterRst, _ = stats(cold)
	r.WarmAfterRst, _ = stats(warm)
	return nil
}

func (b *bench) printReleases() {
	w, u, f := b.res.Releases["watched"], b.res.Releases["unwatched"], b.res.Releases["fresh"]
	if w == nil || u == nil || f == nil {
		return
	}
	fmt.Printf("\nOPcache across %d releases (pool of two sites, releases alternating; one php-fpm worker per site; %d timed views per site and task, tasks and sites taking turns):\n\n",
		*flagReleases, *flagReleasesViews)
	fmt.Println("| task | front page at release 1: median / p90 | after the last release: median / p90 | change | OPcache after (used / size, full) | live wp-settings.php cached | hit rate, 40 more views |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, row := range []struct {
		label string
		r     *releaseResult
	}{{"with the watcher (image default)", w}, {"without (watcher checking hourly)", u}, {"started after the last release (its first), timed with the others' last", f}} {
		cached := []string{}
		for _, s := range releaseSites {
			cached = append(cached, fmt.Sprintf("%s: %v", s, row.r.Status.Sites[s].WPSettingsPHP))
		}
		fmt.Printf("| %s | %.1f / %.1f ms | %.1f / %.1f ms | %+.1f%% | %.0f / %.0f MiB, %v | %s | %.4f |\n", row.label, row.r.FirstMedian, row.r.FirstP90,
			row.r.LastMedian, row.r.LastP90, 100*(row.r.LastMedian/row.r.FirstMedian-1), row.r.Status.MemoryMiB.Used, row.r.Status.MemoryMiB.Size,
			row.r.Status.CacheFull, strings.Join(cached, ", "), row.r.HitRate)
	}
	fmt.Printf("\nAfter %d releases, with the watcher vs a task at its first release, timed together: %+.1f%% (median); vs its own first release, timed minutes apart: %+.1f%%.\n",
		*flagReleases, 100*(w.LastMedian/f.LastMedian-1), 100*(w.LastMedian/w.FirstMedian-1))
	fmt.Printf("\nOPcache per live release (with the watcher): ")
	for _, s := range releaseSites {
		ss := w.Status.Sites[s]
		fmt.Printf("%s %d scripts %.1f MiB; ", s, ss.LiveScripts, ss.LiveMiB)
	}
	fmt.Printf("interned strings %.1f of %.1f MiB.\n", w.Status.InternedMiB.Used, w.Status.InternedMiB.Size)
	fmt.Printf("Cost of a reset: first front page of each site after it %.1f ms (median of the sites), then %.1f ms (median of 20 each).\n", w.ColdAfterRst, w.WarmAfterRst)
	_ = os.Stdout.Sync()
}
