package components

import (
	"fmt"
	"strings"
)

// ConfigNamespace prefixes every stack configuration key (the Pulumi project name).
const ConfigNamespace = "wpfleet"

// DNSZone is a Route 53 hosted zone that holds some of the fleet's hostnames.
type DNSZone struct {
	// Name is the zone's domain, e.g. "example.com".
	Name string `json:"name"`
	// ZoneId is the hosted zone's ID, e.g. "Z0123456789ABCDEFGHIJ".
	ZoneId string `json:"zoneId"`
}

// JobConfig is a batch job run on a schedule in a site's cron task.
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
	// Name of the site: 1-14 lowercase letters, digits and hyphens.
	Name string `json:"name"`
	// Hostnames the site answers to; the first is its home URL.
	Hostnames []string `json:"hostnames"`

	TaskCpu               *int    `json:"taskCpu,omitempty"`
	TaskMemory            *int    `json:"taskMemory,omitempty"`
	MinTasks              *int    `json:"minTasks,omitempty"`
	MaxTasks              *int    `json:"maxTasks,omitempty"`
	OnDemandBase          *int    `json:"onDemandBase,omitempty"`
	OnDemandWeight        *int    `json:"onDemandWeight,omitempty"`
	SpotWeight            *int    `json:"spotWeight,omitempty"`
	CodeDelivery          *string `json:"codeDelivery,omitempty"`
	EphemeralStorageGiB   *int    `json:"ephemeralStorageGiB,omitempty"`
	CronSchedule          *string `json:"cronSchedule,omitempty"`
	RequestTimeoutSeconds *int    `json:"requestTimeoutSeconds,omitempty"`
	// ListenerPriority pins the site's first ALB rule priority. Defaults to
	// 100 + 10 × the site's position in the list.
	ListenerPriority *int `json:"listenerPriority,omitempty"`
	// UploadsWebsite turns on S3 website hosting for the uploads bucket (public).
	UploadsWebsite bool `json:"uploadsWebsite,omitempty"`
	// Cdn puts CloudFront in front of the site; CdnPageTtlSeconds is how long
	// its anonymous pages are cached.
	Cdn               *bool `json:"cdn,omitempty"`
	CdnPageTtlSeconds *int  `json:"cdnPageTtlSeconds,omitempty"`
	// Repository overrides wpfleet:releaseRepoUrlTemplate for this site.
	Repository string `json:"repository,omitempty"`
	// Jobs are extra scheduled commands for this site.
	Jobs []JobConfig `json:"jobs,omitempty"`
}

// FleetArgs is a whole environment's configuration: the typed form of the
// stack's `wpfleet:*` config keys (each field's JSON name is its key). Start
// from DefaultFleetArgs: its values are the documented defaults.
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

	EfsThroughputMode          string  `json:"efsThroughputMode"`
	EfsProvisionedMibps        float64 `json:"efsProvisionedMibps"`
	EfsBurstCreditAlarmMinutes int     `json:"efsBurstCreditAlarmMinutes"`

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

	SslPolicy           string `json:"sslPolicy"`
	CertificateMaxNames int    `json:"certificateMaxNames"`

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
	HealthCheckPath        string `json:"healthCheckPath"`
	ScaleCpuPercent        int    `json:"scaleCpuPercent"`
	ScaleRequestsPerTarget int    `json:"scaleRequestsPerTarget"`
	LogRetentionDays       int    `json:"logRetentionDays"`
	CronSchedule           string `json:"cronSchedule"`
	UploadsNoncurrentDays  int    `json:"uploadsNoncurrentDays"`

	Cdn               bool   `json:"cdn"`
	CdnPageTtlSeconds int    `json:"cdnPageTtlSeconds"`
	CdnPriceClass     string `json:"cdnPriceClass"`
	WafWebAclArn      string `json:"wafWebAclArn"`

	Protect             bool   `json:"protect"`
	BackupRetentionDays int    `json:"backupRetentionDays"`
	BackupSchedule      string `json:"backupSchedule"`

	AlarmTarget5xxPercent    int `json:"alarmTarget5xxPercent"`
	AlarmResponseTimeP90Ms   int `json:"alarmResponseTimeP90Ms"`
	AlarmDbCpuPercent        int `json:"alarmDbCpuPercent"`
	AlarmDbConnections       int `json:"alarmDbConnections"`
	AlarmDbFreeableMemoryMiB int `json:"alarmDbFreeableMemoryMiB"`
	AlarmEfsThroughputMibps  int `json:"alarmEfsThroughputMibps"`

	ReleaseRepoUrlTemplate         string          `json:"releaseRepoUrlTemplate"`
	ReleaseGitCredentialsSecretArn string          `json:"releaseGitCredentialsSecretArn"`
	ReleaseConnectionArn           string          `json:"releaseConnectionArn"`
	ReleaseKeep                    int             `json:"releaseKeep"`
	CiGithub                       []GitHubRelease `json:"ciGithub"`
	CiGithubOidcProviderArn        string          `json:"ciGithubOidcProviderArn"`
	CiCircleciOrgId                string          `json:"ciCircleciOrgId"`
	CiCircleciProjectIds           []string        `json:"ciCircleciProjectIds"`
	CiCircleciOidcProviderArn      string          `json:"ciCircleciOidcProviderArn"`

	Sites []SiteConfig `json:"sites"`
}

