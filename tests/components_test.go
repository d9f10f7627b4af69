package tests

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

// runProgram runs a program that builds components directly.
func runProgram(t testing.TB, program pulumi.RunFunc) (*mocks.Result, *mocks.Recorder, error) {
	t.Helper()
	rec := mocks.New("components", "test", "ap-northeast-1")
	res, err := rec.Run(map[string]string{"aws:region": "ap-northeast-1"}, nil, program)
	return res, rec, err
}

func mustRun(t testing.TB, program pulumi.RunFunc) *mocks.Result {
	t.Helper()
	res, _, err := runProgram(t, program)
	require.NoError(t, err)
	return res
}

// refused runs a program that must fail validation: the error says want,
// names no config key's Go counterpart wrongly, and nothing is registered.
func refused(t *testing.T, program pulumi.RunFunc, want ...string) {
	t.Helper()
	_, rec, err := runProgram(t, program)
	require.Error(t, err)
	for _, w := range want {
		assert.Contains(t, err.Error(), w)
	}
	assert.Empty(t, rec.Resources(), "nothing is registered for invalid arguments")
}

func one(t testing.TB, res *mocks.Result, token string) mocks.Resource {
	t.Helper()
	return onlyOne(t, res.Resources, token, "graph")
}

var (
	vpcID   = pulumi.String("vpc-0123456789abcdef0")
	subnets = pulumi.StringArray{pulumi.String("subnet-0123456789abcdef0"), pulumi.String("subnet-0123456789abcdef1")}
	sgs     = []pulumi.StringInput{pulumi.String("sg-tasks")}
	tags    = components.Tags("test", "", nil)
)

// underComponent checks that every resource of a single-component program
// is below that component.
func underComponent(t *testing.T, res *mocks.Result, typ string) {
	t.Helper()
	comp := one(t, res, "wpfleet:components:"+typ)
	assert.Len(t, res.Descendants(comp.URN), len(res.Resources)-1, "children are parented to the component")
}

func TestNetwork(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{Tags: tags})
			return err
		})
		vpc := one(t, res, "awsx:ec2:Vpc")
		assert.Equal(t, "10.0.0.0/16", vpc.Inputs["cidrBlock"])
		assert.Len(t, vpc.Inputs["availabilityZoneNames"], 3)
		assert.Equal(t, "OnePerAz", at(vpc.Inputs, "natGateways.strategy"))
		ep := one(t, res, "aws:ec2/vpcEndpoint:VpcEndpoint")
		assert.Equal(t, "Gateway", ep.Inputs["vpcEndpointType"], "a new VPC gets the S3 gateway endpoint")
		underComponent(t, res, "Network")
	})
	t.Run("all args: new VPC", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			off := false
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{Tags: tags, CidrBlock: "10.8.0.0/20",
				AvailabilityZoneCount: 2, NatGateways: components.NatSingle, S3GatewayEndpoint: &off,
				InterfaceEndpoints: []string{"ecr.api", "ecr.dkr", "logs"}})
			return err
		})
		vpc := one(t, res, "awsx:ec2:Vpc")
		assert.Equal(t, "10.8.0.0/20", vpc.Inputs["cidrBlock"])
		assert.Equal(t, []any{"ap-northeast-1a", "ap-northeast-1c"}, vpc.Inputs["availabilityZoneNames"])
		assert.Equal(t, "Single", at(vpc.Inputs, "natGateways.strategy"))
		services := map[string]bool{}
		for _, ep := range res.ByType("aws:ec2/vpcEndpoint:VpcEndpoint") {
			assert.Equal(t, "Interface", ep.Inputs["vpcEndpointType"])
			assert.Equal(t, true, ep.Inputs["privateDnsEnabled"])
			services[str(ep.Inputs["serviceName"])] = true
		}
		assert.Equal(t, map[string]bool{"com.amazonaws.ap-northeast-1.ecr.api": true, "com.amazonaws.ap-northeast-1.ecr.dkr": true,
			"com.amazonaws.ap-northeast-1.logs": true}, services)
		rule := one(t, res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
		assert.EqualValues(t, 443, rule.Inputs["fromPort"])
		assert.Equal(t, "10.8.0.0/20", rule.Inputs["cidrIpv4"], "HTTPS to the endpoints from the VPC only")
	})
	t.Run("existing VPC", func(t *testing.T) {
		var n *components.Network
		res := mustRun(t, func(ctx *pulumi.Context) error {
			var err error
			n, err = components.NewNetwork(ctx, "net", &components.NetworkArgs{Tags: tags, ExistingVpcId: "vpc-0123456789abcdef0",
				ExistingPublicSubnetIds:  []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
				ExistingPrivateSubnetIds: []string{"subnet-0123456789abcdef2", "subnet-0123456789abcdef3"}})
			return err
		})
		assert.Empty(t, res.ByType("awsx:ec2:Vpc"), "no VPC is created")
		assert.Empty(t, res.ByType("aws:ec2/vpcEndpoint:VpcEndpoint"), "an existing VPC keeps its own endpoints unless asked")
		assert.Equal(t, []string{"ap-northeast-1a", "ap-northeast-1c"}, n.AvailabilityZones)
		assert.Equal(t, 2, n.PrivateSubnetCount)
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{AvailabilityZoneCount: 7, CidrBlock: "10.0.0.0/8"})
			return err
		}, "NetworkArgs.AvailabilityZoneCount: 7 is not valid; 2 to 6", `NetworkArgs.CidrBlock: "10.0.0.0/8" is not valid`)
	})
	t.Run("subnets without their VPC", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{
				ExistingPrivateSubnetIds: []string{"subnet-0123456789abcdef2", "subnet-0123456789abcdef3"}})
			return err
		}, "NetworkArgs.ExistingVpcId", "subnets without their VPC would be ignored")
	})
	t.Run("more AZs than the region has", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{AvailabilityZoneCount: 4})
			return err
		}, "this region has 3 availability zones")
	})
}

