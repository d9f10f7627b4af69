package components

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PlatformArgs configures Platform: what the sites of an environment share.
// Each part is built (the default) or adopted by ID through Existing.
type PlatformArgs struct {
	// Environment names every resource ("prod", "stg"): 1-8 lowercase letters
	// and digits. Required.
	Environment string
	// Tags are extra tags for every resource (environment and managed-by are
	// always set). Defaults to none.
	Tags map[string]string
	// Account is where the platform lives. Defaults to looking it up.
	Account *Account

	// Network is the VPC: new (the default) or existing by ID, with the S3
	// gateway endpoint. Tags are set by the platform.
	Network NetworkArgs
	// Cluster is the ECS cluster. Tags are set by the platform.
	Cluster ClusterArgs
	// LoadBalancer is the ALB; the platform fills in its VPC, subnets and
	// tags. Sites lists the hostnames its certificates cover.
	LoadBalancer LoadBalancerArgs
	// FileSystem is the shared EFS; the platform fills in its VPC, subnets,
	// clients, alarm topic and tags.
	FileSystem SharedEFSArgs
	// Database is the Aurora cluster; the platform fills in its environment,
	// VPC, subnets, zones, clients and tags.
	Database DatabaseArgs
	// AlarmEmail subscribes an address to the alarm topic. Defaults to none.
	AlarmEmail string
	// Backup backs up the file system and the database the platform creates.
	// Its environment, resources and tags are set by the platform.
	Backup BackupArgs
	// Alarms are the thresholds of the platform's own alarms (EFS, Aurora).
	Alarms PlatformAlarms
	// Existing adopts parts made elsewhere instead of creating them.
	Existing ExistingParts

	// Runtime is what every pool and job of the environment runs with unless
	// it says otherwise: images, CPU architecture, platform version.
	Runtime RuntimeDefaults
	// LogRetentionDays keeps the logs of every pool, job and the release job.
	// Defaults to 30.
	LogRetentionDays int
	// WordPressEnvironment is WP_ENVIRONMENT_TYPE of every site ("production",
	// "staging" or "development"). Defaults to "production".
	WordPressEnvironment string
	// ExecLogging logs ECS Exec sessions of every task to an encrypted log
	// group (Names.ExecLogGroup); pools may enable ECS Exec only with it.
	// Defaults to true.
	ExecLogging *bool
	// Firewall puts a WebFirewall (AWS WAF with managed rule groups and login
	// rate limits) in front of every site's distribution, unless
	// Existing.WebACLArn names one. Defaults to true.
	Firewall *bool
	// FirewallLoginRateLimit is the WebFirewall's LoginRateLimit. Defaults to 100.
	FirewallLoginRateLimit int
}

// RuntimeDefaults are the container settings pools and jobs inherit.
type RuntimeDefaults struct {
	// NginxImage and PhpImage are the images built from image/. Required.
	NginxImage, PhpImage string
	// CPUArchitecture is "X86_64" or "ARM64" (the images must be built for
	// it). Defaults to "X86_64".
	CPUArchitecture string
	// PlatformVersion is "LATEST" or 1.4.0+. Defaults to "LATEST".
	PlatformVersion string
}

// ExistingParts are parts of a platform made elsewhere, adopted by ID.
type ExistingParts struct {
	// Cluster is an existing ECS cluster with the FARGATE and FARGATE_SPOT
	// capacity providers. Defaults to creating one.
	Cluster *ClusterRef
	// LoadBalancer is an existing ALB and its HTTPS listener. Sites then
	// attach certificates of their own. Defaults to creating one.
	LoadBalancer *LoadBalancerRef
	// FileSystem is an existing EFS file system. Defaults to creating one.
	FileSystem *FileSystemRef
	// Database is an existing Aurora MySQL 3 cluster. Defaults to creating one.
	Database *DatabaseRef
	// AlarmTopicArn is an existing SNS topic for alarms (its key policy must
	// let CloudWatch and EventBridge publish). Defaults to creating one.
	AlarmTopicArn string
	// WebACLArn is an existing CloudFront-scope WAFv2 web ACL for every
	// site's distribution. Defaults to the platform's Firewall.
	WebACLArn string
}

// ClusterRef is an ECS cluster made elsewhere.
type ClusterRef struct{ Arn, Name string }

// LoadBalancerRef is an ALB made elsewhere.
type LoadBalancerRef struct {
	// HttpsListenerArn is where site rules and certificates go.
	HttpsListenerArn string
	// SecurityGroupId is the ALB's group; the platform's tasks admit it.
	SecurityGroupId string
	// DnsName, ZoneId and ArnSuffix are the ALB's DNS name, alias zone and
	// CloudWatch dimension.
	DnsName, ZoneId, ArnSuffix string
}