// DefaultFleetArgs returns the documented default of every setting.
// Environment (the stack name), DnsZones, Sites and the two image URIs have
// no default.
func DefaultFleetArgs() FleetArgs {
	return FleetArgs{
		Tags:                       map[string]string{},
		VpcCidr:                    "10.0.0.0/16",
		AvailabilityZones:          3,
		NatGateways:                NatOnePerAz,
		EfsThroughputMode:          ThroughputElastic,
		EfsBurstCreditAlarmMinutes: 60,
		DbMode:                     DatabaseServerless,
		DbEngineVersion:            DefaultEngineVersion,
		DbInstanceClass:            "db.r6g.large",
		DbInstances:                2,
		DbMinAcu:                   0.5,
		DbMaxAcu:                   8,
		DbAutoPauseSeconds:         300,
		DbBackupRetentionDays:      7,
		DbRequireTls:               true,
		DeletionProtection:         true,
		FinalSnapshot:              true,
		SslPolicy:                  DefaultSSLPolicy,
		CertificateMaxNames:        DefaultMaxNamesPerCertificate,
		CpuArchitecture:            "X86_64",
		PlatformVersion:            "LATEST",
		TaskCpu:                    1024,
		TaskMemory:                 2048,
		MinTasks:                   2,
		MaxTasks:                   10,
		OnDemandBase:               1,
		OnDemandWeight:             1,
		SpotWeight:                 0,
		CodeDelivery:               CodeLocal,
		EphemeralStorageGiB:        30,
		RequestTimeoutSeconds:      30,
		HealthCheckPath:            "/healthz",
		ScaleCpuPercent:            60,
		ScaleRequestsPerTarget:     1000,
		LogRetentionDays:           30,
		CronSchedule:               DefaultCronSchedule,
		UploadsNoncurrentDays:      30,
		CdnPageTtlSeconds:          300,
		CdnPriceClass:              "PriceClass_200",
		BackupRetentionDays:        35,
		BackupSchedule:             DefaultBackupSchedule,
		AlarmTarget5xxPercent:      5,
		AlarmResponseTimeP90Ms:     2000,
		AlarmDbCpuPercent:          80,
		AlarmDbConnections:         1000,
		AlarmDbFreeableMemoryMiB:   256,
		AlarmEfsThroughputMibps:    20,
		ReleaseKeep:                5,
	}
}

// key names a config key: "wpfleet:taskCpu", "wpfleet:sites[2].taskCpu".
func key(path string) string { return ConfigNamespace + ":" + path }

func siteKey(i int, field string) string { return key(fmt.Sprintf("sites[%d].%s", i, field)) }

// ResolvedSite is a site with every inherited setting filled in.
type ResolvedSite struct {
	Index            int
	Config           SiteConfig
	Hostnames        []Hostname
	CPU, Memory      int
	MinTasks         int
	MaxTasks         int
	Capacity         CapacityStrategy
	CodeDelivery     string
	EphemeralGiB     int
	CronSchedule     string
	RequestTimeout   int
	ListenerPriority int
	Rules            int
	Cdn              bool
	CdnPageTTL       int
}

