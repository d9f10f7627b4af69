package wpstack

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wpfleet/wpfleet/internal/contract"
)

// Code delivery modes (WPFLEET_CODE_DELIVERY).
const (
	ModeLocal = "local"
	ModeEFS   = "efs"
)

// PlatformConfigPath is where the stub in every release looks for the
// platform configuration; the php image puts image/php/wp-config.php there.
const PlatformConfigPath = "/etc/wpfleet/wp-config.php"

// NginxWorkerUser is the user nginx's workers run as in the tests (Debian's
// www-data, where the nginx image has nginx, gid 101); the php-fpm site
// sockets admit its group.
const NginxWorkerUser, NginxWorkerGID = "www-data", 33

// InstallPlatformConfig installs what the php image puts into /etc/wpfleet
// (needs root): image/php/wp-config.php as /etc/wpfleet/wp-config.php, and
// the CA bundle PHP trusts (InstallCABundle: the system's CAs plus
// DatabaseCA, which signs the test databases' certificates, in place of the
// RDS CAs). It returns a function that puts back what was there before.
//
// /etc/wpfleet is one directory for the whole machine: two test processes
// (two checkouts) installing their own files would break each other's
// sites mid-run. The installation is held under an exclusive lock on
// PlatformLock until restore, so such processes take turns.
func InstallPlatformConfig(repo string) (restore func(), err error) {
	b, err := os.ReadFile(filepath.Join(repo, "image/php/wp-config.php"))
	if err != nil {
		return nil, err
	}
	unlock, err := lockPlatform()
	if err != nil {
		return nil, err
	}
	restoreCA, err := InstallCABundle(repo)
	if err != nil {
		unlock()
		return nil, err
	}
	old, readErr := os.ReadFile(PlatformConfigPath)
	if err := os.WriteFile(PlatformConfigPath, b, 0o644); err != nil {
		restoreCA()
		unlock()
		return nil, fmt.Errorf("install %s (needs root): %w", PlatformConfigPath, err)
	}
	return func() {
		if readErr == nil {
			_ = os.WriteFile(PlatformConfigPath, old, 0o644)
		} else {
			_ = os.Remove(PlatformConfigPath)
		}
		restoreCA()
		unlock()
	}, nil
}

// PlatformLock is the lock file InstallPlatformConfig holds.
const PlatformLock = "/run/lock/wpfleet-platform-config.lock"