func efsRequired() *components.SharedEFSArgs {
	return &components.SharedEFSArgs{Tags: tags, VpcId: vpcID, SubnetIds: subnets, SubnetCount: 2}
}

func TestSharedEFSComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewSharedEFS(ctx, "fs", efsRequired())
			return err
		})
		fs := one(t, res, "aws:efs/fileSystem:FileSystem")
		assert.Equal(t, true, fs.Inputs["encrypted"])
		assert.Equal(t, "elastic", fs.Inputs["throughputMode"])
		assert.Nil(t, fs.Inputs["provisionedThroughputInMibps"])
		assert.Nil(t, fs.Inputs["kmsKeyId"])
		assert.Len(t, res.ByType("aws:efs/mountTarget:MountTarget"), 2)
		ap := one(t, res, "aws:efs/accessPoint:AccessPoint")
		assert.Equal(t, "/sites", at(ap.Inputs, "rootDirectory.path"), "the release job's access point")
		assert.EqualValues(t, components.WebUID, at(ap.Inputs, "posixUser.uid"))
		assert.Empty(t, res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm"))
		assert.Empty(t, res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), "no client admitted unless asked")
		assert.Equal(t, "ENABLED", at(one(t, res, "aws:efs/backupPolicy:BackupPolicy").Inputs, "backupPolicy.status"),
			"on its own, EFS keeps its automatic backups")
		assert.True(t, deniesInsecureTransport(jsonInput(t, one(t, res, "aws:efs/fileSystemPolicy:FileSystemPolicy"), "policy")))
		underComponent(t, res, "SharedEFS")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := efsRequired()
			off := false
			a.ClientSecurityGroupIds = sgs
			a.WebUID, a.WebGID = 1000, 1001
			a.ThroughputMode = components.ThroughputBursting
			a.BurstCreditAlarmMinutes = 30
			a.AlarmTopicArn = pulumi.String("arn:aws:sns:ap-northeast-1:123456789012:alarms")
			a.Account = &components.Account{ID: "210987654321", Region: "ap-northeast-1", Partition: "aws"}
			a.AutomaticBackups, a.Protect = &off, true
			a.KmsKeyArn = "arn:aws:kms:ap-northeast-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
			_, err := components.NewSharedEFS(ctx, "fs", a)
			return err
		})
		fs := one(t, res, "aws:efs/fileSystem:FileSystem")
		assert.True(t, fs.Options.Protect)
		assert.Equal(t, "arn:aws:kms:ap-northeast-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab", fs.Inputs["kmsKeyId"])
		alarm := one(t, res, "aws:cloudwatch/metricAlarm:MetricAlarm")
		assert.EqualValues(t, components.BurstCreditThresholdBytes(30), alarm.Inputs["threshold"])
		assert.Equal(t, []any{"arn:aws:sns:ap-northeast-1:123456789012:alarms"}, alarm.Inputs["alarmActions"])
		ap := one(t, res, "aws:efs/accessPoint:AccessPoint")
		assert.EqualValues(t, 1000, at(ap.Inputs, "posixUser.uid"))
		assert.EqualValues(t, 1001, at(ap.Inputs, "posixUser.gid"))
		pol := one(t, res, "aws:efs/fileSystemPolicy:FileSystemPolicy")
		assert.Contains(t, pol.Inputs["policy"], "arn:aws:iam::210987654321:root", "the given account, not a looked-up one")
		rule := one(t, res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
		assert.EqualValues(t, 2049, rule.Inputs["fromPort"])
		assert.Equal(t, "sg-tasks", rule.Inputs["referencedSecurityGroupId"])
		assert.Equal(t, "DISABLED", at(one(t, res, "aws:efs/backupPolicy:BackupPolicy").Inputs, "backupPolicy.status"))
	})
	t.Run("provisioned", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := efsRequired()
			a.ThroughputMode, a.ProvisionedMibps = components.ThroughputProvisioned, 64
			_, err := components.NewSharedEFS(ctx, "fs", a)
			return err
		})
		assert.EqualValues(t, 64, one(t, res, "aws:efs/fileSystem:FileSystem").Inputs["provisionedThroughputInMibps"])
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			a := efsRequired()
			a.ThroughputMode = "provisioned"
			a.KmsKeyArn = "alias/aws/elasticfilesystem"
			_, err := components.NewSharedEFS(ctx, "fs", a)
			return err
		}, `SharedEFSArgs.ThroughputMode: "provisioned" is not valid`, `SharedEFSArgs.KmsKeyArn: "alias/aws/elasticfilesystem" is not valid`)
	})
}

