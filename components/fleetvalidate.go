package components

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// Validate checks the whole configuration and returns every problem, each
// naming its config key, the bad value and what is allowed. The fleet checks
// only what spans sites and pools (names, hostnames and zones, rule
// priorities, pool membership, account quotas); everything else is each
// component's own validation, reported under the config key it came from.
func (f FleetArgs) Validate() error {
	var c check
	c.add(f.validateZeros())
	c.add(f.validateSpanning())
	c.add(f.validateComponents())
	return c.err()
}

// zeroMeans are the numeric keys for which 0 is a documented value.
var zeroMeans = map[string]bool{"efsProvisionedMibps": true, "dbMinAcu": true, "minTasks": true,
	"onDemandBase": true, "onDemandWeight": true, "spotWeight": true, "cdnPageTtlSeconds": true}

// validateZeros refuses 0 for the numeric settings where it means nothing:
// the components read 0 as "unset" and would silently use their default
// (wpfleet:dbInstances: 0 would build two instances). A pool without any
// capacity weight is refused for the same reason.
func (f FleetArgs) validateZeros() error {
	var c check
	v, d := reflect.ValueOf(f), reflect.ValueOf(DefaultFleetArgs())
	for i := 0; i < v.NumField(); i++ {
		name := jsonName(f, v.Type().Field(i).Name)
		if k := v.Field(i).Kind(); (k == reflect.Int || k == reflect.Float64) && v.Field(i).IsZero() && !d.Field(i).IsZero() && !zeroMeans[name] {
			c.add(invalid(key(name), 0, "a value above 0 (leave it unset for the default, %v)", d.Field(i).Interface()))
		}
	}
	for i, p := range f.Pools {
		pv := reflect.ValueOf(p)
		for j := 0; j < pv.NumField(); j++ {
			fv, name := pv.Field(j), jsonName(p, pv.Type().Field(j).Name)
			if fv.Kind() == reflect.Pointer && !fv.IsNil() && fv.Elem().Kind() == reflect.Int && fv.Elem().Int() == 0 && !zeroMeans[name] {
				c.add(invalid(poolKey(i, name), 0, "a value above 0 (leave it unset to use wpfleet:%s)", name))
			}
		}
	}
	for i, s := range f.Sites {
		if s.OriginSecretVersion != nil && *s.OriginSecretVersion == 0 {
			c.add(invalid(siteKey(i, "originSecretVersion"), 0, "a generation from 1 (raise it by one to rotate)"))
		}
	}
	for i, pc := range f.PoolsOrDefault() {
		if cs := f.poolArgs(i, pc, nil, nil).Capacity; cs == (CapacityStrategy{}) {
			sc := scope{kind: "pools", index: i, entry: pc}
			if len(f.Pools) == 0 {
				sc = scope{}
			}
			c.add(f.mapErrors(invalid("SitePoolArgs.Capacity", "onDemandBase 0, onDemandWeight 0, spotWeight 0", "%s", cs.Check()), sc))
		}
	}
	return c.err()
}

// ALB and CloudFront quotas a fleet must fit (ELB and CloudFront quotas pages).
const (
	maxRulesPerALB          = 100
	maxTargetGroupsPerALB   = 100
	maxCachePoliciesAccount = 20
)

