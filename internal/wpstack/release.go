package wpstack

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Stub is the wp-config.php every release root holds. It is the stub of
// docs/release-layout.md plus the line that loads wp-settings.php, which
// WP-CLI requires to find in wp-config.php itself (image/README.md).
const Stub = `<?php
// Written by the wpfleet release job. Configuration comes from the platform, not the repository.
require '/etc/wpfleet/wp-config.php';
require_once ABSPATH . 'wp-settings.php';
`

// NewReleaseID returns an id in the contract's format:
// <UTC time YYYYMMDDTHHMMSSZ>-<12 hex digits>.
func NewReleaseID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// StageDir is where a release tree is built before Publish moves it into
// place: .wpfleet/tmp/<id> under the site directory, as the release job does.
func StageDir(siteDir, id string) string {
	return filepath.Join(siteDir, ".wpfleet", "tmp", id)
}

// The test fixtures that run PHP, where a plugin keeps its own entry points
// (nginx runs PHP at WordPress's entry points only; docs/security.md).
const (
	// EnvProbePath loads WordPress and reports what a request sees.
	EnvProbePath = "/wp-content/plugins/wpfleet-test/env.php"
	// RawProbePath never loads WordPress: its environment, request
	// variables, headers and PHP settings as any PHP file sees them.
	RawProbePath = "/wp-content/plugins/wpfleet-test/raw.php"
	// SlowPath answers "start" at once and "done" after ?ms= milliseconds.
	SlowPath = "/wp-content/plugins/wpfleet-test/slow.php"
)

// BuildWordPressTree copies Debian's WordPress into StageDir(siteDir, id)
// with symlinks resolved (Debian links some libraries from /usr/share),
// replaces wp-config.php with the stub and adds the test fixtures: a
// must-use plugin naming the release in a response header and the footer
// and enqueueing two stylesheets (ChangedCSS, UnchangedCSS), a static
// marker file, a slow request, an environment probe, and the files nginx
// must never serve.
func BuildWordPressTree(b Binaries, siteDir, id string) (string, error) {
	return BuildWordPressTreeWith(b, siteDir, id, nil)
}

// BuildWordPressTreeWith is BuildWordPressTree plus extra files (path in the
// tree -> content), what a site's repository brings.
//
// Debian's WordPress is copied once per site directory (symlinks resolved)
// into .wpfleet/template; each release's tree is a hard-linked copy of it
// (files of a release never change) with its own fixture files written as
// new files, so that publishing many releases stays quick.
func BuildWordPressTreeWith(b Binaries, siteDir, id string, extra map[string]string) (string, error) {
	tree := StageDir(siteDir, id)
	if err := os.MkdirAll(filepath.Dir(tree), 0o755); err != nil {
		return "", err
	}
	template, err := wordPressTemplate(b, siteDir)
	if err != nil {
		return "", err
	}
	if _, err := Run(BaseEnv(), "cp", "-al", template, tree); err != nil {
		return "", err
	}
	files := map[string]string{
		"wp-config.php": Stub,
		"wp-content/mu-plugins/wpfleet-test-release.php": fmt.Sprintf(muPlugin, id),
		ChangedCSS:            "/* wpfleet test: changes with every release: " + id + " */\nbody { --wpfleet-test-release: \"" + id + "\"; }\n",
		UnchangedCSS:          "/* wpfleet test: the same in every release */\nbody { --wpfleet-test: 1; }\n",
		"wpfleet-release.txt": id + "\n",
		EnvProbePath[1:]:      envProbe,
		RawProbePath[1:]:      rawProbe,
		SlowPath[1:]:          slowPHP,
		".git/HEAD":           "ref: refs/heads/main\n",
		".git/config":         "[core]\n\tbare = false\n# wpfleet-test-git-config\n",
		".env":                "WPFLEET_TEST_DOTENV=1\n",
	}
	for name, content := range extra {
		files[name] = content
	}
	for name, content := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		// A new file, never a write through a hard link into the template.
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return "", err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return tree, nil
}

// Stylesheets the test release's must-use plugin enqueues on every page:
// one whose content changes with every release, one that never changes.
const (
	ChangedCSS   = "wp-content/mu-plugins/wpfleet-test/changed.css"
	UnchangedCSS = "wp-content/mu-plugins/wpfleet-test/unchanged.css"
)

