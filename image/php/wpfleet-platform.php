<?php
/**
 * wpfleet platform must-use plugin, baked into the php image at
 * /usr/local/lib/wpfleet/wpfleet-platform.php. /etc/wpfleet/wp-config.php
 * loads it on muplugins_loaded (after the repository's own must-use plugins,
 * before its plugins), whatever the site's repository holds.
 *
 * Uploads: humanmade/S3-Uploads, installed in the image by composer at
 * build time (pinned in s3-uploads/composer.json), is loaded here when the
 * site has a bucket (S3_UPLOADS_BUCKET, from wp-config.php), once:
 * - if a must-use plugin of the repository already loaded S3-Uploads, that
 *   copy stays and the image's is not loaded (two copies cannot both load:
 *   they declare the same functions);
 * - a copy the repository brings as a regular plugin is left out of the
 *   active plugins, so the image's copy is the one that runs.
 * Objects are written without an ACL: the plugin's default ("public-read",
 * S3_UPLOADS_OBJECT_ACL) is refused by buckets whose Object Ownership is
 * BucketOwnerEnforced, and would need s3:PutObjectAcl.
 */

namespace WPFleet\Platform;

const S3_UPLOADS_MAIN = 's3-uploads.php';

/** Whether an active-plugins entry ("dir/file.php") is S3-Uploads. */
function is_s3_uploads_entry(string $plugin): bool {
	return basename($plugin) === S3_UPLOADS_MAIN;
}

/** @param mixed $plugins the active_plugins option */
function without_s3_uploads($plugins) {
	if (!is_array($plugins)) {
		return $plugins;
	}
	return array_values(array_filter($plugins, static fn($p): bool => !is_string($p) || !is_s3_uploads_entry($p)));
}

/** @param mixed $plugins the active_sitewide_plugins option (plugin => time) */
function without_s3_uploads_sitewide($plugins) {
	if (!is_array($plugins)) {
		return $plugins;
	}
	return array_filter($plugins, static fn($p): bool => !is_s3_uploads_entry((string) $p), ARRAY_FILTER_USE_KEY);
}

/** Removes the ACL from every PutObject the plugin makes. */
function without_acl(array $params): array {
	unset($params['ACL'], $params['acl']);
	return $params;
}

function load_s3_uploads(string $lib): void {
	add_filter('option_active_plugins', __NAMESPACE__ . '\\without_s3_uploads', PHP_INT_MAX);
	add_filter('site_option_active_sitewide_plugins', __NAMESPACE__ . '\\without_s3_uploads_sitewide', PHP_INT_MAX);
	add_filter('s3_uploads_putObject_params', __NAMESPACE__ . '\\without_acl', PHP_INT_MAX);

	if (function_exists('S3_Uploads\\init') || class_exists('S3_Uploads\\Plugin', false)) {
		define('WPFLEET_S3_UPLOADS', 'repository');
		return;
	}
	$dir = $lib . '/s3-uploads';
	$main = $dir . '/plugin/' . S3_UPLOADS_MAIN;
	if (!is_readable($dir . '/vendor/autoload.php') || !is_readable($main)) {
		error_log("wpfleet: S3-Uploads is not installed at $dir (the php image installs it): uploads are not stored in S3");
		define('WPFLEET_S3_UPLOADS', 'missing');
		return;
	}
	require_once $dir . '/vendor/autoload.php';
	require_once $main;
	define('WPFLEET_S3_UPLOADS', 'platform');
}

// Web-tier hardening: XML-RPC, user enumeration, login errors and throttle.
require_once __DIR__ . '/wpfleet-hardening.php';

if (defined('S3_UPLOADS_BUCKET')) {
	load_s3_uploads(rtrim((string) (getenv('WPFLEET_LIB_DIR') ?: '/usr/local/lib/wpfleet'), '/'));
}

require_once __DIR__ . '/wpfleet-assets.php';