func (f FleetArgs) validateSpanning() error {
	var c check
	c.add(f.validateZones())
	if len(f.Sites) == 0 {
		c.add(invalid(key("sites"), nil, "at least one site ({name, hostnames})"))
	}
	siteIndex := map[string]int{}
	hostOwner := map[string]string{}
	type span struct {
		site     string
		from, to int
	}
	var spans []span
	rules, cached := 0, 1 // the shared static-asset policy
	for i, s := range f.Sites {
		if j, dup := siteIndex[s.Name]; dup {
			c.add(invalid(siteKey(i, "name"), s.Name, "site names are unique; sites[%d] has it already", j))
		}
		siteIndex[s.Name] = i
		for j, h := range s.Hostnames {
			hk := siteKey(i, fmt.Sprintf("hostnames[%d]", j))
			if owner, dup := hostOwner[h]; dup {
				c.add(invalid(hk, h, "a hostname belongs to one site; %s already serves it", owner))
			}
			hostOwner[h] = s.Name
			if len(f.DnsZones) > 0 && CheckHostname(h) == nil && f.zoneFor(h).Name == "" {
				c.add(invalid(hk, h, "a name inside one of the zones in wpfleet:dnsZones (%s)", zoneNames(f.DnsZones)))
			}
		}
		n := (len(s.Hostnames) + hostsPerRule - 1) / hostsPerRule
		rules += n
		spans = append(spans, span{s.Name, f.listenerPriority(i), f.listenerPriority(i) + max(n, 1) - 1})
		if boolValue(s.Cdn, f.Cdn) {
			cached++
		}
	}
	for i := range spans {
		for j := range i {
			if spans[i].from <= spans[j].to && spans[j].from <= spans[i].to {
				c.add(invalid(siteKey(i, "listenerPriority"), spans[i].from, "priorities %d-%d overlap site %s's %d-%d; set listenerPriority",
					spans[i].from, spans[i].to, spans[j].site, spans[j].from, spans[j].to))
			}
		}
	}
	if rules > maxRulesPerALB {
		c.add(invalid(key("sites"), rules, "at most %d listener rules on one ALB (one per %d hostnames of a site; ELB quota)", maxRulesPerALB, hostsPerRule))
	}
	if cached > maxCachePoliciesAccount {
		c.add(invalid(key("cdn"), cached-1, "at most %d sites with page caching: each has a cache policy and CloudFront allows %d per account (one more is shared)",
			maxCachePoliciesAccount-1, maxCachePoliciesAccount))
	}
	c.add(f.validatePools(siteIndex))
	return c.err()
}

func (f FleetArgs) validateZones() error {
	var c check
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
	return c.err()
}

// validatePools checks pool membership: every site in exactly one pool.
func (f FleetArgs) validatePools(siteIndex map[string]int) error {
	var c check
	if len(f.Pools) > maxTargetGroupsPerALB {
		c.add(invalid(key("pools"), len(f.Pools), "at most %d pools (one target group each on one ALB; ELB quota)", maxTargetGroupsPerALB))
	}
	poolOf := map[string]string{}
	poolNames := map[string]int{}
	for i, p := range f.Pools {
		if j, dup := poolNames[p.Name]; dup {
			c.add(invalid(poolKey(i, "name"), p.Name, "pool names are unique; pools[%d] has it already", j))
		}
		poolNames[p.Name] = i
		for _, s := range p.Sites {
			if _, ok := siteIndex[s]; !ok {
				c.add(invalid(poolKey(i, "sites"), s, "names of sites in wpfleet:sites"))
			} else if other, dup := poolOf[s]; dup {
				c.add(invalid(poolKey(i, "sites"), s, "a site is served by one pool; pool %s serves it already", other))
			}
			poolOf[s] = p.Name
		}
	}
	if len(f.Pools) > 0 {
		for i, s := range f.Sites {
			if _, ok := poolOf[s.Name]; !ok {
				c.add(invalid(siteKey(i, "name"), s.Name, "every site is in one pool's sites (wpfleet:pools); this one is in none"))
			}
		}
	}
	return c.err()
}

