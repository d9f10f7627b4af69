<?php
/**
 * wpfleet web-tier hardening, part of the platform's must-use plugin:
 * baked into the php image at /usr/local/lib/wpfleet/wpfleet-hardening.php
 * and loaded by wpfleet-platform.php on every request of every site,
 * whatever the site's repository holds (docs/security.md).
 *
 * - XML-RPC: xmlrpc.php answers 403 unless the site enables it
 *   (WPFLEET_SITE_<S>_XMLRPC; /etc/wpfleet/wp-config.php stops the request
 *   before WordPress loads). Here: nothing advertises it (the RSD link, the
 *   X-Pingback header, the pingback URL), and where a site enables it, it is
 *   the API for apps and Jetpack without pingbacks (pingback.ping makes the
 *   site fetch any URL for anyone: a reflector for attacks).
 * - User enumeration, for visitors who are not logged in: the REST API's
 *   users endpoints answer 401 (whatever the path spelling: the check is on
 *   the controller that would answer), /?author=N is a 404, the sitemap of
 *   users is gone, and the lost-password form answers an unknown user as it
 *   answers a known one.
 * - Login: one error for a wrong user name, e-mail address or password
 *   (same code, so wp-login.php renders the same page), with a password hash
 *   computed for unknown users too so the time does not tell; application
 *   passwords (REST) get one error as well.
 * - Login throttle per client address (REMOTE_ADDR: nginx's realip, the
 *   address the trusted proxies saw; IPv6 by its /64): after MAX_FAILURES
 *   failed logins in WINDOW_SECONDS, every login from that address is
 *   refused, right password or not, until the window ends. The state is a
 *   small table in the site's database, shared by every task of the site
 *   (created on the first failure). Failures count from wp-login.php,
 *   XML-RPC (each call of a system.multicall) and application passwords.
 */

namespace WPFleet\Hardening;

const MAX_FAILURES = 10;
const WINDOW_SECONDS = 900;
const TABLE = 'wpfleet_login_failures';
const LOGIN_ERROR = 'incorrect_password';
const THROTTLE_ERROR = 'wpfleet_login_throttled';

/**
 * The throttle's key for a client address: an IPv4 address as it is
 * (IPv4-mapped IPv6 too), an IPv6 address as its /64 ("2001:db8:1:2::/64":
 * one subscriber has a whole /64), null for anything else.
 */
function client_key(string $addr): ?string {
	if (filter_var($addr, FILTER_VALIDATE_IP) === false) {
		return null;
	}
	$bin = inet_pton($addr);
	if (strlen($bin) === 4) {
		return $addr;
	}
	if (substr($bin, 0, 12) === str_repeat("\0", 10) . "\xff\xff") {
		return inet_ntop(substr($bin, 12));
	}
	return inet_ntop(substr($bin, 0, 8) . str_repeat("\0", 8)) . '/64';
}

/** Whether an authentication error code tells a wrong user from a wrong password. */
function is_credential_error(string $code): bool {
	return in_array($code, ['invalid_username', 'invalid_email', 'incorrect_password'], true);
}

/** XML-RPC methods without the pingback ones. */
function without_pingbacks(array $methods): array {
	unset($methods['pingback.ping'], $methods['pingback.extensions.getPingbacks']);
	return $methods;
}

/** Seconds until a window that began at $start ends (at least 1). */
function retry_after(int $start, int $now): int {
	return max(1, $start + WINDOW_SECONDS - $now);
}

/** The one login error for a wrong user or password. */
function login_error(): \WP_Error {
	return new \WP_Error(LOGIN_ERROR, '<strong>Error:</strong> The username, email address or password is incorrect.');
}

/** The client's throttle key, or null outside a web request. */
function current_client(): ?string {
	if (PHP_SAPI === 'cli' || !isset($_SERVER['REMOTE_ADDR'])) {
		return null;
	}
	return client_key((string) $_SERVER['REMOTE_ADDR']);
}

function table(): string {
	global $wpdb;
	return $wpdb->base_prefix . TABLE;
}

/**
 * The client's failures in the current window: [count, window start], or
 * [0, 0] (also when the table does not exist yet).
 */
function failures(string $client, int $now): array {
	global $wpdb;
	$old = $wpdb->suppress_errors(true);
	$row = $wpdb->get_row($wpdb->prepare('SELECT failures, window_start FROM ' . table() . ' WHERE client = %s AND window_start > %d', $client, $now - WINDOW_SECONDS), ARRAY_N);
	$wpdb->suppress_errors($old);
	return $row ? [(int) $row[0], (int) $row[1]] : [0, 0];
}

/**
 * Counts a failure of the client, atomically (one statement, whichever task
 * runs it): a window older than WINDOW_SECONDS starts again at 1. Expired
 * rows are deleted now and then.
 */
function record_failure(string $client, int $now): void {
	global $wpdb;
	$t = table();
	$expired = $now - WINDOW_SECONDS;
	$sql = $wpdb->prepare("INSERT INTO $t (client, failures, window_start) VALUES (%s, 1, %d)"
		. ' ON DUPLICATE KEY UPDATE failures = IF(window_start <= %d, 1, failures + 1), window_start = IF(window_start <= %d, %d, window_start)',
		$client, $now, $expired, $expired, $now);
	$old = $wpdb->suppress_errors(true);
	$ok = $wpdb->query($sql) !== false;
	if (!$ok) {
		// The first failure of the site: create the table and count again.
		$ok = $wpdb->query("CREATE TABLE IF NOT EXISTS $t (client VARCHAR(45) CHARACTER SET ascii NOT NULL, failures INT UNSIGNED NOT NULL,"
			. ' window_start INT UNSIGNED NOT NULL, PRIMARY KEY (client), KEY window_start (window_start)) ENGINE=InnoDB') !== false
			&& $wpdb->query($sql) !== false;
	}
	if ($ok && random_int(1, 50) === 1) {
		$wpdb->query($wpdb->prepare("DELETE FROM $t WHERE window_start <= %d LIMIT 1000", $expired));
	}
	$wpdb->suppress_errors($old);
	if (!$ok) {
		error_log("wpfleet: the login throttle cannot count a failure in $t: " . $wpdb->last_error);
	}
}

