package runtime

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// task is one task of a SitePool: nginx, php-fpm with a pool per site, the
// cron runner and, in local mode, the sync agent.
type task struct {
	mode     string
	dir      string
	backing  string // the sites' directories in the layout (what EFS holds): backing/<site>
	efs      *wpstack.SlowFS
	pool     *wpstack.Pool
	site     string // the site the single-site checks look at
	releases map[string]string
	secrets  map[string]map[string]string // site -> name -> value
}

var dbCounter atomic.Int32

// startTask publishes a release of each site, mounts the EFS stand-in,
// creates each site's database and starts the task; every site's WordPress
// is installed through its own installer.
func startTask(t *testing.T, name, mode string, sites []string, tune func(*wpstack.PoolOptions)) *task {
	t.Helper()
	tk := &task{mode: mode, dir: filepath.Join(env.tmp, name), site: sites[0], releases: map[string]string{}, secrets: map[string]map[string]string{}}
	tk.backing = filepath.Join(tk.dir, "efs-backing")
	for _, s := range sites {
		if err := os.MkdirAll(filepath.Join(tk.backing, s), 0o755); err != nil {
			t.Fatal(err)
		}
		tk.releases[s] = tk.publishSite(t, s)
	}
	var err error
	// The web tasks' EFS mounts: read only, through the counting FUSE file
	// system (no delay in the tests; kernel caches of 1 s like NFS's).
	tk.efs, err = wpstack.MountSlowFS(env.slowBin, tk.backing, filepath.Join(tk.dir, "mnt-efs"), filepath.Join(tk.dir, "slowfs.log"), 0, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tk.efs.Unmount)

	opts := wpstack.PoolOptions{
		Mode: mode, EFS: tk.efs.Mountpoint, Local: filepath.Join(tk.dir, "task-local"), DB: env.db,
		// Grace: longer than the slowest switch (static files can take open_file_cache's
		// 5 s plus a poll) so the old copy is still there when the test looks for it.
		SyncBin: env.syncBin, SyncGrace: 20 * time.Second,
	}
	for _, s := range sites {
		ps := newPoolSite(t, s)
		tk.secrets[s] = map[string]string{"DB_PASSWORD": ps.DBPass}
		for k, v := range ps.Salts {
			tk.secrets[s][k] = v
		}
		opts.Sites = append(opts.Sites, ps)
	}
	if tune != nil {
		tune(&opts)
	}
	tk.pool, err = wpstack.StartPool(env.bins, env.repo, filepath.Join(tk.dir, "task"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tk.pool.Stop)
	for _, s := range sites {
		if err := tk.pool.InstallWordPress(s, "wpfleet "+mode+" "+s, randomSecret(t)); err != nil {
			t.Fatal(err)
		}
	}
	return tk
}

// newPoolSite creates a site's database and user.
func newPoolSite(t *testing.T, name string) wpstack.PoolSite {
	t.Helper()
	n := dbCounter.Add(1)
	ps := wpstack.PoolSite{Name: name, DBName: fmt.Sprintf("wp_%d_%s", n, strings.ReplaceAll(name, "-", "_")),
		DBUser: fmt.Sprintf("wpu_%d", n), DBPass: randomSecret(t), Salts: wpstack.Salts()}
	if err := env.db.CreateSite(ps.DBName, ps.DBUser, ps.DBPass); err != nil {
		t.Fatal(err)
	}
	return ps
}

func (tk *task) publishSite(t *testing.T, site string) string {
	t.Helper()
	id := wpstack.NewReleaseID()
	dir := filepath.Join(tk.backing, site)
	if _, err := wpstack.BuildWordPressTree(env.bins, dir, id); err != nil {
		t.Fatal(err)
	}
	if err := wpstack.Publish(env.bins, dir, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// home is the checked site's home URL.
func (tk *task) home() string { return tk.pool.Home(tk.site) }

func randomSecret(t *testing.T) string {
	t.Helper()
	for _, v := range wpstack.Salts() {
		return strings.NewReplacer("/", "x", "+", "y", "=", "z").Replace(v)
	}
	panic("unreachable")
}

type probe struct {
	Release                   string          `json:"release"`
	Abspath                   string          `json:"abspath"`
	ServerKeys                []string        `json:"server_keys"`
	EnvKeys                   []string        `json:"env_keys"`
	IsSSL                     bool            `json:"is_ssl"`
	RemoteAddr                string          `json:"remote_addr"`
	DisableWPCron             bool            `json:"disable_wp_cron"`
	DisallowFileMods          bool            `json:"disallow_file_mods"`
	ForceSSLAdmin             bool            `json:"force_ssl_admin"`
	EnvironmentType           string          `json:"environment_type"`
	S3UploadsBucket           *string         `json:"s3_uploads_bucket"`
	MySQLClientFlags          *int            `json:"mysql_client_flags"`
	DBSSLCipher               string          `json:"db_ssl_cipher"`
	OpenSSLCAFile             string          `json:"openssl_cafile"`
	OPcacheEnabled            bool            `json:"opcache_enabled"`
	OPcacheValidateTimestamps string          `json:"opcache_validate_timestamps"`
	MaxExecutionTime          string          `json:"max_execution_time"`
	TestEventRan              string          `json:"test_event_ran"`
	TestEventNext             json.RawMessage `json:"test_event_next"`
	TestRuns                  int             `json:"test_runs"`
	CountedNext               json.RawMessage `json:"counted_next"`
	WPFleetS3Uploads          *string         `json:"wpfleet_s3_uploads"`
	S3                        *struct {
		Copy            string   `json:"copy"`
		Inits           int      `json:"inits"`
		Autoloads       int      `json:"autoloads"`
		Bucket          string   `json:"bucket"`
		BucketURL       string   `json:"bucket_url"`
		Region          string   `json:"region"`
		InstanceProfile bool     `json:"instance_profile"`
		ObjectACL       *string  `json:"object_acl"`
		PutParams       []string `json:"put_params"`
	} `json:"s3"`
	Site  string   `json:"site"`
	UID   int      `json:"uid"`
	Leaks []string `json:"leaks"`
	Home  string   `json:"home"`
	Other struct {
		SettingsRead    bool   `json:"settings_read"`
		SettingsError   string `json:"settings_error"`
		OwnSettingsRead bool   `json:"own_settings_read"`
		SocketConnected bool   `json:"socket_connected"`
		SocketError     string `json:"socket_error"`
		OPcacheReset    bool   `json:"opcache_reset"`
	} `json:"other"`
}

func (tk *task) probe(t *testing.T, query string, hdr map[string]string) probe {
	t.Helper()
	return probeSite(t, tk.pool, tk.site, query, hdr)
}

func probeSite(t *testing.T, pool *wpstack.Pool, site, query string, hdr map[string]string) probe {
	t.Helper()
	code, body, err := wpstack.Get(pool.Home(site)+wpstack.EnvProbePath+query, hdr)
	if err != nil || code != 200 {
		t.Fatalf("probe: %d %v %.500s", code, err, body)
	}
	var p probe
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("probe: %v: %.500s", err, body)
	}
	return p
}

// TestLocalMode: a pool of two sites in local mode (the sync agent copies
// both sites' releases to the task's disk); every single-site check on the
// first, then the checks of two sites in one pool.
func TestLocalMode(t *testing.T) {
	need(t)
	tk := startTask(t, "local", wpstack.ModeLocal, []string{"alpha", "beta-2"}, nil)
	siteChecks(t, tk, func(t *testing.T) {
		t.Run("two sites in one pool", func(t *testing.T) { poolChecks(t, tk, "alpha", "beta-2") })
	})
}

// TestEFSMode: a pool of one site in efs mode (served from the EFS mount).
func TestEFSMode(t *testing.T) {
	need(t)
	tk := startTask(t, "efs", wpstack.ModeEFS, []string{"gamma"}, nil)
	siteChecks(t, tk, nil)
}

// siteChecks runs the checks of one site, then more (before the last
// check, which stops the task).
func siteChecks(t *testing.T, tk *task, more func(t *testing.T)) {
	t.Run("front page and static assets", func(t *testing.T) { checkFrontPage(t, tk) })
	t.Run("screenshot with CSS", func(t *testing.T) { checkScreenshot(t, tk) })
	t.Run("wp-admin redirects to login over https", func(t *testing.T) { checkAdminRedirect(t, tk) })
	t.Run("healthz touches neither code nor database", func(t *testing.T) { checkHealth(t, tk) })
	t.Run("settings and secrets from the environment only", func(t *testing.T) { checkSecrets(t, tk) })
	t.Run("real client address", func(t *testing.T) { checkRealIP(t, tk) })
	t.Run("wp-cron is not spawned by page views", func(t *testing.T) { checkCron(t, tk) })
	t.Run("private files are never served", func(t *testing.T) { checkNeverServed(t, tk) })
	t.Run("warm page views and the slow file system", func(t *testing.T) { checkWarmPath(t, tk) })
	t.Run("new release served within 10 s without failed requests", func(t *testing.T) { checkNewRelease(t, tk) })
	t.Run("asset URLs change with the file, not with the release", func(t *testing.T) { checkAssetVersions(t, tk) })
	if more != nil {
		more(t)
	}
	t.Run("graceful stop finishes requests in flight", func(t *testing.T) { checkGracefulStop(t, tk) })
}

var assetRE = regexp.MustCompile(`(?:href|src)=['"](http://[a-z0-9.-]+\.test:\d+/[^'"]+\.(?:css|js)(?:\?[^'"]*)?)['"]`)

func checkFrontPage(t *testing.T, tk *task) {
	resp, err := wpstack.Do("GET", tk.home()+"/", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "wpfleet "+tk.mode+" "+tk.site) {
		t.Fatalf("front page: %d %.800s", resp.StatusCode, resp.Body)
	}
	if got := resp.Header.Get("X-Test-Release"); got != tk.releases[tk.site] {
		t.Fatalf("front page served by release %q, want %q", got, tk.releases[tk.site])
	}
	if got := resp.Header.Get("X-Wpfleet-Release"); got != tk.releases[tk.site] {
		t.Errorf("the platform publishes release %q (X-Wpfleet-Release), want %q", got, tk.releases[tk.site])
	}
	if !strings.Contains(resp.Body, "<!-- wpfleet-release:"+tk.releases[tk.site]+" -->") || !strings.Contains(resp.Body, "wp-block-") {
		t.Fatalf("front page is not a rendered block theme page: %.800s", resp.Body)
	}
	assets := assetRE.FindAllStringSubmatch(resp.Body, -1)
	if len(assets) == 0 {
		t.Fatalf("no stylesheet or script referenced by the front page: %.2000s", resp.Body)
	}
	for _, m := range assets {
		u := strings.ReplaceAll(m[1], "&#038;", "&")
		a, err := wpstack.Do("GET", u, map[string]string{"Accept-Encoding": "gzip"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.StatusCode != 200 || len(a.Body) == 0 {
			t.Errorf("asset %s: %d", u, a.StatusCode)
		}
		if cc := a.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("asset %s: Cache-Control %q, want a year (max-age=31536000)", u, cc)
		}
		if ct := a.Header.Get("Content-Type"); !strings.Contains(ct, "css") && !strings.Contains(ct, "javascript") {
			t.Errorf("asset %s: Content-Type %q", u, ct)
		}
	}
	t.Logf("front page: %d bytes, %d stylesheets/scripts fetched", len(resp.Body), len(assets))
}

func checkScreenshot(t *testing.T, tk *task) {
	if env.bins.Chromium == "" {
		if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
			t.Fatal("chromium (Debian package chromium) is missing")
		}
		t.Skip("chromium (Debian package chromium) is missing")
	}
	shot := filepath.Join(tk.dir, "front-page.png")
	out, err := wpstack.Screenshot(env.bins.Chromium, tk.home()+"/", shot, 1280, 900)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// An unstyled page is black text on white; the theme's styles give
	// large areas of other colours and lay the text out in columns.
	dark, colored, total := pixelStats(img)
	t.Logf("screenshot %s: %.1f%% dark, %.1f%% neither white nor grey", shot, 100*float64(dark)/float64(total), 100*float64(colored)/float64(total))
	if dark*200 < total {
		t.Errorf("screenshot is nearly blank: %d of %d pixels dark", dark, total)
	}
	entries, err := tk.pool.AccessLog()
	if err != nil {
		t.Fatal(err)
	}
	fetched := map[string]int{}
	for _, e := range entries {
		if strings.Contains(e.UserAgent, "HeadlessChrome") && e.Status == 200 {
			for _, ext := range []string{".css", ".woff2", ".js"} {
				if strings.Contains(strings.SplitN(e.URI, "?", 2)[0], ext) {
					fetched[ext]++
				}
			}
		}
	}
	t.Logf("Chromium fetched %v", fetched)
	if fetched[".css"]+fetched[".woff2"] == 0 {
		t.Errorf("Chromium fetched no stylesheet or web font: access log shows %v", fetched)
	}
	if dir := os.Getenv("WPFLEET_SCREENSHOT_DIR"); dir != "" {
		b, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(dir, "front-page-"+tk.mode+".png"), b, 0o644)
	}
}

func pixelStats(img image.Image) (dark, colored, total int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			total++
			if r+g+bl < 200 {
				dark++
			}
			mx, mn := max(r, g, bl), min(r, g, bl)
			if mx-mn > 40 {
				colored++
			}
		}
	}
	return dark, colored, total
}

