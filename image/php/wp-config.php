<?php
/**
 * wpfleet platform configuration: baked into the php image at
 * /etc/wpfleet/wp-config.php and required by the wp-config.php stub that the
 * release job writes into every release (docs/release-layout.md).
 *
 * One php-fpm pool serves one site (WPFLEET_SITE, set by the pool; the `wp`
 * wrapper sets it for WP-CLI). Everything about the site comes from its
 * settings file, RUN_DIR/sites/<site>/settings.json, which
 * wpfleet-php-entrypoint wrote from the task definition's variables and ECS
 * secrets and which only that site's Unix user can read. No secret is in the
 * environment of any PHP process (php-fpm runs with clear_env = yes), so
 * none is in $_SERVER, $_ENV or getenv().
 *
 * If the site's settings are missing or incomplete, no page is served: HTTP
 * 503 (the log names what is missing, never a value), or exit status 1 on
 * the command line.
 */

(static function (): void {
	$problems = [];
	$site = (string) getenv('WPFLEET_SITE');
	$run = rtrim((string) (getenv('WPFLEET_RUN_DIR') ?: '/run/wpfleet'), '/');
	$s = [];
	if (!preg_match('/^[a-z][a-z0-9-]{0,13}$/', $site)) {
		$problems[] = 'WPFLEET_SITE is not set to a site name (php-fpm pool, or the wp wrapper)';
	} else {
		$file = "$run/sites/$site/settings.json";
		$doc = is_readable($file) ? json_decode((string) file_get_contents($file), true) : null;
		if (!is_array($doc) || !is_array($doc['settings'] ?? null)) {
			$problems[] = "the settings of site $site ($file) are missing or unreadable by this user";
		} else {
			$s = $doc['settings'];
			$problems = array_merge($problems, (array) ($doc['problems'] ?? []));
		}
	}

	$c = [];
	if ($s) {
		$c['DB_NAME'] = (string) $s['db_name'];
		$c['DB_HOST'] = (string) $s['db_host'];
		$c['DB_USER'] = (string) $s['db_user'];
		$c['DB_PASSWORD'] = (string) $s['db_password'];
		$c['DB_CHARSET'] = 'utf8mb4';
		$c['DB_COLLATE'] = '';
		if ($s['db_tls']) {
			// Encrypted, and the server's certificate verified: it must chain to a
			// CA in PHP's openssl.cafile and name DB_HOST's host (MYSQLI_CLIENT_SSL
			// alone accepts any certificate). WordPress gives mysqli no CA of its
			// own, so mysqlnd uses openssl.cafile, which the image sets to the
			// system's CAs plus the Amazon RDS CAs (wpfleet-ca-bundle).
			$c['MYSQL_CLIENT_FLAGS'] = MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_VERIFY_SERVER_CERT;
			$ca = (string) ini_get('openssl.cafile');
			if ($ca === '' || !is_file($ca) || !is_readable($ca)) {
				$problems[] = 'DB_TLS is true but ' . ($ca === '' ? 'openssl.cafile is not set' : "the CA bundle openssl.cafile=$ca is missing or unreadable")
					. ": the database server's certificate cannot be verified (the php image builds /etc/wpfleet/ca-bundle.pem)";
			}
		}
		foreach ((array) $s['salts'] as $name => $value) {
			$c[$name] = (string) $value;
		}
		$c['WP_HOME'] = (string) $s['home'];
		$c['WP_SITEURL'] = (string) $s['home'];
		$c['WP_ENVIRONMENT_TYPE'] = (string) $s['environment_type'];
		// Cron runs in the pool's php container (wpfleet-cron: wp cron event run
		// --due-now, once per site across tasks), never from a page view; code
		// changes only through releases.
		$c['DISABLE_WP_CRON'] = (bool) $s['disable_wp_cron'];
		$c['DISALLOW_FILE_MODS'] = (bool) $s['disallow_file_mods'];
		$c['DISALLOW_FILE_EDIT'] = true;
		$c['AUTOMATIC_UPDATER_DISABLED'] = true;
		$c['WP_AUTO_UPDATE_CORE'] = false;
		$c['FORCE_SSL_ADMIN'] = (bool) $s['force_ssl_admin'];
		// WPFLEET_SITE_<S>_XMLRPC, for the platform's hardening
		// (wpfleet-hardening.php).
		$c['WPFLEET_XMLRPC'] = (bool) $s['xmlrpc'];

		// Uploads in the site's S3 bucket through humanmade/S3-Uploads, which
		// the platform must-use plugin loads (wpfleet-platform.php). Keys are
		// wp-content/uploads/... (the bucket "path" wp-content: the plugin puts
		// WP_CONTENT_DIR's place at s3://BUCKET), which CloudFront's
		// /wp-content/uploads/* behaviour maps straight onto; URLs are on the
		// site's own hostname. Credentials come from the task role.
		if ((string) $s['bucket'] !== '') {
			$c['S3_UPLOADS_BUCKET'] = $s['bucket'] . '/wp-content';
			$c['S3_UPLOADS_BUCKET_URL'] = $s['home'] . '/wp-content';
			$c['S3_UPLOADS_REGION'] = (string) $s['region'];
			$c['S3_UPLOADS_USE_INSTANCE_PROFILE'] = true;
			if ((string) $s['region'] === '') {
				$problems[] = 'WPFLEET_REGION is not set (task definition): S3-Uploads needs the bucket\'s region';
			}
		}

		$c['WP_DEBUG'] = (bool) $s['wp_debug'];
		$c['WP_DEBUG_DISPLAY'] = false;
		$c['WP_DEBUG_LOG'] = false; // PHP logs to the container's stderr
		$c['WP_TEMP_DIR'] = sys_get_temp_dir();
	}

	if ($problems) {
		$msg = 'wpfleet: site ' . ($site !== '' ? $site : '?') . ' configuration is incomplete: ' . implode('; ', $problems) . '. No page is served until this is fixed.';
		error_log($msg);
		if (PHP_SAPI === 'cli') {
			fwrite(STDERR, $msg . "\n");
			exit(1);
		}
		if (!headers_sent()) {
			http_response_code(503);
			header('Content-Type: text/plain; charset=utf-8');
			header('Cache-Control: no-store');
			header('Retry-After: 30');
		}
		echo "Service unavailable: this site's configuration is incomplete.\n";
		exit(0);
	}

	// XML-RPC is off unless the site enables it (WPFLEET_SITE_<S>_XMLRPC).
	if (defined('XMLRPC_REQUEST') && XMLRPC_REQUEST && !$s['xmlrpc']) {
		if (!headers_sent()) {
			http_response_code(403);
			header('Content-Type: text/plain; charset=utf-8');
		}
		echo "XML-RPC is disabled on this site.\n";
		exit(0);
	}

	foreach ($c as $name => $value) {
		if (!defined($name)) {
			define($name, $value);
		}
	}
	$GLOBALS['table_prefix'] = (string) $s['table_prefix'];

	// WordPress connects with @mysqli_real_connect() (unless WP_DEBUG) and
	// its error page does not say why it could not: log the reason (a
	// certificate that does not verify, a refused login, ...), with the value
	// of DB_USER left out. Any handler installed before is still called.
	$user = $c['DB_USER'];
	$previous = null;
	$previous = set_error_handler(static function (int $no, string $msg, string $file = '', int $line = 0) use (&$previous, $user): bool {
		if (str_starts_with($msg, 'mysqli_real_connect(): ') && !(error_reporting() & $no)) {
			$why = str_replace([$user, "\n"], ['(DB_USER)', ' '], substr($msg, strlen('mysqli_real_connect(): ')));
			$tls = defined('MYSQL_CLIENT_FLAGS') ? ' (TLS, certificate verified against ' . ini_get('openssl.cafile') . ')' : '';
			error_log('wpfleet: no database connection to ' . DB_HOST . "$tls: $why");
		}
		return $previous !== null && (bool) $previous($no, $msg, $file, $line);
	});

	// The platform's must-use plugin (uploads in S3, ...) is loaded on
	// muplugins_loaded whatever the site's repository holds: added to
	// WordPress's hook table before plugin.php exists (WordPress turns such
	// "pre-initialized" entries into hooks when it loads).
	$lib = rtrim((string) (getenv('WPFLEET_LIB_DIR') ?: '/usr/local/lib/wpfleet'), '/');
	$GLOBALS['wp_filter']['muplugins_loaded'][-1000][] = [
		'function' => static function () use ($lib): void {
			require_once $lib . '/wpfleet-platform.php';
		},
		'accepted_args' => 0,
	];
})();

$table_prefix = $GLOBALS['table_prefix'];

if (!defined('ABSPATH')) {
	// wp-load.php (web) and WP-CLI define ABSPATH before they load the
	// configuration; anything else gets the site's live release.
	define('ABSPATH', rtrim((string) realpath(rtrim((string) getenv('WPFLEET_CODE_ROOT'), '/') . '/' . getenv('WPFLEET_SITE') . '/current'), '/') . '/');
}

// The release stub loads wp-settings.php itself on the line after requiring
// this file (WP-CLI needs that line there, and skips it, to load WordPress in
// its own order). For a stub without that line, load it here, except under
// WP-CLI, which loads it itself.
if (!(defined('WP_CLI') && WP_CLI)) {
	require_once ABSPATH . 'wp-settings.php';
}