// FileSystemRef is an EFS file system made elsewhere; the platform admits its
// workloads on SecurityGroupId (the mount targets' group) and creates the
// release job's access point.
type FileSystemRef struct{ Id, Arn, SecurityGroupId string }

// DatabaseRef is an Aurora MySQL cluster made elsewhere; the platform admits
// its workloads on SecurityGroupId.
type DatabaseRef struct {
	Endpoint, SecurityGroupId, MasterSecretArn, ClusterIdentifier, ClusterArn string
	// RequireTLS says whether the cluster refuses unencrypted connections.
	RequireTLS bool
}

// PlatformAlarms are the thresholds of the platform's alarms.
type PlatformAlarms struct {
	// DbCPUPercent, DbConnections and DbFreeableMemoryMiB bound Aurora.
	// Default to 80, 1000 and 256.
	DbCPUPercent, DbConnections, DbFreeableMemoryMiB int
	// EfsThroughputMibps alarms when elastic EFS moves more than this on
	// average over 15 minutes. Defaults to 20.
	EfsThroughputMibps int
}

func (a PlatformArgs) withDefaults() PlatformArgs {
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	if a.WordPressEnvironment == "" {
		a.WordPressEnvironment = "production"
	}
	if a.Runtime.CPUArchitecture == "" {
		a.Runtime.CPUArchitecture = "X86_64"
	}
	if a.Runtime.PlatformVersion == "" {
		a.Runtime.PlatformVersion = "LATEST"
	}
	a.ExecLogging = boolOr(a.ExecLogging, true)
	a.Firewall = boolOr(a.Firewall, true)
	a.FirewallLoginRateLimit = intDefault(a.FirewallLoginRateLimit, 100)
	al := &a.Alarms
	al.DbCPUPercent = intDefault(al.DbCPUPercent, 80)
	al.DbConnections = intDefault(al.DbConnections, 1000)
	al.DbFreeableMemoryMiB = intDefault(al.DbFreeableMemoryMiB, 256)
	al.EfsThroughputMibps = intDefault(al.EfsThroughputMibps, 20)
	tags := Tags(a.Environment, "", a.Tags)
	a.Network.Tags, a.Cluster.Tags, a.LoadBalancer.Tags, a.FileSystem.Tags = tags, tags, tags, tags
	a.Database.Tags, a.Backup.Tags = tags, tags
	a.Database.Environment, a.Backup.Environment = a.Environment, a.Environment
	a.LoadBalancer.Account, a.FileSystem.Account, a.Backup.Account = a.Account, a.Account, a.Account
	// The environment's Backup plan covers the file system.
	if a.FileSystem.AutomaticBackups == nil {
		a.FileSystem.AutomaticBackups = new(bool)
	}
	return a
}

func intDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// Validate checks the arguments (after defaults) without registering anything:
// the platform's own settings and every part it builds, on placeholder wiring.
func (a PlatformArgs) Validate() error {
	a = a.withDefaults()
	var c check
	c.keyed("PlatformArgs.Environment", a.Environment, CheckEnvironmentName(a.Environment))
	for _, k := range sortedKeys(a.Tags) {
		c.keyed("PlatformArgs.Tags["+k+"]", a.Tags[k], CheckTag(k, a.Tags[k]))
	}
	c.add(prefixed("PlatformArgs.Network.", a.Network.Validate()))
	c.add(prefixed("PlatformArgs.Cluster.", a.Cluster.Validate()))
	p := pulumi.String("pending")
	ps := pulumi.StringArray{p, p}
	if a.Existing.LoadBalancer == nil {
		lba := a.LoadBalancer
		lba.VpcId, lba.VpcCidr, lba.PublicSubnetIds = p, p, ps
		c.add(prefixed("PlatformArgs.LoadBalancer.", lba.Validate()))
	}
	if a.Existing.FileSystem == nil {
		fsa := a.FileSystem
		fsa.VpcId, fsa.SubnetIds, fsa.SubnetCount = p, ps, 2
		c.add(prefixed("PlatformArgs.FileSystem.", fsa.Validate()))
	}
	if a.Existing.Database == nil {
		dba := a.Database
		dba.VpcId, dba.SubnetIds = p, ps
		c.add(prefixed("PlatformArgs.Database.", dba.Validate()))
	}
	if a.Existing.FileSystem == nil || a.Existing.Database == nil {
		ba := a.Backup
		ba.ResourceArns = []pulumi.StringInput{p}
		c.add(prefixed("PlatformArgs.Backup.", ba.Validate()))
	}
	c.add(prefixed("PlatformArgs.", AlarmTopicArgs{Environment: a.Environment, Email: a.AlarmEmail}.Validate()))
	if a.Runtime.NginxImage == "" {
		c.add(invalid("PlatformArgs.Runtime.NginxImage", "", "the URI of the nginx image built from image/ (image/README.md)"))
	}
	if a.Runtime.PhpImage == "" {
		c.add(invalid("PlatformArgs.Runtime.PhpImage", "", "the URI of the php image built from image/ (image/README.md)"))
	}
	c.keyed("PlatformArgs.Runtime.CPUArchitecture", a.Runtime.CPUArchitecture, CheckCPUArchitecture(a.Runtime.CPUArchitecture))
	c.keyed("PlatformArgs.Runtime.PlatformVersion", a.Runtime.PlatformVersion, CheckPlatformVersion(a.Runtime.PlatformVersion))
	c.keyed("PlatformArgs.LogRetentionDays", a.LogRetentionDays, CheckLogRetention(a.LogRetentionDays))
	c.keyed("PlatformArgs.WordPressEnvironment", a.WordPressEnvironment, CheckWordPressEnvironment(a.WordPressEnvironment))
	c.add(a.Alarms.check())
	c.add(a.Existing.check())
	if *a.Firewall && a.Existing.WebACLArn == "" {
		fw := WebFirewallArgs{Environment: a.Environment, UsEast1: &aws.Provider{}, LoginRateLimit: a.FirewallLoginRateLimit}
		c.add(prefixed("PlatformArgs.Firewall.", fw.Validate()))
	}
	c.keyed("PlatformArgs.Existing.WebACLArn", a.Existing.WebACLArn, CheckWebACLArn(a.Existing.WebACLArn))
	return c.err()
}

func (al PlatformAlarms) check() error {
	var c check
	if al.DbCPUPercent < 1 || al.DbCPUPercent > 100 {
		c.add(invalid("PlatformArgs.Alarms.DbCPUPercent", al.DbCPUPercent, "1 to 100 percent"))
	}
	if al.DbConnections < 1 || al.DbConnections > 100000 {
		c.add(invalid("PlatformArgs.Alarms.DbConnections", al.DbConnections, "1 to 100000 connections"))
	}
	if al.DbFreeableMemoryMiB < 1 || al.DbFreeableMemoryMiB > 1<<20 {
		c.add(invalid("PlatformArgs.Alarms.DbFreeableMemoryMiB", al.DbFreeableMemoryMiB, "1 to 1048576 MiB"))
	}
	if al.EfsThroughputMibps < 1 || al.EfsThroughputMibps > 100000 {
		c.add(invalid("PlatformArgs.Alarms.EfsThroughputMibps", al.EfsThroughputMibps, "1 to 100000 MiB/s"))
	}
	return c.err()
}

func (e ExistingParts) check() error {
	var c check
	if r := e.LoadBalancer; r != nil && (r.HttpsListenerArn == "" || r.SecurityGroupId == "" || r.DnsName == "" || r.ZoneId == "" || r.ArnSuffix == "") {
		c.add(invalid("PlatformArgs.Existing.LoadBalancer", *r, "the HTTPS listener ARN, security group ID, DNS name, alias zone ID and ARN suffix of the ALB"))
	}
	if r := e.FileSystem; r != nil && (r.Id == "" || r.Arn == "" || r.SecurityGroupId == "") {
		c.add(invalid("PlatformArgs.Existing.FileSystem", *r, "the file system's ID, ARN and mount targets' security group ID"))
	}
	if r := e.Database; r != nil && (r.Endpoint == "" || r.SecurityGroupId == "" || r.MasterSecretArn == "" || r.ClusterIdentifier == "" || r.ClusterArn == "") {
		c.add(invalid("PlatformArgs.Existing.Database", *r, "the cluster's writer endpoint, security group ID, master secret ARN, identifier and ARN"))
	}
	if r := e.Cluster; r != nil && (r.Arn == "" || r.Name == "") {
		c.add(invalid("PlatformArgs.Existing.Cluster", *r, "the cluster's ARN and name"))
	}
	return c.err()
}

// CheckWordPressEnvironment accepts WP_ENVIRONMENT_TYPE values.
func CheckWordPressEnvironment(e string) error {
	switch e {
	case "production", "staging", "development":
		return nil
	}
	return fmt.Errorf(`"production", "staging" or "development"`)
}

