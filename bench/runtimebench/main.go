// Command runtimebench measures what a front-page view costs when the code
// lives on a slow network file system, for the seed's way, efs mode and
// local mode, how fast a task gets a large site ready and a new release
// live, how front pages and the OPcache fare across many releases, and the
// sync agent's peak memory. Run it through bench/run-runtime.sh (root, Debian packages of
// .ci/apt-packages). It is a benchmark, not a test: it prints numbers.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

var (
	flagDelay    = flag.Duration("delay", time.Millisecond, "delay of every request to the slow file system")
	flagCache    = flag.Duration("cache", 3*time.Second, "kernel entry/attribute cache time on the slow file system")
	flagWarmup   = flag.Int("warmup", 20, "untimed front-page views before measuring")
	flagViews    = flag.Int("views", 50, "timed front-page views per scenario")
	flagFiles    = flag.Int("big-files", 20000, "files in the large site")
	flagBigMB    = flag.Int("big-mb", 500, "approximate size of the large site, MB")
	flagBig      = flag.Bool("big", true, "run the large-site measurements")
	flagPages    = flag.Bool("pages", true, "run the front-page measurements")
	flagAlt      = flag.Int("alt-views", 200, "views per scenario, alternating one by one, for the local-mode vs local-disk comparison")
	flagTreeCopy = flag.Bool("tree-copy", true, "also time copying the large site file by file through the slow file system")
	flagRateMiBs = flag.Float64("rate-mibps", 100, "also time the large site with reads capped at this MiB/s (0: skip)")
	flagSyncBin  = flag.String("sync-bin", "", "built wpfleet-sync")
	flagSlowBin  = flag.String("slowfs-bin", "", "built slowfs")
	flagWork     = flag.String("work", "", "work directory (default: a new temporary directory, removed at the end)")
	flagOut      = flag.String("out", "", "also write the results as JSON here")
)

type pageResult struct {
	Name        string    `json:"name"`
	Median      float64   `json:"median_ms"`
	P90         float64   `json:"p90_ms"`
	FSPerPage   float64   `json:"fs_requests_per_page"`
	AgentPerMin float64   `json:"agent_requests_per_minute,omitempty"`
	Samples     []float64 `json:"-"`
}

type results struct {
	Started      time.Time                 `json:"started"`
	Delay        string                    `json:"delay"`
	Cache        string                    `json:"cache"`
	Pages        map[string]*pageResult    `json:"pages"`
	Alt          map[string]float64        `json:"alternating_medians_ms"`
	BigFiles     int64                     `json:"big_site_files"`
	BigBytes     int64                     `json:"big_site_bytes"`
	ArtifactSize int64                     `json:"big_site_artifact_bytes"`
	ReadySlow    float64                   `json:"big_site_ready_seconds"`
	ReadyRate    float64                   `json:"big_site_ready_seconds_rate_capped,omitempty"`
	ReadyFSReqs  int64                     `json:"big_site_ready_fs_requests"`
	TreeCopy     float64                   `json:"big_site_tree_copy_seconds,omitempty"`
	TreeCopyReqs int64                     `json:"big_site_tree_copy_fs_requests,omitempty"`
	LiveLocal    float64                   `json:"release_live_seconds_local"`
	LiveLocalBig float64                   `json:"release_live_seconds_local_big_site"`
	LiveEFS      float64                   `json:"release_live_seconds_efs"`
	Releases     map[string]*releaseResult `json:"opcache_releases,omitempty"`
	SyncMemory   []syncMemResult           `json:"sync_memory,omitempty"`
}

type bench struct {
	bins wpstack.Binaries
	repo string
	work string
	db   *wpstack.MariaDB
	port int
	// installed: WordPress's tables exist (the first site to start installs).
	installed bool
	res       results
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "runtimebench:", err)
		os.Exit(1)
	}
}