// wordPressTemplate returns siteDir/.wpfleet/template, Debian's WordPress
// with symlinks resolved (Debian links some libraries from /usr/share) and
// without its wp-config.php, copying it there the first time.
func wordPressTemplate(b Binaries, siteDir string) (string, error) {
	template := filepath.Join(siteDir, ".wpfleet", "template")
	if _, err := os.Stat(template); err == nil {
		return template, nil
	}
	tmp := template + ".tmp"
	_ = os.RemoveAll(tmp)
	if _, err := Run(BaseEnv(), "cp", "-rL", b.WordPress, tmp); err != nil {
		return "", err
	}
	if err := os.Remove(filepath.Join(tmp, "wp-config.php")); err != nil && !os.IsNotExist(err) {
		return "", err
	}
	return template, os.Rename(tmp, template)
}

// Publish moves the staged tree StageDir(siteDir, id) into the layout of
// docs/release-layout.md, in the contract's order: manifest, artifact
// (tar --format=posix | zstd) and checksum renamed into artifacts/, tree
// renamed to releases/<id>, then the pointer switched with one rename.
func Publish(b Binaries, siteDir, id string) error {
	tree := StageDir(siteDir, id)
	tmp := filepath.Dir(tree)
	for _, d := range []string{"releases", "artifacts"} {
		if err := os.MkdirAll(filepath.Join(siteDir, d), 0o755); err != nil {
			return err
		}
	}
	files, bytes, err := treeSize(tree)
	if err != nil {
		return err
	}
	manifest := map[string]any{
		"id": id, "site": filepath.Base(siteDir), "ref": "main", "commit": strings.Repeat(id[len(id)-12:], 4)[:40],
		"created": time.Now().UTC().Format(time.RFC3339), "artifact": "artifacts/" + id + ".tar.zst",
		"files": files, "bytes": bytes,
	}
	if err := writeJSON(filepath.Join(tree, ".wpfleet-release"), manifest); err != nil {
		return err
	}
	art := filepath.Join(tmp, id+".tar.zst")
	script := `tar --format=posix --pax-option=delete=atime,delete=ctime --numeric-owner --sort=name -C "$1" -cf - . | zstd -q -T0 -3 -o "$2"`
	if _, err := Run(BaseEnv(), "/bin/sh", "-ec", script, "sh", tree, art); err != nil {
		return err
	}
	sum, err := fileSHA256(art)
	if err != nil {
		return err
	}
	if err := os.WriteFile(art+".sha256", []byte(sum+"  "+id+".tar.zst\n"), 0o644); err != nil {
		return err
	}
	manifest["sha256"] = sum
	if err := writeJSON(filepath.Join(tree, ".wpfleet-release"), manifest); err != nil {
		return err
	}
	if err := os.Rename(art, filepath.Join(siteDir, "artifacts", id+".tar.zst")); err != nil {
		return err
	}
	if err := os.Rename(art+".sha256", filepath.Join(siteDir, "artifacts", id+".tar.zst.sha256")); err != nil {
		return err
	}
	if err := os.Rename(tree, filepath.Join(siteDir, "releases", id)); err != nil {
		return err
	}
	return SwitchPointer(siteDir, id)
}

// SwitchPointer points siteDir/current at releases/<id> with one rename.
func SwitchPointer(siteDir, id string) error {
	tmpLink := filepath.Join(siteDir, "current.tmp-"+id)
	_ = os.Remove(tmpLink)
	if err := os.Symlink("releases/"+id, tmpLink); err != nil {
		return err
	}
	return os.Rename(tmpLink, filepath.Join(siteDir, "current"))
}

func treeSize(root string) (files, bytes int64, err error) {
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			files++
			bytes += fi.Size()
		}
		return nil
	})
	return files, bytes, err
}

func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(b, '\n'), 0o644)
}

const muPlugin = `<?php
// Test fixture (tests/runtime): names the release that served the request
// (the code of the release itself, beside the platform's X-Wpfleet-Release)
// and enqueues two stylesheets of the release, one that changes with every
// release and one that never does.
const WPFLEET_TEST_RELEASE = '%s';
if (!headers_sent()) {
	header('X-Test-Release: ' . WPFLEET_TEST_RELEASE);
	header('X-Test-Abspath: ' . ABSPATH);
}
add_action('wp_footer', static function () {
	echo '<!-- wpfleet-release:' . WPFLEET_TEST_RELEASE . ' -->';
});
// No mail leaves the tests: every message counts as sent.
add_filter('pre_wp_mail', '__return_true');
add_action('wp_enqueue_scripts', static function () {
	wp_enqueue_style('wpfleet-test-changed', content_url('mu-plugins/wpfleet-test/changed.css'), [], '1.0');
	wp_enqueue_style('wpfleet-test-unchanged', content_url('mu-plugins/wpfleet-test/unchanged.css'), [], '1.0');
});
add_action('wpfleet_test_event', static function () {
	update_option('wpfleet_test_event_ran', (string) time());
});
// The cron tests: a run that takes a while and counts itself (atomically,
// in the database the tasks share), one that never ends, one that fails.
add_action('wpfleet_test_counted_event', static function () {
	global $wpdb;
	$wpdb->query("INSERT INTO {$wpdb->options} (option_name, option_value, autoload) VALUES ('wpfleet_test_runs', '1', 'no') ON DUPLICATE KEY UPDATE option_value = option_value + 1");
	sleep(2);
});
add_action('wpfleet_test_stuck_event', static function () {
	sleep(3600);
});
add_action('wpfleet_test_fatal_event', static function () {
	throw new RuntimeException('wpfleet test: this cron event fails');
});
`