// Platform is what the sites of an environment share: the network, ECS
// cluster, ALB, shared EFS, Aurora, the alarm topic, backups and the security
// group every workload runs in, with every rule a WordPress task needs.
// Pools (SitePool) and sites (WordPressSite) take it as a handle.
type Platform struct {
	pulumi.ResourceState

	Environment string
	Names       Names
	Account     Account
	Tags        map[string]string
	Runtime     RuntimeDefaults
	// LogRetentionDays and WordPressEnvironment are the environment's defaults.
	LogRetentionDays     int
	WordPressEnvironment string

	Network *Network
	// Cluster, LoadBalancer, FileSystem, Database and Alarms are nil when
	// adopted through Existing; the fields below work either way.
	Cluster      *Cluster
	LoadBalancer *LoadBalancer
	FileSystem   *SharedEFS
	Database     *Database
	Alarms       *AlarmTopic
	Backup       *Backup
	// TasksSecurityGroup is the group of every pool's and job's tasks: HTTP
	// from the ALB; out to HTTPS/HTTP, EFS and Aurora.
	TasksSecurityGroup *ec2.SecurityGroup
	// UsEast1 is the provider for CloudFront certificates and functions.
	UsEast1 *aws.Provider
	// StaticCachePolicyId is the static-asset cache policy every site's
	// distribution shares (CloudFront allows 20 cache policies per account).
	StaticCachePolicyId pulumi.StringOutput
	// ExecLogGroupName receives ECS Exec sessions ("" without ExecLogging).
	ExecLogGroupName string
	// CloudFrontCIDRs are CloudFront's origin-facing ranges (the managed
	// prefix list): nginx trusts them in X-Forwarded-For.
	CloudFrontCIDRs []string
	// Firewall is the web ACL the platform made (nil with none or an existing one).
	Firewall *WebFirewall
	// WebACLArn is attached to every site's distribution (nil without one).
	WebACLArn pulumi.StringInput

	VpcId, VpcCidr                      pulumi.StringOutput
	PublicSubnetIds, PrivateSubnetIds   pulumi.StringArrayOutput
	ClusterArn, ClusterName             pulumi.StringOutput
	HttpsListenerArn, AlbSecurityGroup  pulumi.StringOutput
	AlbDnsName, AlbZoneId, AlbSuffix    pulumi.StringOutput
	FileSystemId, FileSystemArn         pulumi.StringOutput
	ReleaseAccessPointId                pulumi.StringOutput
	ReleaseAccessPointArn               pulumi.StringOutput
	DatabaseEndpoint, MasterSecretArn   pulumi.StringOutput
	DatabaseClusterId, DatabaseArn      pulumi.StringOutput
	DatabaseTLS                         bool
	AlarmTopicArn, TasksSecurityGroupId pulumi.StringOutput

	fsSG, dbSG pulumi.StringInput
	lbCovers   func(string) bool
	validation map[string]pulumi.StringOutput
}

