<?php
/**
 * wpfleet platform: asset URLs that change with the file, and the release
 * id. Baked into the php image at /usr/local/lib/wpfleet/wpfleet-assets.php
 * and loaded by wpfleet-platform.php (the platform must-use plugin).
 *
 * - Every script and stylesheet WordPress prints (wp_enqueue_script,
 *   wp_enqueue_style, block assets, the emoji loader: the script_loader_src
 *   and style_loader_src filters) whose URL is a static file of the release
 *   this request runs gets ?ver=<the first 16 hex digits of the xxh128 of
 *   its content> in place of the version its code gave (core, themes and
 *   plugins mostly give their own version number, which a release that
 *   changes the file need not change). A file that changes gets a new URL;
 *   one that does not keeps its URL across releases, so browsers and
 *   CloudFront may keep it for a year (nginx sends a year only for such
 *   URLs). Uploads (S3, other host paths) and URLs of other hosts or of PHP
 *   scripts are left as they are.
 * - Admin scripts are not concatenated (CONCATENATE_SCRIPTS false, unless
 *   the site sets it): load-scripts.php's URL names WordPress's version, not
 *   the files'.
 * - Each file is hashed once per release and task: the versions are kept in
 *   the site's temp directory (wpfleet-assets-<release>.json, the site's
 *   own user), read once per request.
 * - The release id this request runs (the directory of ABSPATH under
 *   releases/) is sent as the X-Wpfleet-Release response header.
 */

namespace WPFleet\Assets;

const VERSION_LENGTH = 16;
const EXTENSIONS = ['css', 'js', 'mjs'];
const OLD_MEMO_SECONDS = 600;

/** The release id of a tree at .../releases/<id>/, or "". */
function release_id(string $abspath): string {
	$dir = rtrim($abspath, '/');
	if (basename(dirname($dir)) !== 'releases') {
		return '';
	}
	$id = basename($dir);
	return preg_match('/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/', $id) ? $id : '';
}

/**
 * The path, relative to the site's root, of the static file an asset URL
 * names, or null: same host and port as the site URL ($home), under its
 * path, no "..", an extension of EXTENSIONS.
 */
function local_path(string $src, string $home): ?string {
	$h = parse_url($home);
	$u = parse_url(str_starts_with($src, '//') ? ($h['scheme'] ?? 'https') . ':' . $src : $src);
	if (!is_array($h) || !is_array($u) || !isset($u['path'])) {
		return null;
	}
	if (isset($u['host']) && (strcasecmp($u['host'], $h['host'] ?? '') !== 0 || ($u['port'] ?? null) !== ($h['port'] ?? null))) {
		return null;
	}
	if (!isset($u['host']) && !str_starts_with($u['path'], '/')) {
		return null;
	}
	$path = rawurldecode($u['path']);
	$base = rtrim($h['path'] ?? '', '/') . '/';
	if (!str_starts_with($path, $base) || str_contains($path, "\0")) {
		return null;
	}
	$rel = substr($path, strlen($base));
	if ($rel === '' || in_array('..', explode('/', $rel), true)) {
		return null;
	}
	$ext = strtolower(pathinfo($rel, PATHINFO_EXTENSION));
	return in_array($ext, EXTENSIONS, true) ? $rel : null;
}

/** Content versions of one release's files, kept in a file between requests. */
final class Versions {
	/** @var array<string, string> relative path => version ("" for no file) */
	private array $known = [];
	private bool $changed = false;

	public function __construct(private string $root, private string $memo) {
		$doc = is_file($memo) ? json_decode((string) @file_get_contents($memo), true) : null;
		if (is_array($doc)) {
			$this->known = array_filter($doc, 'is_string');
		}
	}

	public function of(string $rel): string {
		if (!array_key_exists($rel, $this->known)) {
			$file = $this->root . $rel;
			$hash = is_file($file) ? hash_file('xxh128', $file) : false;
			$this->known[$rel] = $hash === false ? '' : substr($hash, 0, VERSION_LENGTH);
			$this->changed = true;
		}
		return $this->known[$rel];
	}

	/** Writes the versions learnt by this request (atomically). */
	public function save(): void {
		if (!$this->changed) {
			return;
		}
		$fresh = !is_file($this->memo);
		if (is_file($this->memo)) {
			$doc = json_decode((string) @file_get_contents($this->memo), true);
			if (is_array($doc)) {
				$this->known += array_filter($doc, 'is_string');
			}
		}
		$tmp = $this->memo . '.' . getmypid() . '.tmp';
		if (@file_put_contents($tmp, json_encode($this->known, JSON_UNESCAPED_SLASHES)) === false || !@rename($tmp, $this->memo)) {
			@unlink($tmp);
			return;
		}
		if ($fresh) {
			remove_old_memos($this->memo);
		}
	}
}

/** Removes other releases' version files that have not changed for a while. */
function remove_old_memos(string $keep): void {
	foreach (glob(dirname($keep) . '/wpfleet-assets-*.json') ?: [] as $f) {
		if ($f !== $keep && @filemtime($f) < time() - OLD_MEMO_SECONDS) {
			@unlink($f);
		}
	}
}

/** The URL with ?ver= set to the file's content version, or as it was. */
function versioned(string $src, Versions $versions, string $home): string {
	$rel = local_path($src, $home);
	if ($rel === null) {
		return $src;
	}
	$ver = $versions->of($rel);
	if ($ver === '') {
		return $src;
	}
	return add_query_arg('ver', $ver, remove_query_arg('ver', $src));
}

function init(): void {
	$release = release_id(ABSPATH);
	if ($release !== '' && PHP_SAPI !== 'cli' && !headers_sent()) {
		header('X-Wpfleet-Release: ' . $release);
	}
	if (!defined('CONCATENATE_SCRIPTS')) {
		define('CONCATENATE_SCRIPTS', false);
	}
	$memo = rtrim(sys_get_temp_dir(), '/') . '/wpfleet-assets-' . ($release !== '' ? $release : md5(ABSPATH)) . '.json';
	$versions = new Versions(rtrim(ABSPATH, '/') . '/', $memo);
	$filter = static function ($src) use ($versions) {
		return is_string($src) && $src !== '' ? versioned($src, $versions, site_url('/')) : $src;
	};
	add_filter('script_loader_src', $filter, PHP_INT_MAX);
	add_filter('style_loader_src', $filter, PHP_INT_MAX);
	register_shutdown_function([$versions, 'save']);
}

init();
