package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/release"
)

// Fleet is one environment: network, cluster, ALB, shared EFS, Aurora, the
// alarm topic, and per site an uploads bucket, a WordPressSite and its cron
// tasks.
type Fleet struct {
	pulumi.ResourceState

	Args         FleetArgs
	Alarms       *AlarmTopic
	Network      *Network
	Cluster      *Cluster
	TasksSG      *ec2.SecurityGroup
	FileSystem   *SharedEFS
	Database     *Database
	LoadBalancer *LoadBalancer
	Buckets      map[string]*UploadsBucket
	Sites        map[string]*WordPressSite
	// CDNs holds the distributions of the sites behind CloudFront.
	CDNs       map[string]*CDN
	Monitoring *Monitoring
	Backup     *Backup
	Release    *ReleasePipeline
	ReleaseSG  *ec2.SecurityGroup
	// CronTasks holds each site's cron tasks: "cron" (wp-cron) and its jobs.
	CronTasks map[string]map[string]*CronTask
}

// wiring carries the values sites are built from. Before anything is
// registered it holds placeholders, so every component's Validate can run
// first and a bad configuration registers nothing.
type wiring struct {
	account                                 Account
	vpcID, vpcCidr                          pulumi.StringInput
	privateSubnets, publicSubnets, tasksSGs pulumi.StringArrayInput
	clusterArn, clusterName                 pulumi.StringInput
	listenerArn, albSuffix, albDNS, albZone pulumi.StringInput
	fsID, fsArn                             pulumi.StringInput
	accessPointID, accessPointArn           func(site string) pulumi.StringInput
	dbHost                                  pulumi.StringInput
	dbSecretArn                             func(site string) pulumi.StringInput
	bucketName, bucketPolicy                func(site string) pulumi.StringInput
	taskDefArn, execRoleArn, taskRoleArn    func(site string) pulumi.StringInput
	originSecret                            pulumi.StringInput
	validationFqdns                         func(host string) pulumi.StringInput
	distributionArn, bucketDomain           func(site string) pulumi.StringInput
	alias                                   func(site string) *AliasTarget
	serviceName, targetGroupSuffix          func(site string) pulumi.StringInput
	fsArnForBackup, dbClusterArn            pulumi.StringInput
	dbClusterID                             pulumi.StringInput
	releaseSG, releaseAPID, releaseAPArn    pulumi.StringInput
	masterSecretArn, alarmTopic             pulumi.StringInput
}

func placeholderWiring(acct Account) wiring {
	p := pulumi.String("pending")
	ps := pulumi.StringArray{p, p}
	f := func(string) pulumi.StringInput { return p }
	return wiring{
		account: acct, vpcID: p, vpcCidr: p, privateSubnets: ps, publicSubnets: ps, tasksSGs: ps,
		clusterArn: p, clusterName: p, listenerArn: p, albSuffix: p, albDNS: p, albZone: p,
		fsID: p, fsArn: p, accessPointID: f, accessPointArn: f, dbHost: p, dbSecretArn: f,
		bucketName: f, bucketPolicy: f, taskDefArn: f, execRoleArn: f, taskRoleArn: f,
		originSecret: p, validationFqdns: f, distributionArn: f, bucketDomain: f,
		alias:       func(string) *AliasTarget { return &AliasTarget{DnsName: p, ZoneId: p} },
		serviceName: f, targetGroupSuffix: f, fsArnForBackup: p, dbClusterArn: p, dbClusterID: p,
		releaseSG: p, releaseAPID: p, releaseAPArn: p, masterSecretArn: p, alarmTopic: p,
	}
}