// lockPlatform waits for the exclusive lock on PlatformLock (released
// by the kernel if the process dies).
func lockPlatform() (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(PlatformLock), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(PlatformLock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s (needs root): %w", PlatformLock, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", PlatformLock, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// PoolSite is one site of a pool's task.
type PoolSite struct {
	Name string
	// Hostnames default to <name>.test; the home is http://<first>:<port>
	// (the test client and Chromium resolve *.test to 127.0.0.1).
	Hostnames []string
	DBName    string
	DBUser    string
	DBPass    string
	// Salts default to random ones (Salts()).
	Salts map[string]string
	// Env: more of this site's php variables, or overrides ("" removes one),
	// e.g. {"DB_SECRET": ""} for a secret that did not arrive.
	Env map[string]string
}

// PoolOptions describes one task of a SitePool: nginx, php-fpm (with the
// cron runner) and, in local mode, the sync agent, as the task definition
// runs them.
type PoolOptions struct {
	Mode string // ModeLocal or ModeEFS
	// EFS is what the task sees at /mnt/efs: site s's directory of the
	// layout at EFS/s, usually through a slowfs mount.
	EFS string
	// Local is the task-local directory (/var/www/wpfleet) in local mode.
	Local string
	// SyncBin is the built wpfleet-sync (local mode).
	SyncBin      string
	SyncInterval time.Duration
	SyncGrace    time.Duration // 0: the agent's default (request timeout + 30 s)
	Sites        []PoolSite
	DB           *MariaDB
	// Env: the php container's pool-wide variables on top of the defaults
	// of PoolEnv ("" removes one).
	Env map[string]string
	// PHPSettings: "" for image/php/conf.d (wpfleet's), "debian" for the
	// distribution's defaults (how the seed ran) plus the one setting the
	// platform's wp-config.php needs with DB_TLS=true (openssl.cafile).
	PHPSettings string
	// PHPIni are php.ini lines read after all others (php-fpm and the CLI),
	// for tests of a broken image, e.g. "openssl.cafile = /nonexistent".
	PHPIni string
	// NoNginx starts php-fpm and the cron runner only (a second task whose
	// web side is not needed).
	NoNginx bool
	// WPCLI is the stand-in for wp-cli.phar (WP_CLI_PHAR); "" writes
	// WPCLIStandIn into the task's directory.
	WPCLI string
	Port  int // nginx; 0 picks a free one
	// Replace, for benchmarks of what a file costs: image/nginx templates
	// ("security.conf.template" -> "" leaves the deny rules out) and
	// /usr/local/lib/wpfleet files ("wpfleet-hardening.php" -> "<?php").
	NginxTemplates map[string]string
	LibFiles       map[string]string
}

// Pool is a running task of a SitePool.
type Pool struct {
	Opts      PoolOptions
	Dir       string
	Port      int
	URL       string // http://127.0.0.1:PORT (nginx)
	FPMHealth string // 127.0.0.1:PORT of php-fpm's health pool
	SocketDir string // the php-fpm site sockets (a task volume on ECS)
	RunDir    string // WPFLEET_RUN_DIR
	LibDir    string // WPFLEET_LIB_DIR: copies of the image's /usr/local/lib/wpfleet files
	Env       map[string]string
	FPM       *Proc
	Nginx     *Proc
	Sync      *Proc
	bins      Binaries
	repo      string
}

// Salts returns the eight WordPress salts, random, 64 characters each.
func Salts() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"} {
		var b [48]byte
		_, _ = rand.Read(b[:])
		m[k] = base64.StdEncoding.EncodeToString(b[:])
	}
	return m
}

