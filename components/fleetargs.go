package components

import (
	"fmt"
	"strings"
)

// DNSZone is a Route 53 hosted zone that holds some of the fleet's hostnames.
type DNSZone struct {
	// Name is the zone's domain, e.g. "example.com".
	Name string `json:"name"`
	// ZoneId is the hosted zone's ID, e.g. "Z0123456789ABCDEFGHIJ".
	ZoneId string `json:"zoneId"`
}

// JobConfig is a batch job run on a schedule in a task of its own.
type JobConfig struct {
	// Name identifies the job within its site (like a site name, up to 20 characters).
	Name string `json:"name"`
	// Schedule is an EventBridge schedule expression (UTC).
	Schedule string `json:"schedule"`
	// Command runs in the php container, e.g. ["wp", "rewrite", "flush"].
	Command []string `json:"command"`
}

// SiteConfig is one site of the fleet. Fields left unset inherit the
// fleet-wide value of the same name.
type SiteConfig struct {
	// Name of the site: 1-14 lowercase letters, digits and single hyphens.
	Name string `json:"name"`
	// Hostnames the site answers to; the first is its home URL.
	Hostnames []string `json:"hostnames"`
	// ListenerPriority pins the site's first ALB rule priority. Defaults to
	// 100 + 10 × the site's position in the list.
	ListenerPriority *int `json:"listenerPriority,omitempty"`
	// Cdn caches the site's anonymous pages in CloudFront for
	// CdnPageTtlSeconds (uploads and static files go through CloudFront
	// either way).
	Cdn               *bool `json:"cdn,omitempty"`
	CdnPageTtlSeconds *int  `json:"cdnPageTtlSeconds,omitempty"`
	// AllowedViewerCidrs overrides the fleet's viewer allow-list for this site.
	AllowedViewerCidrs []string `json:"allowedViewerCidrs,omitempty"`
	// Xmlrpc lets the site answer xmlrpc.php.
	Xmlrpc bool `json:"xmlrpc,omitempty"`
	// OriginSecretVersion and OriginSecretRotating rotate the site's secret
	// origin header (WordPressSiteArgs).
	OriginSecretVersion  *int `json:"originSecretVersion,omitempty"`
	OriginSecretRotating bool `json:"originSecretRotating,omitempty"`
	// Repository overrides wpfleet:releaseRepoUrlTemplate for this site.
	Repository string `json:"repository,omitempty"`
	// Jobs are extra scheduled commands for this site.
	Jobs []JobConfig `json:"jobs,omitempty"`
}

// PoolConfig is one pool of the fleet: an ECS service serving some sites.
// Fields left unset inherit the fleet-wide value of the same name.
type PoolConfig struct {
	// Name of the pool: 1-14 lowercase letters, digits and single hyphens.
	Name string `json:"name"`
	// Sites the pool serves, by name; every site is in exactly one pool.
	Sites                  []string `json:"sites"`
	TaskCpu                *int     `json:"taskCpu,omitempty"`
	TaskMemory             *int     `json:"taskMemory,omitempty"`
	MinTasks               *int     `json:"minTasks,omitempty"`
	MaxTasks               *int     `json:"maxTasks,omitempty"`
	OnDemandBase           *int     `json:"onDemandBase,omitempty"`
	OnDemandWeight         *int     `json:"onDemandWeight,omitempty"`
	SpotWeight             *int     `json:"spotWeight,omitempty"`
	CodeDelivery           *string  `json:"codeDelivery,omitempty"`
	EphemeralStorageGiB    *int     `json:"ephemeralStorageGiB,omitempty"`
	RequestTimeoutSeconds  *int     `json:"requestTimeoutSeconds,omitempty"`
	CronIntervalSeconds    *int     `json:"cronIntervalSeconds,omitempty"`
	ScaleCpuPercent        *int     `json:"scaleCpuPercent,omitempty"`
	ScaleRequestsPerTarget *int     `json:"scaleRequestsPerTarget,omitempty"`
	ExecuteCommand         *bool    `json:"executeCommand,omitempty"`
}