func (f FleetArgs) releaseArgs(w wiring) ReleasePipelineArgs {
	repos := map[string]string{}
	for _, s := range f.Sites {
		if s.Repository != "" {
			repos[s.Name] = s.Repository
		}
	}
	a := ReleasePipelineArgs{
		Environment: f.Environment, Tags: Tags(f.Environment, "", f.Tags), Account: &w.account, Sites: f.siteNames(),
		RepoURLTemplate: f.ReleaseRepoUrlTemplate, SiteRepoURLs: repos,
		GitCredentialsSecretArn: f.ReleaseGitCredentialsSecretArn, ConnectionArn: f.ReleaseConnectionArn,
		KeepReleases: f.ReleaseKeep, VpcId: w.vpcID, SubnetIds: w.privateSubnets, SecurityGroupId: w.releaseSG,
		FileSystemId: w.fsID, FileSystemArn: w.fsArn, AccessPointId: w.releaseAPID, AccessPointArn: w.releaseAPArn,
		DatabaseHost: w.dbHost, MasterSecretArn: w.masterSecretArn,
		Buildspec: release.Buildspec(), Files: release.Files(),
		AlarmTopicArn: w.alarmTopic, LogRetentionDays: f.LogRetentionDays,
		GitHub: f.CiGithub, GitHubOIDCProviderArn: f.CiGithubOidcProviderArn,
		CircleCIOIDCProviderArn: f.CiCircleciOidcProviderArn,
	}
	if f.CiCircleciOrgId != "" {
		a.CircleCI = &CircleCIRelease{OrgID: f.CiCircleciOrgId, ProjectIDs: f.CiCircleciProjectIds}
	}
	return a
}

func (f FleetArgs) anyCDN() bool {
	for _, r := range f.Resolve() {
		if r.Cdn {
			return true
		}
	}
	return false
}

func (f FleetArgs) allCDN() bool {
	for _, r := range f.Resolve() {
		if !r.Cdn {
			return false
		}
	}
	return len(f.Sites) > 0
}

func (f FleetArgs) siteTags(site string) map[string]string { return Tags(f.Environment, site, f.Tags) }

func (f FleetArgs) networkArgs() NetworkArgs {
	return NetworkArgs{
		Tags: Tags(f.Environment, "", f.Tags), CidrBlock: f.VpcCidr, AvailabilityZoneCount: f.AvailabilityZones,
		NatGateways: f.NatGateways, ExistingVpcId: f.ExistingVpcId,
		ExistingPublicSubnetIds: f.ExistingPublicSubnetIds, ExistingPrivateSubnetIds: f.ExistingPrivateSubnetIds,
	}
}

func (f FleetArgs) siteNames() []string {
	n := make([]string, len(f.Sites))
	for i, s := range f.Sites {
		n[i] = s.Name
	}
	return n
}

func (f FleetArgs) efsArgs(w wiring, subnetCount int, clients []pulumi.StringInput, topic pulumi.StringInput) SharedEFSArgs {
	return SharedEFSArgs{
		Tags: Tags(f.Environment, "", f.Tags), VpcId: w.vpcID, SubnetIds: w.privateSubnets, SubnetCount: subnetCount,
		ClientSecurityGroupIds: clients, Sites: f.siteNames(), ThroughputMode: f.EfsThroughputMode,
		ProvisionedMibps: f.EfsProvisionedMibps, BurstCreditAlarmMinutes: f.EfsBurstCreditAlarmMinutes,
		AlarmTopicArn: topic, Account: &w.account,
		// The environment's Backup plan covers the file system.
		AutomaticBackups: new(bool), Protect: f.Protect,
	}
}

func (f FleetArgs) databaseArgs(w wiring, azs []string, clients []pulumi.StringInput) DatabaseArgs {
	return DatabaseArgs{
		Environment: f.Environment, Tags: Tags(f.Environment, "", f.Tags), VpcId: w.vpcID, SubnetIds: w.privateSubnets,
		AvailabilityZones: azs, ClientSecurityGroupIds: clients, Sites: f.siteNames(),
		EngineVersion: f.DbEngineVersion, Mode: f.DbMode, InstanceClass: f.DbInstanceClass, Instances: f.DbInstances,
		MinCapacity: f.DbMinAcu, MaxCapacity: f.DbMaxAcu, AutoPauseSeconds: f.DbAutoPauseSeconds,
		BackupRetentionDays: f.DbBackupRetentionDays, DeletionProtection: f.DeletionProtection,
		FinalSnapshot: f.FinalSnapshot, RequireTLS: f.DbRequireTls, Protect: f.Protect, LogRetentionDays: f.LogRetentionDays,
	}
}

func (f FleetArgs) loadBalancerArgs(w wiring, sites []ResolvedSite) LoadBalancerArgs {
	groups := make([]SiteHostnames, len(sites))
	for i, r := range sites {
		groups[i] = SiteHostnames{Site: r.Config.Name, Hostnames: r.Hostnames}
	}
	return LoadBalancerArgs{
		Tags: Tags(f.Environment, "", f.Tags), VpcId: w.vpcID, VpcCidr: w.vpcCidr, PublicSubnetIds: w.publicSubnets,
		Sites: groups, TargetPort: WebPort, SSLPolicy: f.SslPolicy, MaxNamesPerCertificate: f.CertificateMaxNames,
		DeletionProtection: f.DeletionProtection, CloudFrontOnly: f.allCDN(),
	}
}

