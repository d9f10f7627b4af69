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
func runProgram(t *testing.T, program pulumi.RunFunc) (*mocks.Result, *mocks.Recorder, error) {
	t.Helper()
	rec := mocks.New("components", "test", "ap-northeast-1")
	res, err := rec.Run(map[string]string{"aws:region": "ap-northeast-1"}, nil, program)
	return res, rec, err
}

func mustRun(t *testing.T, program pulumi.RunFunc) *mocks.Result {
	t.Helper()
	res, _, err := runProgram(t, program)
	require.NoError(t, err)
	return res
}

func one(t *testing.T, res *mocks.Result, token string) mocks.Resource {
	t.Helper()
	rs := res.ByType(token)
	require.Lenf(t, rs, 1, "want exactly one %s", token)
	return rs[0]
}

var (
	vpcID   = pulumi.String("vpc-0123456789abcdef0")
	subnets = pulumi.StringArray{pulumi.String("subnet-a"), pulumi.String("subnet-c")}
	sgs     = []pulumi.StringInput{pulumi.String("sg-tasks")}
	tags    = components.Tags("test", "", nil)
)

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
	})
	t.Run("all args: new VPC", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{Tags: tags, CidrBlock: "10.8.0.0/20",
				AvailabilityZoneCount: 2, NatGateways: components.NatSingle})
			return err
		})
		vpc := one(t, res, "awsx:ec2:Vpc")
		assert.Equal(t, "10.8.0.0/20", vpc.Inputs["cidrBlock"])
		assert.Equal(t, []any{"ap-northeast-1a", "ap-northeast-1c"}, vpc.Inputs["availabilityZoneNames"])
		assert.Equal(t, "Single", at(vpc.Inputs, "natGateways.strategy"))
	})
	t.Run("all args: existing VPC", func(t *testing.T) {
		var n *components.Network
		res := mustRun(t, func(ctx *pulumi.Context) error {
			var err error
			n, err = components.NewNetwork(ctx, "net", &components.NetworkArgs{Tags: tags, ExistingVpcId: "vpc-1",
				ExistingPublicSubnetIds: []string{"subnet-p1", "subnet-p2"}, ExistingPrivateSubnetIds: []string{"subnet-1", "subnet-2"}})
			return err
		})
		assert.Empty(t, res.ByType("awsx:ec2:Vpc"), "no VPC is created")
		assert.Equal(t, []string{"ap-northeast-1a", "ap-northeast-1c"}, n.AvailabilityZones)
		assert.Equal(t, 2, n.PrivateSubnetCount)
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{AvailabilityZoneCount: 7})
			return err
		})
		require.ErrorContains(t, err, "NetworkArgs.AvailabilityZoneCount: 7 is not valid; 2 to 6")
		assert.Empty(t, rec.Resources())
	})
	t.Run("more AZs than the region has", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{AvailabilityZoneCount: 4})
			return err
		})
		require.ErrorContains(t, err, "this region has 3 availability zones")
		assert.Empty(t, rec.Resources())
	})
}

func efsRequired() *components.SharedEFSArgs {
	return &components.SharedEFSArgs{Tags: tags, VpcId: vpcID, SubnetIds: subnets, SubnetCount: 2,
		ClientSecurityGroupIds: sgs, Sites: []string{"blog"}}
}

func TestSharedEFSComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewSharedEFS(ctx, "fs", efsRequired())
			return err
		})
		fs := one(t, res, "aws:efs/fileSystem:FileSystem")
		assert.Equal(t, "elastic", fs.Inputs["throughputMode"])
		assert.Nil(t, fs.Inputs["provisionedThroughputInMibps"])
		assert.Len(t, res.ByType("aws:efs/mountTarget:MountTarget"), 2)
		assert.Len(t, res.ByType("aws:efs/accessPoint:AccessPoint"), 2, "the site's and the release job's")
		assert.Empty(t, res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm"))
		rule := one(t, res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
		assert.EqualValues(t, 2049, rule.Inputs["fromPort"])
		assert.Equal(t, "sg-tasks", rule.Inputs["referencedSecurityGroupId"])
		efsComp := one(t, res, "wpfleet:components:SharedEFS")
		assert.Len(t, res.Descendants(efsComp.URN), len(res.Resources)-1, "children are parented to the component")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := efsRequired()
			a.Sites = []string{"blog", "news"}
			a.WebUID, a.WebGID = 1000, 1001
			a.ThroughputMode = components.ThroughputBursting
			a.BurstCreditAlarmMinutes = 30
			a.AlarmTopicArn = pulumi.String("arn:aws:sns:ap-northeast-1:123456789012:alarms")
			a.Account = &components.Account{ID: "210987654321", Region: "ap-northeast-1", Partition: "aws"}
			_, err := components.NewSharedEFS(ctx, "fs", a)
			return err
		})
		alarm := one(t, res, "aws:cloudwatch/metricAlarm:MetricAlarm")
		assert.EqualValues(t, components.BurstCreditThresholdBytes(30), alarm.Inputs["threshold"])
		assert.Equal(t, []any{"arn:aws:sns:ap-northeast-1:123456789012:alarms"}, alarm.Inputs["alarmActions"])
		for _, ap := range res.ByType("aws:efs/accessPoint:AccessPoint") {
			assert.EqualValues(t, 1000, at(ap.Inputs, "posixUser.uid"))
			assert.EqualValues(t, 1001, at(ap.Inputs, "posixUser.gid"))
		}
		pol := one(t, res, "aws:efs/fileSystemPolicy:FileSystemPolicy")
		assert.Contains(t, pol.Inputs["policy"], "arn:aws:iam::210987654321:root", "the given account, not a looked-up one")
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
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := efsRequired()
			a.ThroughputMode = "provisioned"
			_, err := components.NewSharedEFS(ctx, "fs", a)
			return err
		})
		require.ErrorContains(t, err, `SharedEFSArgs.ThroughputMode: "provisioned" is not valid`)
		assert.Empty(t, rec.Resources())
	})
}

func dbRequired() *components.DatabaseArgs {
	return &components.DatabaseArgs{Environment: "test", Tags: tags, VpcId: vpcID, SubnetIds: subnets,
		ClientSecurityGroupIds: sgs, Sites: []string{"blog"}}
}

func TestDatabaseComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewDatabase(ctx, "db", dbRequired())
			return err
		})
		c := one(t, res, "aws:rds/cluster:Cluster").Inputs
		assert.Equal(t, components.DefaultEngineVersion, c["engineVersion"])
		assert.EqualValues(t, 0.5, at(c, "serverlessv2ScalingConfiguration.minCapacity"))
		assert.EqualValues(t, 8, at(c, "serverlessv2ScalingConfiguration.maxCapacity"))
		assert.Nil(t, at(c, "serverlessv2ScalingConfiguration.secondsUntilAutoPause"), "no auto-pause above 0 ACU")
		assert.Equal(t, false, c["deletionProtection"])
		assert.Equal(t, true, c["skipFinalSnapshot"])
		assert.EqualValues(t, 7, c["backupRetentionPeriod"])
		assert.Len(t, res.ByType("aws:rds/clusterInstance:ClusterInstance"), 2)
		secret := one(t, res, "aws:secretsmanager/secret:Secret")
		assert.Equal(t, "wpfleet/test/blog/db", secret.Inputs["name"])
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := dbRequired()
			a.Sites = []string{"blog", "news"}
			a.Mode, a.InstanceClass, a.Instances = components.DatabaseProvisioned, "db.r7g.xlarge", 3
			a.AvailabilityZones = []string{"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"}
			a.BackupRetentionDays, a.DeletionProtection, a.FinalSnapshot, a.RequireTLS = 35, true, true, true
			a.SlowQuerySeconds = 0.5
			a.EngineVersion = "8.0.mysql_aurora.3.08.2"
			_, err := components.NewDatabase(ctx, "db", a)
			return err
		})
		c := one(t, res, "aws:rds/cluster:Cluster").Inputs
		assert.Nil(t, c["serverlessv2ScalingConfiguration"])
		assert.Equal(t, "wpfleet-test-final", c["finalSnapshotIdentifier"])
		var azs []string
		for _, i := range res.ByType("aws:rds/clusterInstance:ClusterInstance") {
			assert.Equal(t, "db.r7g.xlarge", i.Inputs["instanceClass"])
			azs = append(azs, str(i.Inputs["availabilityZone"]))
		}
		assert.ElementsMatch(t, []string{"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"}, azs)
		pg := one(t, res, "aws:rds/clusterParameterGroup:ClusterParameterGroup")
		assert.Contains(t, pg.Inputs["parameters"], map[string]any{"name": "long_query_time", "value": "0.5"})
		assert.Len(t, res.ByType("aws:secretsmanager/secret:Secret"), 2)
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
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := dbRequired()
			a.Mode, a.InstanceClass = components.DatabaseProvisioned, "db.serverless"
			_, err := components.NewDatabase(ctx, "db", a)
			return err
		})
		require.ErrorContains(t, err, `DatabaseArgs.InstanceClass: "db.serverless" is not valid`)
		assert.Empty(t, rec.Resources())
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
		assert.Empty(t, res.ByType("aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2"))
		pol := one(t, res, "aws:s3/bucketPolicy:BucketPolicy")
		for _, st := range statements(jsonInput(t, pol, "policy")) {
			assert.Equal(t, "Deny", st["Effect"], "a private bucket's policy only denies")
		}
		comp := one(t, res, "wpfleet:components:UploadsBucket")
		assert.Len(t, res.Descendants(comp.URN), 7)
		// The exposed policy grants this bucket and nothing else.
		got, err := internals.UnsafeAwaitOutput(context.Background(), b.ReadWritePolicy)
		require.NoError(t, err)
		arn := one(t, res, "aws:s3/bucketV2:BucketV2").Outputs["arn"].(string)
		assert.JSONEq(t, components.BucketReadWritePolicy(arn).JSON(), got.Value.(string))
	})
	t.Run("all args: website hosting opt-in", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewUploadsBucket(ctx, "blog", &components.UploadsBucketArgs{Site: "blog", Tags: tags,
				NoncurrentVersionDays: 90, Website: true, ForceDestroy: true})
			return err
		})
		one(t, res, "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2")
		pab := one(t, res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").Inputs
		assert.Equal(t, false, pab["blockPublicPolicy"])
		assert.Equal(t, true, pab["blockPublicAcls"], "ACLs stay blocked even for a website")
		lc := one(t, res, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
		assert.EqualValues(t, 90, at(lc.Inputs, "rules.0.noncurrentVersionExpiration.noncurrentDays"))
		pol := jsonInput(t, one(t, res, "aws:s3/bucketPolicy:BucketPolicy"), "policy")
		var public bool
		for _, st := range statements(pol) {
			if st["Sid"] == "PublicWebsiteRead" {
				public = true
				assert.Equal(t, []any{"s3:GetObject"}, st["Action"])
			}
		}
		assert.True(t, public)
	})
	t.Run("read-write policy names this bucket only", func(t *testing.T) {
		doc := components.BucketReadWritePolicy("arn:aws:s3:::b")
		for _, st := range doc.Statement {
			for _, r := range st.Resource {
				assert.True(t, r == "arn:aws:s3:::b" || r == "arn:aws:s3:::b/*", r)
			}
		}
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			_, err := components.NewUploadsBucket(ctx, "b", &components.UploadsBucketArgs{Site: "Blog"})
			return err
		})
		require.ErrorContains(t, err, `UploadsBucketArgs.Site: "Blog" is not valid`)
		assert.Empty(t, rec.Resources())
	})
}

func siteRequired() *components.WordPressSiteArgs {
	p := func(s string) pulumi.StringInput { return pulumi.String(s) }
	return &components.WordPressSiteArgs{
		Site: "blog", Environment: "test", Tags: components.Tags("test", "blog", nil),
		Hostnames: []components.Hostname{{Name: "blog.example.com", ZoneId: "Z1"}},
		VpcId:     vpcID, VpcCidr: p("10.0.0.0/16"), SubnetIds: subnets, SecurityGroupIds: pulumi.StringArray{p("sg-tasks")},
		ClusterArn: p("arn:aws:ecs:ap-northeast-1:123456789012:cluster/c"), ClusterName: p("c"),
		ListenerArn: p("arn:listener"), AlbArnSuffix: p("app/alb/1"), AlbDnsName: p("alb.example"), AlbZoneId: p("Z14GRHDCWA56QT"),
		ListenerPriority: 100,
		FileSystemId:     p("fs-1"), FileSystemArn: p("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-1"),
		AccessPointId: p("fsap-1"), AccessPointArn: p("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:access-point/fsap-1"),
		DatabaseHost: p("db.example"), DatabaseSecretArn: p("arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:wpfleet/test/blog/db-AbCdEf"),
		UploadsBucketName: p("bucket"), UploadsPolicy: p(components.BucketReadWritePolicy("arn:aws:s3:::bucket").JSON()),
		NginxImage: "nginx:test", PhpImage: "php:test",
	}
}