// SecretJSON is an ECS secret's value: the whole secret's JSON.
func SecretJSON(v map[string]string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// CodeRoot is WPFLEET_CODE_ROOT for the mode.
func (o PoolOptions) CodeRoot() string {
	if o.Mode == ModeLocal {
		return o.Local
	}
	return o.EFS
}

// SiteNames is WPFLEET_SITES.
func (o PoolOptions) SiteNames() string {
	names := make([]string, len(o.Sites))
	for i, s := range o.Sites {
		names[i] = s.Name
	}
	return strings.Join(names, " ")
}

// Site returns the named site.
func (p *Pool) Site(name string) PoolSite {
	for _, s := range p.Opts.Sites {
		if s.Name == name {
			return s
		}
	}
	panic("no site " + name)
}

// Home is the site's home URL: http://<first hostname>:<nginx port>.
func (p *Pool) Home(site string) string {
	return "http://" + p.Site(site).Hostnames[0] + ":" + strconv.Itoa(p.Port)
}

// StartPool starts the task's containers in the task definition's order:
// sync (local mode) until healthy, php until healthy, nginx until /healthz
// answers.
func StartPool(b Binaries, repo, dir string, o PoolOptions) (p *Pool, err error) {
	if o.Mode != ModeLocal && o.Mode != ModeEFS {
		return nil, fmt.Errorf("mode %q: want local or efs", o.Mode)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p = &Pool{Opts: o, Dir: dir, bins: b, repo: repo}
	defer func() {
		if err != nil {
			p.Stop()
		}
	}()
	if err := p.layout(); err != nil {
		return nil, err
	}
	if o.Mode == ModeLocal {
		if err := p.startSync(); err != nil {
			return nil, err
		}
	}
	if err := p.startFPM(); err != nil {
		return nil, err
	}
	if o.NoNginx {
		return p, nil
	}
	if err := p.startNginx(); err != nil {
		return nil, err
	}
	return p, nil
}

// layout picks ports, fills in defaults and writes the task's files: the
// image's /usr/local/lib/wpfleet files (copied, so that open_basedir sees
// them under LibDir), the WP-CLI stand-in and the test php.ini.
func (p *Pool) layout() (err error) {
	if p.Port = p.Opts.Port; p.Port == 0 {
		if p.Port, err = FreePort(); err != nil {
			return err
		}
	}
	health, err := FreePort()
	if err != nil {
		return err
	}
	p.FPMHealth = "127.0.0.1:" + strconv.Itoa(health)
	p.URL = "http://127.0.0.1:" + strconv.Itoa(p.Port)
	p.SocketDir = filepath.Join(p.Dir, "fpm-sockets")
	p.RunDir = filepath.Join(p.Dir, "run")
	p.LibDir = filepath.Join(p.Dir, "lib")
	for i := range p.Opts.Sites {
		s := &p.Opts.Sites[i]
		if len(s.Hostnames) == 0 {
			s.Hostnames = []string{s.Name + ".test"}
		}
		if s.Salts == nil {
			s.Salts = Salts()
		}
	}
	if err := os.MkdirAll(p.LibDir, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"wpfleet-platform.php", "wpfleet-hardening.php", "wpfleet-assets.php", "wpfleet-site-settings", "wpfleet-cron", "wpfleet-opcache", "wpfleet-opcache-api.php"} {
		b, err := os.ReadFile(filepath.Join(p.repo, "image/php", f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(p.LibDir, f), b, 0o644); err != nil {
			return err
		}
	}
	for f, content := range p.Opts.LibFiles {
		if err := os.WriteFile(filepath.Join(p.LibDir, f), []byte(content), 0o644); err != nil {
			return err
		}
	}
	if err := p.nginxTemplates(); err != nil {
		return err
	}
	for name, content := range S3UploadsStandIn("platform") {
		f := filepath.Join(p.LibDir, "s3-uploads", name)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			return err
		}
	}
	if p.Opts.WPCLI == "" {
		p.Opts.WPCLI = filepath.Join(p.LibDir, "wp-cli-stand-in.php")
		if err := os.WriteFile(p.Opts.WPCLI, []byte(WPCLIStandIn), 0o644); err != nil {
			return err
		}
	}
	if ini := p.Opts.testINI(); ini != "" {
		confd := filepath.Join(p.Dir, "php-conf.d")
		if err := os.MkdirAll(confd, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(confd, "zzz-test.ini"), []byte(ini+"\n"), 0o644); err != nil {
			return err
		}
	}
	p.Env = p.phpVars()
	return nil
}

// phpVars is the php container's environment as the task definition sets
// it (variables and ECS secrets).
func (p *Pool) phpVars() map[string]string {
	env := map[string]string{
		contract.EnvEnv: "test", contract.EnvSites: p.Opts.SiteNames(), contract.EnvCodeDelivery: p.Opts.Mode,
		contract.EnvCodeRoot: p.Opts.CodeRoot(), contract.EnvTaskCPU: "512", contract.EnvTaskMemoryMiB: "1024",
		contract.EnvRequestTimeout: "30", contract.EnvRegion: "ap-northeast-1", contract.EnvWPEnvironment: "staging",
		contract.EnvDBTLS: "true", contract.EnvCronInterval: "86400",
	}
	if p.Opts.DB != nil {
		env[contract.EnvDBHost] = p.Opts.DB.Addr()
	}
	for _, s := range p.Opts.Sites {
		v := func(suffix string) string { return contract.SiteEnv(s.Name, suffix) }
		env[v(contract.SiteHome)] = p.Home(s.Name)
		env[v(contract.SiteDBName)] = s.DBName
		env[v(contract.SiteBucket)] = "wpfleet-test-" + s.Name + "-uploads"
		env[v(contract.SiteDBSecret)] = SecretJSON(map[string]string{"username": s.DBUser, "password": s.DBPass, "engine": "mysql"})
		env[v(contract.SiteSaltsSecret)] = SecretJSON(s.Salts)
		for k, val := range s.Env {
			env[v(k)] = val
		}
	}
	for k, v := range p.Opts.Env {
		env[k] = v
	}
	for k, v := range env {
		if v == "" {
			delete(env, k)
		}
	}
	return env
}

// SyncEnv is the sync container's environment.
func (p *Pool) SyncEnv() []string {
	interval := p.Opts.SyncInterval
	if interval == 0 {
		interval = 2 * time.Second
	}
	env := BaseEnv()
	if p.Opts.SyncGrace > 0 {
		env = append(env, "WPFLEET_SYNC_GRACE="+p.Opts.SyncGrace.String())
	}
	return append(env,
		contract.EnvSites+"="+p.Opts.SiteNames(),
		contract.EnvSyncSource+"="+p.Opts.EFS,
		contract.EnvSyncDest+"="+p.Opts.Local,
		contract.EnvRequestTimeout+"="+p.Env[contract.EnvRequestTimeout],
		"WPFLEET_SYNC_INTERVAL="+interval.String(),
		"WPFLEET_SYNC_MIN_FREE_MIB=256",
	)
}

func (p *Pool) startSync() (err error) {
	p.Sync, err = Start("wpfleet-sync", filepath.Join(p.Dir, "sync.log"), p.SyncEnv(), p.Opts.SyncBin, "run")
	if err != nil {
		return err
	}
	// The task definition's dependsOn sync HEALTHY: the same health command.
	return WaitFor(p.Sync, 120*time.Second, "healthy sync agent", func() error {
		_, err := Run(p.SyncEnv(), p.Opts.SyncBin, "health")
		return err
	})
}

// PHPIniScanDir is PHP_INI_SCAN_DIR for the settings in use: Debian's
// extension files, then image/php/conf.d unless the seed's defaults are
// asked, then the test's own (testINI).
func (p *Pool) PHPIniScanDir(sapi string) string {
	dirs := []string{strings.Replace(p.bins.PHPConfD, "/fpm/", "/"+sapi+"/", 1)}
	if p.Opts.PHPSettings != "debian" {
		dirs = append(dirs, filepath.Join(p.repo, "image/php/conf.d"))
	}
	if p.Opts.testINI() != "" {
		dirs = append(dirs, filepath.Join(p.Dir, "php-conf.d"))
	}
	return strings.Join(dirs, ":")
}

func (o PoolOptions) testINI() string {
	ini := o.PHPIni
	if o.PHPSettings == "debian" {
		ini = "openssl.cafile = " + CABundlePath + "\n" + ini
	}
	return ini
}

// FPMEnv is the php container's environment plus what points the image's
// scripts at Debian's and the test's paths.
func (p *Pool) FPMEnv() []string { return p.fpmEnv(p.Env) }

func (p *Pool) fpmEnv(vars map[string]string) []string {
	env := BaseEnv()
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+vars[k])
	}
	_, port, _ := net.SplitHostPort(p.FPMHealth)
	return append(env,
		"WPFLEET_FPM_BIN="+p.bins.PHPFPM,
		"WPFLEET_FPM_CONF="+filepath.Join(p.repo, "image/php/php-fpm.conf"),
		"WPFLEET_FPM_PORT_BASE="+port,
		"WPFLEET_FPM_SOCKET_DIR="+p.SocketDir,
		"WPFLEET_FPM_SOCKET_GROUP="+strconv.Itoa(NginxWorkerGID),
		"WPFLEET_RUN_DIR="+p.RunDir,
		"WPFLEET_LIB_DIR="+p.LibDir,
		"WPFLEET_PHP_BIN="+p.bins.PHP,
		"WPFLEET_CRON_WP="+filepath.Join(p.repo, "image/php/wp"),
		"WP_CLI_PHAR="+p.Opts.WPCLI,
		"PHP_INI_SCAN_DIR="+p.PHPIniScanDir("fpm"),
	)
}