func (f FleetArgs) bucketArgs(w wiring, r ResolvedSite) UploadsBucketArgs {
	a := UploadsBucketArgs{Site: r.Config.Name, Tags: f.siteTags(r.Config.Name),
		NoncurrentVersionDays: f.UploadsNoncurrentDays, Website: r.Config.UploadsWebsite, Protect: f.Protect}
	if r.Cdn {
		a.CloudFrontDistributionArn = w.distributionArn(r.Config.Name)
	}
	return a
}

func (f FleetArgs) cdnArgs(w wiring, r ResolvedSite, usEast1 *aws.Provider, staticPolicy pulumi.StringInput) CDNArgs {
	site := r.Config.Name
	var fqdns pulumi.StringArray
	for _, h := range r.Hostnames {
		fqdns = append(fqdns, w.validationFqdns(h.Name))
	}
	return CDNArgs{
		Site: site, Environment: f.Environment, Tags: f.siteTags(site), Hostnames: r.Hostnames,
		ValidationRecordFqdns: fqdns, AlbDnsName: w.albDNS, OriginSecret: w.originSecret,
		BucketRegionalDomainName: w.bucketDomain(site), UsEast1: usEast1, StaticCachePolicyId: staticPolicy,
		PageTTLSeconds: r.CdnPageTTL, PriceClass: f.CdnPriceClass, WebACLArn: f.WafWebAclArn,
		OriginReadTimeoutSeconds: min(60, r.RequestTimeout+5),
	}
}

func (f FleetArgs) monitoringArgs(w wiring, topic pulumi.StringInput) MonitoringArgs {
	var sites []MonitoredSite
	for _, s := range f.Sites {
		sites = append(sites, MonitoredSite{Site: s.Name, ServiceName: w.serviceName(s.Name), TargetGroupArnSuffix: w.targetGroupSuffix(s.Name)})
	}
	return MonitoringArgs{
		Environment: f.Environment, Tags: Tags(f.Environment, "", f.Tags), Account: &w.account, AlarmTopicArn: topic,
		AlbArnSuffix: w.albSuffix, ClusterName: w.clusterName, ClusterArn: w.clusterArn, Sites: sites,
		FileSystemId: w.fsID, ThroughputMode: f.EfsThroughputMode, DbClusterId: w.dbClusterID,
		DbServerless:     f.DbMode == DatabaseServerless,
		Target5xxPercent: float64(f.AlarmTarget5xxPercent), ResponseTimeP90Ms: f.AlarmResponseTimeP90Ms,
		DbCPUPercent: float64(f.AlarmDbCpuPercent), DbConnections: f.AlarmDbConnections,
		DbFreeableMemoryMiB: f.AlarmDbFreeableMemoryMiB, EfsThroughputMibps: f.AlarmEfsThroughputMibps,
	}
}

func (f FleetArgs) backupArgs(w wiring) BackupArgs {
	return BackupArgs{
		Environment: f.Environment, Tags: Tags(f.Environment, "", f.Tags), Account: &w.account,
		ResourceArns:  []pulumi.StringInput{w.fsArnForBackup, w.dbClusterArn},
		RetentionDays: f.BackupRetentionDays, Schedule: f.BackupSchedule, Protect: f.Protect,
	}
}

func (f FleetArgs) wordPressEnvironment() string {
	if f.Environment == "prod" || f.Environment == "production" {
		return "production"
	}
	return "staging"
}

