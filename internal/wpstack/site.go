package wpstack

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Code delivery modes (WPFLEET_CODE_DELIVERY).
const (
	ModeLocal = "local"
	ModeEFS   = "efs"
)

// PlatformConfigPath is where the stub in every release looks for the
// platform configuration; the php image puts image/php/wp-config.php there.
const PlatformConfigPath = "/etc/wpfleet/wp-config.php"

// InstallPlatformConfig installs what the php image puts into /etc/wpfleet
// (needs root): image/php/wp-config.php as /etc/wpfleet/wp-config.php, and
// the CA bundle PHP trusts (InstallCABundle: the system's CAs plus
// DatabaseCA, which signs the test databases' certificates, in place of the
// RDS CAs). It returns a function that puts back what was there before.
func InstallPlatformConfig(repo string) (restore func(), err error) {
	b, err := os.ReadFile(filepath.Join(repo, "image/php/wp-config.php"))
	if err != nil {
		return nil, err
	}
	restoreCA, err := InstallCABundle(repo)
	if err != nil {
		return nil, err
	}
	old, readErr := os.ReadFile(PlatformConfigPath)
	if err := os.WriteFile(PlatformConfigPath, b, 0o644); err != nil {
		restoreCA()
		return nil, fmt.Errorf("install %s (needs root): %w", PlatformConfigPath, err)
	}
	return func() {
		if readErr == nil {
			_ = os.WriteFile(PlatformConfigPath, old, 0o644)
		} else {
			_ = os.Remove(PlatformConfigPath)
		}
		restoreCA()
	}, nil
}

// SiteOptions describes one site's task: nginx, php-fpm and, in local mode,
// the sync agent, as the ECS task definition runs them.
type SiteOptions struct {
	Name string
	Mode string // ModeLocal or ModeEFS
	// EFS is what the task sees at /mnt/efs: the site directory of the
	// layout, usually through a slowfs mount.
	EFS string
	// Local is the task-local directory (/var/www/wpfleet) in local mode.
	Local string
	// SyncBin is the built wpfleet-sync (local mode).
	SyncBin      string
	SyncInterval time.Duration
	SyncGrace    time.Duration // 0: the agent's default (request timeout + 30 s)
	// Env are the task definition's variables and secrets (see SiteEnv);
	// WP_HOME, WPFLEET_WEB_ROOT and WPFLEET_CODE_DELIVERY are filled in.
	Env map[string]string
	// PHPSettings: "" for image/php/conf.d (wpfleet's), "debian" for the
	// distribution's defaults (how the seed ran) plus the one setting the
	// platform's wp-config.php needs with DB_TLS=true (openssl.cafile).
	PHPSettings string
	// PHPIni are php.ini lines read after all others (php-fpm and the cron
	// run), for tests of a broken image, e.g. "openssl.cafile = /nonexistent".
	PHPIni string
	// Port for nginx; 0 picks a free one.
	Port int
}