func containerDefs(t *testing.T, td mocks.Resource) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, d := range jsonInput(t, td, "containerDefinitions").([]any) {
		out[d.(map[string]any)["name"].(string)] = d.(map[string]any)
	}
	return out
}

func TestWordPressSiteComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewWordPressSite(ctx, "blog", siteRequired())
			return err
		})
		td, ok := res.Find("aws:ecs/taskDefinition:TaskDefinition", "blog")
		require.True(t, ok)
		assert.Equal(t, "1024", td.Inputs["cpu"])
		assert.Equal(t, "2048", td.Inputs["memory"])
		assert.Equal(t, "X86_64", at(td.Inputs, "runtimePlatform.cpuArchitecture"))
		assert.EqualValues(t, 30, at(td.Inputs, "ephemeralStorage.sizeInGib"), "local mode sizes the disk")
		defs := containerDefs(t, td)
		assert.Contains(t, defs, "sync", "local code delivery by default")
		svc := one(t, res, "aws:ecs/service:Service").Inputs
		assert.EqualValues(t, 2, svc["desiredCount"])
		assert.Equal(t, []any{map[string]any{"capacityProvider": "FARGATE", "base": int64(0), "weight": int64(1)}}, svc["capacityProviderStrategies"])
		scaling := one(t, res, "aws:appautoscaling/target:Target").Inputs
		assert.EqualValues(t, 2, scaling["minCapacity"])
		assert.EqualValues(t, 10, scaling["maxCapacity"])
		lg := one(t, res, "aws:cloudwatch/logGroup:LogGroup").Inputs
		assert.EqualValues(t, 30, lg["retentionInDays"])
		assert.Equal(t, "/wpfleet/test/blog", lg["name"])
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := siteRequired()
			a.Hostnames = []components.Hostname{{Name: "a.example.com", ZoneId: "Z1"}, {Name: "b.example.com", ZoneId: "Z1"}, {Name: "c.example.com", ZoneId: "Z1"},
				{Name: "d.example.com", ZoneId: "Z1"}, {Name: "e.example.jp", ZoneId: "Z2"}}
			a.CPUArchitecture, a.PlatformVersion = "ARM64", "1.4.0"
			a.CPU, a.Memory = 2048, 4096
			a.CodeDelivery = components.CodeEFS
			a.MinTasks, a.MaxTasks = 3, 12
			a.Capacity = components.CapacityStrategy{OnDemandBase: 1, OnDemandWeight: 1, SpotWeight: 3}
			a.RequestTimeoutSeconds = 60
			a.HealthCheckPath = "/ping"
			a.ScaleCPUPercent, a.ScaleRequestsPerTarget = 50, 300
			a.LogRetentionDays = 365
			a.DatabaseTLS = true
			a.WordPressEnvironment = "staging"
			a.Account = &components.Account{ID: "123456789012", Region: "ap-northeast-1", Partition: "aws"}
			_, err := components.NewWordPressSite(ctx, "blog", a)
			return err
		})
		td, _ := res.Find("aws:ecs/taskDefinition:TaskDefinition", "blog")
		assert.Nil(t, td.Inputs["ephemeralStorage"], "efs mode keeps the included 20 GiB")
		defs := containerDefs(t, td)
		assert.NotContains(t, defs, "sync")
		assert.EqualValues(t, 75, defs["nginx"]["stopTimeout"], "60 s requests + 15 s")
		assert.Contains(t, at(defs["nginx"], "healthCheck.command.1"), "/ping")
		rules := res.ByType("aws:lb/listenerRule:ListenerRule")
		require.Len(t, rules, 2, "five hostnames need two rules of at most four")
		prios := []any{rules[0].Inputs["priority"], rules[1].Inputs["priority"]}
		assert.ElementsMatch(t, []any{int64(100), int64(101)}, prios)
		assert.Len(t, res.ByType("aws:route53/record:Record"), 5)
		tg := one(t, res, "aws:lb/targetGroup:TargetGroup").Inputs
		assert.EqualValues(t, 65, tg["deregistrationDelay"])
		assert.Equal(t, "/ping", at(tg, "healthCheck.path"))
		svc := one(t, res, "aws:ecs/service:Service").Inputs
		assert.Equal(t, "1.4.0", svc["platformVersion"])
		assert.Len(t, svc["capacityProviderStrategies"], 2)
		var envs []string
		for _, e := range defs["php"]["environment"].([]any) {
			envs = append(envs, str(at(e, "name"))+"="+str(at(e, "value")))
		}
		assert.Contains(t, envs, "DB_TLS=true")
		assert.Contains(t, envs, "WP_ENVIRONMENT_TYPE=staging")
		assert.Contains(t, envs, "WPFLEET_WEB_ROOT=/mnt/efs/current")
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := siteRequired()
			a.CPU, a.Memory = 2048, 2048
			a.MinTasks, a.MaxTasks = 4, 2
			a.UploadsPolicy = nil
			_, err := components.NewWordPressSite(ctx, "blog", a)
			return err
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "WordPressSiteArgs.Memory: 2048 is not valid; with 2048 CPU units (2 vCPU) memory must be 4096-16384 MiB")
		assert.Contains(t, err.Error(), "WordPressSiteArgs.MinTasks")
		assert.Contains(t, err.Error(), "WordPressSiteArgs.UploadsPolicy: (unset) is not valid; required")
		assert.Empty(t, rec.Resources())
	})
}