// NewPlatform builds (or adopts) the shared parts of an environment.
func NewPlatform(ctx *pulumi.Context, name string, args *PlatformArgs, opts ...pulumi.ResourceOption) (*Platform, error) {
	if args == nil {
		args = &PlatformArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	a.LoadBalancer.Account, a.FileSystem.Account, a.Backup.Account = &acct, &acct, &acct
	p := &Platform{Environment: a.Environment, Names: NamesFor(a.Environment), Account: acct,
		Tags: Tags(a.Environment, "", a.Tags), Runtime: a.Runtime, LogRetentionDays: a.LogRetentionDays,
		WordPressEnvironment: a.WordPressEnvironment, lbCovers: func(string) bool { return false }}
	if err := ctx.RegisterComponentResource(typePrefix+"Platform", name, p, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(p)
	for _, step := range []func(*pulumi.Context, string, PlatformArgs, pulumi.ResourceOption) error{
		p.buildNetwork, p.buildAlarms, p.buildLoadBalancer, p.buildTasksGroup, p.buildFileSystem,
		p.buildDatabase, p.buildBackupAndAlarms, p.buildEdge,
	} {
		if err := step(ctx, name, a, parent); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(p, pulumi.Map{
		"vpcId":            p.VpcId,
		"clusterName":      p.ClusterName,
		"albDnsName":       p.AlbDnsName,
		"fileSystemId":     p.FileSystemId,
		"databaseEndpoint": p.DatabaseEndpoint,
		"alarmTopicArn":    p.AlarmTopicArn,
	}); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Platform) buildNetwork(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	var err error
	if p.Network, err = NewNetwork(ctx, name, &a.Network, parent); err != nil {
		return err
	}
	p.VpcId, p.VpcCidr = p.Network.VpcId, p.Network.CidrBlock
	p.PublicSubnetIds, p.PrivateSubnetIds = p.Network.PublicSubnetIds, p.Network.PrivateSubnetIds
	if r := a.Existing.Cluster; r != nil {
		p.ClusterArn, p.ClusterName = pulumi.String(r.Arn).ToStringOutput(), pulumi.String(r.Name).ToStringOutput()
		return nil
	}
	ca := a.Cluster
	ca.Account = &p.Account
	if *a.ExecLogging {
		ca.ExecLogGroupName = p.Names.ExecLogGroup()
		ca.ExecLogRetentionDays = a.LogRetentionDays
		p.ExecLogGroupName = ca.ExecLogGroupName
	}
	if p.Cluster, err = NewCluster(ctx, name, &ca, parent); err != nil {
		return err
	}
	p.ClusterArn, p.ClusterName = p.Cluster.Arn, p.Cluster.Name
	return nil
}

func (p *Platform) buildAlarms(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	if a.Existing.AlarmTopicArn != "" {
		p.AlarmTopicArn = pulumi.String(a.Existing.AlarmTopicArn).ToStringOutput()
		return nil
	}
	var err error
	p.Alarms, err = NewAlarmTopic(ctx, name, &AlarmTopicArgs{Environment: a.Environment, Tags: p.Tags, Email: a.AlarmEmail, Account: &p.Account}, parent)
	if err != nil {
		return err
	}
	p.AlarmTopicArn = p.Alarms.Arn
	return nil
}

func (p *Platform) buildLoadBalancer(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	if r := a.Existing.LoadBalancer; r != nil {
		p.HttpsListenerArn = pulumi.String(r.HttpsListenerArn).ToStringOutput()
		p.AlbSecurityGroup = pulumi.String(r.SecurityGroupId).ToStringOutput()
		p.AlbDnsName, p.AlbZoneId = pulumi.String(r.DnsName).ToStringOutput(), pulumi.String(r.ZoneId).ToStringOutput()
		p.AlbSuffix = pulumi.String(r.ArnSuffix).ToStringOutput()
		return nil
	}
	la := a.LoadBalancer
	la.VpcId, la.VpcCidr, la.PublicSubnetIds = p.VpcId, p.VpcCidr, p.PublicSubnetIds
	var err error
	if p.LoadBalancer, err = NewLoadBalancer(ctx, name, &la, parent); err != nil {
		return err
	}
	l := p.LoadBalancer
	p.HttpsListenerArn, p.AlbSecurityGroup = l.HttpsListenerArn, l.SecurityGroupId
	p.AlbDnsName, p.AlbZoneId, p.AlbSuffix = l.DnsName, l.ZoneId, l.ArnSuffix
	p.lbCovers, p.validation = l.Covers, l.ValidationFqdns
	return nil
}

// buildTasksGroup creates the tasks' security group: nginx from the ALB,
// out to HTTPS/HTTP (AWS APIs, images, WordPress.org); EFS and Aurora egress
// are added with their groups.
func (p *Platform) buildTasksGroup(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	var err error
	p.TasksSecurityGroup, err = ec2.NewSecurityGroup(ctx, name+"-tasks", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet tasks: HTTP from the ALB; out to HTTPS and HTTP, EFS and Aurora"),
		VpcId:       p.VpcId,
		Tags:        tagInput(p.Tags),
	}, parent)
	if err != nil {
		return err
	}
	p.TasksSecurityGroupId = p.TasksSecurityGroup.ID().ToStringOutput()
	if _, err = vpc.NewSecurityGroupIngressRule(ctx, name+"-tasks-in-alb", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: p.TasksSecurityGroupId, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(WebPort), ToPort: pulumi.Int(WebPort),
		ReferencedSecurityGroupId: p.AlbSecurityGroup, Description: pulumi.String("nginx from the ALB"), Tags: tagInput(p.Tags),
	}, parent); err != nil {
		return err
	}
	// An adopted ALB's group may not let it out to the tasks (ours allows the VPC).
	if a.Existing.LoadBalancer != nil {
		if _, err = vpc.NewSecurityGroupEgressRule(ctx, name+"-alb-out-tasks", &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId: p.AlbSecurityGroup, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(WebPort), ToPort: pulumi.Int(WebPort),
			ReferencedSecurityGroupId: p.TasksSecurityGroupId, Description: pulumi.String("to wpfleet tasks"), Tags: tagInput(p.Tags),
		}, parent); err != nil {
			return err
		}
	}
	return p.egress(ctx, name+"-tasks", p.TasksSecurityGroupId, []int{443, 80}, parent)
}