// Resolve fills each site's inherited settings and matches its hostnames to
// DNS zones. It does not validate; Validate does.
func (f FleetArgs) Resolve() []ResolvedSite {
	out := make([]ResolvedSite, len(f.Sites))
	for i, s := range f.Sites {
		r := ResolvedSite{
			Index:          i,
			Config:         s,
			CPU:            intOr(s.TaskCpu, f.TaskCpu),
			Memory:         intOr(s.TaskMemory, f.TaskMemory),
			MinTasks:       intOr(s.MinTasks, f.MinTasks),
			MaxTasks:       intOr(s.MaxTasks, f.MaxTasks),
			CodeDelivery:   strOr(s.CodeDelivery, f.CodeDelivery),
			CronSchedule:   strOr(s.CronSchedule, f.CronSchedule),
			RequestTimeout: intOr(s.RequestTimeoutSeconds, f.RequestTimeoutSeconds),
			Capacity: CapacityStrategy{
				OnDemandBase:   intOr(s.OnDemandBase, f.OnDemandBase),
				OnDemandWeight: intOr(s.OnDemandWeight, f.OnDemandWeight),
				SpotWeight:     intOr(s.SpotWeight, f.SpotWeight),
			},
			ListenerPriority: intOr(s.ListenerPriority, 100+10*i),
			Cdn:              s.Cdn != nil && *s.Cdn || s.Cdn == nil && f.Cdn,
			CdnPageTTL:       intOr(s.CdnPageTtlSeconds, f.CdnPageTtlSeconds),
			Rules:            (len(s.Hostnames) + hostsPerRule - 1) / hostsPerRule,
		}
		r.EphemeralGiB = intOr(s.EphemeralStorageGiB, f.EphemeralStorageGiB)
		if r.CodeDelivery == CodeEFS && s.EphemeralStorageGiB == nil {
			r.EphemeralGiB = 0 // efs mode keeps Fargate's included 20 GiB
		}
		for _, h := range s.Hostnames {
			r.Hostnames = append(r.Hostnames, Hostname{Name: h, ZoneId: f.zoneFor(h).ZoneId})
		}
		out[i] = r
	}
	return out
}

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