const envProbe = `<?php
// Test fixture (tests/runtime): what a request sees once WordPress has loaded
// the platform configuration.
require dirname(__DIR__, 3) . '/wp-load.php';
if (isset($_GET['activate'])) {
	update_option('active_plugins', $_GET['activate'] === '' ? [] : [$_GET['activate']]);
}
if (isset($_GET['schedule'])) {
	$hooks = ['1' => 'wpfleet_test_event', 'counted' => 'wpfleet_test_counted_event', 'stuck' => 'wpfleet_test_stuck_event', 'fatal' => 'wpfleet_test_fatal_event'];
	wp_schedule_single_event(time() - 60, $hooks[$_GET['schedule']] ?? 'wpfleet_test_event');
}
header('Content-Type: application/json');
$status = function_exists('opcache_get_status') ? @opcache_get_status(false) : false;
// What this site's PHP can reach of its own secrets and of another site's
// (?other=SITE&socket=PATH): every value of getenv(), $_SERVER and $_ENV
// is searched for the database password and the first salt.
$secrets = array_filter([DB_PASSWORD, AUTH_KEY]);
$leaks = [];
foreach (['getenv' => getenv(), '_SERVER' => $_SERVER, '_ENV' => $_ENV] as $where => $vars) {
	foreach ($vars as $k => $v) {
		foreach ($secrets as $secret) {
			if (is_string($v) && str_contains($v, $secret)) {
				$leaks[] = "$where[$k]";
			}
		}
		if (preg_match('/SECRET|PASSWORD|AUTH_KEY|_SALT/', (string) $k)) {
			$leaks[] = "$where[$k] (name)";
		}
	}
}
$other = [];
if (isset($_GET['other'])) {
	$f = getenv('WPFLEET_RUN_DIR') . '/sites/' . basename($_GET['other']) . '/settings.json';
	$other['settings_read'] = @file_get_contents($f) !== false;
	$other['settings_error'] = error_get_last()['message'] ?? '';
	error_clear_last();
	$other['own_settings_read'] = @file_get_contents(getenv('WPFLEET_RUN_DIR') . '/sites/' . getenv('WPFLEET_SITE') . '/settings.json') !== false;
}
if (isset($_GET['socket'])) {
	$c = @stream_socket_client('unix://' . $_GET['socket'], $errno, $errstr, 2);
	$other['socket_connected'] = $c !== false;
	$other['socket_error'] = $c === false ? "$errno $errstr " . (error_get_last()['message'] ?? '') : '';
	error_clear_last();
}
if (isset($_GET['reset'])) {
	$other['opcache_reset'] = @opcache_reset();
}
echo json_encode([
	'site' => getenv('WPFLEET_SITE'),
	'uid' => function_exists('posix_geteuid') ? posix_geteuid() : -1,
	'leaks' => $leaks,
	'other' => (object) $other,
	'home' => home_url(),
	'release' => WPFLEET_TEST_RELEASE,
	'abspath' => ABSPATH,
	'server_keys' => array_keys($_SERVER),
	'env_keys' => array_keys($_ENV),
	'is_ssl' => is_ssl(),
	'remote_addr' => $_SERVER['REMOTE_ADDR'],
	'disable_wp_cron' => DISABLE_WP_CRON,
	'disallow_file_mods' => DISALLOW_FILE_MODS,
	'force_ssl_admin' => FORCE_SSL_ADMIN,
	'environment_type' => wp_get_environment_type(),
	's3_uploads_bucket' => defined('S3_UPLOADS_BUCKET') ? S3_UPLOADS_BUCKET : null,
	'mysql_client_flags' => defined('MYSQL_CLIENT_FLAGS') ? MYSQL_CLIENT_FLAGS : null,
	'db_ssl_cipher' => (string) ($GLOBALS['wpdb']->get_row("SHOW SESSION STATUS LIKE 'Ssl_cipher'", ARRAY_N)[1] ?? ''),
	'openssl_cafile' => ini_get('openssl.cafile'),
	'opcache_enabled' => is_array($status) && $status['opcache_enabled'],
	'opcache_validate_timestamps' => ini_get('opcache.validate_timestamps'),
	'max_execution_time' => ini_get('max_execution_time'),
	'test_event_ran' => get_option('wpfleet_test_event_ran', ''),
	'test_event_next' => wp_next_scheduled('wpfleet_test_event'),
	's3' => $GLOBALS['wpfleet_test_s3'] ?? null,
	'wpfleet_s3_uploads' => defined('WPFLEET_S3_UPLOADS') ? WPFLEET_S3_UPLOADS : null,
	'counted_next' => wp_next_scheduled('wpfleet_test_counted_event'),
	'test_runs' => (int) $GLOBALS['wpdb']->get_var("SELECT option_value FROM {$GLOBALS['wpdb']->options} WHERE option_name = 'wpfleet_test_runs'"),
]);
`

