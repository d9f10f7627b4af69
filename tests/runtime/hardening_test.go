package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/wpfleet/wpfleet/internal/contract"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// The web tier as an attacker meets it (issue 12, docs/security.md): a
// site whose repository left behind what repositories leave behind, served
// by nginx, php-fpm and WordPress on loopback, with the Host header of the
// site as the ALB sends it. 127.0.0.1 is the trusted proxy
// (WPFLEET_REAL_IP_FROM=127.0.0.1/32, as the ALB's VPC range is on ECS);
// requests from 127.0.0.2 come from an untrusted peer.

const (
	hardenSite = "harden"
	ranMarker  = "WPFLEET-RAN"  // printed by a PHP file that executed
	leakMarker = "WPFLEET-LEAK" // in every file's source: shown means leaked
)

// leftovers are files a repository, a build or an editor leaves in a
// release, none of which may be served: path -> content.
var leftovers = map[string]string{
	"composer.json":                  `{"name":"x/y","WPFLEET-LEAK":1}`,
	"composer.lock":                  `{"WPFLEET-LEAK":1}`,
	"vendor/composer/installed.json": `{"packages":[],"WPFLEET-LEAK":1}`,
	"wp-content/plugins/example/vendor/composer/installed.json": `{"WPFLEET-LEAK":1}`,
	"package.json":                  `{"WPFLEET-LEAK":1}`,
	"package-lock.json":             `{"WPFLEET-LEAK":1}`,
	"yarn.lock":                     "# WPFLEET-LEAK\n",
	"dump.sql":                      "-- WPFLEET-LEAK\nINSERT INTO wp_users VALUES (1,'admin','$P$x');\n",
	"wp-content/backup-2026.sql.gz": "WPFLEET-LEAK",
	"db/site.sqlite":                "WPFLEET-LEAK",
	"wp-config.php~":                "<?php define('DB_PASSWORD', 'WPFLEET-LEAK');",
	"wp-config.php.bak":             "<?php define('DB_PASSWORD', 'WPFLEET-LEAK');",
	"wp-config.php.save":            "<?php define('DB_PASSWORD', 'WPFLEET-LEAK');",
	"wp-config.php.swp":             "WPFLEET-LEAK",
	"wp-config.php.orig":            "WPFLEET-LEAK",
	"wp-config.old":                 "WPFLEET-LEAK",
	"index.php.orig":                "<?php // WPFLEET-LEAK",
	"wp-content/themes/twentytwentythree/functions.php~": "<?php // WPFLEET-LEAK",
	"wp-content/debug.log":                               "PHP Warning: WPFLEET-LEAK\n",
	"error_log":                                          "PHP Warning: WPFLEET-LEAK\n",
	"wp-admin/error_log":                                 "PHP Warning: WPFLEET-LEAK\n",
	"wp-content/plugins/example/error_log":               "PHP Warning: WPFLEET-LEAK\n",
	"wp-content/uploads/wc-logs/fatal-errors.log.1":      "WPFLEET-LEAK",
	"phpunit.xml":                                        "<phpunit><!-- WPFLEET-LEAK --></phpunit>",
	"wp-content/plugins/example/phpunit.xml.dist":        "<phpunit><!-- WPFLEET-LEAK --></phpunit>",
	"wp-content/plugins/example/readme.txt":              "=== Example ===\nStable tag: 1.2.3 WPFLEET-LEAK\n",
	"wp-content/plugins/example/README.md":               "# WPFLEET-LEAK\n",
	"wp-content/themes/twentytwentythree/CHANGELOG.md":   "WPFLEET-LEAK",
	"wp-content/plugins/example/Gruntfile.js":            "// WPFLEET-LEAK",
	"wp-content/plugins/example/config.yml":              "key: WPFLEET-LEAK",
	"deploy.sh":                                          "#!/bin/sh\n# WPFLEET-LEAK\n",
	"php.ini":                                            "; WPFLEET-LEAK",
	".htaccess":                                          "# WPFLEET-LEAK",
	"wp-content/uploads/.htaccess":                       "# WPFLEET-LEAK",
	"wp-content/plugins/example/templates/view.phtml":    "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"includes/settings.inc":                              "<?php $secret = 'WPFLEET-LEAK';",
	"wp-content/uploads/shell.PHP":                       "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-content/uploads/shell.php5":                      "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
}