func (p *Pool) startFPM() (err error) {
	argv := append(append([]string{}, p.bins.Shell...), filepath.Join(p.repo, "image/php/wpfleet-php-entrypoint"), "php-fpm")
	if p.FPM, err = Start("php", filepath.Join(p.Dir, "php.log"), p.FPMEnv(), argv...); err != nil {
		return err
	}
	return WaitFor(p.FPM, 30*time.Second, "healthy php-fpm", func() error { return p.FPMHealthcheck() })
}

// FPMHealthcheck runs image/php/php-fpm-healthcheck, the php container's
// health check command.
func (p *Pool) FPMHealthcheck() error {
	host, port, _ := net.SplitHostPort(p.FPMHealth)
	argv := append(append([]string{}, p.bins.Shell...), filepath.Join(p.repo, "image/php/php-fpm-healthcheck"))
	_, err := Run(append(BaseEnv(), "WPFLEET_FPM_HOST="+host, "WPFLEET_FPM_PORT_BASE="+port), argv...)
	return err
}

// NginxEnv is the nginx container's environment.
func (p *Pool) NginxEnv() []string {
	_, port, _ := net.SplitHostPort(p.FPMHealth)
	env := append(BaseEnv(),
		contract.EnvSites+"="+p.Opts.SiteNames(),
		contract.EnvCodeRoot+"="+p.Opts.CodeRoot(),
		contract.EnvRequestTimeout+"="+p.Env[contract.EnvRequestTimeout],
		contract.EnvRealIPFrom+"=127.0.0.1/32",
		"WPFLEET_NGINX_LISTEN=127.0.0.1:"+strconv.Itoa(p.Port),
		"WPFLEET_NGINX_USER="+NginxWorkerUser,
		"WPFLEET_FPM_PORT_BASE="+port,
		"WPFLEET_FPM_SOCKET_DIR="+p.SocketDir,
		"WPFLEET_NGINX_RUN_DIR="+filepath.Join(p.Dir, "nginx-run"),
		"WPFLEET_NGINX_TEMPLATE_DIR="+p.templateDir(),
		"WPFLEET_NGINX_BIN="+p.bins.Nginx,
	)
	for _, s := range p.Opts.Sites {
		env = append(env, contract.SiteEnv(s.Name, contract.SiteHostnames)+"="+strings.Join(s.Hostnames, " "))
	}
	return env
}