const rawProbe = `<?php
// Test fixture (tests/runtime): what any PHP file sees without WordPress.
header('Content-Type: application/json');
echo json_encode([
	'getenv' => (object) getenv(),
	'server' => (object) $_SERVER,
	'env' => (object) $_ENV,
	'headers' => (object) (function_exists('getallheaders') ? getallheaders() : []),
	'ini' => [
		'memory_limit' => ini_get('memory_limit'),
		'display_errors' => ini_get('display_errors'),
		'user_ini.filename' => ini_get('user_ini.filename'),
	],
], JSON_UNESCAPED_SLASHES);
`

const slowPHP = `<?php
// Test fixture (tests/runtime): a request that answers "start" at once, then
// works for ?ms= milliseconds of wall-clock time and answers "done <ms>"
// with the milliseconds it ran. A signal that interrupts a sleep does not
// shorten it (the loop sleeps again until the time is up): only a request
// that is cut short ends without "done".
header('X-Accel-Buffering: no');
while (ob_get_level() > 0) {
	ob_end_flush();
}
$ms = max(0, min(20000, (int) ($_GET['ms'] ?? 2000)));
$start = hrtime(true);
echo "start\n";
flush();
$end = $start + $ms * 1000000;
while (($left = $end - hrtime(true)) > 0) {
	usleep((int) min($left / 1000, 100000));
}
echo 'done ' . intdiv(hrtime(true) - $start, 1000000);
`

// S3UploadsStandIn returns the files of a stand-in for humanmade/S3-Uploads
// as the image installs it (plugin/s3-uploads.php, vendor/autoload.php),
// which the AWS SDK for PHP and packagist being out of reach here make
// necessary. It is not the plugin: it has the plugin's entry points (the
// function S3_Uploads\init on plugins_loaded, declared once: a second copy
// loaded beside it is a fatal "Cannot redeclare", as with the real plugin)
// and records what the platform configured: the constants and what the
// s3_uploads_putObject_params filter does to a PutObject carrying the
// plugin's default ACL. copy names where it was loaded from.
func S3UploadsStandIn(copy string) map[string]string {
	return map[string]string{
		"vendor/autoload.php": "<?php\n$GLOBALS['wpfleet_test_s3_autoloads'] = ($GLOBALS['wpfleet_test_s3_autoloads'] ?? 0) + 1;\n",
		"plugin/s3-uploads.php": `<?php
/*
Plugin Name: S3 Uploads (wpfleet test stand-in)
*/
namespace S3_Uploads;

function init() {
	$put = apply_filters('s3_uploads_putObject_params', ['Bucket' => 'b', 'Key' => 'k', 'ACL' => 'public-read', 'Body' => '']);
	$GLOBALS['wpfleet_test_s3'] = [
		'copy' => '` + copy + `',
		'inits' => ($GLOBALS['wpfleet_test_s3']['inits'] ?? 0) + 1,
		'autoloads' => $GLOBALS['wpfleet_test_s3_autoloads'] ?? 0,
		'bucket' => S3_UPLOADS_BUCKET,
		'bucket_url' => defined('S3_UPLOADS_BUCKET_URL') ? S3_UPLOADS_BUCKET_URL : null,
		'region' => S3_UPLOADS_REGION,
		'instance_profile' => defined('S3_UPLOADS_USE_INSTANCE_PROFILE'),
		'object_acl' => defined('S3_UPLOADS_OBJECT_ACL') ? S3_UPLOADS_OBJECT_ACL : null,
		'put_params' => array_keys($put),
	];
}
add_action('plugins_loaded', __NAMESPACE__ . '\\init', 0);
`,
	}
}