// validateComponents runs every component's own validation on placeholder
// wiring and reports its problems under config keys.
func (f FleetArgs) validateComponents() error {
	var c check
	pa := f.platformArgs()
	c.add(f.mapErrors(pa.Validate(), scope{}))
	plat := &Platform{Environment: f.Environment, Runtime: pa.withDefaults().Runtime}
	if f.ExecLogging {
		plat.ExecLogGroupName = "placeholder"
	}
	sites := map[string]*WordPressSite{}
	for i, s := range f.Sites {
		sa := f.siteArgs(i, plat)
		c.add(f.mapErrors(sa.Validate(), scope{kind: "sites", index: i, entry: s}))
		sites[s.Name] = &WordPressSite{Name: s.Name, Platform: plat}
	}
	for i, pc := range f.PoolsOrDefault() {
		pa := f.poolArgs(i, pc, plat, sites)
		pa.Sites = nil
		for _, n := range pc.Sites {
			if s, ok := sites[n]; ok {
				pa.Sites = append(pa.Sites, s)
			}
		}
		sc := scope{kind: "pools", index: i, entry: pc}
		if len(f.Pools) == 0 {
			sc = scope{}
		}
		c.add(f.mapErrors(pa.Validate(), sc))
	}
	ra := f.releaseArgs(nil, nil)
	c.add(f.mapErrors(ra.Validate(), scope{}))
	return c.err()
}

// scope is where a component's arguments came from: the fleet-wide keys, or
// one entry of wpfleet:sites or wpfleet:pools (which may override some keys).
type scope struct {
	kind  string // "", "sites" or "pools"
	index int
	entry any // SiteConfig or PoolConfig
}