// DefaultPoolName is the pool that serves every site when wpfleet:pools is empty.
const DefaultPoolName = "default"

// FleetArgs is a whole environment's configuration: the typed form of the
// stack's `wpfleet:*` config keys (each field's JSON name is its key). Start
// from DefaultFleetArgs: its values are the components' own defaults.
type FleetArgs struct {
	Environment string            `json:"environment"`
	DnsZones    []DNSZone         `json:"dnsZones"`
	Tags        map[string]string `json:"tags"`
	AlarmEmail  string            `json:"alarmEmail"`

	VpcCidr                  string   `json:"vpcCidr"`
	AvailabilityZones        int      `json:"availabilityZones"`
	NatGateways              string   `json:"natGateways"`
	ExistingVpcId            string   `json:"existingVpcId"`
	ExistingPublicSubnetIds  []string `json:"existingPublicSubnetIds"`
	ExistingPrivateSubnetIds []string `json:"existingPrivateSubnetIds"`
	S3GatewayEndpoint        bool     `json:"s3GatewayEndpoint"`
	InterfaceEndpoints       []string `json:"interfaceEndpoints"`

	EfsThroughputMode          string  `json:"efsThroughputMode"`
	EfsProvisionedMibps        float64 `json:"efsProvisionedMibps"`
	EfsBurstCreditAlarmMinutes int     `json:"efsBurstCreditAlarmMinutes"`
	EfsKmsKeyArn               string  `json:"efsKmsKeyArn"`

	DbMode                string  `json:"dbMode"`
	DbEngineVersion       string  `json:"dbEngineVersion"`
	DbInstanceClass       string  `json:"dbInstanceClass"`
	DbInstances           int     `json:"dbInstances"`
	DbMinAcu              float64 `json:"dbMinAcu"`
	DbMaxAcu              float64 `json:"dbMaxAcu"`
	DbAutoPauseSeconds    int     `json:"dbAutoPauseSeconds"`
	DbBackupRetentionDays int     `json:"dbBackupRetentionDays"`
	DbRequireTls          bool    `json:"dbRequireTls"`
	DeletionProtection    bool    `json:"deletionProtection"`
	FinalSnapshot         bool    `json:"finalSnapshot"`

	SslPolicy           string   `json:"sslPolicy"`
	CertificateMaxNames int      `json:"certificateMaxNames"`
	AlbAllowedCidrs     []string `json:"albAllowedCidrs"`
	AlbAccessLogs       bool     `json:"albAccessLogs"`
	AlbAccessLogDays    int      `json:"albAccessLogDays"`

	NginxImage             string `json:"nginxImage"`
	PhpImage               string `json:"phpImage"`
	CpuArchitecture        string `json:"cpuArchitecture"`
	PlatformVersion        string `json:"platformVersion"`
	TaskCpu                int    `json:"taskCpu"`
	TaskMemory             int    `json:"taskMemory"`
	MinTasks               int    `json:"minTasks"`
	MaxTasks               int    `json:"maxTasks"`
	OnDemandBase           int    `json:"onDemandBase"`
	OnDemandWeight         int    `json:"onDemandWeight"`
	SpotWeight             int    `json:"spotWeight"`
	CodeDelivery           string `json:"codeDelivery"`
	EphemeralStorageGiB    int    `json:"ephemeralStorageGiB"`
	RequestTimeoutSeconds  int    `json:"requestTimeoutSeconds"`
	ScaleCpuPercent        int    `json:"scaleCpuPercent"`
	ScaleRequestsPerTarget int    `json:"scaleRequestsPerTarget"`
	CronIntervalSeconds    int    `json:"cronIntervalSeconds"`
	ExecuteCommand         bool   `json:"executeCommand"`
	ExecLogging            bool   `json:"execLogging"`
	LogRetentionDays       int    `json:"logRetentionDays"`
	UploadsNoncurrentDays  int    `json:"uploadsNoncurrentDays"`

	Cdn                bool     `json:"cdn"`
	CdnPageTtlSeconds  int      `json:"cdnPageTtlSeconds"`
	CdnPriceClass      string   `json:"cdnPriceClass"`
	AllowedViewerCidrs []string `json:"allowedViewerCidrs"`
	Waf                bool     `json:"waf"`
	WafLoginRateLimit  int      `json:"wafLoginRateLimit"`
	WafWebAclArn       string   `json:"wafWebAclArn"`

	Protect             bool   `json:"protect"`
	BackupRetentionDays int    `json:"backupRetentionDays"`
	BackupSchedule      string `json:"backupSchedule"`

	AlarmTarget5xxPercent    int `json:"alarmTarget5xxPercent"`
	AlarmDbCpuPercent        int `json:"alarmDbCpuPercent"`
	AlarmDbConnections       int `json:"alarmDbConnections"`
	AlarmDbFreeableMemoryMiB int `json:"alarmDbFreeableMemoryMiB"`
	AlarmEfsThroughputMibps  int `json:"alarmEfsThroughputMibps"`

	ReleaseRepoUrlTemplate         string            `json:"releaseRepoUrlTemplate"`
	ReleaseGitCredentialsSecretArn string            `json:"releaseGitCredentialsSecretArn"`
	ReleaseConnectionArn           string            `json:"releaseConnectionArn"`
	ReleaseKeep                    int               `json:"releaseKeep"`
	CiGithub                       []GitHubRelease   `json:"ciGithub"`
	CiGithubOidcProviderArn        string            `json:"ciGithubOidcProviderArn"`
	CiCircleciOrgId                string            `json:"ciCircleciOrgId"`
	CiCircleciProjectIds           []string          `json:"ciCircleciProjectIds"`
	CiCircleciProjectSites         map[string]string `json:"ciCircleciProjectSites"`
	CiCircleciOidcProviderArn      string            `json:"ciCircleciOidcProviderArn"`

	Pools []PoolConfig `json:"pools"`
	Sites []SiteConfig `json:"sites"`
}