// Site is a running task.
type Site struct {
	Opts    SiteOptions
	Dir     string
	URL     string // http://127.0.0.1:PORT
	Port    int
	FPMAddr string
	Env     map[string]string
	FPM     *Proc
	Nginx   *Proc
	Sync    *Proc
	bins    Binaries
	repo    string
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

// SiteEnv returns the environment the task definition gives the php
// container: variables, plus the secrets ECS injects (DB_USER, DB_PASSWORD,
// salts).
func SiteEnv(site string, db *MariaDB, dbName, dbUser, dbPassword string) map[string]string {
	env := map[string]string{
		"WP_ENVIRONMENT_TYPE":             "staging",
		"WPFLEET_SITE":                    site,
		"WPFLEET_ENV":                     "test",
		"DB_HOST":                         db.Addr(),
		"DB_NAME":                         dbName,
		"DB_USER":                         dbUser,
		"DB_PASSWORD":                     dbPassword,
		"DB_TLS":                          "true",
		"S3_UPLOADS_BUCKET":               "wpfleet-test-" + site + "-uploads",
		"S3_UPLOADS_REGION":               "ap-northeast-1",
		"DISABLE_WP_CRON":                 "true",
		"DISALLOW_FILE_MODS":              "true",
		"FORCE_SSL_ADMIN":                 "true",
		"WPFLEET_TASK_MEMORY_MIB":         "1024",
		"WPFLEET_TASK_CPU":                "512",
		"WPFLEET_REQUEST_TIMEOUT_SECONDS": "30",
		"WPFLEET_REAL_IP_FROM":            "127.0.0.1/32",
	}
	for k, v := range Salts() {
		env[k] = v
	}
	return env
}

// WebRoot is WPFLEET_WEB_ROOT for a mode.
func (o SiteOptions) WebRoot() string {
	if o.Mode == ModeLocal {
		return filepath.Join(o.Local, "current")
	}
	return filepath.Join(o.EFS, "current")
}

// StartSite starts the task's containers in the task definition's order:
// sync (local mode) until healthy, php-fpm until healthy, nginx until
// /healthz answers.
func StartSite(b Binaries, repo, dir string, o SiteOptions) (s *Site, err error) {
	if o.Mode != ModeLocal && o.Mode != ModeEFS {
		return nil, fmt.Errorf("mode %q: want local or efs", o.Mode)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s = &Site{Opts: o, Dir: dir, bins: b, repo: repo}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if s.Port = o.Port; s.Port == 0 {
		if s.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	fpmPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	s.FPMAddr = "127.0.0.1:" + strconv.Itoa(fpmPort)
	s.URL = "http://127.0.0.1:" + strconv.Itoa(s.Port)
	s.Env = map[string]string{}
	for k, v := range o.Env {
		s.Env[k] = v
	}
	if _, ok := s.Env["WP_HOME"]; !ok {
		s.Env["WP_HOME"] = s.URL
		s.Env["WP_SITEURL"] = s.URL
	}
	s.Env["WPFLEET_CODE_DELIVERY"] = o.Mode
	s.Env["WPFLEET_WEB_ROOT"] = o.WebRoot()
	if ini := o.testINI(); ini != "" {
		confd := filepath.Join(dir, "php-conf.d")
		if err := os.MkdirAll(confd, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(confd, "zzz-test.ini"), []byte(ini+"\n"), 0o644); err != nil {
			return nil, err
		}
	}

	if o.Mode == ModeLocal {
		if err := s.startSync(); err != nil {
			return nil, err
		}
	}
	if err := s.startFPM(); err != nil {
		return nil, err
	}
	if err := s.startNginx(); err != nil {
		return nil, err
	}
	return s, nil
}

// SyncEnv is the sync container's environment.
func (s *Site) SyncEnv() []string {
	interval := s.Opts.SyncInterval
	if interval == 0 {
		interval = 2 * time.Second
	}
	env := BaseEnv()
	if s.Opts.SyncGrace > 0 {
		env = append(env, "WPFLEET_SYNC_GRACE="+s.Opts.SyncGrace.String())
	}
	return append(env,
		"WPFLEET_SYNC_SOURCE="+s.Opts.EFS,
		"WPFLEET_SYNC_DEST="+s.Opts.Local,
		"WPFLEET_SYNC_INTERVAL="+interval.String(),
		"WPFLEET_REQUEST_TIMEOUT_SECONDS="+s.Env["WPFLEET_REQUEST_TIMEOUT_SECONDS"],
		"WPFLEET_SYNC_MIN_FREE_MIB=256",
	)
}

func (s *Site) startSync() (err error) {
	s.Sync, err = Start("wpfleet-sync", filepath.Join(s.Dir, "sync.log"), s.SyncEnv(), s.Opts.SyncBin, "run")
	if err != nil {
		return err
	}
	// The task definition's dependsOn sync HEALTHY: the same health command.
	return WaitFor(s.Sync, 120*time.Second, "healthy sync agent", func() error {
		_, err := Run(s.SyncEnv(), s.Opts.SyncBin, "health")
		return err
	})
}

// PHPIniScanDir is PHP_INI_SCAN_DIR for the settings in use: Debian's
// extension files, then image/php/conf.d unless the seed's defaults are
// asked, then the site's own (testINI).
func (s *Site) PHPIniScanDir(sapi string) string {
	dirs := []string{strings.Replace(s.bins.PHPConfD, "/fpm/", "/"+sapi+"/", 1)}
	if s.Opts.PHPSettings != "debian" {
		dirs = append(dirs, filepath.Join(s.repo, "image/php/conf.d"))
	}
	if s.Opts.testINI() != "" {
		dirs = append(dirs, filepath.Join(s.Dir, "php-conf.d"))
	}
	return strings.Join(dirs, ":")
}

// testINI is what the site reads after the image's settings: PHPIni, and
// with the seed's settings the CA bundle (image/php/conf.d is not read).
func (o SiteOptions) testINI() string {
	ini := o.PHPIni
	if o.PHPSettings == "debian" {
		ini = "openssl.cafile = " + CABundlePath + "\n" + ini
	}
	return ini
}

// FPMEnv is the php container's environment plus what points the image's
// scripts at Debian's paths.
func (s *Site) FPMEnv() []string { return s.fpmEnv(s.Env) }

func (s *Site) fpmEnv(vars map[string]string) []string {
	env := BaseEnv()
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+vars[k])
	}
	return append(env,
		"WPFLEET_FPM_BIN="+s.bins.PHPFPM,
		"WPFLEET_FPM_CONF="+filepath.Join(s.repo, "image/php/php-fpm.conf"),
		"WPFLEET_FPM_LISTEN="+s.FPMAddr,
		"PHP_INI_SCAN_DIR="+s.PHPIniScanDir("fpm"),
	)
}

func (s *Site) startFPM() (err error) {
	argv := append(append([]string{}, s.bins.Shell...), filepath.Join(s.repo, "image/php/wpfleet-php-entrypoint"), "php-fpm")
	if s.FPM, err = Start("php-fpm", filepath.Join(s.Dir, "php-fpm.log"), s.FPMEnv(), argv...); err != nil {
		return err
	}
	return WaitFor(s.FPM, 30*time.Second, "healthy php-fpm", func() error { return s.FPMHealthcheck() })
}

// FPMHealthcheck runs image/php/php-fpm-healthcheck, the php container's
// health check command.
func (s *Site) FPMHealthcheck() error {
	argv := append(append([]string{}, s.bins.Shell...), filepath.Join(s.repo, "image/php/php-fpm-healthcheck"))
	_, err := Run(append(BaseEnv(), "WPFLEET_FPM_LISTEN="+s.FPMAddr), argv...)
	return err
}

// NginxEnv is the nginx container's environment.
func (s *Site) NginxEnv() []string {
	return append(BaseEnv(),
		"WPFLEET_WEB_ROOT="+s.Env["WPFLEET_WEB_ROOT"],
		"WPFLEET_CODE_DELIVERY="+s.Env["WPFLEET_CODE_DELIVERY"],
		"WP_HOME="+s.Env["WP_HOME"],
		"WPFLEET_REQUEST_TIMEOUT_SECONDS="+s.Env["WPFLEET_REQUEST_TIMEOUT_SECONDS"],
		"WPFLEET_REAL_IP_FROM="+s.Env["WPFLEET_REAL_IP_FROM"],
		"WPFLEET_NGINX_LISTEN=127.0.0.1:"+strconv.Itoa(s.Port),
		"WPFLEET_FPM_ADDR="+s.FPMAddr,
		"WPFLEET_NGINX_RUN_DIR="+filepath.Join(s.Dir, "nginx-run"),
		"WPFLEET_NGINX_TEMPLATE="+filepath.Join(s.repo, "image/nginx/nginx.conf.template"),
		"WPFLEET_NGINX_BIN="+s.bins.Nginx,
	)
}

func (s *Site) startNginx() (err error) {
	argv := append(append([]string{}, s.bins.Shell...), filepath.Join(s.repo, "image/nginx/wpfleet-nginx-entrypoint"))
	if s.Nginx, err = Start("nginx", filepath.Join(s.Dir, "nginx.log"), s.NginxEnv(), argv...); err != nil {
		return err
	}
	// The nginx container's health check: GET /healthz on the listen port.
	return WaitFor(s.Nginx, 30*time.Second, "nginx /healthz", func() error {
		code, body, err := Get(s.URL+"/healthz", nil)
		if err != nil {
			return err
		}
		if code != 200 || strings.TrimSpace(body) != "ok" {
			return fmt.Errorf("/healthz: %d %q", code, body)
		}
		return nil
	})
}

// Stop stops the containers gracefully, nginx and php-fpm first, then the
// sync agent (ECS's reverse dependency order).
func (s *Site) Stop() {
	for _, p := range []*Proc{s.Nginx, s.FPM, s.Sync} {
		if p != nil {
			_ = p.Stop(syscall.SIGTERM, 20*time.Second)
		}
	}
}

var client = &http.Client{
	Timeout: 60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Get fetches url without following redirects; hdr adds request headers.
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