func (f FleetArgs) siteArgs(w wiring, r ResolvedSite) WordPressSiteArgs {
	site := r.Config.Name
	a := WordPressSiteArgs{
		Site: site, Environment: f.Environment, Tags: f.siteTags(site), Hostnames: r.Hostnames, Account: &w.account,
		VpcId: w.vpcID, VpcCidr: w.vpcCidr, SubnetIds: w.privateSubnets, SecurityGroupIds: w.tasksSGs,
		ClusterArn: w.clusterArn, ClusterName: w.clusterName, ListenerArn: w.listenerArn,
		AlbArnSuffix: w.albSuffix, AlbDnsName: w.albDNS, AlbZoneId: w.albZone, ListenerPriority: r.ListenerPriority,
		FileSystemId: w.fsID, FileSystemArn: w.fsArn, AccessPointId: w.accessPointID(site), AccessPointArn: w.accessPointArn(site),
		DatabaseHost: w.dbHost, DatabaseSecretArn: w.dbSecretArn(site), DatabaseTLS: f.DbRequireTls,
		UploadsBucketName: w.bucketName(site), UploadsPolicy: w.bucketPolicy(site),
		NginxImage: f.NginxImage, PhpImage: f.PhpImage, CPUArchitecture: f.CpuArchitecture, PlatformVersion: f.PlatformVersion,
		CPU: r.CPU, Memory: r.Memory, CodeDelivery: r.CodeDelivery, EphemeralStorageGiB: r.EphemeralGiB,
		MinTasks: r.MinTasks, MaxTasks: r.MaxTasks, Capacity: r.Capacity, RequestTimeoutSeconds: r.RequestTimeout,
		HealthCheckPath: f.HealthCheckPath, ScaleCPUPercent: f.ScaleCpuPercent, ScaleRequestsPerTarget: f.ScaleRequestsPerTarget,
		LogRetentionDays: f.LogRetentionDays, WordPressEnvironment: f.wordPressEnvironment(),
	}
	if r.Cdn {
		a.OriginHeaderValue = w.originSecret
		a.AliasTarget = w.alias(site)
	}
	return a
}

// cronArgs returns a site's scheduled tasks by name: "cron" runs wp-cron,
// then one per job.
func (f FleetArgs) cronArgs(w wiring, r ResolvedSite) ([]string, map[string]CronTaskArgs) {
	site := r.Config.Name
	base := CronTaskArgs{
		Tags: f.siteTags(site), ClusterArn: w.clusterArn, TaskDefinitionArn: w.taskDefArn(site),
		ContainerName: ContainerPHP, SubnetIds: w.privateSubnets, SecurityGroupIds: w.tasksSGs,
		PassRoleArns: []pulumi.StringInput{w.execRoleArn(site), w.taskRoleArn(site)},
		Capacity:     r.Capacity, PlatformVersion: f.PlatformVersion, Account: &w.account,
	}
	names := []string{"cron"}
	out := map[string]CronTaskArgs{}
	c := base
	c.Description = "wp-cron for " + site + " (" + f.Environment + ")"
	c.Schedule = r.CronSchedule
	c.Command = []string{"wp", "cron", "event", "run", "--due-now"}
	out["cron"] = c
	for _, job := range r.Config.Jobs {
		j := base
		j.Description = "job " + job.Name + " of " + site + " (" + f.Environment + ")"
		j.Schedule = job.Schedule
		j.Command = job.Command
		names = append(names, job.Name)
		out[job.Name] = j
	}
	return names, out
}

// validateComponents runs every component's own validation on placeholder
// wiring, so nothing is registered unless every component would accept its
// arguments.
func (f FleetArgs) validateComponents(acct Account) error {
	w := placeholderWiring(acct)
	var c check
	c.add(f.networkArgs().Validate())
	c.add(AlarmTopicArgs{Email: f.AlarmEmail}.Validate())
	clients := []pulumi.StringInput{w.vpcID}
	c.add(f.efsArgs(w, max(f.AvailabilityZones, len(f.ExistingPrivateSubnetIds)), clients, nil).Validate())
	c.add(f.databaseArgs(w, nil, clients).Validate())
	sites := f.Resolve()
	c.add(f.loadBalancerArgs(w, sites).Validate())
	c.add(f.monitoringArgs(w, w.vpcID).Validate())
	c.add(f.backupArgs(w).Validate())
	c.add(f.releaseArgs(w).Validate())
	for _, r := range sites {
		c.add(f.bucketArgs(w, r).Validate())
		c.add(f.siteArgs(w, r).Validate())
		if r.Cdn {
			c.add(f.cdnArgs(w, r, nil, w.vpcID).Validate())
		}
		names, crons := f.cronArgs(w, r)
		for _, n := range names {
			c.add(crons[n].Validate())
		}
	}
	return c.err()
}