func run() error {
	b := &bench{res: results{Started: time.Now().UTC(), Delay: flagDelay.String(), Cache: flagCache.String(), Pages: map[string]*pageResult{}}}
	var missing []string
	b.bins, missing = wpstack.FindBinaries()
	if len(missing) > 0 {
		return fmt.Errorf("missing: %s", strings.Join(missing, ", "))
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (FUSE mounts, /etc/wpfleet, php-fpm workers as www-data)")
	}
	if *flagSyncBin == "" || *flagSlowBin == "" {
		return fmt.Errorf("-sync-bin and -slowfs-bin are required (bench/run-runtime.sh builds them)")
	}
	var err error
	if b.repo, err = wpstack.RepoRoot(); err != nil {
		return err
	}
	if b.work = *flagWork; b.work == "" {
		if b.work, err = os.MkdirTemp("", "wpfleet-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(b.work)
	}
	if err := os.Chmod(b.work, 0o755); err != nil {
		return err
	}
	restore, err := wpstack.InstallPlatformConfig(b.repo)
	if err != nil {
		return err
	}
	defer restore()
	if b.db, err = wpstack.StartMariaDB(b.bins, filepath.Join(b.work, "mariadb")); err != nil {
		return err
	}
	defer b.db.Stop()
	if err := b.db.CreateSite("wp_bench", "wpu_bench", "bench-password-not-secret"); err != nil {
		return err
	}
	if b.port, err = wpstack.FreePort(); err != nil {
		return err
	}

	if *flagPages {
		if err := b.pages(); err != nil {
			return err
		}
	}
	if *flagBig {
		if err := b.bigSite(); err != nil {
			return err
		}
	}
	if *flagReleases > 0 {
		if err := b.releases(); err != nil {
			return err
		}
	}
	if *flagSyncMem {
		if err := b.syncMemory(); err != nil {
			return err
		}
	}
	b.print()
	if *flagOut != "" {
		out, _ := json.MarshalIndent(b.res, "", "  ")
		if err := os.WriteFile(*flagOut, append(out, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// options is a task of a pool of one site (the database every scenario
// shares) with one php-fpm worker and one client, as in the reference
// measurement (/work/shared/reference/wordpress-on-nfs.md). efs is what the
// task sees at /mnt/efs (site's directory efs/<site>).
func (b *bench) options(site, mode, efs, dir, settings string, port int) wpstack.PoolOptions {
	return wpstack.PoolOptions{
		Mode: mode, EFS: efs, Local: filepath.Join(dir, "local"), SyncBin: *flagSyncBin, DB: b.db,
		Sites:       []wpstack.PoolSite{{Name: site, DBName: "wp_bench", DBUser: "wpu_bench", DBPass: "bench-password-not-secret"}},
		Env:         map[string]string{"WPFLEET_FPM_MAX_CHILDREN": "1"},
		PHPSettings: settings, Port: port,
	}
}

// pages measures front-page views in every scenario. All six tasks run at
// once (each on its own port, the slow ones each on their own mount of the
// same release directory, so requests are counted per scenario), and the
// timed views go round-robin over them, so that whatever else the machine
// does affects every scenario alike.
func (b *bench) pages() error {
	root := filepath.Join(b.work, "efs")
	backing := filepath.Join(root, "bench")
	if err := publish(b.bins, backing); err != nil {
		return err
	}
	type scenario struct {
		key, name, mode, settings string
		slow                      bool
		fs                        *wpstack.SlowFS
		site                      *wpstack.Pool
	}
	scs := []*scenario{
		{key: "seed-slow", name: "(a) seed: code on the slow FS, Debian's default OPcache", mode: wpstack.ModeEFS, settings: "debian", slow: true},
		{key: "seed-disk", name: "(a) seed settings, code on local disk", mode: wpstack.ModeEFS, settings: "debian"},
		{key: "efs-slow", name: "(b) efs mode, wpfleet settings", mode: wpstack.ModeEFS, slow: true},
		{key: "efs-disk", name: "(b) wpfleet settings, code on local disk", mode: wpstack.ModeEFS},
		{key: "local-slow", name: "(c) local mode, releases on the slow FS", mode: wpstack.ModeLocal, slow: true},
		{key: "local-disk", name: "(c) local mode, releases on local disk", mode: wpstack.ModeLocal},
	}
	defer func() {
		for _, sc := range scs {
			if sc.site != nil {
				sc.site.Stop()
			}
			if sc.fs != nil {
				sc.fs.Unmount()
			}
		}
	}()
	for i, sc := range scs {
		src := root
		if sc.slow {
			fs, err := wpstack.MountSlowFS(*flagSlowBin, root, filepath.Join(b.work, "mnt-"+sc.key), filepath.Join(b.work, "slowfs-"+sc.key+".log"), *flagDelay, *flagCache)
			if err != nil {
				return err
			}
			sc.fs, src = fs, fs.Mountpoint
		}
		dir := filepath.Join(b.work, "task-"+sc.key)
		port := 0
		if i == 0 {
			port = b.port
		}
		site, err := wpstack.StartPool(b.bins, b.repo, dir, b.options("bench", sc.mode, src, dir, sc.settings, port))
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		sc.site = site
		if err := b.install(site); err != nil {
			return err
		}
	}
	for _, sc := range scs {
		for range *flagWarmup {
			if _, err := view(sc.site); err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
		}
	}
	for _, sc := range scs {
		if sc.fs != nil {
			if err := sc.fs.Reset(); err != nil {
				return err
			}
		}
	}
	start := time.Now()
	res := map[string]*pageResult{}
	counted := map[string]int64{}
	for _, sc := range scs {
		res[sc.key] = &pageResult{Name: sc.name}
	}
	// Blocks of back-to-back views per scenario (a busy site, as in the
	// reference measurement), the scenarios taking turns block by block.
	// Each block starts with two untimed, uncounted views.
	const block = 10
	for done := 0; done < *flagViews; done += block {
		n := min(block, *flagViews-done)
		for _, sc := range scs {
			for range 2 {
				if _, err := view(sc.site); err != nil {
					return fmt.Errorf("%s: %w", sc.name, err)
				}
			}
			var before int64
			if sc.fs != nil {
				st, err := sc.fs.Stats()
				if err != nil {
					return err
				}
				before = st.Except(agentPID(sc.site))
			}
			for range n {
				d, err := view(sc.site)
				if err != nil {
					return fmt.Errorf("%s: %w", sc.name, err)
				}
				res[sc.key].Samples = append(res[sc.key].Samples, d)
			}
			if sc.fs != nil {
				st, err := sc.fs.Stats()
				if err != nil {
					return err
				}
				counted[sc.key] += st.Except(agentPID(sc.site)) - before
			}
		}
	}
	elapsed := time.Since(start)
	for _, sc := range scs {
		r := res[sc.key]
		if sc.fs != nil {
			st, err := sc.fs.Stats()
			if err != nil {
				return err
			}
			if sc.site.Sync != nil {
				r.AgentPerMin = float64(st.PIDs[strconv.Itoa(agentPID(sc.site))]) / elapsed.Minutes()
			}
			r.FSPerPage = float64(counted[sc.key]) / float64(*flagViews)
		}
		sorted := append([]float64(nil), r.Samples...)
		sort.Float64s(sorted)
		r.Median, r.P90 = percentile(sorted, 50), percentile(sorted, 90)
		b.res.Pages[sc.key] = r
		logf("%-58s median %6.1f ms  p90 %6.1f ms  slow-FS requests/page %.1f", sc.name, r.Median, r.P90, r.FSPerPage)
	}
	// The Done-when comparison, local mode through the slow FS against code
	// on local disk: views alternate one by one, so that drift in the
	// machine's load cannot favour either.
	alt := map[string][]float64{}
	for range *flagAlt {
		for _, sc := range scs {
			if sc.key != "local-slow" && sc.key != "local-disk" && sc.key != "efs-disk" {
				continue
			}
			d, err := view(sc.site)
			if err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
			alt[sc.key] = append(alt[sc.key], d)
		}
	}
	b.res.Alt = map[string]float64{}
	for k, v := range alt {
		sort.Float64s(v)
		b.res.Alt[k] = percentile(v, 50)
	}
	logf("alternating views: local-slow %.1f ms, local-disk %.1f ms, efs-disk %.1f ms (medians)", b.res.Alt["local-slow"], b.res.Alt["local-disk"], b.res.Alt["efs-disk"])
	for _, sc := range scs {
		sc.site.Stop()
		sc.site = nil
	}

	// Release to served, both modes, on this site.
	fs := scs[0].fs
	for _, mode := range []string{wpstack.ModeLocal, wpstack.ModeEFS} {
		dir := filepath.Join(b.work, "task-live-"+mode)
		site, err := wpstack.StartPool(b.bins, b.repo, dir, b.options("bench", mode, fs.Mountpoint, dir, "", b.port))
		if err != nil {
			return err
		}
		secs, err := releaseLive(b.bins, site, backing, nil)
		site.Stop()
		if err != nil {
			return err
		}
		if mode == wpstack.ModeLocal {
			b.res.LiveLocal = secs
		} else {
			b.res.LiveEFS = secs
		}
		logf("%s mode: new release served %.2f s after the pointer switch", mode, secs)
	}
	return nil
}

// install runs WordPress's installer once, through the first site started.
func (b *bench) install(site *wpstack.Pool) error {
	if b.installed {
		return nil
	}
	if err := site.InstallWordPress(site.Opts.Sites[0].Name, "wpfleet bench", "bench-admin-password"); err != nil {
		return err
	}
	b.installed = true
	return nil
}

// agentPID is the sync agent's pid, -1 without one.
func agentPID(site *wpstack.Pool) int {
	if site.Sync == nil {
		return -1
	}
	return site.Sync.Cmd.Process.Pid
}

// view times one front-page view, in milliseconds.
func view(site *wpstack.Pool) (float64, error) {
	start := time.Now()
	code, body, err := wpstack.Get(site.Home(site.Opts.Sites[0].Name)+"/", nil)
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if code != 200 || !strings.Contains(body, "wpfleet bench") {
		return 0, fmt.Errorf("front page: HTTP %d %.200s", code, body)
	}
	return float64(d.Microseconds()) / 1000, nil
}

func publish(bins wpstack.Binaries, backing string) error {
	if err := os.MkdirAll(backing, 0o755); err != nil {
		return err
	}
	id := wpstack.NewReleaseID()
	if _, err := wpstack.BuildWordPressTree(bins, backing, id); err != nil {
		return err
	}
	return wpstack.Publish(bins, backing, id)
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := p / 100 * float64(len(sorted)-1)
	lo := int(rank)
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	return sorted[lo] + (rank-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// releaseLive publishes a new release of the site (built before the clock
// starts) and returns the seconds from the pointer switch until the front
// page is served by the new code. mutate may change the staged tree.
func releaseLive(bins wpstack.Binaries, site *wpstack.Pool, backing string, stage func(id string) error) (float64, error) {
	id := wpstack.NewReleaseID()
	if stage != nil {
		if err := stage(id); err != nil {
			return 0, err
		}
	} else if _, err := wpstack.BuildWordPressTree(bins, backing, id); err != nil {
		return 0, err
	}
	if err := wpstack.Publish(bins, backing, id); err != nil {
		return 0, err
	}
	switched := time.Now()
	for time.Since(switched) < 60*time.Second {
		resp, err := wpstack.Do("GET", site.Home(site.Opts.Sites[0].Name)+"/", nil, nil)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("front page during the switch: HTTP %d", resp.StatusCode)
		}
		if resp.Header.Get("X-Test-Release") == id {
			return time.Since(switched).Seconds(), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, fmt.Errorf("release %s not served within 60 s", id)
}

// bigSite builds a site of about flagFiles files and flagBigMB MB (WordPress
// plus generated code-like and media-like files), publishes it, and times a
// new task getting it ready through the slow file system.
func (b *bench) bigSite() error {
	root := filepath.Join(b.work, "efs-big")
	backing := filepath.Join(root, "big")
	if err := os.MkdirAll(backing, 0o755); err != nil {
		return err
	}
	build := func(id string) error {
		tree, err := wpstack.BuildWordPressTree(b.bins, backing, id)
		if err != nil {
			return err
		}
		return fillSite(tree, *flagFiles, int64(*flagBigMB)*1000*1000)
	}
	id := wpstack.NewReleaseID()
	logf("building the large site (%d files, ~%d MB)", *flagFiles, *flagBigMB)
	if err := build(id); err != nil {
		return err
	}
	if err := wpstack.Publish(b.bins, backing, id); err != nil {
		return err
	}
	m, err := readManifest(backing, id)
	if err != nil {
		return err
	}
	b.res.BigFiles, b.res.BigBytes = m.Files, m.Bytes
	if fi, err := os.Stat(filepath.Join(backing, "artifacts", id+".tar.zst")); err == nil {
		b.res.ArtifactSize = fi.Size()
	}
	logf("large site: %d files, %.0f MB, artifact %.0f MB", m.Files, float64(m.Bytes)/1e6, float64(b.res.ArtifactSize)/1e6)

	ready := func(extra ...string) (float64, int64, error) {
		mnt := filepath.Join(b.work, "mnt-big")
		fs, err := wpstack.MountSlowFS(*flagSlowBin, root, mnt, filepath.Join(b.work, "slowfs-big.log"), *flagDelay, *flagCache, extra...)
		if err != nil {
			return 0, 0, err
		}
		defer fs.Unmount()
		local := filepath.Join(b.work, "ready-local")
		_ = os.RemoveAll(local)
		defer os.RemoveAll(local)
		// Start from cold kernel caches of the mount (it is new) and drop
		// the page cache, as on a new task.
		_ = os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0o200)
		start := time.Now()
		out, err := wpstack.Run(append(wpstack.BaseEnv(), "WPFLEET_SITES=big", "WPFLEET_SYNC_SOURCE="+mnt, "WPFLEET_SYNC_DEST="+local, "WPFLEET_SYNC_MIN_FREE_MIB=256"), *flagSyncBin, "once")
		secs := time.Since(start).Seconds()
		if err != nil {
			return 0, 0, fmt.Errorf("wpfleet-sync once: %v: %s", err, out)
		}
		st, err := fs.Stats()
		if err != nil {
			return 0, 0, err
		}
		return secs, st.Total, nil
	}
	if b.res.ReadySlow, b.res.ReadyFSReqs, err = ready(); err != nil {
		return err
	}
	logf("large site ready through the slow FS in %.2f s (%d requests)", b.res.ReadySlow, b.res.ReadyFSReqs)
	if *flagRateMiBs > 0 {
		if b.res.ReadyRate, _, err = ready("-read-mibps", strconv.FormatFloat(*flagRateMiBs, 'f', -1, 64)); err != nil {
			return err
		}
		logf("large site ready with reads capped at %.0f MiB/s in %.2f s", *flagRateMiBs, b.res.ReadyRate)
	}

	if *flagTreeCopy {
		mnt := filepath.Join(b.work, "mnt-big")
		fs, err := wpstack.MountSlowFS(*flagSlowBin, root, mnt, filepath.Join(b.work, "slowfs-big.log"), *flagDelay, *flagCache)
		if err != nil {
			return err
		}
		dst := filepath.Join(b.work, "tree-copy")
		_ = os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0o200)
		start := time.Now()
		cmd := exec.Command("cp", "-a", filepath.Join(mnt, "big", "releases", id), dst)
		out, err := cmd.CombinedOutput()
		b.res.TreeCopy = time.Since(start).Seconds()
		st, _ := fs.Stats()
		b.res.TreeCopyReqs = st.Total
		fs.Unmount()
		os.RemoveAll(dst)
		if err != nil {
			return fmt.Errorf("cp -a: %v: %s", err, out)
		}
		logf("large site copied file by file (cp -a) through the slow FS in %.1f s (%d requests)", b.res.TreeCopy, b.res.TreeCopyReqs)
	}

	// A running local-mode task on the large site: publish a new release.
	fs, err := wpstack.MountSlowFS(*flagSlowBin, root, filepath.Join(b.work, "mnt-big"), filepath.Join(b.work, "slowfs-big.log"), *flagDelay, *flagCache)
	if err != nil {
		return err
	}
	defer fs.Unmount()
	dir := filepath.Join(b.work, "task-live-big")
	site, err := wpstack.StartPool(b.bins, b.repo, dir, b.options("big", wpstack.ModeLocal, fs.Mountpoint, dir, "", b.port))
	if err != nil {
		return err
	}
	defer site.Stop()
	if err := b.install(site); err != nil {
		return err
	}
	if b.res.LiveLocalBig, err = releaseLive(b.bins, site, backing, build); err != nil {
		return err
	}
	logf("local mode, large site: new release served %.2f s after the pointer switch", b.res.LiveLocalBig)
	return nil
}

type manifest struct {
	Files int64 `json:"files"`
	Bytes int64 `json:"bytes"`
}

func readManifest(site, id string) (manifest, error) {
	var m manifest
	bs, err := os.ReadFile(filepath.Join(site, "releases", id, ".wpfleet-release"))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(bs, &m)
}

// fillSite adds files to tree until it holds about files files and bytes
// bytes: 80% of the added files are code-like text (PHP, JS, CSS: 1-16 KB,
// compressible), 20% media-like (images, fonts: random bytes, which do not
// compress) that take the remaining bytes.
func fillSite(tree string, files int, bytes int64) error {
	var have int64
	var n int
	err := filepath.WalkDir(tree, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			fi, _ := d.Info()
			have += fi.Size()
			n++
		}
		return err
	})
	if err != nil {
		return err
	}
	add := files - n
	if add <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(1, 2))
	code := add * 4 / 5
	words := strings.Fields("function return array string public private static class extends implements namespace use if else foreach while echo add_action add_filter wp_enqueue_script get_option esc_html __ $post $query margin padding display flex color var const let import export")
	var codeBytes int64
	for i := range code {
		size := 1024 + rng.IntN(15*1024)
		var sb strings.Builder
		for sb.Len() < size {
			sb.WriteString(words[rng.IntN(len(words))])
			if rng.IntN(8) == 0 {
				sb.WriteString(";\n")
			} else {
				sb.WriteByte(' ')
			}
		}
		ext := []string{".php", ".js", ".css"}[i%3]
		p := filepath.Join(tree, "wp-content", "plugins", fmt.Sprintf("plugin-%03d", i/200), fmt.Sprintf("dir-%02d", i%10), fmt.Sprintf("file-%05d%s", i, ext))
		if err := writeFile(p, []byte(sb.String())); err != nil {
			return err
		}
		codeBytes += int64(sb.Len())
	}
	media := add - code
	avg := (bytes - have - codeBytes) / int64(media)
	if avg < 1024 {
		avg = 1024
	}
	buf := make([]byte, avg*3/2+1)
	for i := range media {
		size := int(avg * int64(50+rng.IntN(101)) / 100) // 0.5 to 1.5 times the average
		for j := 0; j < size; j += 8 {
			v := rng.Uint64()
			for k := 0; k < 8 && j+k < size; k++ {
				buf[j+k] = byte(v >> (8 * k))
			}
		}
		ext := []string{".jpg", ".png", ".woff2", ".webp"}[i%4]
		p := filepath.Join(tree, "wp-content", "themes", "bench-theme", "assets", fmt.Sprintf("set-%02d", i/100), fmt.Sprintf("media-%05d%s", i, ext))
		if err := writeFile(p, buf[:size]); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

func (b *bench) print() {
	if *flagPages {
		b.printPages()
	}
	if *flagBig {
		b.printBig()
	}
	b.printReleases()
	b.printSyncMemory()
}

func (b *bench) printPages() {
	p := b.res.Pages
	row := func(label, slow, disk string) {
		sl, dk := p[slow], p[disk]
		fmt.Printf("| %s | %.0f ms / %.0f ms | %.0f | %.0f ms / %.0f ms |\n", label, sl.Median, sl.P90, sl.FSPerPage, dk.Median, dk.P90)
	}
	fmt.Printf("\nFront page, %d warm-up then %d timed views per scenario (blocks of 10 back-to-back views, scenarios taking turns), one client, one php-fpm worker; slow FS: %s per request, kernel caches %s.\n\n",
		*flagWarmup, *flagViews, b.res.Delay, b.res.Cache)
	fmt.Println("| scenario | through the slow FS: median / p90 | slow-FS requests per page | plain local disk: median / p90 |")
	fmt.Println("|---|---|---|---|")
	row("(a) seed: code on EFS, Debian's default OPcache", "seed-slow", "seed-disk")
	row("(b) `efs` mode, wpfleet settings", "efs-slow", "efs-disk")
	row("(c) `local` mode (sync agent copies the release to task storage)", "local-slow", "local-disk")
	fmt.Printf("\n(c) through the slow FS vs code on plain local disk with the same settings ((b), local disk): %+.1f%% median in the table;\n",
		100*(p["local-slow"].Median/p["efs-disk"].Median-1))
	fmt.Printf("with %d views each alternating one by one: (c) %.1f ms, code on plain local disk %.1f ms (%+.1f%%), (c) with releases on local disk %.1f ms.\n",
		*flagAlt, b.res.Alt["local-slow"], b.res.Alt["efs-disk"], 100*(b.res.Alt["local-slow"]/b.res.Alt["efs-disk"]-1), b.res.Alt["local-disk"])
	fmt.Printf("Sync agent polling: %.0f slow-FS requests per minute (not caused by page views).\n", p["local-slow"].AgentPerMin)
	fmt.Printf("\n| release to served | value |\n|---|---|\n")
	fmt.Printf("| published release served, `local` mode (WordPress site) | %.2f s |\n", b.res.LiveLocal)
	fmt.Printf("| published release served, `efs` mode | %.2f s |\n", b.res.LiveEFS)
}

func (b *bench) printBig() {
	fmt.Printf("\n| large site | value |\n|---|---|\n")
	fmt.Printf("| size | %d files, %.0f MB (artifact %.0f MB, zstd -3) |\n", b.res.BigFiles, float64(b.res.BigBytes)/1e6, float64(b.res.ArtifactSize)/1e6)
	fmt.Printf("| new task ready (`wpfleet-sync once`, cold caches) through the slow FS | %.2f s, %d slow-FS requests |\n", b.res.ReadySlow, b.res.ReadyFSReqs)
	if b.res.ReadyRate > 0 {
		fmt.Printf("| same, reads capped at %.0f MiB/s | %.2f s |\n", *flagRateMiBs, b.res.ReadyRate)
	}
	if b.res.TreeCopy > 0 {
		fmt.Printf("| for comparison: `cp -a` of the release tree through the slow FS | %.1f s, %d slow-FS requests |\n", b.res.TreeCopy, b.res.TreeCopyReqs)
	}
	fmt.Printf("| published release served, `local` mode, large site | %.2f s |\n", b.res.LiveLocalBig)
}