func checkAdminRedirect(t *testing.T, tk *task) {
	https := map[string]string{"X-Forwarded-Proto": "https"}
	for _, hdr := range []map[string]string{https, nil} {
		resp, err := wpstack.Do("GET", tk.home()+"/wp-admin/", hdr, nil)
		if err != nil {
			t.Fatal(err)
		}
		loc := resp.Header.Get("Location")
		httpsHome := "https://" + strings.TrimPrefix(tk.home(), "http://")
		want := httpsHome + "/wp-login.php"
		if hdr == nil {
			// FORCE_SSL_ADMIN: first to the same page over https.
			want = httpsHome + "/wp-admin/"
		}
		if resp.StatusCode != 302 || !strings.HasPrefix(loc, want) {
			t.Errorf("GET /wp-admin/ (headers %v): %d Location %q, want 302 to %s...", hdr, resp.StatusCode, loc, want)
		}
	}
	resp, err := wpstack.Do("GET", tk.home()+"/wp-login.php", https, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `name="log"`) {
		t.Errorf("login page over https: %d %.300s", resp.StatusCode, resp.Body)
	}
	if p := tk.probe(t, "", https); !p.IsSSL {
		t.Error("X-Forwarded-Proto: https did not make is_ssl() true")
	}
	if p := tk.probe(t, "", nil); p.IsSSL {
		t.Error("is_ssl() true without X-Forwarded-Proto: https")
	}
}

