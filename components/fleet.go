package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Fleet is one environment built from configuration: it maps FleetArgs onto a
// Platform, the sites (WordPressSite), the pools that serve them (SitePool),
// the release job and the dashboard, and owns no resource of its own.
type Fleet struct {
	pulumi.ResourceState

	Args      FleetArgs
	Platform  *Platform
	Sites     map[string]*WordPressSite
	Pools     map[string]*SitePool
	Release   *ReleasePipeline
	Dashboard *Dashboard
}

// NewFleet builds an environment from its configuration. Every component's
// arguments are validated before anything is registered; problems are
// reported under config keys.
func NewFleet(ctx *pulumi.Context, name string, args *FleetArgs, opts ...pulumi.ResourceOption) (*Fleet, error) {
	if args == nil {
		return nil, fmt.Errorf("FleetArgs are required (start from DefaultFleetArgs)")
	}
	f := *args
	if err := f.Validate(); err != nil {
		return nil, err
	}
	acct, err := LookupAccount(ctx)
	if err != nil {
		return nil, err
	}
	fl := &Fleet{Args: f, Sites: map[string]*WordPressSite{}, Pools: map[string]*SitePool{}}
	if err := ctx.RegisterComponentResource(typePrefix+"Fleet", name, fl, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(fl)
	env := f.Environment
	pa := f.platformArgs()
	pa.Account = &acct
	if fl.Platform, err = NewPlatform(ctx, env, &pa, parent); err != nil {
		return nil, err
	}
	for i := range f.Sites {
		sa := f.siteArgs(i, fl.Platform)
		if fl.Sites[sa.Name], err = NewWordPressSite(ctx, env+"-"+sa.Name, &sa, parent); err != nil {
			return nil, err
		}
	}
	var pools []*SitePool
	for i, pc := range f.PoolsOrDefault() {
		pa := f.poolArgs(i, pc, fl.Platform, fl.Sites)
		if fl.Pools[pc.Name], err = NewSitePool(ctx, env+"-"+pc.Name, &pa, parent); err != nil {
			return nil, err
		}
		pools = append(pools, fl.Pools[pc.Name])
	}
	if fl.Release, err = f.newRelease(ctx, fl.Platform, fl.Sites, parent); err != nil {
		return nil, err
	}
	if fl.Dashboard, err = NewDashboard(ctx, env, &DashboardArgs{Platform: fl.Platform, Pools: pools}, parent); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(fl, pulumi.Map{
		"albDnsName":  fl.Platform.AlbDnsName,
		"efsId":       fl.Platform.FileSystemId,
		"clusterName": fl.Platform.ClusterName,
		"siteUrls":    fl.SiteURLs(),
		"bucketNames": fl.BucketNames(),
	}); err != nil {
		return nil, err
	}
	return fl, nil
}

// platformArgs maps the environment-wide settings onto PlatformArgs.
func (f FleetArgs) platformArgs() PlatformArgs {
	var certSites []SiteHostnames
	for _, s := range f.Sites {
		certSites = append(certSites, SiteHostnames{Site: s.Name, Hostnames: f.hostnames(s)})
	}
	s3 := f.S3GatewayEndpoint
	return PlatformArgs{
		Environment: f.Environment, Tags: f.Tags, AlarmEmail: f.AlarmEmail,
		Network: NetworkArgs{CidrBlock: f.VpcCidr, AvailabilityZoneCount: f.AvailabilityZones, NatGateways: f.NatGateways,
			ExistingVpcId: f.ExistingVpcId, ExistingPublicSubnetIds: f.ExistingPublicSubnetIds,
			ExistingPrivateSubnetIds: f.ExistingPrivateSubnetIds, S3GatewayEndpoint: &s3, InterfaceEndpoints: f.InterfaceEndpoints},
		LoadBalancer: LoadBalancerArgs{Sites: certSites, SSLPolicy: f.SslPolicy, MaxNamesPerCertificate: f.CertificateMaxNames,
			DeletionProtection: ptr(f.DeletionProtection), AllowedCidrs: f.AlbAllowedCidrs, AccessLogs: ptr(f.AlbAccessLogs),
			AccessLogDays: f.AlbAccessLogDays, ForceDestroyLogs: !f.Protect},
		FileSystem: SharedEFSArgs{ThroughputMode: f.EfsThroughputMode, ProvisionedMibps: f.EfsProvisionedMibps,
			BurstCreditAlarmMinutes: f.EfsBurstCreditAlarmMinutes, KmsKeyArn: f.EfsKmsKeyArn, Protect: f.Protect},
		Database: DatabaseArgs{EngineVersion: f.DbEngineVersion, Mode: f.DbMode, InstanceClass: f.DbInstanceClass,
			Instances: f.DbInstances, MinCapacity: f.DbMinAcu, MaxCapacity: f.DbMaxAcu, AutoPauseSeconds: f.DbAutoPauseSeconds,
			BackupRetentionDays: f.DbBackupRetentionDays, DeletionProtection: ptr(f.DeletionProtection),
			FinalSnapshot: ptr(f.FinalSnapshot), RequireTLS: ptr(f.DbRequireTls), Protect: f.Protect, LogRetentionDays: f.LogRetentionDays},
		Backup: BackupArgs{RetentionDays: f.BackupRetentionDays, Schedule: f.BackupSchedule, Protect: f.Protect},
		Alarms: PlatformAlarms{DbCPUPercent: f.AlarmDbCpuPercent, DbConnections: f.AlarmDbConnections,
			DbFreeableMemoryMiB: f.AlarmDbFreeableMemoryMiB, EfsThroughputMibps: f.AlarmEfsThroughputMibps},
		Runtime: RuntimeDefaults{NginxImage: f.NginxImage, PhpImage: f.PhpImage, CPUArchitecture: f.CpuArchitecture,
			PlatformVersion: f.PlatformVersion},
		LogRetentionDays: f.LogRetentionDays, WordPressEnvironment: f.wordPressEnvironment(), ExecLogging: ptr(f.ExecLogging),
		Firewall: ptr(f.Waf), FirewallLoginRateLimit: f.WafLoginRateLimit, Existing: ExistingParts{WebACLArn: f.WafWebAclArn},
	}
}

func ptr[T any](v T) *T { return &v }

func (f FleetArgs) wordPressEnvironment() string {
	if f.Environment == "prod" || f.Environment == "production" {
		return "production"
	}
	return "staging"
}

// siteArgs maps site i onto WordPressSiteArgs.
func (f FleetArgs) siteArgs(i int, p *Platform) WordPressSiteArgs {
	s := f.Sites[i]
	viewers := f.AllowedViewerCidrs
	if s.AllowedViewerCidrs != nil {
		viewers = s.AllowedViewerCidrs
	}
	var jobs []SiteJob
	for _, j := range s.Jobs {
		jobs = append(jobs, SiteJob{Name: j.Name, Schedule: j.Schedule, Command: j.Command})
	}
	a := WordPressSiteArgs{
		Platform: p, Name: s.Name, Hostnames: f.hostnames(s), ListenerPriority: f.listenerPriority(i),
		PageCaching: boolValue(s.Cdn, f.Cdn), PageTTLSeconds: ptr(intOr(s.CdnPageTtlSeconds, f.CdnPageTtlSeconds)),
		PriceClass: f.CdnPriceClass, AllowedViewerCidrs: viewers, OriginSecretVersion: intOr(s.OriginSecretVersion, 1),
		OriginSecretRotating: s.OriginSecretRotating, UploadsNoncurrentDays: f.UploadsNoncurrentDays, XMLRPC: s.Xmlrpc,
		Target5xxPercent: f.AlarmTarget5xxPercent, Jobs: jobs, Protect: f.Protect,
	}
	return a
}

// poolArgs maps pool i (with the fleet-wide settings it inherits) onto SitePoolArgs.
func (f FleetArgs) poolArgs(i int, pc PoolConfig, p *Platform, sites map[string]*WordPressSite) SitePoolArgs {
	var members []*WordPressSite
	for _, n := range pc.Sites {
		members = append(members, sites[n])
	}
	return SitePoolArgs{
		Platform: p, Name: pc.Name, Sites: members,
		CPU: intOr(pc.TaskCpu, f.TaskCpu), Memory: intOr(pc.TaskMemory, f.TaskMemory),
		MinTasks: intOr(pc.MinTasks, f.MinTasks), MaxTasks: intOr(pc.MaxTasks, f.MaxTasks),
		Capacity: CapacityStrategy{OnDemandBase: intOr(pc.OnDemandBase, f.OnDemandBase),
			OnDemandWeight: intOr(pc.OnDemandWeight, f.OnDemandWeight), SpotWeight: intOr(pc.SpotWeight, f.SpotWeight)},
		CodeDelivery: strOr(pc.CodeDelivery, f.CodeDelivery), EphemeralStorageGiB: f.ephemeral(pc),
		RequestTimeoutSeconds: intOr(pc.RequestTimeoutSeconds, f.RequestTimeoutSeconds),
		ScaleCPUPercent:       intOr(pc.ScaleCpuPercent, f.ScaleCpuPercent), ScaleRequestsPerTarget: intOr(pc.ScaleRequestsPerTarget, f.ScaleRequestsPerTarget),
		CronIntervalSeconds: intOr(pc.CronIntervalSeconds, f.CronIntervalSeconds), ExecuteCommand: boolValue(pc.ExecuteCommand, f.ExecuteCommand),
	}
}

// ephemeral is a pool's task disk: efs mode keeps Fargate's included 20 GiB
// unless the pool sets it.
func (f FleetArgs) ephemeral(pc PoolConfig) int {
	if strOr(pc.CodeDelivery, f.CodeDelivery) == CodeEFS && pc.EphemeralStorageGiB == nil {
		return 0
	}
	return intOr(pc.EphemeralStorageGiB, f.EphemeralStorageGiB)
}

// SiteURLs maps each site to its home URL.
func (fl *Fleet) SiteURLs() pulumi.StringMap {
	m := pulumi.StringMap{}
	for n, s := range fl.Sites {
		m[n] = s.URL
	}
	return m
}

// CDNDomains maps each site to its distribution's domain.
func (fl *Fleet) CDNDomains() pulumi.StringMap {
	m := pulumi.StringMap{}
	for n, s := range fl.Sites {
		m[n] = s.CDN.DomainName
	}
	return m
}

// BucketNames maps each site to its uploads bucket.
func (fl *Fleet) BucketNames() pulumi.StringMap {
	m := pulumi.StringMap{}
	for n, s := range fl.Sites {
		m[n] = s.Uploads.BucketName
	}
	return m
}