func dbRequired() *components.DatabaseArgs {
	return &components.DatabaseArgs{Environment: "test", Tags: tags, VpcId: vpcID, SubnetIds: subnets}
}

func TestDatabaseComponent(t *testing.T) {
	t.Run("required args only: secure defaults", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewDatabase(ctx, "db", dbRequired())
			return err
		})
		c := one(t, res, "aws:rds/cluster:Cluster").Inputs
		assert.Equal(t, components.DefaultEngineVersion, c["engineVersion"])
		assert.Equal(t, "wpfleet-test", c["clusterIdentifier"])
		assert.EqualValues(t, 0.5, at(c, "serverlessv2ScalingConfiguration.minCapacity"))
		assert.EqualValues(t, 8, at(c, "serverlessv2ScalingConfiguration.maxCapacity"))
		assert.Nil(t, at(c, "serverlessv2ScalingConfiguration.secondsUntilAutoPause"), "no auto-pause above 0 ACU")
		assert.Equal(t, true, c["deletionProtection"], "deletion protection on when unset")
		assert.Equal(t, false, c["skipFinalSnapshot"], "a final snapshot when unset")
		assert.Equal(t, "wpfleet-test-final", c["finalSnapshotIdentifier"])
		assert.Equal(t, true, c["storageEncrypted"])
		assert.EqualValues(t, 7, c["backupRetentionPeriod"])
		pg := one(t, res, "aws:rds/clusterParameterGroup:ClusterParameterGroup")
		assert.Contains(t, pg.Inputs["parameters"], map[string]any{"name": "require_secure_transport", "value": "ON"}, "TLS required when unset")
		instances := res.ByType("aws:rds/clusterInstance:ClusterInstance")
		require.Len(t, instances, 2)
		for _, i := range instances {
			assert.Equal(t, "db.serverless", i.Inputs["instanceClass"])
			assert.Equal(t, false, i.Inputs["publiclyAccessible"])
		}
		assert.Empty(t, res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), "nothing admitted unless asked")
		assert.Empty(t, res.ByType("aws:secretsmanager/secret:Secret"), "the sites keep their own user secrets")
		underComponent(t, res, "Database")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := dbRequired()
			off := false
			a.ClientSecurityGroupIds = sgs
			a.Mode, a.InstanceClass, a.Instances = components.DatabaseProvisioned, "db.r7g.xlarge", 3
			a.AvailabilityZones = []string{"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"}
			a.BackupRetentionDays, a.DeletionProtection, a.FinalSnapshot, a.RequireTLS = 35, &off, &off, &off
			a.SlowQuerySeconds, a.LogRetentionDays, a.Protect = 0.5, 365, true
			a.EngineVersion, a.ClusterIdentifier = "8.0.mysql_aurora.3.08.2", "blog-db"
			_, err := components.NewDatabase(ctx, "db", a)
			return err
		})
		cluster := one(t, res, "aws:rds/cluster:Cluster")
		c := cluster.Inputs
		assert.True(t, cluster.Options.Protect)
		assert.Nil(t, c["serverlessv2ScalingConfiguration"])
		assert.Equal(t, false, c["deletionProtection"])
		assert.Equal(t, true, c["skipFinalSnapshot"])
		assert.Nil(t, c["finalSnapshotIdentifier"])
		assert.Equal(t, "blog-db", c["clusterIdentifier"])
		var azs []string
		for _, i := range res.ByType("aws:rds/clusterInstance:ClusterInstance") {
			assert.Equal(t, "db.r7g.xlarge", i.Inputs["instanceClass"])
			azs = append(azs, str(i.Inputs["availabilityZone"]))
		}
		assert.ElementsMatch(t, []string{"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"}, azs)
		pg := one(t, res, "aws:rds/clusterParameterGroup:ClusterParameterGroup")
		assert.Contains(t, pg.Inputs["parameters"], map[string]any{"name": "long_query_time", "value": "0.5"})
		assert.Contains(t, pg.Inputs["parameters"], map[string]any{"name": "require_secure_transport", "value": "OFF"})
		lg, _ := res.Find("aws:cloudwatch/logGroup:LogGroup", "db-error")
		assert.Equal(t, "/aws/rds/cluster/blog-db/error", lg.Inputs["name"])
		assert.EqualValues(t, 365, lg.Inputs["retentionInDays"])
		rule := one(t, res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
		assert.EqualValues(t, 3306, rule.Inputs["fromPort"])
	})
	t.Run("scale to zero", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := dbRequired()
			a.MinCapacity, a.MaxCapacity, a.AutoPauseSeconds = 0, 2, 900
			_, err := components.NewDatabase(ctx, "db", a)
			return err
		})
		c := one(t, res, "aws:rds/cluster:Cluster").Inputs
		assert.EqualValues(t, 0, at(c, "serverlessv2ScalingConfiguration.minCapacity"))
		assert.EqualValues(t, 900, at(c, "serverlessv2ScalingConfiguration.secondsUntilAutoPause"))
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			a := dbRequired()
			a.Mode, a.InstanceClass = components.DatabaseProvisioned, "db.serverless"
			a.EngineVersion = "8.0.mysql_aurora.3.99.0"
			_, err := components.NewDatabase(ctx, "db", a)
			return err
		}, `DatabaseArgs.InstanceClass: "db.serverless" is not valid`, `DatabaseArgs.EngineVersion: "8.0.mysql_aurora.3.99.0" is not valid`)
	})
}

func TestUploadsBucketComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		var b *components.UploadsBucket
		res := mustRun(t, func(ctx *pulumi.Context) error {
			var err error
			b, err = components.NewUploadsBucket(ctx, "blog", &components.UploadsBucketArgs{Site: "blog", Tags: tags})
			return err
		})
		pol := one(t, res, "aws:s3/bucketPolicy:BucketPolicy")
		for _, st := range statements(jsonInput(t, pol, "policy")) {
			assert.Equal(t, "Deny", st["Effect"], "without a distribution, the policy only denies")
		}
		underComponent(t, res, "UploadsBucket")
		assert.Len(t, res.Resources, 8)
		// The exposed policy grants what S3-Uploads does, on this bucket's uploads only.
		got, err := internals.UnsafeAwaitOutput(context.Background(), b.ReadWritePolicy)
		require.NoError(t, err)
		arn := one(t, res, "aws:s3/bucketV2:BucketV2").Outputs["arn"].(string)
		assert.JSONEq(t, components.BucketReadWritePolicy(arn).JSON(), got.Value.(string))
		for _, st := range components.BucketReadWritePolicy(arn).Statement {
			for _, r := range st.Resource {
				assert.True(t, r == arn || strings.HasPrefix(r, arn+"/wp-content/"), r)
			}
		}
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewUploadsBucket(ctx, "blog", &components.UploadsBucketArgs{Site: "blog", Tags: tags,
				NoncurrentVersionDays: 90, ForceDestroy: true, Protect: true,
				CloudFrontDistributionArn: pulumi.String("arn:aws:cloudfront::123456789012:distribution/E1")})
			return err
		})
		bucket := one(t, res, "aws:s3/bucketV2:BucketV2")
		assert.True(t, bucket.Options.Protect)
		assert.Equal(t, true, bucket.Inputs["forceDestroy"])
		lc := one(t, res, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
		assert.EqualValues(t, 90, at(lc.Inputs, "rules.0.noncurrentVersionExpiration.noncurrentDays"))
		doc := jsonInput(t, one(t, res, "aws:s3/bucketPolicy:BucketPolicy"), "policy")
		oac := statement(t, doc, "CloudFrontReadsThroughOAC")
		assert.Equal(t, "arn:aws:cloudfront::123456789012:distribution/E1", at(oac, "Condition.StringEquals.AWS:SourceArn"))
		assert.Equal(t, []any{str(bucket.Outputs["arn"]) + "/wp-content/uploads/*"}, oac["Resource"])
		pab := one(t, res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").Inputs
		assert.Equal(t, true, pab["blockPublicPolicy"], "OAC needs no public access")
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewUploadsBucket(ctx, "b", &components.UploadsBucketArgs{Site: "Blog", NoncurrentVersionDays: 4000})
			return err
		}, `UploadsBucketArgs.Site: "Blog" is not valid`, "UploadsBucketArgs.NoncurrentVersionDays: 4000 is not valid")
	})
}

