// Package contract holds the names the task definitions (components/) and
// the images (image/, cmd/wpfleet-sync) agree on: environment variables,
// ports, paths, users and the cron log line of a pool's task. The runtime
// contract is written out in image/README.md ("The pool's task contract");
// a test there checks that every name here is in it, and the programs and
// scripts of the images read these names and no others.
//
// It has no dependencies, so that components/ can import it.
package contract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Environment variables of every container of a pool's task.
const (
	EnvSites          = "WPFLEET_SITES"                   // space-separated site names, pool order
	EnvRequestTimeout = "WPFLEET_REQUEST_TIMEOUT_SECONDS" // longest request in seconds
	EnvCodeRoot       = "WPFLEET_CODE_ROOT"               // site s's live tree is $WPFLEET_CODE_ROOT/s/current
)

// The sync container (code delivery local; command ["wpfleet-sync","run"],
// batch jobs ["wpfleet-sync","once"]).
const (
	EnvSyncSource = "WPFLEET_SYNC_SOURCE" // site s's EFS access point is mounted at $WPFLEET_SYNC_SOURCE/s
	EnvSyncDest   = "WPFLEET_SYNC_DEST"   // site s's local copy is $WPFLEET_SYNC_DEST/s/current

	SyncSource = "/mnt/efs"
	SyncDest   = "/var/www/wpfleet"
)

// The php container.
const (
	EnvEnv            = "WPFLEET_ENV"
	EnvCodeDelivery   = "WPFLEET_CODE_DELIVERY" // local | efs
	EnvTaskCPU        = "WPFLEET_TASK_CPU"
	EnvTaskMemoryMiB  = "WPFLEET_TASK_MEMORY_MIB"
	EnvRegion         = "WPFLEET_REGION"
	EnvWPEnvironment  = "WP_ENVIRONMENT_TYPE"
	EnvDBHost         = "DB_HOST"
	EnvDBTLS          = "DB_TLS"
	EnvCronInterval   = "WPFLEET_CRON_INTERVAL_SECONDS" // default 60
	EnvSite           = "WPFLEET_SITE"                  // set by the image for a site's processes, never by the task definition
	CodeRootLocal     = SyncDest
	CodeRootEFS       = SyncSource
	DefaultCronPeriod = 60
)

// Per-site variable suffixes: WPFLEET_SITE_<S>_<suffix> (SiteEnv).
const (
	SiteHome      = "HOME"      // php: https://first-hostname
	SiteDBName    = "DB_NAME"   // php
	SiteBucket    = "BUCKET"    // php: the uploads bucket
	SiteXMLRPC    = "XMLRPC"    // php: true | false (default false)
	SiteHostnames = "HOSTNAMES" // nginx: space-separated, the first is the home
	// ECS secrets of the php container (the whole secret's JSON).
	SiteDBSecret    = "DB_SECRET"    // {"username","password",...}
	SiteSaltsSecret = "SALTS_SECRET" // {"AUTH_KEY",... the eight keys and salts}
)

// The sync container's memory: its memoryReservation in the task
// definition and what the php entrypoint leaves out of the PHP workers'
// memory in local mode (measured peak: docs/runtime.md, "Sync agent
// memory").
const SyncMemoryReservationMiB = 128

// How the php entrypoint splits a task's memory (image/README.md, "php-fpm
// pools: size for N sites"; tests/runtime TestImageFiles runs the
// entrypoint against these): the OPcache (OPcacheBaseMiB + OPcacheSiteMiB
// per site, shared by every pool), php-fpm's master, nginx, the sync agent
// in local mode, wp-cron (two WP-CLI runs at a time) and the OPcache
// watcher are kept out; the rest is PHP workers of PHPWorkerMiB, at least
// one per site when a pool serves several.
const (
	OPcacheBaseMiB  = 32
	OPcacheSiteMiB  = 48
	PHPWorkerMiB    = 64
	fpmMasterMiB    = 32
	nginxMiB        = 64
	cronMiB         = 128
	opcacheWatchMiB = 16
)

// PHPReservedMiB is the task memory the php entrypoint keeps from the PHP
// workers of a pool of sites sites (local: releases copied by the sync agent).
func PHPReservedMiB(sites int, local bool) int {
	sync := 0
	if local {
		sync = SyncMemoryReservationMiB
	}
	return OPcacheBaseMiB + OPcacheSiteMiB*sites + fpmMasterMiB + nginxMiB + sync + cronMiB + opcacheWatchMiB
}

// MinTaskMemoryMiB is the smallest task memory the php entrypoint starts a
// pool of sites sites with: one PHP worker a site beside what it reserves. A
// pool of one site always starts (with two workers at least); 512 MiB is
// Fargate's and the entrypoint's floor.
func MinTaskMemoryMiB(sites int, local bool) int {
	if sites <= 1 {
		return 512
	}
	return max(512, PHPReservedMiB(sites, local)+PHPWorkerMiB*sites)
}

// Optional php container variable: OPcache MiB per site of the pool
// (default 48; the entrypoint sizes the OPcache as 32 + this × sites and
// leaves it out of the workers' memory). For sites whose live release
// needs more than ~24 MiB of OPcache ("full" lines, below).
const EnvOPcacheSiteMiB = "WPFLEET_OPCACHE_SITE_MIB"

