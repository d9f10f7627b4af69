package components

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Database modes.
const (
	DatabaseServerless  = "serverless"
	DatabaseProvisioned = "provisioned"
)

// DefaultEngineVersion is Aurora MySQL 3 (MySQL 8.0-compatible). Aurora
// MySQL 2 (5.7) left standard support on 2024-10-31.
const DefaultEngineVersion = "8.0.mysql_aurora.3.10.0"

// MasterUsername is the cluster's administrative user; its password is
// managed by RDS in Secrets Manager and only the release job may read it.
const MasterUsername = "wpfleet_admin"

// DatabaseArgs configures Database.
type DatabaseArgs struct {
	// Environment names the environment in secret names. Required.
	Environment string
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// VpcId is the VPC. Required.
	VpcId pulumi.StringInput
	// SubnetIds are the private subnets (at least two AZs). Required.
	SubnetIds pulumi.StringArrayInput
	// AvailabilityZones spreads the instances: instance i goes to zone
	// i mod len. Defaults to letting RDS choose.
	AvailabilityZones []string
	// ClientSecurityGroupIds are admitted on 3306/tcp; nothing else is. More
	// can be admitted later with Admit. Defaults to none.
	ClientSecurityGroupIds []pulumi.StringInput
	// EngineVersion is an Aurora MySQL 3 version. Defaults to DefaultEngineVersion.
	EngineVersion string
	// Mode is "serverless" (Serverless v2) or "provisioned". Defaults to "serverless".
	Mode string
	// InstanceClass is the provisioned instance class. Defaults to "db.r6g.large".
	InstanceClass string
	// Instances is the writer plus readers (1-16). Two or more make the
	// cluster multi-AZ. Defaults to 2.
	Instances int
	// MinCapacity and MaxCapacity bound Serverless v2 in ACUs (0-256 in 0.5
	// steps; 0 pauses an idle cluster, from engine 3.08.0). Default to 0.5 and 8.
	MinCapacity, MaxCapacity float64
	// AutoPauseSeconds is how long an idle cluster with MinCapacity 0 waits
	// before pausing (300-86400). Defaults to 300.
	AutoPauseSeconds int
	// BackupRetentionDays keeps automated backups (1-35). Defaults to 7.
	BackupRetentionDays int
	// DeletionProtection refuses deletion of the cluster. Defaults to true.
	DeletionProtection *bool
	// FinalSnapshot takes a snapshot named "<ClusterIdentifier>-final" when
	// the cluster is deleted. Defaults to true.
	FinalSnapshot *bool
	// RequireTLS refuses unencrypted client connections
	// (require_secure_transport). Defaults to true.
	RequireTLS *bool
	// SlowQuerySeconds logs queries slower than this (exported to CloudWatch
	// with the error log). Defaults to 2.
	SlowQuerySeconds float64
	// Protect marks the cluster protect and retainOnDelete. Defaults to false.
	Protect bool
	// ClusterIdentifier names the cluster (and its exported log groups,
	// /aws/rds/cluster/<id>/error and /slowquery). Defaults to
	// Names.ClusterIdentifier ("wpfleet-<env>").
	ClusterIdentifier string
	// LogRetentionDays keeps the exported error and slow query logs. Defaults to 30.
	LogRetentionDays int
}

func (a DatabaseArgs) withDefaults() DatabaseArgs {
	if a.EngineVersion == "" {
		a.EngineVersion = DefaultEngineVersion
	}
	if a.Mode == "" {
		a.Mode = DatabaseServerless
	}
	if a.InstanceClass == "" {
		a.InstanceClass = "db.r6g.large"
	}
	if a.Instances == 0 {
		a.Instances = 2
	}
	if a.MinCapacity == 0 && a.MaxCapacity == 0 {
		a.MinCapacity, a.MaxCapacity = 0.5, 8
	}
	if a.AutoPauseSeconds == 0 {
		a.AutoPauseSeconds = 300
	}
	if a.BackupRetentionDays == 0 {
		a.BackupRetentionDays = 7
	}
	if a.SlowQuerySeconds == 0 {
		a.SlowQuerySeconds = 2
	}
	if a.ClusterIdentifier == "" {
		a.ClusterIdentifier = NamesFor(a.Environment).ClusterIdentifier()
	}
	a.DeletionProtection = boolOr(a.DeletionProtection, true)
	a.FinalSnapshot = boolOr(a.FinalSnapshot, true)
	a.RequireTLS = boolOr(a.RequireTLS, true)
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	return a
}