func cronRequired() *components.CronTaskArgs {
	return &components.CronTaskArgs{Tags: tags,
		ClusterArn:        pulumi.String("arn:aws:ecs:ap-northeast-1:123456789012:cluster/c"),
		TaskDefinitionArn: pulumi.String("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/test-job-blog--flush:7"),
		ContainerName:     "php", Command: []string{"wp", "cache", "flush"},
		SubnetIds: subnets, SecurityGroupIds: pulumi.StringArray{pulumi.String("sg-tasks")},
		PassRoleArns: []pulumi.StringInput{pulumi.String("arn:aws:iam::123456789012:role/exec"), pulumi.String("arn:aws:iam::123456789012:role/task")},
	}
}

func TestCronTaskComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewCronTask(ctx, "cron", cronRequired())
			return err
		})
		rule := one(t, res, "aws:cloudwatch/eventRule:EventRule").Inputs
		assert.Equal(t, "rate(5 minutes)", rule["scheduleExpression"])
		assert.Nil(t, rule["name"], "auto-named unless RuleName is given")
		tgt := one(t, res, "aws:cloudwatch/eventTarget:EventTarget").Inputs
		assert.EqualValues(t, 2, at(tgt, "retryPolicy.maximumRetryAttempts"))
		assert.EqualValues(t, 300, at(tgt, "retryPolicy.maximumEventAgeInSeconds"))
		assert.Equal(t, "FARGATE", at(tgt, "ecsTarget.capacityProviderStrategies.0.capacityProvider"))
		assert.Equal(t, false, at(tgt, "ecsTarget.networkConfiguration.assignPublicIp"))
		assert.Equal(t, []any{map[string]any{"name": "php", "command": []any{"wp", "cache", "flush"}}}, at(jsonInput(t, one(t, res, "aws:cloudwatch/eventTarget:EventTarget"), "input"), "containerOverrides"))
		pol := jsonInput(t, one(t, res, "aws:iam/rolePolicy:RolePolicy"), "policy")
		run := statement(t, pol, "RunTheTask")
		assert.Equal(t, []any{"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/test-job-blog--flush:*"}, run["Resource"])
		assert.Equal(t, "arn:aws:ecs:ap-northeast-1:123456789012:cluster/c", at(run, "Condition.ArnEquals.ecs:cluster"))
		pass := statement(t, pol, "PassTheTaskRoles")
		assert.Equal(t, []any{"arn:aws:iam::123456789012:role/exec", "arn:aws:iam::123456789012:role/task"}, pass["Resource"])
		assert.Equal(t, "ecs-tasks.amazonaws.com", at(pass, "Condition.StringLike.iam:PassedToService"))
		underComponent(t, res, "CronTask")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := cronRequired()
			zero := 0
			a.Schedule, a.Description, a.MaxRetries, a.MaxEventAgeSeconds = "cron(0 3 ? * MON-FRI *)", "nightly", &zero, 3600
			a.Capacity = components.CapacityStrategy{SpotWeight: 1}
			a.PlatformVersion, a.RuleName = "1.4.0", "wpfleet-test-blog--flush"
			a.Account = &components.Account{ID: "123456789012", Region: "ap-northeast-1", Partition: "aws"}
			_, err := components.NewCronTask(ctx, "cron", a)
			return err
		})
		tgt := one(t, res, "aws:cloudwatch/eventTarget:EventTarget").Inputs
		assert.EqualValues(t, 0, at(tgt, "retryPolicy.maximumRetryAttempts"))
		assert.EqualValues(t, 3600, at(tgt, "retryPolicy.maximumEventAgeInSeconds"))
		assert.Equal(t, "FARGATE_SPOT", at(tgt, "ecsTarget.capacityProviderStrategies.0.capacityProvider"))
		assert.Equal(t, "1.4.0", at(tgt, "ecsTarget.platformVersion"))
		rule := one(t, res, "aws:cloudwatch/eventRule:EventRule").Inputs
		assert.Equal(t, "nightly", rule["description"])
		assert.Equal(t, "wpfleet-test-blog--flush", rule["name"])
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			a := cronRequired()
			a.Schedule, a.RuleName = "*/5 * * * *", "name with spaces"
			a.PassRoleArns = nil
			_, err := components.NewCronTask(ctx, "cron", a)
			return err
		}, `CronTaskArgs.Schedule: "*/5 * * * *" is not valid`, `CronTaskArgs.RuleName: "name with spaces" is not valid`,
			"CronTaskArgs.PassRoleArns")
	})
}

