package components

import "strings"

// Names is every physical-name convention of one environment: the one place
// where the names AWS sees are built, so that components ask each other for
// names instead of rebuilding them. Variable parts (environment, pool, site,
// job) cannot contain "--" (CheckEnvironmentName, CheckSiteName,
// CheckJobName), so a "--" before a fixed suffix keeps every name
// unambiguous: no two different (kind, pool, site, job) give the same name.
type Names struct {
	// Env is the environment: 1-8 lowercase letters and digits.
	Env string
}

// NamesFor returns the naming conventions of environment env.
func NamesFor(env string) Names { return Names{Env: env} }

// ConfigNamespace prefixes every stack configuration key (the Pulumi project name).
const ConfigNamespace = "wpfleet"

// ---- environment ---------------------------------------------------------

// ClusterIdentifier is the Aurora cluster's identifier (and the prefix of its
// exported log groups).
func (n Names) ClusterIdentifier() string { return "wpfleet-" + n.Env }

// DashboardName is the environment's CloudWatch dashboard.
func (n Names) DashboardName() string { return "wpfleet-" + n.Env }

// BackupVault names the AWS Backup vault and plan.
func (n Names) BackupVault() string { return n.Env + "-wpfleet" }

// AlarmKeyAlias is the KMS alias of the alarm topic's key.
func (n Names) AlarmKeyAlias() string { return "alias/wpfleet/" + n.Env + "-alarms" }

// ReleaseProject is the release job's CodeBuild project.
func (n Names) ReleaseProject() string { return n.Env + "-wordpress-release" }

// ReleaseLogGroup is the release job's log group.
func (n Names) ReleaseLogGroup() string { return "/wpfleet/" + n.Env + "/release" }

// ExecLogGroup receives ECS Exec session logs of every task of the environment.
func (n Names) ExecLogGroup() string { return "/wpfleet/" + n.Env + "/exec" }

// StaticCachePolicy is the shared CloudFront cache policy for static assets
// (cache policy names are unique per account).
func (n Names) StaticCachePolicy() string { return "wpfleet-" + n.Env + "--static" }

// SecretPrefix starts every Secrets Manager name of the environment.
func (n Names) SecretPrefix() string { return "wpfleet/" + n.Env + "/" }

// MetricNamespace holds the environment's custom metrics (from the pools'
// logs): requests, 5xx and cron runs per site (dimension Site).
func (n Names) MetricNamespace() string { return "wpfleet/" + n.Env }

// Alarm names an environment-wide alarm.
func (n Names) Alarm(what string) string { return "wpfleet-" + n.Env + "--" + what }

// ---- pools ---------------------------------------------------------------

// PoolFamily is a pool's task definition family.
func (n Names) PoolFamily(pool string) string { return n.Env + "-pool-" + pool }

// PoolLogGroup receives a pool's container logs.
func (n Names) PoolLogGroup(pool string) string { return "/wpfleet/" + n.Env + "/pools/" + pool }

// PoolMetric names a metric of one pool's own (one without a Site
// dimension: its log lines name no site) in MetricNamespace.
func (n Names) PoolMetric(pool, what string) string { return what + "--" + pool }

// PoolAlarm names an alarm of a pool.
func (n Names) PoolAlarm(pool, what string) string {
	return "wpfleet-" + n.Env + "-pool-" + pool + "--" + what
}

// ---- sites ---------------------------------------------------------------

// SiteDBSecret is a site's database user secret; the release job reads it by
// this name (SITE_SECRET_PREFIX + site + "/db").
func (n Names) SiteDBSecret(site string) string { return n.SecretPrefix() + site + "/db" }

// SiteSaltsSecret holds a site's WordPress keys and salts.
func (n Names) SiteSaltsSecret(site string) string { return n.SecretPrefix() + site + "/salts" }

// SiteLogGroup receives a site's batch job logs.
func (n Names) SiteLogGroup(site string) string { return "/wpfleet/" + n.Env + "/sites/" + site }

// JobFamily is the task definition family of a site's batch job.
func (n Names) JobFamily(site, job string) string { return n.Env + "-job-" + site + "--" + job }

// JobRule names the EventBridge schedule of a site's batch job (64 characters at most).
func (n Names) JobRule(site, job string) string { return "wpfleet-" + n.Env + "-" + site + "--" + job }

// SiteAlarm names an alarm of a site.
func (n Names) SiteAlarm(site, what string) string {
	return "wpfleet-" + n.Env + "-site-" + site + "--" + what
}

// PageCachePolicy is a site's CloudFront page cache policy (unique per account).
func (n Names) PageCachePolicy(site string) string {
	return "wpfleet-" + n.Env + "-" + site + "--pages"
}

// OriginAccessControl lets a site's distribution read its uploads bucket
// (unique per account).
func (n Names) OriginAccessControl(site string) string {
	return "wpfleet-" + n.Env + "-" + site + "--uploads"
}

// ViewerFunction is a site's CloudFront viewer-request function (unique per
// account, 64 characters at most).
func (n Names) ViewerFunction(site string) string {
	return "wpfleet-" + n.Env + "-" + site + "--viewer"
}

// SiteRoot is a site's directory on the shared file system.
func (n Names) SiteRoot(site string) string { return SiteRoot(site) }

// SiteRoot is the directory of a site on the shared file system.
func SiteRoot(site string) string { return "/sites/" + site }

// DatabaseIdentifier is the MySQL database and user name for a site:
// "wp_" followed by the site name with hyphens as underscores (at most 17
// characters, within MySQL's 32-character user name limit).
func DatabaseIdentifier(site string) string {
	return "wp_" + strings.ReplaceAll(site, "-", "_")
}

// EnvKey is a site or pool name as it appears in environment variable names
// (upper case, hyphens as underscores): WPFLEET_SITE_<EnvKey>_HOME.
func EnvKey(name string) string { return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) }