// egress lets group sg reach the internet (through NAT) on ports.
func (p *Platform) egress(ctx *pulumi.Context, name string, sg pulumi.StringInput, ports []int, parent pulumi.ResourceOption) error {
	for _, port := range ports {
		if _, err := vpc.NewSecurityGroupEgressRule(ctx, fmt.Sprintf("%s-out-%d", name, port), &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId: sg, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(port), ToPort: pulumi.Int(port),
			CidrIpv4: pulumi.String("0.0.0.0/0"), Description: pulumi.String(fmt.Sprintf("port %d: AWS APIs, images, git, WordPress.org", port)),
			Tags: tagInput(p.Tags),
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

func (p *Platform) buildFileSystem(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	if r := a.Existing.FileSystem; r != nil {
		p.FileSystemId, p.FileSystemArn = pulumi.String(r.Id).ToStringOutput(), pulumi.String(r.Arn).ToStringOutput()
		p.fsSG = pulumi.String(r.SecurityGroupId)
		ap, err := (&SharedEFS{FileSystemId: p.FileSystemId, webUID: WebUID, webGID: WebGID}).
			newAccessPoint(ctx, name+"-release", "/sites", withTag(p.Tags, "Name", name+"-release"), parent)
		if err != nil {
			return err
		}
		p.ReleaseAccessPointId, p.ReleaseAccessPointArn = ap.ID().ToStringOutput(), ap.Arn
	} else {
		fa := a.FileSystem
		fa.VpcId, fa.SubnetIds, fa.SubnetCount = p.VpcId, p.PrivateSubnetIds, p.Network.PrivateSubnetCount
		fa.AlarmTopicArn = p.AlarmTopicArn
		var err error
		if p.FileSystem, err = NewSharedEFS(ctx, name, &fa, parent); err != nil {
			return err
		}
		p.FileSystemId, p.FileSystemArn, p.fsSG = p.FileSystem.FileSystemId, p.FileSystem.FileSystemArn, p.FileSystem.SecurityGroupId
		p.ReleaseAccessPointId, p.ReleaseAccessPointArn = p.FileSystem.ReleaseAccessPointId, p.FileSystem.ReleaseAccessPointArn
	}
	return p.admitTo(ctx, name+"-tasks", p.TasksSecurityGroupId, "efs", 2049, p.fsSG, parent)
}

func (p *Platform) buildDatabase(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	if r := a.Existing.Database; r != nil {
		p.DatabaseEndpoint, p.MasterSecretArn = pulumi.String(r.Endpoint).ToStringOutput(), pulumi.String(r.MasterSecretArn).ToStringOutput()
		p.DatabaseClusterId, p.DatabaseArn = pulumi.String(r.ClusterIdentifier).ToStringOutput(), pulumi.String(r.ClusterArn).ToStringOutput()
		p.DatabaseTLS, p.dbSG = r.RequireTLS, pulumi.String(r.SecurityGroupId)
	} else {
		da := a.Database
		da.VpcId, da.SubnetIds, da.AvailabilityZones = p.VpcId, p.PrivateSubnetIds, p.Network.AvailabilityZones
		var err error
		if p.Database, err = NewDatabase(ctx, name, &da, parent); err != nil {
			return err
		}
		d := p.Database
		p.DatabaseEndpoint, p.MasterSecretArn, p.DatabaseClusterId, p.DatabaseArn = d.Endpoint, d.MasterSecretArn, d.ClusterId, d.ClusterArn
		p.DatabaseTLS, p.dbSG = d.RequireTLS, d.SecurityGroupId
	}
	return p.admitTo(ctx, name+"-tasks", p.TasksSecurityGroupId, "db", 3306, p.dbSG, parent)
}

// admitTo lets group from reach group to on port: an egress rule on from and
// an ingress rule on to.
func (p *Platform) admitTo(ctx *pulumi.Context, name string, from pulumi.StringInput, what string, port int, to pulumi.StringInput, parent pulumi.ResourceOption) error {
	tags := tagInput(p.Tags)
	if _, err := vpc.NewSecurityGroupEgressRule(ctx, name+"-out-"+what, &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: from, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(port), ToPort: pulumi.Int(port),
		ReferencedSecurityGroupId: to, Description: pulumi.String("to " + what), Tags: tags,
	}, parent); err != nil {
		return err
	}
	_, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-in-"+what, &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: to, IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(port), ToPort: pulumi.Int(port),
		ReferencedSecurityGroupId: from, Description: pulumi.String("from a wpfleet workload"), Tags: tags,
	}, parent)
	return err
}

// Workload says what a workload admitted to the platform may reach.
type Workload struct {
	// FileSystem: NFS to the shared EFS. Database: MySQL to Aurora.
	FileSystem, Database bool
	// Internet lists TCP ports open to the internet through NAT (443 for AWS
	// APIs and git over HTTPS, 22 for git over SSH).
	Internet []int
}