func lbRequired() *components.LoadBalancerArgs {
	return &components.LoadBalancerArgs{Tags: tags, VpcId: vpcID, VpcCidr: pulumi.String("10.0.0.0/16"), PublicSubnetIds: subnets,
		Sites: []components.SiteHostnames{{Site: "blog", Hostnames: []components.Hostname{{Name: "blog.example.com", ZoneId: "Z1ABC"}}}}}
}

func TestLoadBalancerComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		var l *components.LoadBalancer
		res := mustRun(t, func(ctx *pulumi.Context) error {
			var err error
			l, err = components.NewLoadBalancer(ctx, "lb", lbRequired())
			return err
		})
		alb := one(t, res, "aws:lb/loadBalancer:LoadBalancer").Inputs
		assert.Equal(t, true, alb["enableDeletionProtection"], "deletion protection on when unset")
		assert.EqualValues(t, 60, alb["idleTimeout"])
		assert.Equal(t, true, at(alb, "accessLogs.enabled"), "access logs on when unset")
		assert.Len(t, res.ByType("aws:acm/certificate:Certificate"), 1)
		assert.Empty(t, res.ByType("aws:lb/listenerCertificate:ListenerCertificate"))
		assert.Equal(t, components.DefaultSSLPolicy, one(t, res, "aws:lb/listener:Listener").Inputs["sslPolicy"])
		egress := one(t, res, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").Inputs
		assert.EqualValues(t, 8080, egress["fromPort"])
		assert.Equal(t, "10.0.0.0/16", egress["cidrIpv4"])
		ingress := one(t, res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").Inputs
		assert.Equal(t, "pl-58a04531", ingress["prefixListId"], "CloudFront only")
		assert.True(t, l.Covers("blog.example.com"))
		assert.False(t, l.Covers("news.example.com"))
		underComponent(t, res, "LoadBalancer")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := lbRequired()
			a.Sites = nil
			for i := 0; i < 5; i++ {
				s := string(rune('a' + i))
				a.Sites = append(a.Sites, components.SiteHostnames{Site: "s" + s, Hostnames: []components.Hostname{
					{Name: "s" + s + ".example.com", ZoneId: "Z1ABC"}, {Name: "w" + s + ".example.com", ZoneId: "Z1ABC"}}})
			}
			off := false
			a.MaxNamesPerCertificate, a.SSLPolicy, a.DeletionProtection, a.IdleTimeoutSeconds, a.TargetPort = 4,
				"ELBSecurityPolicy-TLS13-1-3-2021-06", &off, 120, 8443
			a.AllowedCidrs, a.AccessLogs = []string{"203.0.113.0/24"}, &off
			a.Account = &components.Account{ID: "123456789012", Region: "ap-northeast-1", Partition: "aws"}
			_, err := components.NewLoadBalancer(ctx, "lb", a)
			return err
		})
		assert.Len(t, res.ByType("aws:acm/certificate:Certificate"), 3, "2+2 | 2+2 | 2 names")
		assert.Len(t, res.ByType("aws:lb/listenerCertificate:ListenerCertificate"), 2)
		https, _ := res.Find("aws:lb/listener:Listener", "lb-https")
		assert.Equal(t, "ELBSecurityPolicy-TLS13-1-3-2021-06", https.Inputs["sslPolicy"])
		alb := one(t, res, "aws:lb/loadBalancer:LoadBalancer").Inputs
		assert.Equal(t, false, alb["enableDeletionProtection"])
		assert.Nil(t, alb["accessLogs"])
		assert.Empty(t, res.ByType("aws:s3/bucketV2:BucketV2"))
		var cidrs []any
		for _, r := range res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
			if c := r.Inputs["cidrIpv4"]; c != nil {
				cidrs = append(cidrs, c)
			}
		}
		assert.Equal(t, []any{"203.0.113.0/24"}, cidrs)
		assert.EqualValues(t, 8443, one(t, res, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").Inputs["fromPort"])
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			a := lbRequired()
			a.SSLPolicy = "ELBSecurityPolicy-TLS-1-1-2017-01"
			a.AllowedCidrs = []string{"0.0.0.0"}
			_, err := components.NewLoadBalancer(ctx, "lb", a)
			return err
		}, "LoadBalancerArgs.SSLPolicy", "TLS 1.2", `LoadBalancerArgs.AllowedCidrs: "0.0.0.0" is not valid`)
	})
}