/**
 * authenticate, last: refuse a throttled client, and give one error for a
 * wrong user name, e-mail address or password.
 *
 * @param \WP_User|\WP_Error|null $user
 * @param mixed $username
 * @param mixed $password
 */
function authenticate($user, $username, $password) {
	$client = current_client();
	if ($client !== null && ((string) $username !== '' || (string) $password !== '')) {
		$now = time();
		[$count, $start] = failures($client, $now);
		if ($count >= MAX_FAILURES) {
			$minutes = (int) ceil(retry_after($start, $now) / 60);
			return new \WP_Error(THROTTLE_ERROR, sprintf('<strong>Error:</strong> Too many failed login attempts from your address. Try again in %d minute%s.', $minutes, $minutes === 1 ? '' : 's'));
		}
	}
	if ($user instanceof \WP_Error && is_credential_error((string) $user->get_error_code())) {
		if ($user->get_error_code() !== 'incorrect_password') {
			// No password was checked: spend what a check costs.
			wp_hash_password((string) $password);
		}
		return login_error();
	}
	return $user;
}

/** wp_login_failed: count the failure (not the refusals of the throttle itself). */
function login_failed($username, $error = null): void {
	if ($error instanceof \WP_Error && $error->get_error_code() === THROTTLE_ERROR) {
		return;
	}
	$client = current_client();
	if ($client !== null) {
		record_failure($client, time());
	}
}

/**
 * application_password_failed_authentication: one error for a wrong user or
 * password (the REST API shows the code), and the failure counted (XML-RPC
 * counts through wp_login_failed).
 */
function application_password_failed($error): void {
	if ($error instanceof \WP_Error && is_credential_error((string) $error->get_error_code())) {
		$error->remove((string) $error->get_error_code());
		$error->add(LOGIN_ERROR, 'The provided password is an invalid application password.');
	}
	if (!(defined('XMLRPC_REQUEST') && XMLRPC_REQUEST)) {
		login_failed('', $error);
	}
}

/**
 * rest_request_before_callbacks: the users endpoints need a logged-in user
 * (WordPress lists every author to anyone). Decided by the controller that
 * would answer, so /wp/v2/Users, //wp/v2/users and ?rest_route= spellings
 * and _embed links are covered alike.
 */
function rest_users_need_login($response, $handler, $request) {
	$callback = $handler['callback'] ?? null;
	if (is_array($callback) && ($callback[0] ?? null) instanceof \WP_REST_Users_Controller && !is_user_logged_in()) {
		return new \WP_Error('rest_user_cannot_view', 'Sorry, you are not allowed to list users.', ['status' => 401]);
	}
	return $response;
}

/** request: /?author=N is a 404 for visitors who are not logged in. */
function no_author_query(array $vars): array {
	if (isset($vars['author']) && !isset($vars['rest_route']) && !is_admin() && !is_user_logged_in()) {
		unset($vars['author']);
		$vars['error'] = '404';
	}
	return $vars;
}

/**
 * lostpassword_post, last: an unknown user name or e-mail address on
 * wp-login.php gets what a known one gets (the redirect to "check your
 * e-mail"), not "There is no account with that username".
 */
function lost_password_unknown_user($errors, $user_data): void {
	if ($user_data || ($GLOBALS['pagenow'] ?? '') !== 'wp-login.php' || !($errors instanceof \WP_Error)) {
		return;
	}
	if (array_diff($errors->get_error_codes(), ['invalid_email', 'invalidcombo']) !== [] || empty($_POST['user_login'])) {
		return;
	}
	wp_safe_redirect(!empty($_REQUEST['redirect_to']) ? (string) $_REQUEST['redirect_to'] : 'wp-login.php?checkemail=confirm');
	exit;
}

function register(bool $xmlrpc): void {
	add_filter('authenticate', __NAMESPACE__ . '\\authenticate', PHP_INT_MAX, 3);
	add_action('wp_login_failed', __NAMESPACE__ . '\\login_failed', 10, 2);
	add_action('application_password_failed_authentication', __NAMESPACE__ . '\\application_password_failed');
	add_filter('shake_error_codes', static fn($codes) => array_merge((array) $codes, [THROTTLE_ERROR]));
	add_filter('rest_request_before_callbacks', __NAMESPACE__ . '\\rest_users_need_login', 10, 3);
	add_filter('request', __NAMESPACE__ . '\\no_author_query');
	add_filter('wp_sitemaps_add_provider', static fn($provider, $name) => $name === 'users' ? false : $provider, 10, 2);
	add_action('lostpassword_post', __NAMESPACE__ . '\\lost_password_unknown_user', PHP_INT_MAX, 2);

	// Pingbacks are off either way: nothing points to them.
	add_filter('xmlrpc_methods', __NAMESPACE__ . '\\without_pingbacks');
	add_filter('wp_headers', static function ($headers) {
		unset($headers['X-Pingback']);
		return $headers;
	});
	add_filter('bloginfo_url', static fn($url, $show) => $show === 'pingback_url' ? '' : $url, 10, 2);
	if (!$xmlrpc) {
		add_filter('xmlrpc_enabled', '__return_false');
		remove_action('wp_head', 'rsd_link');
	}
}

if (function_exists('add_filter')) {
	register(defined('WPFLEET_XMLRPC') && WPFLEET_XMLRPC);
}
