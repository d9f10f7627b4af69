<?php
/**
 * wpfleet platform configuration: baked into the php image at
 * /etc/wpfleet/wp-config.php and required by the wp-config.php stub that the
 * release job writes into every release (docs/release-layout.md). Every value
 * comes from the environment: the task definition's variables and ECS secrets
 * (DB_USER, DB_PASSWORD, the eight salts). Nothing here is specific to a site
 * or an environment, and a site's repository holds no configuration.
 *
 * If a required value is missing or malformed, no page is served: HTTP 503
 * (the log names what is missing, never a value), or exit status 1 on the
 * command line.
 */

(static function (): void {
	$problems = [];

	$env = static function (string $name): ?string {
		$v = getenv($name);
		return ($v === false || $v === '') ? null : $v;
	};
	$required = static function (string $name, string $hint) use ($env, &$problems): string {
		$v = $env($name);
		if ($v === null) {
			$problems[] = "$name is not set ($hint)";
			return '';
		}
		return $v;
	};
	$flag = static function (string $name, bool $default) use ($env, &$problems): bool {
		$v = $env($name);
		if ($v === null) {
			return $default;
		}
		$v = strtolower($v);
		if ($v === 'true' || $v === '1') {
			return true;
		}
		if ($v === 'false' || $v === '0') {
			return false;
		}
		$problems[] = "$name must be true or false";
		return $default;
	};

	$c = [];
	$c['DB_NAME'] = $required('DB_NAME', 'task definition');
	$c['DB_HOST'] = $required('DB_HOST', 'task definition, host or host:port');
	$c['DB_USER'] = $required('DB_USER', 'ECS secret');
	$c['DB_PASSWORD'] = $required('DB_PASSWORD', 'ECS secret');
	$c['DB_CHARSET'] = 'utf8mb4';
	$c['DB_COLLATE'] = '';
	if ($flag('DB_TLS', false)) {
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

	$salts = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
	foreach ($salts as $name) {
		$v = $required($name, 'ECS secret');
		if ($v !== '' && strlen($v) < 32) {
			$problems[] = "$name is shorter than 32 characters";
		}
		$c[$name] = $v;
	}

	$home = rtrim($required('WP_HOME', 'task definition, e.g. https://www.example.com'), '/');
	$siteurl = rtrim($env('WP_SITEURL') ?? $home, '/');
	foreach (['WP_HOME' => $home, 'WP_SITEURL' => $siteurl] as $name => $url) {
		if ($url !== '' && !preg_match('#^https?://[^/\s]+(/\S*)?$#', $url)) {
			$problems[] = "$name must be an http:// or https:// URL";
		}
	}
	$c['WP_HOME'] = $home;
	$c['WP_SITEURL'] = $siteurl;

	$type = $env('WP_ENVIRONMENT_TYPE') ?? 'production';
	if (!in_array($type, ['production', 'staging', 'development', 'local'], true)) {
		$problems[] = 'WP_ENVIRONMENT_TYPE must be production, staging, development or local';
	}
	$c['WP_ENVIRONMENT_TYPE'] = $type;

	// Cron runs as a scheduled task (wp cron event run --due-now), never from
	// a page view; code changes only through releases.
	$c['DISABLE_WP_CRON'] = $flag('DISABLE_WP_CRON', true);
	$c['DISALLOW_FILE_MODS'] = $flag('DISALLOW_FILE_MODS', true);
	$c['DISALLOW_FILE_EDIT'] = true;
	$c['AUTOMATIC_UPDATER_DISABLED'] = true;
	$c['WP_AUTO_UPDATE_CORE'] = false;
	$c['FORCE_SSL_ADMIN'] = $flag('FORCE_SSL_ADMIN', true);

	// Uploads live in S3 (humanmade/S3-Uploads reads these; credentials come
	// from the task role, never from here).
	if (($bucket = $env('S3_UPLOADS_BUCKET')) !== null) {
		$c['S3_UPLOADS_BUCKET'] = $bucket;
		$c['S3_UPLOADS_REGION'] = $env('S3_UPLOADS_REGION') ?? ($env('AWS_REGION') ?? '');
		$c['S3_UPLOADS_USE_INSTANCE_PROFILE'] = true;
	}

	$c['WP_DEBUG'] = $flag('WP_DEBUG', false);
	$c['WP_DEBUG_DISPLAY'] = false;
	$c['WP_DEBUG_LOG'] = false; // PHP logs to the container's stderr
	$c['WP_TEMP_DIR'] = sys_get_temp_dir();

	$prefix = $env('WPFLEET_TABLE_PREFIX') ?? 'wp_';
	if (!preg_match('/^[A-Za-z0-9_]+$/', $prefix)) {
		$problems[] = 'WPFLEET_TABLE_PREFIX may hold only letters, digits and _';
	}

	if ($problems) {
		$msg = 'wpfleet: site configuration is incomplete: ' . implode('; ', $problems) . '. No page is served until this is fixed.';
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

	foreach ($c as $name => $value) {
		if (!defined($name)) {
			define($name, $value);
		}
	}
	$GLOBALS['table_prefix'] = $prefix;

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

	// The values stay in the process environment (the next request needs
	// them) but are removed from this request's $_SERVER and $_ENV, so code
	// that dumps those (debug tools, phpinfo-like plugins) cannot show them.
	foreach (array_merge(['DB_USER', 'DB_PASSWORD'], $salts) as $name) {
		unset($_SERVER[$name], $_ENV[$name]);
	}
})();

$table_prefix = $GLOBALS['table_prefix'];

if (!defined('ABSPATH')) {
	// wp-load.php (web) and WP-CLI define ABSPATH before they load the
	// configuration; anything else gets the live release.
	define('ABSPATH', rtrim((string) realpath((string) getenv('WPFLEET_WEB_ROOT')), '/') . '/');
}

// The release stub loads wp-settings.php itself on the line after requiring
// this file (WP-CLI needs that line there, and skips it, to load WordPress in
// its own order). For a stub without that line, load it here, except under
// WP-CLI, which loads it itself.
if (!(defined('WP_CLI') && WP_CLI)) {
	require_once ABSPATH . 'wp-settings.php';
}
