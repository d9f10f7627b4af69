<?php
/**
 * wpfleet OPcache API, baked into the php image at
 * /usr/local/lib/wpfleet/wpfleet-opcache-api.php. Runs in php-fpm's
 * "platform" pool (written by wpfleet-php-entrypoint: uid 65534, its socket
 * $WPFLEET_RUN_DIR/platform.sock admits root only), because the OPcache is
 * php-fpm's shared memory: only a script run by php-fpm sees it (the CLI has
 * its own). wpfleet-opcache (root, in the php container) is its one client.
 *
 * FastCGI parameter WPFLEET_OPCACHE_ACTION:
 *   status  what the OPcache holds: memory, keys, interned strings, hit
 *           rate, and per site the live release (the target of
 *           $WPFLEET_CODE_ROOT/<site>/current) with the scripts cached from
 *           it and from replaced ("stale") releases
 *   reset   opcache_reset() when scripts of a replaced release are cached
 *           (or WPFLEET_OPCACHE_FORCE=1), then the status as before it
 *
 * The answer is one JSON document. OPcache restarts when no request holds
 * its shared memory any more (requests in flight keep the code they run;
 * requests that start meanwhile run uncached), so a reset never fails a
 * request; every site's scripts are compiled again on their next use.
 */

namespace WPFleet\OPcacheAPI;

const MIB = 1048576;

/**
 * Site s's live release id and its real directories: [id, live dir,
 * releases dir], ids "" when the site has no live release.
 */
function live_release(string $root, string $site): array {
	$site_dir = realpath("$root/$site");
	if ($site_dir === false) {
		return ['', '', ''];
	}
	$link = @readlink("$site_dir/current");
	if (!is_string($link) || !preg_match('#^releases/([A-Za-z0-9][A-Za-z0-9._-]{0,127})$#', $link, $m)) {
		return ['', '', "$site_dir/releases/"];
	}
	return [$m[1], "$site_dir/releases/{$m[1]}/", "$site_dir/releases/"];
}

/** Sorts the cached scripts by site: live or stale release, or neither. */
function classify(array $scripts, array $sites): array {
	$out = [];
	foreach ($sites as $s => [$id, $live, $releases]) {
		$out[$s] = ['release' => $id, 'live_scripts' => 0, 'live_mib' => 0.0, 'wp_settings_php' => false, 'stale' => []];
	}
	$other = 0;
	foreach ($scripts as $path => $info) {
		$path = (string) ($info['full_path'] ?? $path);
		$mem = ((int) ($info['memory_consumption'] ?? 0)) / MIB;
		$site = null;
		foreach ($sites as $s => [$id, $live, $releases]) {
			if ($releases !== '' && str_starts_with($path, $releases)) {
				$site = $s;
				break;
			}
		}
		if ($site === null) {
			$other++;
			continue;
		}
		[$id, $live, $releases] = $sites[$site];
		$rel = explode('/', substr($path, strlen($releases)), 2)[0];
		if ($rel === $id) {
			$out[$site]['live_scripts']++;
			$out[$site]['live_mib'] += $mem;
			if ($path === $live . 'wp-settings.php') {
				$out[$site]['wp_settings_php'] = true;
			}
			continue;
		}
		$out[$site]['stale'][$rel]['scripts'] = ($out[$site]['stale'][$rel]['scripts'] ?? 0) + 1;
		$out[$site]['stale'][$rel]['mib'] = ($out[$site]['stale'][$rel]['mib'] ?? 0) + $mem;
	}
	foreach ($out as &$o) {
		$o['live_mib'] = round($o['live_mib'], 2);
		foreach ($o['stale'] as &$st) {
			$st['mib'] = round($st['mib'], 2);
		}
		unset($st);
		$o['stale'] = (object) $o['stale'];
	}
	unset($o);
	return [$out, $other];
}