// phpOutsideEntryPoints are PHP files that must not run (nor be shown)
// when asked for by URL: path -> content ("" for a file WordPress has).
var phpOutsideEntryPoints = map[string]string{
	"wp-config-local.php":                       "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"info.php":                                  "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-content/uploads/shell.php":              "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-content/uploads/2026/11/image.php":      "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-content/mu-plugins/tools/run.php":       "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-content/plugins/example/tests/boot.php": "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-content/plugins/example/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php": "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-content/themes/twentytwentythree/node_modules/pkg/x.php":                    "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	".well-known/x.php":          "<?php echo 'WPFLEET-RAN'; // WPFLEET-LEAK",
	"wp-load.php":                "",
	"wp-settings.php":            "",
	"wp-mail.php":                "",
	"wp-config-sample.php":       "",
	"wp-includes/version.php":    "",
	"wp-admin/includes/file.php": "",
}

// served are files a site needs served: path -> content ("" for a file
// WordPress has); each must answer 200.
var served = map[string]string{
	".well-known/security.txt": "Contact: mailto:security@example.com\n",
	"ads.txt":                  "example.com, pub-0, DIRECT\n",
	"wp-content/plugins/example/assets/app.js":      "console.log('ok');\n",
	"wp-content/plugins/example/vendor/lib/lib.js":  "console.log('ok');\n",
	"wp-content/plugins/example/ajax.php":           "<?php echo 'WPFLEET-RAN-ALLOWED';",
	"wp-content/themes/twentytwentythree/style.css": "",
	"wp-includes/js/tinymce/wp-tinymce.php":         "",
	"wpfleet-release.txt":                           "",
}

type hardened struct {
	pool, pool2 *wpstack.Pool
	dir         string
	site        wpstack.PoolSite
	adminPass   string
}

// startHardened publishes the site with the leftovers, starts two tasks of
// one pool serving it (efs mode, the layout read directly) and installs
// WordPress.
func startHardened(t *testing.T) *hardened {
	t.Helper()
	h := &hardened{dir: filepath.Join(env.tmp, "hardening")}
	backing := filepath.Join(h.dir, "efs-backing")
	extra := map[string]string{
		// A repository's PHP settings for its directory tree.
		".user.ini": "memory_limit = 1024M\ndisplay_errors = On\n",
	}
	for _, m := range []map[string]string{leftovers, phpOutsideEntryPoints, served} {
		for p, c := range m {
			if c != "" {
				extra[p] = c
			}
		}
	}
	id := wpstack.NewReleaseID()
	siteDir := filepath.Join(backing, hardenSite)
	if _, err := wpstack.BuildWordPressTreeWith(env.bins, siteDir, id, extra); err != nil {
		t.Fatal(err)
	}
	if err := wpstack.Publish(env.bins, siteDir, id); err != nil {
		t.Fatal(err)
	}
	h.site = newPoolSite(t, hardenSite)
	opts := wpstack.PoolOptions{Mode: wpstack.ModeEFS, EFS: backing, DB: env.db, Sites: []wpstack.PoolSite{h.site}}
	var err error
	if h.pool, err = wpstack.StartPool(env.bins, env.repo, filepath.Join(h.dir, "task"), opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.pool.Stop)
	h.site = h.pool.Site(hardenSite)
	h.adminPass = randomSecret(t)
	if err := h.pool.InstallWordPress(hardenSite, "wpfleet hardening", h.adminPass); err != nil {
		t.Fatal(err)
	}
	// Pretty permalinks, as sites have them (/wp-json/, /author/<name>/);
	// WordPress writes its rewrite rules again on the next request.
	if _, err := env.db.SQL("UPDATE `" + h.site.DBName + "`.wp_options SET option_value = '/%postname%/' WHERE option_name = 'permalink_structure';" +
		" DELETE FROM `" + h.site.DBName + "`.wp_options WHERE option_name = 'rewrite_rules'"); err != nil {
		t.Fatal(err)
	}
	// A second task of the same pool: same site, same database.
	opts.Sites = []wpstack.PoolSite{h.site}
	if h.pool2, err = wpstack.StartPool(env.bins, env.repo, filepath.Join(h.dir, "task2"), opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.pool2.Stop)
	return h
}

// home is the site's home URL on the first task.
func (h *hardened) home() string { return h.pool.Home(hardenSite) }

