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

// BuildWordPressTree copies Debian's WordPress into StageDir(siteDir, id)
// with symlinks resolved (Debian links some libraries from /usr/share),
// replaces wp-config.php with the stub and adds the test fixtures: a
// must-use plugin naming the release in a response header and the footer, a
// static marker file, and the files nginx must never serve.
func BuildWordPressTree(b Binaries, siteDir, id string) (string, error) {
	tree := StageDir(siteDir, id)
	if err := os.MkdirAll(filepath.Dir(tree), 0o755); err != nil {
		return "", err
	}
	if _, err := Run(BaseEnv(), "cp", "-rL", b.WordPress, tree); err != nil {
		return "", err
	}
	_ = os.Remove(filepath.Join(tree, "wp-config.php"))
	files := map[string]string{
		"wp-config.php": Stub,
		"wp-content/mu-plugins/wpfleet-test-release.php": fmt.Sprintf(muPlugin, id),
		"wpfleet-release.txt":                            id + "\n",
		"wpfleet-test-env.php":                           envProbe,
		"slow.php":                                       slowPHP,
		".git/HEAD":                                      "ref: refs/heads/main\n",
		".git/config":                                    "[core]\n\tbare = false\n# wpfleet-test-git-config\n",
		".env":                                           "WPFLEET_TEST_DOTENV=1\n",
	}
	for name, content := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return tree, nil
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
// Test fixture (tests/runtime): names the release that served the request.
const WPFLEET_TEST_RELEASE = '%s';
if (!headers_sent()) {
	header('X-Wpfleet-Release: ' . WPFLEET_TEST_RELEASE);
	header('X-Wpfleet-Abspath: ' . ABSPATH);
}
add_action('wp_footer', static function () {
	echo '<!-- wpfleet-release:' . WPFLEET_TEST_RELEASE . ' -->';
});
add_action('wpfleet_test_event', static function () {
	update_option('wpfleet_test_event_ran', (string) time());
});
`

const envProbe = `<?php
// Test fixture (tests/runtime): what a request sees once WordPress has loaded
// the platform configuration.
require __DIR__ . '/wp-load.php';
if (isset($_GET['schedule'])) {
	wp_schedule_single_event(time() - 60, 'wpfleet_test_event');
}
header('Content-Type: application/json');
$status = function_exists('opcache_get_status') ? opcache_get_status(false) : false;
echo json_encode([
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
]);
`

const slowPHP = `<?php
// Test fixture (tests/runtime): a request that answers "start" at once and
// "done" after ?ms= milliseconds.
header('X-Accel-Buffering: no');
while (ob_get_level() > 0) {
	ob_end_flush();
}
echo "start\n";
flush();
usleep(max(0, min(20000, (int) ($_GET['ms'] ?? 2000))) * 1000);
echo 'done';
`