// ReleaseHeader is the response header on PHP responses (WordPress) that
// names the release serving them (the platform must-use plugin).
const ReleaseHeader = "X-Wpfleet-Release"

// OPcache: the php container's watcher (wpfleet-opcache) logs one JSON line
// per event on stdout: {"wpfleet":"opcache","status":"reset"|"full"|"error",...}.
// "full": the OPcache cannot take more scripts although it holds no
// replaced release (size it up: EnvOPcacheSiteMiB); "error": the watcher
// cannot reach php-fpm's platform pool. Both repeat at most every 5 minutes
// while they last.
const (
	OPcacheLogValue     = "opcache"
	OPcacheStatusReset  = "reset"
	OPcacheStatusFull   = "full"
	OPcacheStatusError  = "error"
	OPcacheFullFilter   = `{ $.wpfleet = "opcache" && $.status = "full" }`
	OPcacheErrorFilter  = `{ $.wpfleet = "opcache" && $.status = "error" }`
	OPcacheResetPattern = `{ $.wpfleet = "opcache" && $.status = "reset" }`
	// OPcacheTroubleFilter counts both "full" and "error" lines: the pool's
	// metric filter and alarm (components).
	OPcacheTroubleFilter = `{ $.wpfleet = "opcache" && ($.status = "full" || $.status = "error") }`
)

// The nginx container.
const (
	// OriginHeader carries a site's origin secret from CloudFront to the
	// ALB (whose rules require it); nginx drops it before PHP.
	OriginHeader  = "X-Origin-Verify"
	EnvRealIPFrom = "WPFLEET_REAL_IP_FROM" // space-separated CIDRs trusted in X-Forwarded-For
	NginxPort     = 8080
	HealthPath    = "/healthz"
)

// php-fpm: 127.0.0.1:FPMHealthPort answers the health ping; the i-th site
// (0-based, pool order) runs as the Unix user and group SiteUID(i) and
// listens on the Unix socket FPMSocket(site), in the task volume FPMVolume
// that the php container mounts read-write and nginx read-only at
// FPMSocketDir. The sockets admit group FPMSocketGID only (the nginx
// image's "nginx" group, nginx's workers): a FastCGI client can set any
// php.ini value per request, so another site's PHP must not reach a pool.
const (
	FPMHealthPort = 9000
	FPMSocketDir  = "/run/wpfleet-fpm"
	FPMVolume     = "fpm"
	FPMSocketGID  = 101
	FirstSiteUID  = 10001
	// SettingsDir holds site s's settings file, SettingsDir/s/settings.json
	// (mode 0400, owner SiteUID(i)), written by the php entrypoint.
	SettingsDir = "/run/wpfleet/sites"
)

// FPMSocket is the php-fpm socket of site s.
func FPMSocket(site string) string { return FPMSocketDir + "/" + site + ".sock" }

// SiteUID is the Unix user (and group) id the i-th site's PHP runs as.
func SiteUID(i int) int { return FirstSiteUID + i }

// Cron: one JSON line per site and run on the php container's stdout,
// {"wpfleet":"cron","site":"<s>","status":"ok"|"failed"|"locked","seconds":<n>}.
const (
	CronLogKey          = "wpfleet"
	CronLogValue        = "cron"
	CronStatusOK        = "ok"
	CronStatusFailed    = "failed"
	CronStatusLocked    = "locked"
	CronFailedFilter    = `{ $.wpfleet = "cron" && $.status = "failed" }`
	CronOKFilterPattern = `{ $.wpfleet = "cron" && $.status = "ok" }`
)

var siteName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,13}$`)

// ValidSiteName checks a site name: ^[a-z][a-z0-9-]{0,13}$.
func ValidSiteName(s string) error {
	if !siteName.MatchString(s) {
		return fmt.Errorf("site name %q: want 1-14 characters of a-z, 0-9 and -, starting with a letter", s)
	}
	return nil
}

// SiteKey is S for site s: upper-cased, '-' replaced by '_'.
func SiteKey(site string) string {
	return strings.ReplaceAll(strings.ToUpper(site), "-", "_")
}

// SiteEnv is the name of site s's variable with the given suffix,
// WPFLEET_SITE_<S>_<suffix>.
func SiteEnv(site, suffix string) string {
	return "WPFLEET_SITE_" + SiteKey(site) + "_" + suffix
}

// ParseSites splits WPFLEET_SITES, checking every name and refusing
// duplicates and an empty list. Two names that differ only in '-' and '_'
// cannot occur (site names have no '_'), so SiteKey is unique per pool.
func ParseSites(v string) ([]string, error) {
	sites := strings.Fields(v)
	if len(sites) == 0 {
		return nil, fmt.Errorf("%s is empty: want the pool's site names, space-separated", EnvSites)
	}
	seen := map[string]bool{}
	for _, s := range sites {
		if err := ValidSiteName(s); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvSites, err)
		}
		if seen[s] {
			return nil, fmt.Errorf("%s names site %q twice", EnvSites, s)
		}
		seen[s] = true
	}
	return sites, nil
}

// CronLine is the cron runner's log line for one site and run.
func CronLine(site, status string, seconds float64) string {
	return `{"wpfleet":"cron","site":"` + site + `","status":"` + status + `","seconds":` + strconv.FormatFloat(seconds, 'f', 3, 64) + `}`
}