// TestHardening: every finding of issue 12 that the runtime answers, as a
// request to a running task.
func TestHardening(t *testing.T) {
	need(t)
	h := startHardened(t)
	t.Run("files a repository leaves behind are never served", func(t *testing.T) { checkLeftovers(t, h) })
	t.Run("PHP runs only at WordPress's entry points", func(t *testing.T) { checkPHPEntryPoints(t, h) })
	t.Run("forwarded headers count only from the trusted proxies", func(t *testing.T) { checkForwarded(t, h) })
	t.Run("origin secret and method overrides never reach PHP", func(t *testing.T) { checkDroppedHeaders(t, h) })
	t.Run("a repository's .user.ini is ignored", func(t *testing.T) { checkUserINI(t, h) })
	t.Run("users are not enumerable by visitors", func(t *testing.T) { checkEnumeration(t, h) })
	t.Run("one login error for a wrong user or password", func(t *testing.T) { checkLoginError(t, h) })
	t.Run("login attempts throttled per client address across tasks", func(t *testing.T) { checkThrottle(t, h) })
	t.Run("XML-RPC off unless enabled, and without pingbacks", func(t *testing.T) { checkXMLRPC(t, h) })
}

func checkLeftovers(t *testing.T, h *hardened) {
	paths := []string{"/readme.html", "/wp-content/plugins/akismet/readme.txt", "/wp-content/plugins/akismet/changelog.txt",
		"/vendor/composer/", "/.git/config", "/.env", "/.wpfleet-release", "/.user.ini", "/wp-config.php"}
	for p := range leftovers {
		paths = append(paths, "/"+p)
	}
	for _, p := range paths {
		resp, err := wpstack.Do("GET", h.home()+p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 404 || strings.Contains(resp.Body, leakMarker) || strings.Contains(resp.Body, ranMarker) ||
			strings.Contains(resp.Body, "Stable tag") || strings.Contains(resp.Body, "<title>WordPress") {
			t.Errorf("GET %s: %d %.120q, want a 404 from nginx", p, resp.StatusCode, resp.Body)
		}
	}
	for p := range served {
		resp, err := wpstack.Do("GET", h.home()+"/"+p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || (strings.HasSuffix(p, ".php") && strings.Contains(resp.Body, "<?php")) {
			t.Errorf("GET /%s: %d %.120q, want it served", p, resp.StatusCode, resp.Body)
		}
	}
	// Names that look like the denied ones but are WordPress routes still
	// reach WordPress (the test's must-use plugin names the release in a
	// header of every response WordPress makes).
	for _, p := range []string{"/license", "/history/", "/readme", "/robots.txt", "/hello-world/", "/?p=1"} {
		resp, err := wpstack.Do("GET", h.home()+p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("X-Wpfleet-Release") == "" {
			t.Errorf("GET %s: %d %.200q, want WordPress to answer", p, resp.StatusCode, resp.Body)
		}
	}
}

func checkPHPEntryPoints(t *testing.T, h *hardened) {
	paths := []string{"/wp-content/uploads/shell.php/x.php", "/wp-content/uploads/shell.php%00.jpg"}
	for p := range phpOutsideEntryPoints {
		paths = append(paths, "/"+p)
	}
	for _, p := range paths {
		resp, err := wpstack.Do("GET", h.home()+p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if (resp.StatusCode != 404 && resp.StatusCode != 400) || strings.Contains(resp.Body, ranMarker) || strings.Contains(resp.Body, "<?php") {
			t.Errorf("GET %s: %d %.120q, want 404 without running or showing it", p, resp.StatusCode, resp.Body)
		}
	}
	https := map[string]string{"X-Forwarded-Proto": "https"}
	for p, want := range map[string]int{"/": 200, "/index.php": 301, "/wp-login.php": 200, "/wp-admin/": 302, "/wp-admin/install.php": 200,
		"/wp-admin/admin-ajax.php": 400, "/wp-admin/load-styles.php?load=dashicons": 200, "/wp-signup.php": 302, "/wp-activate.php": 302,
		"/wp-content/plugins/example/ajax.php": 200, "/wp-content/plugins/akismet/akismet.php": 200} {
		resp, err := wpstack.Do("GET", h.home()+p, https, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d %.200q, want %d", p, resp.StatusCode, resp.Body, want)
		}
	}
}

// rawProbe is what RawProbePath (a PHP file that never loads WordPress)
// reports.
type rawProbe struct {
	Getenv  map[string]string `json:"getenv"`
	Server  map[string]any    `json:"server"`
	Env     map[string]any    `json:"env"`
	Headers map[string]string `json:"headers"`
	INI     map[string]string `json:"ini"`
	body    string
}

// server returns $_SERVER[k] as a string, and whether it is set.
func (r rawProbe) server(k string) (string, bool) {
	v, ok := r.Server[k]
	return fmt.Sprint(v), ok
}

// peerClient sends requests to the pool's nginx from the loopback address
// peer (Host and URL as given).
func peerClient(pool *wpstack.Pool, peer string) *http.Client {
	return &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(peer)}}
			return d.DialContext(ctx, network, "127.0.0.1:"+strconv.Itoa(pool.Port))
		}}}
}

