<?php
// Test helper: install WordPress into the site's database with WordPress's own wp_install(),
// as the web installer does, so that the release job's database upgrade has a site to upgrade.
// Usage: php wp-install.php <release dir> <host:port>   (site secret JSON on stdin)
$dir = rtrim($argv[1], '/');
$cfg = json_decode(stream_get_contents(STDIN), true);
define('ABSPATH', "$dir/");
define('DB_NAME', $cfg['dbname']);
define('DB_USER', $cfg['username']);
define('DB_PASSWORD', $cfg['password']);
define('DB_HOST', $argv[2]);
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_INSTALLING', true);
$table_prefix = 'wp_';
$_SERVER['HTTP_HOST'] = $_SERVER['SERVER_NAME'] = 'localhost';
$_SERVER['REQUEST_URI'] = '/wp-admin/install.php';
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$r = wp_install('wpfleet test', 'admin', 'admin@example.com', false, '', 'not-a-real-password');
echo is_blog_installed() ? "installed\n" : "not installed\n";