// Validate checks the whole configuration and returns every problem, each
// naming its config key, the bad value and what is allowed.
func (f FleetArgs) Validate() error {
	var c check
	c.keyed(key("environment"), f.Environment, CheckEnvironmentName(f.Environment))
	if len(f.DnsZones) == 0 {
		c.add(invalid(key("dnsZones"), nil, "at least one Route 53 hosted zone ({name, zoneId}) holding the sites' hostnames"))
	}
	for i, z := range f.DnsZones {
		if CheckHostname(z.Name) != nil {
			c.add(invalid(key(fmt.Sprintf("dnsZones[%d].name", i)), z.Name, "a domain such as example.com"))
		}
		if !validZoneID(z.ZoneId) {
			c.add(invalid(key(fmt.Sprintf("dnsZones[%d].zoneId", i)), z.ZoneId, "a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ"))
		}
	}
	if f.AlarmEmail != "" {
		c.keyed(key("alarmEmail"), f.AlarmEmail, AlarmTopicArgs{Email: f.AlarmEmail}.Validate())
	}

	if f.ExistingVpcId == "" {
		c.keyed(key("vpcCidr"), f.VpcCidr, CheckVpcCidr(f.VpcCidr))
		if f.AvailabilityZones < 2 || f.AvailabilityZones > 6 {
			c.add(invalid(key("availabilityZones"), f.AvailabilityZones, "2 to 6 availability zones"))
		}
		c.keyed(key("natGateways"), f.NatGateways, CheckNatStrategy(f.NatGateways))
	} else {
		if len(f.ExistingPublicSubnetIds) < 2 {
			c.add(invalid(key("existingPublicSubnetIds"), f.ExistingPublicSubnetIds, "at least two public subnets in different AZs when existingVpcId is set"))
		}
		if len(f.ExistingPrivateSubnetIds) < 2 {
			c.add(invalid(key("existingPrivateSubnetIds"), f.ExistingPrivateSubnetIds, "at least two private subnets in different AZs when existingVpcId is set"))
		}
	}

	c.keyed(key("efsThroughputMode"), f.EfsThroughputMode, CheckThroughput(f.EfsThroughputMode, f.EfsProvisionedMibps))
	if f.EfsBurstCreditAlarmMinutes < 1 || f.EfsBurstCreditAlarmMinutes > 1440 {
		c.add(invalid(key("efsBurstCreditAlarmMinutes"), f.EfsBurstCreditAlarmMinutes, "1 to 1440 minutes"))
	}

	c.keyed(key("dbEngineVersion"), f.DbEngineVersion, CheckEngineVersion(f.DbEngineVersion))
	switch f.DbMode {
	case DatabaseServerless:
		c.keyed(key("dbMinAcu"), fmt.Sprintf("%g (max %g)", f.DbMinAcu, f.DbMaxAcu), CheckCapacity(f.DbMinAcu, f.DbMaxAcu, f.DbEngineVersion))
		if f.DbAutoPauseSeconds < 300 || f.DbAutoPauseSeconds > 86400 {
			c.add(invalid(key("dbAutoPauseSeconds"), f.DbAutoPauseSeconds, "300 to 86400 seconds"))
		}
	case DatabaseProvisioned:
		if !instanceClassRe.MatchString(f.DbInstanceClass) || f.DbInstanceClass == "db.serverless" {
			c.add(invalid(key("dbInstanceClass"), f.DbInstanceClass, `a provisioned instance class such as "db.r6g.large"`))
		}
	default:
		c.add(invalid(key("dbMode"), f.DbMode, `"serverless" or "provisioned"`))
	}
	if f.DbInstances < 1 || f.DbInstances > 16 {
		c.add(invalid(key("dbInstances"), f.DbInstances, "1 to 16 (writer plus readers; 2 or more for multi-AZ)"))
	}
	if f.DbBackupRetentionDays < 1 || f.DbBackupRetentionDays > 35 {
		c.add(invalid(key("dbBackupRetentionDays"), f.DbBackupRetentionDays, "1 to 35 days"))
	}

	if !tls12PolicyRe.MatchString(f.SslPolicy) {
		c.add(invalid(key("sslPolicy"), f.SslPolicy, "an ELB security policy allowing only TLS 1.2 and later, e.g. %s", DefaultSSLPolicy))
	}
	if f.CertificateMaxNames < 1 || f.CertificateMaxNames > 100 {
		c.add(invalid(key("certificateMaxNames"), f.CertificateMaxNames, "1 to 100 names per ACM certificate (10 unless the quota was raised)"))
	}

	if f.NginxImage == "" {
		c.add(invalid(key("nginxImage"), "", "the URI of the nginx image built from image/ (see image/README.md)"))
	}
	if f.PhpImage == "" {
		c.add(invalid(key("phpImage"), "", "the URI of the php-fpm image built from image/ (see image/README.md)"))
	}
	c.keyed(key("cpuArchitecture"), f.CpuArchitecture, CheckCPUArchitecture(f.CpuArchitecture))
	c.keyed(key("platformVersion"), f.PlatformVersion, CheckPlatformVersion(f.PlatformVersion))
	if f.HealthCheckPath == "" || f.HealthCheckPath[0] != '/' {
		c.add(invalid(key("healthCheckPath"), f.HealthCheckPath, "an absolute URL path such as /healthz"))
	}
	if f.ScaleCpuPercent < 10 || f.ScaleCpuPercent > 90 {
		c.add(invalid(key("scaleCpuPercent"), f.ScaleCpuPercent, "10 to 90 percent"))
	}
	if f.ScaleRequestsPerTarget < 1 {
		c.add(invalid(key("scaleRequestsPerTarget"), f.ScaleRequestsPerTarget, "at least 1 request per task per minute"))
	}
	c.keyed(key("logRetentionDays"), f.LogRetentionDays, CheckLogRetention(f.LogRetentionDays))
	if f.UploadsNoncurrentDays < 1 || f.UploadsNoncurrentDays > 3650 {
		c.add(invalid(key("uploadsNoncurrentDays"), f.UploadsNoncurrentDays, "1 to 3650 days"))
	}
	if !priceClassRe.MatchString(f.CdnPriceClass) {
		c.add(invalid(key("cdnPriceClass"), f.CdnPriceClass, `"PriceClass_100", "PriceClass_200" or "PriceClass_All"`))
	}
	c.keyed(key("wafWebAclArn"), f.WafWebAclArn, CheckWebACLArn(f.WafWebAclArn))
	if f.BackupRetentionDays < 1 || f.BackupRetentionDays > 3650 {
		c.add(invalid(key("backupRetentionDays"), f.BackupRetentionDays, "1 to 3650 days"))
	}
	if err := CheckScheduleExpression(f.BackupSchedule); err != nil || !strings.HasPrefix(f.BackupSchedule, "cron(") {
		c.add(invalid(key("backupSchedule"), f.BackupSchedule, `a cron expression (UTC) such as "cron(0 17 * * ? *)"`))
	}
	for _, t := range []struct {
		name      string
		v, lo, hi int
	}{
		{"alarmTarget5xxPercent", f.AlarmTarget5xxPercent, 1, 100}, {"alarmResponseTimeP90Ms", f.AlarmResponseTimeP90Ms, 10, 120000},
		{"alarmDbCpuPercent", f.AlarmDbCpuPercent, 1, 100}, {"alarmDbConnections", f.AlarmDbConnections, 1, 100000},
		{"alarmDbFreeableMemoryMiB", f.AlarmDbFreeableMemoryMiB, 1, 1 << 20}, {"alarmEfsThroughputMibps", f.AlarmEfsThroughputMibps, 1, 100000},
	} {
		if t.v < t.lo || t.v > t.hi {
			c.add(invalid(key(t.name), t.v, "%d to %d", t.lo, t.hi))
		}
	}

	if f.ReleaseRepoUrlTemplate == "" {
		c.add(invalid(key("releaseRepoUrlTemplate"), "", "the sites' git URL with {site} in it, e.g. https://github.com/acme/wp-{site}.git"))
	} else {
		c.keyed(key("releaseRepoUrlTemplate"), RedactURL(f.ReleaseRepoUrlTemplate), CheckRepoURLTemplate(f.ReleaseRepoUrlTemplate))
	}
	if f.ReleaseKeep < 2 || f.ReleaseKeep > 50 {
		c.add(invalid(key("releaseKeep"), f.ReleaseKeep, "2 to 50 releases per site"))
	}
	for i, g := range f.CiGithub {
		if !githubRepoRe.MatchString(g.Repository) {
			c.add(invalid(key(fmt.Sprintf("ciGithub[%d].repository", i)), g.Repository, `"owner/name"`))
		}
		if len(g.Branches) == 0 {
			c.add(invalid(key(fmt.Sprintf("ciGithub[%d].branches", i)), nil, "at least one branch allowed to release"))
		}
		for _, b := range g.Branches {
			if b == "" || strings.ContainsAny(b, " *?[\\") {
				c.add(invalid(key(fmt.Sprintf("ciGithub[%d].branches", i)), b, "branch names without wildcards"))
			}
		}
	}
	if f.CiCircleciOrgId != "" && !uuidRe.MatchString(f.CiCircleciOrgId) {
		c.add(invalid(key("ciCircleciOrgId"), f.CiCircleciOrgId, "the CircleCI organisation ID, a UUID"))
	}
	for _, id := range f.CiCircleciProjectIds {
		if !uuidRe.MatchString(id) {
			c.add(invalid(key("ciCircleciProjectIds"), id, "CircleCI project IDs, UUIDs"))
		}
	}
	if (f.CiCircleciOrgId == "") != (len(f.CiCircleciProjectIds) == 0) {
		c.add(invalid(key("ciCircleciProjectIds"), f.CiCircleciProjectIds, "set both wpfleet:ciCircleciOrgId and wpfleet:ciCircleciProjectIds, or neither"))
	}
	for i, s := range f.Sites {
		if s.Repository != "" {
			c.keyed(siteKey(i, "repository"), RedactURL(s.Repository), checkRepoURL(s.Repository))
		}
	}

	if len(f.Sites) == 0 {
		c.add(invalid(key("sites"), nil, "at least one site ({name, hostnames})"))
	}
	siteNames := map[string]int{}
	hostOwner := map[string]string{}
	type span struct {
		site     string
		from, to int
	}
	var spans []span
	for _, r := range f.Resolve() {
		i, s := r.Index, r.Config
		c.keyed(siteKey(i, "name"), s.Name, CheckSiteName(s.Name))
		if j, dup := siteNames[s.Name]; dup {
			c.add(invalid(siteKey(i, "name"), s.Name, "site names are unique; sites[%d] has it already", j))
		}
		siteNames[s.Name] = i
		if len(s.Hostnames) == 0 {
			c.add(invalid(siteKey(i, "hostnames"), nil, "at least one hostname; the first is the home URL"))
		}
		if len(s.Hostnames) > f.CertificateMaxNames {
			c.add(invalid(siteKey(i, "hostnames"), len(s.Hostnames), "at most certificateMaxNames (%d) hostnames per site", f.CertificateMaxNames))
		}
		for j, h := range s.Hostnames {
			hk := siteKey(i, fmt.Sprintf("hostnames[%d]", j))
			if err := CheckHostname(h); err != nil {
				c.keyed(hk, h, err)
				continue
			}
			if owner, dup := hostOwner[h]; dup {
				c.add(invalid(hk, h, "a hostname belongs to one site; %s already serves it", owner))
			}
			hostOwner[h] = s.Name
			if len(f.DnsZones) > 0 && f.zoneFor(h).Name == "" {
				c.add(invalid(hk, h, "a name inside one of the zones in wpfleet:dnsZones (%s)", zoneNames(f.DnsZones)))
			}
		}
		// An inherited setting is reported under its fleet-wide key, an
		// overridden one under the site's.
		k := func(field string, overridden bool) string {
			if overridden {
				return siteKey(i, field)
			}
			return key(field)
		}
		cpuKey := k("taskCpu", s.TaskCpu != nil)
		if FargateMemories(r.CPU) == nil {
			c.keyed(cpuKey, r.CPU, CheckFargateSize(r.CPU, r.Memory))
		} else {
			c.keyed(k("taskMemory", s.TaskMemory != nil || s.TaskCpu != nil), r.Memory, CheckFargateSize(r.CPU, r.Memory))
		}
		c.keyed(k("minTasks", s.MinTasks != nil || s.MaxTasks != nil), fmt.Sprintf("%d (maxTasks %d)", r.MinTasks, r.MaxTasks),
			CheckTaskCounts(r.MinTasks, r.MaxTasks))
		c.keyed(k("spotWeight", s.OnDemandBase != nil || s.OnDemandWeight != nil || s.SpotWeight != nil),
			fmt.Sprintf("onDemandBase %d, onDemandWeight %d, spotWeight %d", r.Capacity.OnDemandBase, r.Capacity.OnDemandWeight, r.Capacity.SpotWeight),
			r.Capacity.Check())
		if r.CodeDelivery != CodeLocal && r.CodeDelivery != CodeEFS {
			c.add(invalid(k("codeDelivery", s.CodeDelivery != nil), r.CodeDelivery, `"local" (copy releases to the task's disk) or "efs" (serve from EFS)`))
		}
		if r.EphemeralGiB != 0 && (r.EphemeralGiB < 21 || r.EphemeralGiB > 200) {
			c.add(invalid(k("ephemeralStorageGiB", s.EphemeralStorageGiB != nil), r.EphemeralGiB, "21 to 200 GiB"))
		}
		c.keyed(k("cronSchedule", s.CronSchedule != nil), r.CronSchedule, CheckScheduleExpression(r.CronSchedule))
		if r.CdnPageTTL < 0 || r.CdnPageTTL > 86400 {
			c.add(invalid(k("cdnPageTtlSeconds", s.CdnPageTtlSeconds != nil), r.CdnPageTTL, "0 to 86400 seconds"))
		}
		if r.RequestTimeout < 5 || r.RequestTimeout > 100 {
			c.add(invalid(k("requestTimeoutSeconds", s.RequestTimeoutSeconds != nil), r.RequestTimeout, "5 to 100 seconds"))
		}
		if r.ListenerPriority < 1 || r.ListenerPriority+r.Rules-1 > 50000 {
			c.add(invalid(siteKey(i, "listenerPriority"), r.ListenerPriority, "1 to 50000"))
		}
		spans = append(spans, span{s.Name, r.ListenerPriority, r.ListenerPriority + max(r.Rules, 1) - 1})
		jobNames := map[string]bool{"cron": true}
		for j, job := range s.Jobs {
			jk := func(f string) string { return siteKey(i, fmt.Sprintf("jobs[%d].%s", j, f)) }
			c.keyed(jk("name"), job.Name, CheckJobName(job.Name))
			if jobNames[job.Name] {
				c.add(invalid(jk("name"), job.Name, `job names are unique within a site and "cron" is taken by wp-cron`))
			}
			jobNames[job.Name] = true
			c.keyed(jk("schedule"), job.Schedule, CheckScheduleExpression(job.Schedule))
			if len(job.Command) == 0 {
				c.add(invalid(jk("command"), job.Command, `a command as a list of words, e.g. ["wp", "cache", "flush"]`))
			}
		}
	}
	for i := range spans {
		for j := range i {
			if spans[i].from <= spans[j].to && spans[j].from <= spans[i].to {
				c.add(invalid(key("sites"), spans[i].site, "listener priorities %d-%d overlap site %s's %d-%d; set listenerPriority",
					spans[i].from, spans[i].to, spans[j].site, spans[j].from, spans[j].to))
			}
		}
	}
	return c.err()
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