// probeRaw fetches RawProbePath of site from peer with the headers (a
// header given as "A\x00B" is sent twice).
func probeRaw(t *testing.T, pool *wpstack.Pool, site, peer string, hdr map[string]string) rawProbe {
	t.Helper()
	req, err := http.NewRequest("GET", pool.Home(site)+wpstack.RawProbePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		for _, one := range strings.Split(v, "\x00") {
			req.Header.Add(k, one)
		}
	}
	resp, err := peerClient(pool, peer).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r rawProbe
	if resp.StatusCode != 200 || json.Unmarshal(b, &r) != nil {
		t.Fatalf("raw probe: %d %.400s", resp.StatusCode, b)
	}
	r.body = string(b)
	return r
}

func checkForwarded(t *testing.T, h *hardened) {
	claims := map[string]string{"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
		"X-Real-IP": "203.0.113.8", "Client-IP": "203.0.113.9", "Forwarded": "for=203.0.113.10;proto=https", "True-Client-IP": "203.0.113.11"}
	for _, c := range []struct {
		peer, addr, https, proto string
	}{
		// An untrusted peer: its claims count for nothing.
		{"127.0.0.2", "127.0.0.2", "", ""},
		// The trusted proxy (the ALB): the address it appended is the
		// client's, its X-Forwarded-Proto is the scheme.
		{"127.0.0.1", "203.0.113.7", "on", "https"},
	} {
		r := probeRaw(t, h.pool, hardenSite, c.peer, claims)
		addr, _ := r.server("REMOTE_ADDR")
		xff, _ := r.server("HTTP_X_FORWARDED_FOR")
		https, _ := r.server("HTTPS")
		if _, set := r.Server["HTTPS"]; !set {
			https = ""
		}
		proto, _ := r.server("HTTP_X_FORWARDED_PROTO")
		if _, set := r.Server["HTTP_X_FORWARDED_PROTO"]; !set {
			proto = ""
		}
		if addr != c.addr || xff != c.addr || https != c.https || proto != c.proto {
			t.Errorf("from %s: REMOTE_ADDR %q X-Forwarded-For %q HTTPS %q X-Forwarded-Proto %q, want %q %q %q %q",
				c.peer, addr, xff, https, proto, c.addr, c.addr, c.https, c.proto)
		}
		for _, k := range []string{"HTTP_X_FORWARDED_HOST", "HTTP_X_REAL_IP", "HTTP_CLIENT_IP", "HTTP_FORWARDED", "HTTP_TRUE_CLIENT_IP"} {
			if v, set := r.server(k); set {
				t.Errorf("from %s: PHP got %s = %q", c.peer, k, v)
			}
		}
		if strings.Contains(r.body, "evil.example") {
			t.Errorf("from %s: the claimed host reached PHP", c.peer)
		}
	}
}