// NewFleet builds an environment from its configuration.
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
	if err := f.validateComponents(acct); err != nil {
		return nil, err
	}
	// Behind CloudFront, the ALB's client is a CloudFront edge: nginx must
	// trust CloudFront's origin-facing ranges to find the viewer's address.
	var cloudFrontCIDRs []string
	if f.anyCDN() {
		pl, err := ec2.LookupManagedPrefixList(ctx, &ec2.LookupManagedPrefixListArgs{Name: pulumi.StringRef(CloudFrontPrefixList)})
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", CloudFrontPrefixList, err)
		}
		for _, e := range pl.Entries {
			cloudFrontCIDRs = append(cloudFrontCIDRs, e.Cidr)
		}
	}

	fl := &Fleet{Args: f, Buckets: map[string]*UploadsBucket{}, Sites: map[string]*WordPressSite{},
		CronTasks: map[string]map[string]*CronTask{}, CDNs: map[string]*CDN{}}
	if err := ctx.RegisterComponentResource(typePrefix+"Fleet", name, fl, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(fl)
	env := f.Environment
	envTags := Tags(env, "", f.Tags)

	fl.Alarms, err = NewAlarmTopic(ctx, env, &AlarmTopicArgs{Tags: envTags, Email: f.AlarmEmail, Account: &acct}, parent)
	if err != nil {
		return nil, err
	}
	na := f.networkArgs()
	fl.Network, err = NewNetwork(ctx, env, &na, parent)
	if err != nil {
		return nil, err
	}
	fl.Cluster, err = NewCluster(ctx, env, &ClusterArgs{Tags: envTags}, parent)
	if err != nil {
		return nil, err
	}

	// One security group for every site's tasks and cron tasks: no ingress
	// but the ALB, egress only to HTTP(S), EFS and the database.
	fl.TasksSG, err = ec2.NewSecurityGroup(ctx, env+"-tasks", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet tasks: HTTP from the ALB; out to HTTPS/HTTP, EFS and Aurora"),
		VpcId:       fl.Network.VpcId,
		Tags:        tagInput(envTags),
	}, parent)
	if err != nil {
		return nil, err
	}
	tasksSG := fl.TasksSG.ID().ToStringOutput()
	for _, port := range []int{443, 80} {
		if _, err = vpc.NewSecurityGroupEgressRule(ctx, fmt.Sprintf("%s-tasks-out-%d", env, port), &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId: tasksSG, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(port), ToPort: pulumi.Int(port),
			CidrIpv4: pulumi.String("0.0.0.0/0"), Description: pulumi.String(fmt.Sprintf("port %d: AWS APIs, images, WordPress.org", port)),
			Tags: tagInput(envTags),
		}, parent); err != nil {
			return nil, err
		}
	}

	// The release job's security group: out to git and AWS APIs, EFS and the database.
	fl.ReleaseSG, err = ec2.NewSecurityGroup(ctx, env+"-release", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet release job: out to HTTPS (git, AWS APIs), EFS and Aurora"),
		VpcId:       fl.Network.VpcId,
		Tags:        tagInput(envTags),
	}, parent)
	if err != nil {
		return nil, err
	}
	releaseSG := fl.ReleaseSG.ID().ToStringOutput()
	if _, err = vpc.NewSecurityGroupEgressRule(ctx, env+"-release-out-443", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: releaseSG, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
		CidrIpv4: pulumi.String("0.0.0.0/0"), Description: pulumi.String("port 443: git over HTTPS, AWS APIs"),
		Tags: tagInput(envTags),
	}, parent); err != nil {
		return nil, err
	}

	w := wiring{account: acct, vpcID: fl.Network.VpcId, vpcCidr: fl.Network.CidrBlock,
		privateSubnets: fl.Network.PrivateSubnetIds, publicSubnets: fl.Network.PublicSubnetIds,
		tasksSGs: pulumi.StringArray{tasksSG}, clusterArn: fl.Cluster.Arn, clusterName: fl.Cluster.Name}
	clients := []pulumi.StringInput{tasksSG, releaseSG}

	ea := f.efsArgs(w, fl.Network.PrivateSubnetCount, clients, fl.Alarms.Arn)
	fl.FileSystem, err = NewSharedEFS(ctx, env, &ea, parent)
	if err != nil {
		return nil, err
	}
	da := f.databaseArgs(w, fl.Network.AvailabilityZones, clients)
	fl.Database, err = NewDatabase(ctx, env, &da, parent)
	if err != nil {
		return nil, err
	}
	for _, r := range []struct {
		name string
		port int
		dest pulumi.StringOutput
	}{{"efs", 2049, fl.FileSystem.SecurityGroupId}, {"db", 3306, fl.Database.SecurityGroupId}} {
		for _, from := range []struct {
			name string
			sg   pulumi.StringOutput
		}{{"tasks", tasksSG}, {"release", releaseSG}} {
			if _, err = vpc.NewSecurityGroupEgressRule(ctx, env+"-"+from.name+"-out-"+r.name, &vpc.SecurityGroupEgressRuleArgs{
				SecurityGroupId: from.sg, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port),
				ReferencedSecurityGroupId: r.dest, Description: pulumi.String("to " + r.name), Tags: tagInput(envTags),
			}, parent); err != nil {
				return nil, err
			}
		}
	}

	sites := f.Resolve()
	la := f.loadBalancerArgs(w, sites)
	fl.LoadBalancer, err = NewLoadBalancer(ctx, env, &la, parent)
	if err != nil {
		return nil, err
	}
	if _, err = vpc.NewSecurityGroupIngressRule(ctx, env+"-tasks-in-alb", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: tasksSG, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(WebPort), ToPort: pulumi.Int(WebPort),
		ReferencedSecurityGroupId: fl.LoadBalancer.SecurityGroupId, Description: pulumi.String("nginx from the ALB"),
		Tags: tagInput(envTags),
	}, parent); err != nil {
		return nil, err
	}
	w.listenerArn, w.albSuffix = fl.LoadBalancer.HttpsListenerArn, fl.LoadBalancer.ArnSuffix
	w.albDNS, w.albZone = fl.LoadBalancer.DnsName, fl.LoadBalancer.ZoneId
	w.fsID, w.fsArn = fl.FileSystem.FileSystemId, fl.FileSystem.FileSystemArn
	w.accessPointID = func(s string) pulumi.StringInput { return fl.FileSystem.AccessPoints[s].ID().ToStringOutput() }
	w.accessPointArn = func(s string) pulumi.StringInput { return fl.FileSystem.AccessPoints[s].Arn }
	w.dbHost = fl.Database.Endpoint
	w.dbSecretArn = func(s string) pulumi.StringInput { return fl.Database.SiteSecrets[s].Arn }
	w.bucketName = func(s string) pulumi.StringInput { return fl.Buckets[s].BucketName }
	w.bucketPolicy = func(s string) pulumi.StringInput { return fl.Buckets[s].ReadWritePolicy }
	w.taskDefArn = func(s string) pulumi.StringInput { return fl.Sites[s].CronTaskDefinition.Arn }
	w.execRoleArn = func(s string) pulumi.StringInput { return fl.Sites[s].ExecutionRole.Arn }
	w.taskRoleArn = func(s string) pulumi.StringInput { return fl.Sites[s].TaskRole.Arn }

	w.validationFqdns = func(h string) pulumi.StringInput { return fl.LoadBalancer.ValidationFqdns[h] }
	w.bucketDomain = func(s string) pulumi.StringInput { return fl.Buckets[s].RegionalDomainName }
	w.serviceName = func(s string) pulumi.StringInput { return fl.Sites[s].ServiceName }
	w.targetGroupSuffix = func(s string) pulumi.StringInput { return fl.Sites[s].TargetGroupArnSuffix }
	w.fsArnForBackup, w.dbClusterArn, w.dbClusterID = fl.FileSystem.FileSystemArn, fl.Database.Cluster.Arn, fl.Database.ClusterId

	// CloudFront: one us-east-1 provider, origin secret and static-asset
	// cache policy for every site behind it.
	var usEast1 *aws.Provider
	var staticPolicy pulumi.StringInput
	distributions := map[string]pulumi.StringInput{}
	resolvers := map[string]func(pulumi.Output){}
	if f.anyCDN() {
		if usEast1, err = aws.NewProvider(ctx, env+"-us-east-1", &aws.ProviderArgs{Region: pulumi.String("us-east-1")}, parent); err != nil {
			return nil, err
		}
		secret, err := random.NewRandomPassword(ctx, env+"-origin-verify", &random.RandomPasswordArgs{
			Length: pulumi.Int(40), Special: pulumi.Bool(false),
		}, parent)
		if err != nil {
			return nil, err
		}
		w.originSecret = secret.Result
		static, err := NewStaticCachePolicy(ctx, env+"-static", parent)
		if err != nil {
			return nil, err
		}
		staticPolicy = static.ID()
		for _, r := range sites {
			if r.Cdn {
				// The bucket policy names the distribution, which needs the bucket:
				// the policy waits for the distribution's ARN.
				arn, resolve := pulumi.DeferredOutput[string](ctx.Context())
				distributions[r.Config.Name] = pulumi.StringOutput{OutputState: arn.OutputState}
				resolvers[r.Config.Name] = resolve
			}
		}
	}
	w.distributionArn = func(s string) pulumi.StringInput { return distributions[s] }
	w.alias = func(s string) *AliasTarget {
		return &AliasTarget{DnsName: fl.CDNs[s].DomainName, ZoneId: fl.CDNs[s].HostedZoneId}
	}
	failPending := func(cause error) {
		failed := pulumi.String("").ToStringOutput().ApplyT(func(string) (string, error) { return "", cause }).(pulumi.StringOutput)
		for site, resolve := range resolvers {
			if fl.CDNs[site] == nil {
				resolve(failed)
			}
		}
	}

	for _, r := range sites {
		site := r.Config.Name
		cname := env + "-" + site
		ba := f.bucketArgs(w, r)
		if fl.Buckets[site], err = NewUploadsBucket(ctx, cname, &ba, parent); err != nil {
			failPending(err)
			return nil, err
		}
		if r.Cdn {
			ca := f.cdnArgs(w, r, usEast1, staticPolicy)
			if fl.CDNs[site], err = NewCDN(ctx, cname, &ca, parent); err != nil {
				failPending(err)
				return nil, err
			}
			resolvers[site](fl.CDNs[site].Arn)
		}
		sa := f.siteArgs(w, r)
		if r.Cdn {
			sa.TrustedProxyCIDRs = cloudFrontCIDRs
		}
		if fl.Sites[site], err = NewWordPressSite(ctx, cname, &sa, parent); err != nil {
			failPending(err)
			return nil, err
		}
		names, crons := f.cronArgs(w, r)
		fl.CronTasks[site] = map[string]*CronTask{}
		for _, n := range names {
			ca := crons[n]
			ct, err := NewCronTask(ctx, cname+"-"+n, &ca, pulumi.Parent(fl.Sites[site]))
			if err != nil {
				failPending(err)
				return nil, err
			}
			fl.CronTasks[site][n] = ct
		}
	}

	ma := f.monitoringArgs(w, fl.Alarms.Arn)
	if fl.Monitoring, err = NewMonitoring(ctx, env, &ma, parent); err != nil {
		return nil, err
	}
	bka := f.backupArgs(w)
	if fl.Backup, err = NewBackup(ctx, env, &bka, parent); err != nil {
		return nil, err
	}
	w.releaseSG, w.releaseAPID, w.releaseAPArn = releaseSG, fl.FileSystem.ReleaseAccess.ID().ToStringOutput(), fl.FileSystem.ReleaseAccess.Arn
	w.masterSecretArn, w.alarmTopic = fl.Database.MasterSecretArn, fl.Alarms.Arn
	ra := f.releaseArgs(w)
	if fl.Release, err = NewReleasePipeline(ctx, env+"-release", &ra, parent); err != nil {
		return nil, err
	}

	if err := ctx.RegisterResourceOutputs(fl, pulumi.Map{
		"albDnsName":  fl.LoadBalancer.DnsName,
		"efsId":       fl.FileSystem.FileSystemId,
		"clusterName": fl.Cluster.Name,
		"siteUrls":    fl.SiteURLs(),
		"bucketNames": fl.BucketNames(),
	}); err != nil {
		return nil, err
	}
	return fl, nil
}

// SiteURLs maps each site to its home URL.
func (fl *Fleet) SiteURLs() pulumi.StringMap {
	m := pulumi.StringMap{}
	for n, s := range fl.Sites {
		m[n] = s.URL
	}
	return m
}

// CDNDomains maps each site behind CloudFront to its distribution's domain.
func (fl *Fleet) CDNDomains() pulumi.StringMap {
	m := pulumi.StringMap{}
	for n, c := range fl.CDNs {
		m[n] = c.DomainName
	}
	return m
}

// BucketNames maps each site to its uploads bucket.
func (fl *Fleet) BucketNames() pulumi.StringMap {
	m := pulumi.StringMap{}
	for n, b := range fl.Buckets {
		m[n] = b.BucketName
	}
	return m
}