// AdmitWorkload lets the tasks or jobs in security group sg reach what w asks
// for: the platform owns every rule between its parts. Resources are named
// from name and parented to the platform unless opts say otherwise.
func (p *Platform) AdmitWorkload(ctx *pulumi.Context, name string, sg pulumi.StringInput, w Workload, opts ...pulumi.ResourceOption) error {
	var parent pulumi.ResourceOption = pulumi.Parent(p)
	if len(opts) > 0 {
		parent = pulumi.Composite(opts...)
	}
	if err := p.egress(ctx, name, sg, w.Internet, parent); err != nil {
		return err
	}
	if w.FileSystem {
		if err := p.admitTo(ctx, name, sg, "efs", 2049, p.fsSG, parent); err != nil {
			return err
		}
	}
	if w.Database {
		return p.admitTo(ctx, name, sg, "db", 3306, p.dbSG, parent)
	}
	return nil
}

func (p *Platform) buildBackupAndAlarms(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	var arns []pulumi.StringInput
	if p.FileSystem != nil {
		arns = append(arns, p.FileSystem.FileSystemArn)
	}
	if p.Database != nil {
		arns = append(arns, p.Database.ClusterArn)
	}
	if len(arns) > 0 {
		ba := a.Backup
		ba.ResourceArns, ba.Account = arns, &p.Account
		var err error
		if p.Backup, err = NewBackup(ctx, name, &ba, parent); err != nil {
			return err
		}
	}
	if err := p.jobFailures(ctx, name, parent); err != nil {
		return err
	}
	return p.platformAlarms(ctx, a, parent)
}

// platformAlarms watches the shared parts: EFS metered throughput (elastic;
// bursting has its credit alarm in SharedEFS) and Aurora.
func (p *Platform) platformAlarms(ctx *pulumi.Context, a PlatformArgs, parent pulumi.ResourceOption) error {
	var specs []alarmSpec
	if p.FileSystem != nil && a.FileSystem.ThroughputMode != ThroughputBursting && a.FileSystem.ThroughputMode != ThroughputProvisioned {
		specs = append(specs, efsThroughputAlarm(p.FileSystemId, a.Alarms.EfsThroughputMibps))
	}
	if p.Database != nil {
		specs = append(specs, databaseAlarms(p.DatabaseClusterId, a.Alarms, a.Database.Mode != DatabaseProvisioned)...)
	}
	_, err := p.createAlarms(ctx, func(what string) string { return p.Names.Alarm(what) }, specs, parent)
	return err
}

// createAlarms registers alarms that notify the platform's topic.
func (p *Platform) createAlarms(ctx *pulumi.Context, alarmName func(string) string, specs []alarmSpec, parent pulumi.ResourceOption) ([]*cloudwatch.MetricAlarm, error) {
	actions := pulumi.Array{p.AlarmTopicArn}
	var out []*cloudwatch.MetricAlarm
	for _, s := range specs {
		args := s.args
		args.Name = pulumi.String(alarmName(s.name))
		args.AlarmDescription = pulumi.String(s.description)
		args.AlarmActions = actions
		args.OkActions = actions
		if args.Tags == nil {
			args.Tags = tagInput(p.Tags)
		}
		alarm, err := cloudwatch.NewMetricAlarm(ctx, alarmName(s.name), &args, parent)
		if err != nil {
			return nil, err
		}
		out = append(out, alarm)
	}
	return out, nil
}

// buildEdge creates what every site's distribution shares: the us-east-1
// provider and the static-asset cache policy.
func (p *Platform) buildEdge(ctx *pulumi.Context, name string, a PlatformArgs, parent pulumi.ResourceOption) error {
	pl, err := ec2.LookupManagedPrefixList(ctx, &ec2.LookupManagedPrefixListArgs{Name: pulumi.StringRef(CloudFrontPrefixList)})
	if err != nil {
		return fmt.Errorf("looking up %s: %w", CloudFrontPrefixList, err)
	}
	for _, e := range pl.Entries {
		p.CloudFrontCIDRs = append(p.CloudFrontCIDRs, e.Cidr)
	}
	if p.UsEast1, err = aws.NewProvider(ctx, name+"-us-east-1", &aws.ProviderArgs{Region: pulumi.String("us-east-1")}, parent); err != nil {
		return err
	}
	var static *cloudfront.CachePolicy
	if static, err = NewStaticCachePolicy(ctx, name+"-static", p.Names.StaticCachePolicy(), parent); err != nil {
		return err
	}
	p.StaticCachePolicyId = static.ID().ToStringOutput()
	switch {
	case a.Existing.WebACLArn != "":
		p.WebACLArn = pulumi.String(a.Existing.WebACLArn)
	case *a.Firewall:
		p.Firewall, err = NewWebFirewall(ctx, name+"-waf", &WebFirewallArgs{Environment: a.Environment, Tags: p.Tags,
			UsEast1: p.UsEast1, LoginRateLimit: a.FirewallLoginRateLimit, LogRetentionDays: a.LogRetentionDays}, parent)
		if err != nil {
			return err
		}
		p.WebACLArn = p.Firewall.WebACLArn
	}
	return nil
}