func cronRequired() *components.CronTaskArgs {
	return &components.CronTaskArgs{Tags: tags,
		ClusterArn:        pulumi.String("arn:aws:ecs:ap-northeast-1:123456789012:cluster/c"),
		TaskDefinitionArn: pulumi.String("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/test-blog-cron:7"),
		ContainerName:     "php", Command: []string{"wp", "cron", "event", "run", "--due-now"},
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
		tgt := one(t, res, "aws:cloudwatch/eventTarget:EventTarget").Inputs
		assert.EqualValues(t, 2, at(tgt, "retryPolicy.maximumRetryAttempts"))
		assert.EqualValues(t, 300, at(tgt, "retryPolicy.maximumEventAgeInSeconds"))
		pol := jsonInput(t, one(t, res, "aws:iam/rolePolicy:RolePolicy"), "policy")
		var runTask map[string]any
		for _, st := range statements(pol) {
			if st["Sid"] == "RunTheTask" {
				runTask = st
			}
		}
		assert.Equal(t, []any{"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/test-blog-cron:*"}, runTask["Resource"])
		assert.Equal(t, "arn:aws:ecs:ap-northeast-1:123456789012:cluster/c", at(runTask, "Condition.ArnEquals.ecs:cluster"))
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := cronRequired()
			zero := 0
			a.Schedule, a.Description, a.MaxRetries, a.MaxEventAgeSeconds = "cron(0 3 ? * MON-FRI *)", "nightly", &zero, 3600
			a.Capacity = components.CapacityStrategy{SpotWeight: 1}
			a.PlatformVersion = "1.4.0"
			_, err := components.NewCronTask(ctx, "cron", a)
			return err
		})
		tgt := one(t, res, "aws:cloudwatch/eventTarget:EventTarget").Inputs
		assert.EqualValues(t, 0, at(tgt, "retryPolicy.maximumRetryAttempts"))
		assert.Equal(t, "FARGATE_SPOT", at(tgt, "ecsTarget.capacityProviderStrategies.0.capacityProvider"))
		assert.Equal(t, "1.4.0", at(tgt, "ecsTarget.platformVersion"))
		assert.Equal(t, "nightly", one(t, res, "aws:cloudwatch/eventRule:EventRule").Inputs["description"])
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := cronRequired()
			a.Schedule = "*/5 * * * *"
			_, err := components.NewCronTask(ctx, "cron", a)
			return err
		})
		require.ErrorContains(t, err, `CronTaskArgs.Schedule: "*/5 * * * *" is not valid`)
		assert.Empty(t, rec.Resources())
	})
}