func checkHealth(t *testing.T, tk *task) {
	if err := tk.efs.Reset(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		// Any Host: the site's, or the task's address as the ALB sends it.
		u := tk.home() + "/healthz"
		if i%2 == 1 {
			u = tk.pool.URL + "/healthz"
		}
		code, body, err := wpstack.Get(u, nil)
		if err != nil || code != 200 || strings.TrimSpace(body) != "ok" {
			t.Fatalf("%s: %d %q %v", u, code, body, err)
		}
	}
	st, err := tk.efs.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if n := st.Except(tk.agentPID()); n != 0 {
		t.Errorf("20 /healthz calls made %d requests to the EFS stand-in: %v", n, st)
	}
	if err := tk.pool.FPMHealthcheck(); err != nil {
		t.Errorf("php-fpm-healthcheck: %v", err)
	}
	if tk.mode == wpstack.ModeLocal {
		if out, err := wpstack.Run(tk.pool.SyncEnv(), env.syncBin, "health"); err != nil {
			t.Errorf("wpfleet-sync health: %v %s", err, out)
		}
	}
	// TestMisconfiguredSite checks /healthz with no database reachable.
}

// agentPID is the sync agent's process id (-1 in efs mode): its polling is
// not caused by page views.
func (tk *task) agentPID() int {
	if tk.pool.Sync == nil {
		return -1
	}
	return tk.pool.Sync.Cmd.Process.Pid
}