function status(string $root, array $site_names): array {
	$st = opcache_get_status(true);
	if (!is_array($st)) {
		return ['error' => 'opcache_get_status() failed: OPcache is not loaded or not enabled in php-fpm'];
	}
	$sites = [];
	foreach ($site_names as $s) {
		$sites[$s] = live_release($root, $s);
	}
	$mem = $st['memory_usage'] ?? [];
	$str = $st['interned_strings_usage'] ?? [];
	$stat = $st['opcache_statistics'] ?? [];
	$size = (int) ($mem['used_memory'] ?? 0) + (int) ($mem['free_memory'] ?? 0) + (int) ($mem['wasted_memory'] ?? 0);
	$out = [
		'enabled' => (bool) ($st['opcache_enabled'] ?? false),
		'restart_pending' => (bool) ($st['restart_pending'] ?? false),
		'restart_in_progress' => (bool) ($st['restart_in_progress'] ?? false),
		'cache_full' => (bool) ($st['cache_full'] ?? false),
		'memory_mib' => [
			'size' => round($size / MIB, 2),
			'used' => round(($mem['used_memory'] ?? 0) / MIB, 2),
			'free' => round(($mem['free_memory'] ?? 0) / MIB, 2),
			'wasted' => round(($mem['wasted_memory'] ?? 0) / MIB, 2),
		],
		'interned_strings_mib' => [
			'size' => round(($str['buffer_size'] ?? 0) / MIB, 2),
			'used' => round(($str['used_memory'] ?? 0) / MIB, 2),
			'free' => round(($str['free_memory'] ?? 0) / MIB, 2),
		],
		'scripts' => (int) ($stat['num_cached_scripts'] ?? 0),
		'keys' => (int) ($stat['num_cached_keys'] ?? 0),
		'max_keys' => (int) ($stat['max_cached_keys'] ?? 0),
		'hits' => (int) ($stat['hits'] ?? 0),
		'misses' => (int) ($stat['misses'] ?? 0),
		'hit_rate' => round((float) ($stat['opcache_hit_rate'] ?? 0), 3),
		'restarts' => [
			'oom' => (int) ($stat['oom_restarts'] ?? 0),
			'hash' => (int) ($stat['hash_restarts'] ?? 0),
			'manual' => (int) ($stat['manual_restarts'] ?? 0),
		],
		'start_time' => (int) ($stat['start_time'] ?? 0),
		'last_restart_time' => (int) ($stat['last_restart_time'] ?? 0),
	];
	// During a pending restart OPcache lists no scripts (and holds none that
	// any new request uses); the per-site view is then unknown.
	if (isset($st['scripts']) && is_array($st['scripts'])) {
		[$out['sites'], $out['other_scripts']] = classify($st['scripts'], $sites);
	} else {
		$out['sites'] = null;
	}
	return $out;
}

function has_stale(array $status): bool {
	foreach ((array) ($status['sites'] ?? []) as $s) {
		if ((array) $s['stale']) {
			return true;
		}
	}
	return false;
}

$root = rtrim((string) getenv('WPFLEET_CODE_ROOT'), '/');
$site_names = preg_split('/\s+/', trim((string) getenv('WPFLEET_SITES')), -1, PREG_SPLIT_NO_EMPTY);
$action = (string) ($_SERVER['WPFLEET_OPCACHE_ACTION'] ?? 'status');
header('Content-Type: application/json');
header('Cache-Control: no-store');
if ($root === '' || !$site_names) {
	http_response_code(500);
	echo json_encode(['error' => 'WPFLEET_CODE_ROOT or WPFLEET_SITES is not set in the platform pool']), "\n";
	return;
}
$status = status($root, $site_names);
if ($action === 'reset' && !isset($status['error'])) {
	$force = ($_SERVER['WPFLEET_OPCACHE_FORCE'] ?? '') === '1';
	$status['reset'] = ($force || has_stale($status)) && opcache_reset();
} elseif ($action !== 'status') {
	http_response_code(400);
	$status = ['error' => "unknown action \"$action\": want status or reset"];
}
echo json_encode($status, JSON_UNESCAPED_SLASHES), "\n";