func lbRequired() *components.LoadBalancerArgs {
	return &components.LoadBalancerArgs{Tags: tags, VpcId: vpcID, VpcCidr: pulumi.String("10.0.0.0/16"), PublicSubnetIds: subnets,
		Sites: []components.SiteHostnames{{Site: "blog", Hostnames: []components.Hostname{{Name: "blog.example.com", ZoneId: "Z1"}}}}}
}

func TestSharedPieces(t *testing.T) {
	t.Run("cluster", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			if _, err := components.NewCluster(ctx, "a", nil); err != nil {
				return err
			}
			_, err := components.NewCluster(ctx, "b", &components.ClusterArgs{Tags: tags, ContainerInsights: "enabled"})
			return err
		})
		for _, c := range res.ByType("aws:ecs/cluster:Cluster") {
			want := map[string]string{"a": "enhanced", "b": "enabled"}[c.Name]
			assert.Equal(t, want, at(c.Inputs, "settings.0.value"))
		}
		for _, cp := range res.ByType("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
			assert.ElementsMatch(t, []any{"FARGATE", "FARGATE_SPOT"}, cp.Inputs["capacityProviders"])
		}
	})
	t.Run("load balancer, required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewLoadBalancer(ctx, "lb", lbRequired())
			return err
		})
		alb := one(t, res, "aws:lb/loadBalancer:LoadBalancer").Inputs
		assert.Equal(t, false, alb["enableDeletionProtection"])
		assert.EqualValues(t, 60, alb["idleTimeout"])
		assert.Len(t, res.ByType("aws:acm/certificate:Certificate"), 1)
		assert.Empty(t, res.ByType("aws:lb/listenerCertificate:ListenerCertificate"))
		egress := one(t, res, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").Inputs
		assert.EqualValues(t, 8080, egress["fromPort"])
		assert.Equal(t, "10.0.0.0/16", egress["cidrIpv4"])
	})
	t.Run("load balancer, all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := lbRequired()
			a.Sites = nil
			for i := 0; i < 5; i++ {
				a.Sites = append(a.Sites, components.SiteHostnames{Site: "s" + string(rune('a'+i)), Hostnames: []components.Hostname{
					{Name: "s" + string(rune('a'+i)) + ".example.com", ZoneId: "Z1"}, {Name: "w" + string(rune('a'+i)) + ".example.com", ZoneId: "Z1"}}})
			}
			a.MaxNamesPerCertificate, a.SSLPolicy, a.DeletionProtection, a.IdleTimeoutSeconds, a.TargetPort = 4,
				"ELBSecurityPolicy-TLS13-1-3-2021-06", true, 120, 8443
			_, err := components.NewLoadBalancer(ctx, "lb", a)
			return err
		})
		assert.Len(t, res.ByType("aws:acm/certificate:Certificate"), 3, "2+2 | 2+2 | 2 names")
		assert.Len(t, res.ByType("aws:lb/listenerCertificate:ListenerCertificate"), 2)
		https, _ := res.Find("aws:lb/listener:Listener", "lb-https")
		assert.Equal(t, "ELBSecurityPolicy-TLS13-1-3-2021-06", https.Inputs["sslPolicy"])
		assert.Equal(t, true, one(t, res, "aws:lb/loadBalancer:LoadBalancer").Inputs["enableDeletionProtection"])
	})
	t.Run("alarm topic, required and all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			if _, err := components.NewAlarmTopic(ctx, "a", &components.AlarmTopicArgs{Tags: tags}); err != nil {
				return err
			}
			_, err := components.NewAlarmTopic(ctx, "b", &components.AlarmTopicArgs{Tags: tags, Email: "ops@example.com"})
			return err
		})
		assert.Len(t, res.ByType("aws:sns/topic:Topic"), 2)
		sub := one(t, res, "aws:sns/topicSubscription:TopicSubscription").Inputs
		assert.Equal(t, "email", sub["protocol"])
		assert.Equal(t, "ops@example.com", sub["endpoint"])
	})
	t.Run("invalid load balancer", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := lbRequired()
			a.SSLPolicy = "ELBSecurityPolicy-TLS-1-1-2017-01"
			_, err := components.NewLoadBalancer(ctx, "lb", a)
			return err
		})
		require.ErrorContains(t, err, "LoadBalancerArgs.SSLPolicy")
		assert.True(t, strings.Contains(err.Error(), "TLS 1.2"))
		assert.Empty(t, rec.Resources())
	})
}
