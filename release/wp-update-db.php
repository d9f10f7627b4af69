<?php
// wpfleet release job: WordPress's own database upgrade (what `wp core update-db` and
// wp-admin/upgrade.php do: wp_upgrade() from wp-admin/includes/upgrade.php) for one release.
//
// Why not wp-cli: a release's wp-config.php is the platform stub, which requires
// /etc/wpfleet/wp-config.php from the php image, and that file needs the web task's environment
// (salts, WP_HOME, ...); the release job has neither. So this program supplies the database
// settings itself, from the per-site secret, and loads WordPress the way wp-admin/upgrade.php
// does (with WP_INSTALLING: no plugins, no theme).
//
// Usage: php wp-update-db.php <release dir> <db host:port>   with the per-site secret JSON
// ({"username","password","dbname"}) on stdin. Env: WPFLEET_TABLE_PREFIX (default wp_),
// DB_TLS=off (or false, 0) to connect without TLS (otherwise TLS, verified against php's openssl.cafile).
// Prints one line: "update-db: upgraded <db> from <old> to <new>", "update-db: <db> is already
// at <v>" or "update-db: WordPress is not installed in <db> yet; skipped". Exit 0 on those,
// 1 on any failure (with the reason).

function wpfleet_fail($msg) {
    $GLOBALS['wpfleet_done'] = true; // reported here; the shutdown check stays quiet
    fwrite(STDERR, "update-db: error: $msg\n");
    exit(1);
}

if ($argc !== 3) {
    wpfleet_fail('usage: php wp-update-db.php <release dir> <db host:port> < site-secret.json');
}
$wpfleet_dir = rtrim($argv[1], '/');
foreach (['wp-settings.php', 'wp-includes/version.php', 'wp-admin/includes/upgrade.php'] as $f) {
    if (!is_file("$wpfleet_dir/$f")) {
        wpfleet_fail("no WordPress in $wpfleet_dir: $f is missing");
    }
}
$wpfleet_secret = json_decode(stream_get_contents(STDIN), true);
foreach (['username', 'password', 'dbname'] as $k) {
    if (!is_array($wpfleet_secret) || !isset($wpfleet_secret[$k]) || !is_string($wpfleet_secret[$k])) {
        wpfleet_fail("stdin must be the site's secret, a JSON object with string field $k");
    }
}
$wpfleet_tls = !in_array(getenv('DB_TLS'), ['off', 'false', '0'], true);
// TLS with the server's certificate verified against openssl.cafile (MYSQLI_CLIENT_SSL alone
// encrypts but accepts any certificate).
$wpfleet_flags = $wpfleet_tls ? MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_VERIFY_SERVER_CERT : 0;

// Fail clearly when the database cannot be reached: WordPress would print an HTML page and
// exit 0.
mysqli_report(MYSQLI_REPORT_OFF);
[$wpfleet_host, $wpfleet_port] = array_pad(explode(':', $argv[2], 2), 2, '3306');
$wpfleet_link = mysqli_init();
if (!@mysqli_real_connect($wpfleet_link, $wpfleet_host, $wpfleet_secret['username'],
    $wpfleet_secret['password'], $wpfleet_secret['dbname'], (int) $wpfleet_port, null,
    $wpfleet_flags)) {
    wpfleet_fail("cannot connect to database {$wpfleet_secret['dbname']} on {$argv[2]} as "
        . "{$wpfleet_secret['username']}: " . mysqli_connect_error());
}
mysqli_close($wpfleet_link);

define('ABSPATH', "$wpfleet_dir/");
define('DB_NAME', $wpfleet_secret['dbname']);
define('DB_USER', $wpfleet_secret['username']);
define('DB_PASSWORD', $wpfleet_secret['password']);
define('DB_HOST', $argv[2]);
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
if ($wpfleet_tls) {
    define('MYSQL_CLIENT_FLAGS', $wpfleet_flags);
}
define('WP_INSTALLING', true);
define('WP_DEBUG', false);
$table_prefix = getenv('WPFLEET_TABLE_PREFIX') ?: 'wp_'; // as the php image's platform file
if (!preg_match('/^[A-Za-z0-9_]+$/', $table_prefix)) {
    wpfleet_fail('WPFLEET_TABLE_PREFIX may hold only letters, digits and _');
}
unset($wpfleet_secret);
$_SERVER['HTTP_HOST'] = $_SERVER['SERVER_NAME'] = 'localhost';
$_SERVER['REQUEST_URI'] = '/wp-admin/upgrade.php';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

// WordPress ends with wp_die() (exit status 0) when something is wrong; report that as a
// failure with its text.
$wpfleet_done = false;
ob_start();
register_shutdown_function(function () use (&$wpfleet_done) {
    $out = trim(preg_replace('/\s+/', ' ', strip_tags((string) ob_get_clean())));
    if (!$wpfleet_done) {
        fwrite(STDERR, 'update-db: error: WordPress stopped before the upgrade finished'
            . ($out !== '' ? ': ' . substr($out, 0, 300) : '') . "\n");
        exit(1);
    }
    if ($out !== '') {
        fwrite(STDERR, 'update-db: output: ' . substr($out, 0, 300) . "\n");
    }
});

require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if (!is_blog_installed()) {
    $wpfleet_done = true;
    fwrite(STDERR, 'update-db: WordPress is not installed in ' . DB_NAME
        . " yet; skipped (finish the installation first)\n");
    exit(0);
}
$wpfleet_from = (int) get_option('db_version');
if ($wpfleet_from === (int) $wp_db_version) {
    $wpfleet_done = true;
    fwrite(STDERR, 'update-db: ' . DB_NAME . " is already at db_version $wp_db_version\n");
    exit(0);
}
wp_upgrade();
wp_cache_delete('db_version', 'options');
wp_cache_delete('alloptions', 'options');
$wpfleet_to = (int) get_option('db_version');
if ($wpfleet_to !== (int) $wp_db_version) {
    wpfleet_fail('db_version is ' . $wpfleet_to . " after wp_upgrade(), expected $wp_db_version");
}
$wpfleet_done = true;
fwrite(STDERR, 'update-db: upgraded ' . DB_NAME . " from db_version $wpfleet_from to $wpfleet_to\n");
exit(0);