// CoversHostname reports whether the platform's ALB certificates cover h (a
// site whose names are not covered brings a certificate of its own).
func (p *Platform) CoversHostname(h string) bool { return p.lbCovers(h) }

// ValidationFqdn is the ACM validation record of hostname h, when the
// platform's certificates cover it.
func (p *Platform) ValidationFqdn(h string) pulumi.StringOutput { return p.validation[h] }

// ExecKeyArn and ExecLogGroupArn are what a task role needs for logged ECS
// Exec sessions; empty when the platform's cluster does not log them.
func (p *Platform) ExecKeyArn() pulumi.StringOutput {
	if p.Cluster == nil {
		return pulumi.String("").ToStringOutput()
	}
	return p.Cluster.ExecKeyArn
}

// ExecLogGroupArn: see ExecKeyArn.
func (p *Platform) ExecLogGroupArn() pulumi.StringOutput {
	if p.Cluster == nil {
		return pulumi.String("").ToStringOutput()
	}
	return p.Cluster.ExecLogGroupArn
}

// ExecLogging reports whether ECS Exec sessions are logged (pools enable
// ECS Exec only then).
func (p *Platform) ExecLogging() bool { return p.ExecLogGroupName != "" }

// jobFailures reports failed batch jobs of the environment (a task of a job
// family that stopped with a non-zero exit code or never started) to the
// alarm topic.
func (p *Platform) jobFailures(ctx *pulumi.Context, name string, parent pulumi.ResourceOption) error {
	family := p.Account.ARN("ecs", p.Account.Region, "task-definition/"+p.Names.JobFamily("*", "*")+":*")
	pattern := p.ClusterArn.ApplyT(func(cluster string) (string, error) {
		b, err := json.Marshal(map[string]any{
			"source":      []string{"aws.ecs"},
			"detail-type": []string{"ECS Task State Change"},
			"detail": map[string]any{
				"clusterArn":        []any{cluster},
				"lastStatus":        []string{"STOPPED"},
				"taskDefinitionArn": []any{map[string]string{"wildcard": family}},
				"$or": []any{
					map[string]any{"containers": map[string]any{"exitCode": []any{map[string]any{"anything-but": 0}}}},
					map[string]any{"stopCode": []string{"TaskFailedToStart"}},
				},
			},
		})
		return string(b), err
	}).(pulumi.StringOutput)
	rule, err := cloudwatch.NewEventRule(ctx, name+"-job-failures", &cloudwatch.EventRuleArgs{
		Description: pulumi.String("wpfleet " + p.Environment + ": a batch job failed"), EventPattern: pattern, Tags: tagInput(p.Tags),
	}, parent)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewEventTarget(ctx, name+"-job-failures", &cloudwatch.EventTargetArgs{
		Rule: rule.Name, Arn: p.AlarmTopicArn,
		InputTransformer: cloudwatch.EventTargetInputTransformerArgs{
			InputPaths: pulumi.StringMap{
				"group": pulumi.String("$.detail.group"), "reason": pulumi.String("$.detail.stoppedReason"),
				"code": pulumi.String("$.detail.stopCode"), "task": pulumi.String("$.detail.taskArn"),
			},
			InputTemplate: pulumi.String(`"wpfleet ` + p.Environment + ` batch job <group> failed (<code>): <reason>. Task: <task>"`),
		},
	}, parent)
	return err
}

// NewWorkloadGroup creates a security group for a workload of the platform
// (the release job, a tool of yours) and admits it as w says: the group and
// its rules belong to the platform.
func (p *Platform) NewWorkloadGroup(ctx *pulumi.Context, name, description string, w Workload) (*ec2.SecurityGroup, error) {
	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		Description: pulumi.String(description), VpcId: p.VpcId, Tags: tagInput(p.Tags),
	}, pulumi.Parent(p))
	if err != nil {
		return nil, err
	}
	return sg, p.AdmitWorkload(ctx, name, sg.ID().ToStringOutput(), w)
}
