package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
	}
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
	}
}

func (f FleetArgs) databaseArgs(w wiring, azs []string, clients []pulumi.StringInput) DatabaseArgs {
	return DatabaseArgs{
		Environment: f.Environment, Tags: Tags(f.Environment, "", f.Tags), VpcId: w.vpcID, SubnetIds: w.privateSubnets,
		AvailabilityZones: azs, ClientSecurityGroupIds: clients, Sites: f.siteNames(),
		EngineVersion: f.DbEngineVersion, Mode: f.DbMode, InstanceClass: f.DbInstanceClass, Instances: f.DbInstances,
		MinCapacity: f.DbMinAcu, MaxCapacity: f.DbMaxAcu, AutoPauseSeconds: f.DbAutoPauseSeconds,
		BackupRetentionDays: f.DbBackupRetentionDays, DeletionProtection: f.DeletionProtection,
		FinalSnapshot: f.FinalSnapshot, RequireTLS: f.DbRequireTls,
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
		DeletionProtection: f.DeletionProtection,
	}
}

func (f FleetArgs) bucketArgs(r ResolvedSite) UploadsBucketArgs {
	return UploadsBucketArgs{Site: r.Config.Name, Tags: f.siteTags(r.Config.Name),
		NoncurrentVersionDays: f.UploadsNoncurrentDays, Website: r.Config.UploadsWebsite}
}

func (f FleetArgs) wordPressEnvironment() string {
	if f.Environment == "prod" || f.Environment == "production" {
		return "production"
	}
	return "staging"
}

func (f FleetArgs) siteArgs(w wiring, r ResolvedSite) WordPressSiteArgs {
	site := r.Config.Name
	return WordPressSiteArgs{
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
	for _, r := range sites {
		c.add(f.bucketArgs(r).Validate())
		c.add(f.siteArgs(w, r).Validate())
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

	fl := &Fleet{Args: f, Buckets: map[string]*UploadsBucket{}, Sites: map[string]*WordPressSite{},
		CronTasks: map[string]map[string]*CronTask{}}
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

	w := wiring{account: acct, vpcID: fl.Network.VpcId, vpcCidr: fl.Network.CidrBlock,
		privateSubnets: fl.Network.PrivateSubnetIds, publicSubnets: fl.Network.PublicSubnetIds,
		tasksSGs: pulumi.StringArray{tasksSG}, clusterArn: fl.Cluster.Arn, clusterName: fl.Cluster.Name}
	clients := []pulumi.StringInput{tasksSG}

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
		if _, err = vpc.NewSecurityGroupEgressRule(ctx, env+"-tasks-out-"+r.name, &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId: tasksSG, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port),
			ReferencedSecurityGroupId: r.dest, Description: pulumi.String("to " + r.name), Tags: tagInput(envTags),
		}, parent); err != nil {
			return nil, err
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

	for _, r := range sites {
		site := r.Config.Name
		cname := env + "-" + site
		ba := f.bucketArgs(r)
		if fl.Buckets[site], err = NewUploadsBucket(ctx, cname, &ba, parent); err != nil {
			return nil, err
		}
		sa := f.siteArgs(w, r)
		if fl.Sites[site], err = NewWordPressSite(ctx, cname, &sa, parent); err != nil {
			return nil, err
		}
		names, crons := f.cronArgs(w, r)
		fl.CronTasks[site] = map[string]*CronTask{}
		for _, n := range names {
			ca := crons[n]
			ct, err := NewCronTask(ctx, cname+"-"+n, &ca, pulumi.Parent(fl.Sites[site]))
			if err != nil {
				return nil, err
			}
			fl.CronTasks[site][n] = ct
		}
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

// BucketNames maps each site to its uploads bucket.
func (fl *Fleet) BucketNames() pulumi.StringMap {
	m := pulumi.StringMap{}
	for n, b := range fl.Buckets {
		m[n] = b.BucketName
	}
	return m
}