// configFields maps a component argument (its path after the Args type, as
// the component reports it) to the config key it comes from.
var configFields = map[string]string{
	"PlatformArgs.Environment": "environment", "PlatformArgs.Email": "alarmEmail", "PlatformArgs.Tags": "tags",
	"PlatformArgs.Network.CidrBlock": "vpcCidr", "PlatformArgs.Network.AvailabilityZoneCount": "availabilityZones",
	"PlatformArgs.Network.NatGateways": "natGateways", "PlatformArgs.Network.ExistingVpcId": "existingVpcId",
	"PlatformArgs.Network.ExistingPublicSubnetIds": "existingPublicSubnetIds", "PlatformArgs.Network.ExistingPrivateSubnetIds": "existingPrivateSubnetIds",
	"PlatformArgs.Network.InterfaceEndpoints": "interfaceEndpoints",
	"PlatformArgs.LoadBalancer.SSLPolicy":     "sslPolicy", "PlatformArgs.LoadBalancer.MaxNamesPerCertificate": "certificateMaxNames",
	"PlatformArgs.LoadBalancer.AllowedCidrs": "albAllowedCidrs", "PlatformArgs.LoadBalancer.AccessLogDays": "albAccessLogDays",
	"PlatformArgs.LoadBalancer.Sites":        "sites",
	"PlatformArgs.FileSystem.ThroughputMode": "efsThroughputMode", "PlatformArgs.FileSystem.BurstCreditAlarmMinutes": "efsBurstCreditAlarmMinutes",
	"PlatformArgs.FileSystem.KmsKeyArn":   "efsKmsKeyArn",
	"PlatformArgs.Database.EngineVersion": "dbEngineVersion", "PlatformArgs.Database.Mode": "dbMode",
	"PlatformArgs.Database.InstanceClass": "dbInstanceClass", "PlatformArgs.Database.Instances": "dbInstances",
	"PlatformArgs.Database.MinCapacity": "dbMinAcu", "PlatformArgs.Database.AutoPauseSeconds": "dbAutoPauseSeconds",
	"PlatformArgs.Database.BackupRetentionDays": "dbBackupRetentionDays", "PlatformArgs.Database.LogRetentionDays": "logRetentionDays",
	"PlatformArgs.Backup.RetentionDays": "backupRetentionDays", "PlatformArgs.Backup.Schedule": "backupSchedule",
	"PlatformArgs.Runtime.NginxImage": "nginxImage", "PlatformArgs.Runtime.PhpImage": "phpImage",
	"PlatformArgs.Runtime.CPUArchitecture": "cpuArchitecture", "PlatformArgs.Runtime.PlatformVersion": "platformVersion",
	"PlatformArgs.LogRetentionDays": "logRetentionDays", "PlatformArgs.WordPressEnvironment": "environment",
	"PlatformArgs.Firewall.LoginRateLimit": "wafLoginRateLimit", "PlatformArgs.Existing.WebACLArn": "wafWebAclArn",
	"PlatformArgs.Alarms.DbCPUPercent": "alarmDbCpuPercent", "PlatformArgs.Alarms.DbConnections": "alarmDbConnections",
	"PlatformArgs.Alarms.DbFreeableMemoryMiB": "alarmDbFreeableMemoryMiB", "PlatformArgs.Alarms.EfsThroughputMibps": "alarmEfsThroughputMibps",

	"WordPressSiteArgs.Name": "name", "WordPressSiteArgs.Hostnames": "hostnames", "WordPressSiteArgs.ListenerPriority": "listenerPriority",
	"WordPressSiteArgs.PageTTLSeconds": "cdnPageTtlSeconds", "WordPressSiteArgs.PriceClass": "cdnPriceClass",
	"WordPressSiteArgs.AllowedViewerCidrs": "allowedViewerCidrs", "WordPressSiteArgs.OriginSecretVersion": "originSecretVersion",
	"WordPressSiteArgs.UploadsNoncurrentDays": "uploadsNoncurrentDays", "WordPressSiteArgs.Target5xxPercent": "alarmTarget5xxPercent",
	"WordPressSiteArgs.PhpImage": "phpImage", "WordPressSiteArgs.Jobs": "jobs",

	"PlatformArgs.Database.Environment": "environment", "PlatformArgs.Backup.Environment": "environment",
	"PlatformArgs.Firewall.Environment": "environment", "PlatformArgs.Database.ClusterIdentifier": "environment",
	"WordPressSiteArgs.Site": "name", "ReleasePipelineArgs.Sites": "sites", "SitePoolArgs.CPU": "taskCpu",

	"SitePoolArgs.Name": "name", "SitePoolArgs.Sites": "sites", "SitePoolArgs.Memory": "taskMemory",
	"SitePoolArgs.MinTasks": "minTasks", "SitePoolArgs.Capacity": "spotWeight", "SitePoolArgs.CodeDelivery": "codeDelivery",
	"SitePoolArgs.EphemeralStorageGiB": "ephemeralStorageGiB", "SitePoolArgs.RequestTimeoutSeconds": "requestTimeoutSeconds",
	"SitePoolArgs.ScaleCPUPercent":        "scaleCpuPercent",
	"SitePoolArgs.ScaleRequestsPerTarget": "scaleRequestsPerTarget", "SitePoolArgs.CronIntervalSeconds": "cronIntervalSeconds",
	"SitePoolArgs.ExecuteCommand": "executeCommand", "SitePoolArgs.PhpImage": "phpImage",

	"ReleasePipelineArgs.Environment": "environment", "ReleasePipelineArgs.RepoURLTemplate": "releaseRepoUrlTemplate",
	"ReleasePipelineArgs.GitCredentialsSecretArn": "releaseGitCredentialsSecretArn", "ReleasePipelineArgs.ConnectionArn": "releaseConnectionArn",
	"ReleasePipelineArgs.KeepReleases": "releaseKeep", "ReleasePipelineArgs.LogRetentionDays": "logRetentionDays",
	"ReleasePipelineArgs.GitHubOIDCProviderArn": "ciGithubOidcProviderArn", "ReleasePipelineArgs.CircleCIOIDCProviderArn": "ciCircleciOidcProviderArn",
	"ReleasePipelineArgs.CircleCI.OrgID": "ciCircleciOrgId", "ReleasePipelineArgs.CircleCI.ProjectIDs": "ciCircleciProjectIds",
	"ReleasePipelineArgs.CircleCI.ProjectSites": "ciCircleciProjectSites",
}