// DefaultFleetArgs returns the documented default of every setting: the
// components' own defaults (Pulumi.yaml declares the same values; a test
// keeps them equal). Environment (the stack name), DnsZones, Sites and the
// two image URIs have no default.
func DefaultFleetArgs() FleetArgs {
	network := (&NetworkArgs{}).withDefaults()
	efs := SharedEFSArgs{}.withDefaults()
	db := DatabaseArgs{}.withDefaults()
	lb := LoadBalancerArgs{}.withDefaults()
	pool := SitePoolArgs{}.withDefaults()
	site := WordPressSiteArgs{}.withDefaults()
	plat := PlatformArgs{}.withDefaults()
	backup := BackupArgs{}.withDefaults()
	rel := ReleasePipelineArgs{}.withDefaults()
	return FleetArgs{
		Tags:    map[string]string{},
		VpcCidr: network.CidrBlock, AvailabilityZones: network.AvailabilityZoneCount, NatGateways: network.NatGateways,
		S3GatewayEndpoint: *network.S3GatewayEndpoint,
		EfsThroughputMode: efs.ThroughputMode, EfsBurstCreditAlarmMinutes: efs.BurstCreditAlarmMinutes,
		DbMode: db.Mode, DbEngineVersion: db.EngineVersion, DbInstanceClass: db.InstanceClass, DbInstances: db.Instances,
		DbMinAcu: db.MinCapacity, DbMaxAcu: db.MaxCapacity, DbAutoPauseSeconds: db.AutoPauseSeconds,
		DbBackupRetentionDays: db.BackupRetentionDays, DbRequireTls: *db.RequireTLS,
		DeletionProtection: *db.DeletionProtection && *lb.DeletionProtection, FinalSnapshot: *db.FinalSnapshot,
		SslPolicy: lb.SSLPolicy, CertificateMaxNames: lb.MaxNamesPerCertificate,
		AlbAccessLogs: *lb.AccessLogs, AlbAccessLogDays: lb.AccessLogDays,
		CpuArchitecture: plat.Runtime.CPUArchitecture, PlatformVersion: plat.Runtime.PlatformVersion,
		TaskCpu: pool.CPU, TaskMemory: pool.Memory, MinTasks: pool.MinTasks, MaxTasks: pool.MaxTasks,
		OnDemandBase: pool.Capacity.OnDemandBase, OnDemandWeight: pool.Capacity.OnDemandWeight, SpotWeight: pool.Capacity.SpotWeight,
		CodeDelivery: pool.CodeDelivery, EphemeralStorageGiB: pool.EphemeralStorageGiB,
		RequestTimeoutSeconds: pool.RequestTimeoutSeconds,
		ScaleCpuPercent:       pool.ScaleCPUPercent, ScaleRequestsPerTarget: pool.ScaleRequestsPerTarget,
		CronIntervalSeconds: pool.CronIntervalSeconds, ExecuteCommand: pool.ExecuteCommand, ExecLogging: *plat.ExecLogging,
		LogRetentionDays: plat.LogRetentionDays, UploadsNoncurrentDays: site.UploadsNoncurrentDays,
		Cdn: site.PageCaching, CdnPageTtlSeconds: *site.PageTTLSeconds, CdnPriceClass: site.PriceClass,
		Waf: *plat.Firewall, WafLoginRateLimit: plat.FirewallLoginRateLimit,
		BackupRetentionDays: backup.RetentionDays, BackupSchedule: backup.Schedule,
		AlarmTarget5xxPercent: site.Target5xxPercent, AlarmDbCpuPercent: plat.Alarms.DbCPUPercent,
		AlarmDbConnections: plat.Alarms.DbConnections, AlarmDbFreeableMemoryMiB: plat.Alarms.DbFreeableMemoryMiB,
		AlarmEfsThroughputMibps: plat.Alarms.EfsThroughputMibps,
		ReleaseKeep:             rel.KeepReleases,
	}
}