func checkDroppedHeaders(t *testing.T, h *hardened) {
	secret := "origin-" + randomSecret(t)
	r := probeRaw(t, h.pool, hardenSite, "127.0.0.1", map[string]string{
		originHeader(t): secret + "\x00" + secret + "-previous", "X-HTTP-Method-Override": "DELETE", "X-HTTP-Method": "PUT", "X-Method-Override": "PATCH"})
	if strings.Contains(r.body, secret) {
		t.Errorf("the origin secret reached PHP (getenv, $_SERVER, $_ENV or getallheaders): %.600s", r.body)
	}
	for _, k := range []string{"HTTP_X_ORIGIN_VERIFY", "HTTP_X_HTTP_METHOD_OVERRIDE", "HTTP_X_HTTP_METHOD", "HTTP_X_METHOD_OVERRIDE"} {
		if v, set := r.server(k); set {
			t.Errorf("PHP got %s = %q", k, v)
		}
	}
	if m, _ := r.server("REQUEST_METHOD"); m != "GET" {
		t.Errorf("REQUEST_METHOD %q", m)
	}
	// The cached page path answers the same with or without an override.
	plain, err := wpstack.Do("GET", h.home()+"/?rest_route=/wp/v2/posts", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"POST", "DELETE"} {
		over, err := wpstack.Do("GET", h.home()+"/?rest_route=/wp/v2/posts", map[string]string{"X-HTTP-Method-Override": m}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if over.StatusCode != plain.StatusCode || over.Body != plain.Body {
			t.Errorf("/?rest_route=/wp/v2/posts with X-HTTP-Method-Override: %s: %d %.200q, without: %d %.200q",
				m, over.StatusCode, over.Body, plain.StatusCode, plain.Body)
		}
	}
}

// originHeader is the header CloudFront sends the origin secret in
// (contract.OriginHeader, the name the ALB rules require, so that a rename there
// fails here).
func originHeader(t *testing.T) string {
	t.Helper()
	fastcgi, err := os.ReadFile(filepath.Join(env.repo, "image/nginx/fastcgi.conf.template"))
	if err != nil {
		t.Fatal(err)
	}
	param := "HTTP_" + strings.ToUpper(strings.ReplaceAll(contract.OriginHeader, "-", "_"))
	if !regexp.MustCompile(`(?m)^fastcgi_param\s+` + param + `\s+""`).Match(fastcgi) {
		t.Errorf("fastcgi.conf.template does not drop %s (the origin secret's header %s)", param, contract.OriginHeader)
	}
	return contract.OriginHeader
}

func checkUserINI(t *testing.T, h *hardened) {
	r := probeRaw(t, h.pool, hardenSite, "127.0.0.1", nil)
	if r.INI["memory_limit"] == "1024M" || r.INI["display_errors"] == "1" || r.INI["user_ini.filename"] != "" {
		t.Errorf("PHP settings under a repository's .user.ini: %v, want memory_limit 256M, display_errors off, user_ini.filename empty", r.INI)
	}
}

// TestHardeningHelpers: the must-use plugin's pure helpers, in PHP without
// WordPress.
func TestHardeningHelpers(t *testing.T) {
	php, err := exec.LookPath("php")
	if err != nil {
		if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
			t.Fatal("php (Debian package php-cli) is missing")
		}
		t.Skip("php (Debian package php-cli) is missing")
	}
	repo, err := wpstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	code := `require $argv[1];
use function WPFleet\Hardening\{client_key, is_credential_error, without_pingbacks, retry_after};
$out = [];
foreach (['203.0.113.7', '2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:3::1', '::ffff:198.51.100.4', '::1', 'x', '', '1.2.3', '203.0.113.7, 10.0.0.1'] as $a) {
	$out[] = $a . ' => ' . var_export(client_key($a), true);
}
$out[] = implode(',', array_map(fn($c) => $c . '=' . (is_credential_error($c) ? 'y' : 'n'), ['invalid_username', 'invalid_email', 'incorrect_password', 'empty_password', 'wpfleet_login_throttled']));
$out[] = implode(',', array_keys(without_pingbacks(['wp.getUsersBlogs' => 1, 'pingback.ping' => 1, 'pingback.extensions.getPingbacks' => 1])));
$out[] = retry_after(1000, 1000) . ' ' . retry_after(1000, 1899) . ' ' . retry_after(1000, 5000);
echo implode("\n", $out), "\n";`
	out, err := exec.Command(php, "-r", code, filepath.Join(repo, "image/php/wpfleet-hardening.php")).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := `203.0.113.7 => '203.0.113.7'
2001:db8:1:2::1 => '2001:db8:1:2::/64'
2001:db8:1:2:ffff:ffff:ffff:ffff => '2001:db8:1:2::/64'
2001:db8:1:3::1 => '2001:db8:1:3::/64'
::ffff:198.51.100.4 => '198.51.100.4'
::1 => '::/64'
x => NULL
 => NULL
1.2.3 => NULL
203.0.113.7, 10.0.0.1 => NULL
invalid_username=y,invalid_email=y,incorrect_password=y,empty_password=n,wpfleet_login_throttled=n
wp.getUsersBlogs
900 1 1
`
	if string(out) != want {
		t.Errorf("helpers:\n%s\nwant:\n%s", out, want)
	}
}