// widerKeys: an error on one of these fields is reported under the entry's
// key when the entry sets any of the listed fields (the pair is checked together).
var widerKeys = map[string][]string{
	"taskMemory": {"taskCpu", "taskMemory"}, "minTasks": {"minTasks", "maxTasks"},
	"spotWeight": {"onDemandBase", "onDemandWeight", "spotWeight"},
}

var (
	indexedRe = regexp.MustCompile(`^(.*?)\[([^\]]*)\](.*)$`)
)

// mapErrors re-keys a component's InvalidValueErrors from argument paths to
// config keys.
func (f FleetArgs) mapErrors(err error, sc scope) error {
	if err == nil {
		return nil
	}
	var c check
	for _, e := range flatten(err) {
		iv, ok := e.(*InvalidValueError)
		if !ok {
			c.add(e)
			continue
		}
		c.add(&InvalidValueError{Key: f.configKey(iv.Key, sc), Value: iv.Value, Allowed: iv.Allowed})
	}
	return c.err()
}

// configKey turns an argument path into the config key it came from.
func (f FleetArgs) configKey(path string, sc scope) string {
	base, sub := path, ""
	if m := indexedRe.FindStringSubmatch(path); m != nil {
		base, sub = m[1], m[2]
		if k := f.indexedKey(base, sub, m[3], sc); k != "" {
			return k
		}
	}
	field, ok := configFields[base]
	if !ok {
		if sc.kind != "" {
			return key(fmt.Sprintf("%s[%d]", sc.kind, sc.index))
		}
		return key(strings.ToLower(base[:1]) + base[1:])
	}
	if sc.kind != "" && f.overrides(sc, field) {
		return key(fmt.Sprintf("%s[%d].%s", sc.kind, sc.index, field))
	}
	if _, fleetWide := reflect.TypeOf(FleetArgs{}).FieldByNameFunc(func(n string) bool { return jsonName(FleetArgs{}, n) == field }); fleetWide {
		return key(field)
	}
	return key(fmt.Sprintf("%s[%d].%s", sc.kind, sc.index, field))
}

// indexedKey maps the indexed paths: a site's hostnames in the platform's
// certificates, site jobs, tags, CI repositories and per-site repositories.
func (f FleetArgs) indexedKey(base, sub, rest string, sc scope) string {
	switch base {
	case "PlatformArgs.LoadBalancer.Sites", "ReleasePipelineArgs.SiteRepoURLs":
		field := "hostnames"
		if base == "ReleasePipelineArgs.SiteRepoURLs" {
			field = "repository"
		}
		for i, s := range f.Sites {
			if s.Name == sub {
				return siteKey(i, field)
			}
		}
		return key("sites")
	case "PlatformArgs.Tags":
		return key("tags")
	case "WordPressSiteArgs.Jobs":
		return key(fmt.Sprintf("sites[%d].jobs[%s].%s", sc.index, sub, strings.ToLower(strings.TrimPrefix(rest, "."))))
	case "WordPressSiteArgs.Hostnames":
		return siteKey(sc.index, "hostnames")
	case "ReleasePipelineArgs.GitHub":
		return key(fmt.Sprintf("ciGithub[%s].%s", sub, strings.ToLower(strings.TrimPrefix(rest, "."))))
	}
	return ""
}

// overrides reports whether a site or pool entry sets field (or one of the
// fields checked with it).
func (f FleetArgs) overrides(sc scope, field string) bool {
	fields := widerKeys[field]
	if fields == nil {
		fields = []string{field}
	}
	b, _ := json.Marshal(sc.entry)
	var set map[string]json.RawMessage
	_ = json.Unmarshal(b, &set)
	for _, fl := range fields {
		if _, ok := set[fl]; ok {
			return true
		}
	}
	return false
}

func jsonName(v any, field string) string {
	sf, ok := reflect.TypeOf(v).FieldByName(field)
	if !ok {
		return ""
	}
	return strings.Split(sf.Tag.Get("json"), ",")[0]
}