// templateDir is image/nginx, or the task's copy with NginxTemplates.
func (p *Pool) templateDir() string {
	if len(p.Opts.NginxTemplates) == 0 {
		return filepath.Join(p.repo, "image/nginx")
	}
	return filepath.Join(p.Dir, "nginx-templates")
}

// nginxTemplates copies image/nginx's templates with NginxTemplates
// replaced, when there are any.
func (p *Pool) nginxTemplates() error {
	if len(p.Opts.NginxTemplates) == 0 {
		return nil
	}
	dir := p.templateDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src, err := filepath.Glob(filepath.Join(p.repo, "image/nginx/*.template"))
	if err != nil {
		return err
	}
	for _, f := range src {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if c, ok := p.Opts.NginxTemplates[filepath.Base(f)]; ok {
			b = []byte(c)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pool) startNginx() (err error) {
	argv := append(append([]string{}, p.bins.Shell...), filepath.Join(p.repo, "image/nginx/wpfleet-nginx-entrypoint"))
	if p.Nginx, err = Start("nginx", filepath.Join(p.Dir, "nginx.log"), p.NginxEnv(), argv...); err != nil {
		return err
	}
	// The nginx container's health check: GET /healthz on the listen port.
	return WaitFor(p.Nginx, 30*time.Second, "nginx /healthz", func() error {
		code, body, err := Get(p.URL+"/healthz", nil)
		if err != nil {
			return err
		}
		if code != 200 || strings.TrimSpace(body) != "ok" {
			return fmt.Errorf("/healthz: %d %q", code, body)
		}
		return nil
	})
}

// Stop stops the containers gracefully, nginx and php first, then the sync
// agent (ECS's reverse dependency order).
func (p *Pool) Stop() {
	for _, pr := range []*Proc{p.Nginx, p.FPM, p.Sync} {
		if pr != nil {
			_ = pr.Stop(syscall.SIGTERM, 20*time.Second)
		}
	}
}

// WP runs the image's wp wrapper as root for site with the php container's
// environment less its secrets (as ECS Exec or the cron runner would), with
// WP_CLI_PHAR the stand-in.
func (p *Pool) WP(site string, args ...string) (string, error) {
	vars := map[string]string{}
	for k, v := range p.Env {
		if !strings.HasSuffix(k, "_SECRET") {
			vars[k] = v
		}
	}
	vars[contract.EnvSite] = site
	env := append(p.fpmEnv(vars), "PHP_INI_SCAN_DIR="+p.PHPIniScanDir("cli"))
	argv := append(append(append([]string{}, p.bins.Shell...), filepath.Join(p.repo, "image/php/wp")), args...)
	return Run(env, argv...)
}

// RewriteSettings writes site's settings file again from the php container's
// environment with override ("" removes a variable), as a task started with
// those values would have it.
func (p *Pool) RewriteSettings(site string, override map[string]string) (string, error) {
	vars := map[string]string{}
	for k, v := range p.Env {
		vars[k] = v
	}
	for k, v := range override {
		if v == "" {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	uid := 0
	for i, s := range p.Opts.Sites {
		if s.Name == site {
			uid = contract.SiteUID(i)
		}
	}
	env := append(p.fpmEnv(vars), "PHP_INI_SCAN_DIR="+p.PHPIniScanDir("cli"))
	return Run(env, p.bins.PHP, filepath.Join(p.LibDir, "wpfleet-site-settings"), p.RunDir, site+":"+strconv.Itoa(uid))
}

var client = &http.Client{
	Timeout: 60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
	Transport: &http.Transport{DialContext: dialTest, MaxIdleConnsPerHost: 8},
}

// dialTest resolves every *.test host (the test sites' hostnames) to
// 127.0.0.1, the way DNS sends a site's hostnames to the load balancer.
func dialTest(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && strings.HasSuffix(host, ".test") {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// Get fetches url without following redirects; hdr adds request headers
// ("Host" sets the Host header).
func Get(url string, hdr map[string]string) (int, string, error) {
	resp, err := Do("GET", url, hdr, nil)
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, resp.Body, nil
}

// Response is a fetched response with its body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

// Do sends a request without following redirects.
func Do(method, url string, hdr map[string]string, body io.Reader) (*Response, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(b)}, nil
}

// HTTPClient is the tests' client: *.test resolves to 127.0.0.1, redirects
// are not followed.
func HTTPClient() *http.Client { return client }

// Job runs a batch job of site as its task definition does: the php
// entrypoint with the pool's php variables for that one site
// (WPFLEET_SITES=<site>, its secrets included) and the job's command, with
// a run directory of its own (a job is a task of its own).
func (p *Pool) Job(site string, command ...string) (string, error) {
	vars := map[string]string{}
	for k, v := range p.Env {
		if strings.HasPrefix(k, "WPFLEET_SITE_") && !strings.HasPrefix(k, "WPFLEET_SITE_"+contract.SiteKey(site)+"_") {
			continue
		}
		vars[k] = v
	}
	vars[contract.EnvSites] = site
	// The image has wp in /usr/local/bin.
	bin := filepath.Join(p.Dir, "job-bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return "", err
	}
	_ = os.Remove(filepath.Join(bin, "wp"))
	if err := os.Symlink(filepath.Join(p.repo, "image/php/wp"), filepath.Join(bin, "wp")); err != nil {
		return "", err
	}
	env := p.fpmEnv(vars)
	env = append(env, "WPFLEET_RUN_DIR="+filepath.Join(p.Dir, "job-run"), "PHP_INI_SCAN_DIR="+p.PHPIniScanDir("cli"),
		"PATH="+bin+":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	argv := append(append(append([]string{}, p.bins.Shell...), filepath.Join(p.repo, "image/php/wpfleet-php-entrypoint")), command...)
	return Run(env, argv...)
}