var clusterIDRe = regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9]){0,62}$`)

// CheckCapacity accepts a Serverless v2 range: 0-256 ACUs in 0.5 steps, max
// at least 1 and not below min; a min of 0 (auto-pause) needs engine 3.08.0+.
func CheckCapacity(min, max float64, engineVersion string) error {
	half := func(x float64) bool { return x*2 == float64(int(x*2)) }
	if min < 0 || max > 256 || !half(min) || !half(max) || max < 1 || min > max {
		return fmt.Errorf("ACUs from 0 to 256 in steps of 0.5, with max at least 1 and min not above max")
	}
	if min == 0 {
		if m := engineVersionRe.FindStringSubmatch(engineVersion); m != nil {
			minor, _ := strconv.Atoi(strings.Split(m[1], ".")[1])
			if minor < 8 {
				return fmt.Errorf("a minimum of 0 ACUs (auto-pause) needs Aurora MySQL 3.08.0 or later; engine is %s", engineVersion)
			}
		}
	}
	return nil
}

// Validate checks the arguments (after defaults) without registering anything.
func (a DatabaseArgs) Validate() error {
	a = a.withDefaults()
	var c check
	c.keyed("DatabaseArgs.Environment", a.Environment, CheckEnvironmentName(a.Environment))
	if a.VpcId == nil || a.SubnetIds == nil {
		c.add(invalid("DatabaseArgs.SubnetIds", nil, "the VPC ID and private subnets are required"))
	}
	c.keyed("DatabaseArgs.EngineVersion", a.EngineVersion, CheckEngineVersion(a.EngineVersion))
	switch a.Mode {
	case DatabaseServerless:
		c.keyed("DatabaseArgs.MinCapacity", fmt.Sprintf("%g-%g", a.MinCapacity, a.MaxCapacity),
			CheckCapacity(a.MinCapacity, a.MaxCapacity, a.EngineVersion))
		if a.AutoPauseSeconds < 300 || a.AutoPauseSeconds > 86400 {
			c.add(invalid("DatabaseArgs.AutoPauseSeconds", a.AutoPauseSeconds, "300 to 86400 seconds"))
		}
	case DatabaseProvisioned:
		c.keyed("DatabaseArgs.InstanceClass", a.InstanceClass, CheckAuroraInstanceClass(a.InstanceClass))
	default:
		c.add(invalid("DatabaseArgs.Mode", a.Mode, `"serverless" or "provisioned"`))
	}
	if a.Instances < 1 || a.Instances > 16 {
		c.add(invalid("DatabaseArgs.Instances", a.Instances, "1 to 16 instances (writer plus readers)"))
	}
	if a.BackupRetentionDays < 1 || a.BackupRetentionDays > 35 {
		c.add(invalid("DatabaseArgs.BackupRetentionDays", a.BackupRetentionDays, "1 to 35 days"))
	}
	if !clusterIDRe.MatchString(a.ClusterIdentifier) {
		c.add(invalid("DatabaseArgs.ClusterIdentifier", a.ClusterIdentifier, "1-63 lowercase letters, digits and single hyphens, starting with a letter"))
	}
	c.keyed("DatabaseArgs.LogRetentionDays", a.LogRetentionDays, CheckLogRetention(a.LogRetentionDays))
	if a.SlowQuerySeconds <= 0 || a.SlowQuerySeconds > 3600 {
		c.add(invalid("DatabaseArgs.SlowQuerySeconds", a.SlowQuerySeconds, "more than 0 and at most 3600 seconds"))
	}
	return c.err()
}

// Database is the fleet's Aurora MySQL 3 cluster. Each site keeps its own
// database user secret (WordPressSite); the sites' tasks never see the
// master secret, which only the release job reads.
type Database struct {
	pulumi.ResourceState

	SecurityGroup *ec2.SecurityGroup
	Cluster       *rds.Cluster
	Instances     []*rds.ClusterInstance

	Endpoint        pulumi.StringOutput
	ReaderEndpoint  pulumi.StringOutput
	MasterSecretArn pulumi.StringOutput
	SecurityGroupId pulumi.StringOutput
	ClusterId       pulumi.StringOutput
	ClusterArn      pulumi.StringOutput
	// RequireTLS says whether clients must use TLS (sites then verify the
	// server's certificate).
	RequireTLS bool
	tags       map[string]string
}

// NewDatabase creates the cluster, its instances and the per-site secrets.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		args = &DatabaseArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	d := &Database{RequireTLS: *a.RequireTLS, tags: a.Tags}
	if err := ctx.RegisterComponentResource(typePrefix+"Database", name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)
	tags := tagInput(a.Tags)
	var err error

	d.SecurityGroup, err = ec2.NewSecurityGroup(ctx, name+"-db", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet Aurora: MySQL from the fleet tasks only"),
		VpcId:       a.VpcId,
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	d.SecurityGroupId = d.SecurityGroup.ID().ToStringOutput()
	for i, sg := range a.ClientSecurityGroupIds {
		if err := d.Admit(ctx, fmt.Sprintf("%s-db-mysql-%d", name, i+1), sg, parent); err != nil {
			return nil, err
		}
	}
	subnetGroup, err := rds.NewSubnetGroup(ctx, name, &rds.SubnetGroupArgs{
		Description: pulumi.String("wpfleet Aurora private subnets"),
		SubnetIds:   a.SubnetIds,
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	params := rds.ClusterParameterGroupParameterArray{
		rds.ClusterParameterGroupParameterArgs{Name: pulumi.String("slow_query_log"), Value: pulumi.String("1")},
		rds.ClusterParameterGroupParameterArgs{Name: pulumi.String("long_query_time"), Value: pulumi.String(strconv.FormatFloat(a.SlowQuerySeconds, 'f', -1, 64))},
		rds.ClusterParameterGroupParameterArgs{Name: pulumi.String("log_output"), Value: pulumi.String("FILE")},
		rds.ClusterParameterGroupParameterArgs{Name: pulumi.String("require_secure_transport"), Value: pulumi.String(onOff(*a.RequireTLS))},
	}
	paramGroup, err := rds.NewClusterParameterGroup(ctx, name, &rds.ClusterParameterGroupArgs{
		Family:      pulumi.String("aurora-mysql8.0"),
		Description: pulumi.String("wpfleet Aurora MySQL 3: slow query log, TLS"),
		Parameters:  params,
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	// The exported logs' groups exist, with a retention, before the cluster
	// writes to them (RDS would create them to keep forever).
	var logGroups []pulumi.Resource
	for _, l := range []string{"error", "slowquery"} {
		lg, err := cloudwatch.NewLogGroup(ctx, name+"-"+l, &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(fmt.Sprintf("/aws/rds/cluster/%s/%s", a.ClusterIdentifier, l)),
			RetentionInDays: pulumi.Int(a.LogRetentionDays),
			Tags:            tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		logGroups = append(logGroups, lg)
	}
	clusterArgs := &rds.ClusterArgs{
		ClusterIdentifier:            pulumi.String(a.ClusterIdentifier),
		Engine:                       pulumi.String("aurora-mysql"),
		EngineMode:                   pulumi.String("provisioned"),
		EngineVersion:                pulumi.String(a.EngineVersion),
		MasterUsername:               pulumi.String(MasterUsername),
		ManageMasterUserPassword:     pulumi.Bool(true),
		StorageEncrypted:             pulumi.Bool(true),
		DbSubnetGroupName:            subnetGroup.Name,
		DbClusterParameterGroupName:  paramGroup.Name,
		VpcSecurityGroupIds:          pulumi.StringArray{d.SecurityGroup.ID()},
		BackupRetentionPeriod:        pulumi.Int(a.BackupRetentionDays),
		PreferredBackupWindow:        pulumi.String("17:00-18:00"),
		PreferredMaintenanceWindow:   pulumi.String("sun:18:30-sun:19:30"),
		CopyTagsToSnapshot:           pulumi.Bool(true),
		DeletionProtection:           pulumi.Bool(*a.DeletionProtection),
		SkipFinalSnapshot:            pulumi.Bool(!*a.FinalSnapshot),
		EnabledCloudwatchLogsExports: pulumi.ToStringArray([]string{"error", "slowquery"}),
		Tags:                         tags,
	}
	if *a.FinalSnapshot {
		clusterArgs.FinalSnapshotIdentifier = pulumi.String(a.ClusterIdentifier + "-final")
	}
	instanceClass := a.InstanceClass
	if a.Mode == DatabaseServerless {
		instanceClass = "db.serverless"
		sc := rds.ClusterServerlessv2ScalingConfigurationArgs{
			MinCapacity: pulumi.Float64(a.MinCapacity),
			MaxCapacity: pulumi.Float64(a.MaxCapacity),
		}
		if a.MinCapacity == 0 {
			sc.SecondsUntilAutoPause = pulumi.Int(a.AutoPauseSeconds)
		}
		clusterArgs.Serverlessv2ScalingConfiguration = sc
	}
	keep := []pulumi.ResourceOption{parent, pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.Protect)}
	d.Cluster, err = rds.NewCluster(ctx, name, clusterArgs, append(keep, pulumi.DependsOn(logGroups))...)
	if err != nil {
		return nil, err
	}
	d.ClusterId = d.Cluster.ClusterIdentifier
	d.ClusterArn = d.Cluster.Arn
	d.Endpoint = d.Cluster.Endpoint
	d.ReaderEndpoint = d.Cluster.ReaderEndpoint
	d.MasterSecretArn = d.Cluster.MasterUserSecrets.Index(pulumi.Int(0)).SecretArn().Elem()

	for i := 0; i < a.Instances; i++ {
		ia := &rds.ClusterInstanceArgs{
			ClusterIdentifier:          d.Cluster.ID(),
			Engine:                     pulumi.String("aurora-mysql"),
			EngineVersion:              pulumi.String(a.EngineVersion),
			InstanceClass:              pulumi.String(instanceClass),
			DbSubnetGroupName:          subnetGroup.Name,
			PubliclyAccessible:         pulumi.Bool(false),
			PromotionTier:              pulumi.Int(min(i, 15)),
			PerformanceInsightsEnabled: pulumi.Bool(true),
			AutoMinorVersionUpgrade:    pulumi.Bool(true),
			CopyTagsToSnapshot:         pulumi.Bool(true),
			Tags:                       tags,
		}
		if len(a.AvailabilityZones) > 0 {
			ia.AvailabilityZone = pulumi.String(a.AvailabilityZones[i%len(a.AvailabilityZones)])
		}
		inst, err := rds.NewClusterInstance(ctx, fmt.Sprintf("%s-%d", name, i+1), ia, parent)
		if err != nil {
			return nil, err
		}
		d.Instances = append(d.Instances, inst)
	}

	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"endpoint":        d.Endpoint,
		"readerEndpoint":  d.ReaderEndpoint,
		"masterSecretArn": d.MasterSecretArn,
		"securityGroupId": d.SecurityGroupId,
	}); err != nil {
		return nil, err
	}
	return d, nil
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

// Admit lets clients in security group sg connect to the database (3306/tcp).
func (d *Database) Admit(ctx *pulumi.Context, name string, sg pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	_, err := vpc.NewSecurityGroupIngressRule(ctx, name, &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           d.SecurityGroupId,
		Description:               pulumi.String("MySQL from a client security group"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(3306),
		ToPort:                    pulumi.Int(3306),
		ReferencedSecurityGroupId: sg,
		Tags:                      tagInput(d.tags),
	}, opts...)
	return err
}

func boolOr(p *bool, d bool) *bool {
	if p != nil {
		return p
	}
	return &d
}