// key names a config key: "wpfleet:taskCpu", "wpfleet:sites[2].taskCpu".
func key(path string) string { return ConfigNamespace + ":" + path }

func siteKey(i int, field string) string { return key(fmt.Sprintf("sites[%d].%s", i, field)) }

func poolKey(i int, field string) string { return key(fmt.Sprintf("pools[%d].%s", i, field)) }

// zoneFor returns the zone with the longest name that holds h (empty when none).
func (f FleetArgs) zoneFor(h string) DNSZone {
	var best DNSZone
	for _, z := range f.DnsZones {
		if (h == z.Name || strings.HasSuffix(h, "."+z.Name)) && len(z.Name) > len(best.Name) {
			best = z
		}
	}
	return best
}

// hostnames returns site i's hostnames with their zones.
func (f FleetArgs) hostnames(s SiteConfig) []Hostname {
	var out []Hostname
	for _, h := range s.Hostnames {
		out = append(out, Hostname{Name: h, ZoneId: f.zoneFor(h).ZoneId})
	}
	return out
}

// PoolsOrDefault returns the configured pools, or one pool named "default"
// serving every site when none is configured.
func (f FleetArgs) PoolsOrDefault() []PoolConfig {
	if len(f.Pools) > 0 {
		return f.Pools
	}
	p := PoolConfig{Name: DefaultPoolName}
	for _, s := range f.Sites {
		p.Sites = append(p.Sites, s.Name)
	}
	return []PoolConfig{p}
}

// listenerPriority is site i's first rule priority.
func (f FleetArgs) listenerPriority(i int) int { return intOr(f.Sites[i].ListenerPriority, 100+10*i) }

func intOr(p *int, d int) int {
	if p != nil {
		return *p
	}
	return d
}

func strOr(p *string, d string) string {
	if p != nil {
		return *p
	}
	return d
}

func boolValue(p *bool, d bool) bool {
	if p != nil {
		return *p
	}
	return d
}

func validZoneID(id string) bool {
	if len(id) < 2 || len(id) > 32 || id[0] != 'Z' {
		return false
	}
	for _, r := range id {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func zoneNames(zs []DNSZone) string {
	n := make([]string, len(zs))
	for i, z := range zs {
		n[i] = z.Name
	}
	return strings.Join(n, ", ")
}