func TestClusterAndAlarmTopic(t *testing.T) {
	t.Run("cluster: required and all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			if _, err := components.NewCluster(ctx, "a", nil); err != nil {
				return err
			}
			_, err := components.NewCluster(ctx, "b", &components.ClusterArgs{Tags: tags, ContainerInsights: "enabled",
				ExecLogGroupName: "/wpfleet/test/exec", ExecLogRetentionDays: 90})
			return err
		})
		for _, c := range res.ByType("aws:ecs/cluster:Cluster") {
			want := map[string]string{"a": "enhanced", "b": "enabled"}[c.Name]
			assert.Equal(t, want, at(c.Inputs, "settings.0.value"))
			assert.Equal(t, c.Name == "b", at(c.Inputs, "configuration.executeCommandConfiguration") != nil, "exec logging only when asked")
		}
		for _, cp := range res.ByType("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
			assert.ElementsMatch(t, []any{"FARGATE", "FARGATE_SPOT"}, cp.Inputs["capacityProviders"])
		}
		lg := one(t, res, "aws:cloudwatch/logGroup:LogGroup")
		assert.Equal(t, "/wpfleet/test/exec", lg.Inputs["name"])
		assert.EqualValues(t, 90, lg.Inputs["retentionInDays"])
		key := one(t, res, "aws:kms/key:Key")
		assert.Equal(t, key.Outputs["arn"], lg.Inputs["kmsKeyId"])
		logs := statement(t, jsonInput(t, key, "policy"), "LogsEncryptsExecLog")
		assert.Equal(t, "arn:aws:logs:ap-northeast-1:123456789012:log-group:/wpfleet/test/exec",
			at(logs, "Condition.ArnEquals.kms:EncryptionContext:aws:logs:arn"), "CloudWatch Logs may use the key for this group only")
	})
	t.Run("cluster: invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewCluster(ctx, "c", &components.ClusterArgs{ContainerInsights: "on", ExecLogRetentionDays: 10})
			return err
		}, `ClusterArgs.ContainerInsights: "on" is not valid`, "ClusterArgs.ExecLogRetentionDays: 10 is not valid")
	})
	t.Run("alarm topic: required and all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			if _, err := components.NewAlarmTopic(ctx, "a", &components.AlarmTopicArgs{Environment: "test", Tags: tags}); err != nil {
				return err
			}
			_, err := components.NewAlarmTopic(ctx, "b", &components.AlarmTopicArgs{Environment: "test2", Tags: tags, Email: "ops@example.com"})
			return err
		})
		assert.Len(t, res.ByType("aws:sns/topic:Topic"), 2)
		sub := one(t, res, "aws:sns/topicSubscription:TopicSubscription").Inputs
		assert.Equal(t, "email", sub["protocol"])
		assert.Equal(t, "ops@example.com", sub["endpoint"])
		for _, k := range res.ByType("aws:kms/key:Key") {
			assert.Nil(t, statement(t, jsonInput(t, k, "policy"), "EventBridgeUsesKey")["Condition"])
		}
	})
	t.Run("alarm topic: invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewAlarmTopic(ctx, "a", &components.AlarmTopicArgs{Environment: "Test", Email: "ops"})
			return err
		}, `AlarmTopicArgs.Environment: "Test" is not valid`, `AlarmTopicArgs.Email: "ops" is not valid`)
	})
}

// A component's error is about its own arguments: every key it reports is
// one of its Args fields.
func TestComponentErrorsNameTheirArgs(t *testing.T) {
	_, _, err := runProgram(t, func(ctx *pulumi.Context) error {
		_, err := components.NewSitePool(ctx, "p", &components.SitePoolArgs{CPU: 3000, Memory: 1})
		return err
	})
	require.Error(t, err)
	for _, iv := range components.InvalidValues(err) {
		assert.True(t, strings.HasPrefix(iv.Key, "SitePoolArgs."), iv.Key)
	}
}
