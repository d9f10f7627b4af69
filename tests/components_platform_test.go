package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

const zone = "Z0TEST0EXAMPLE0COM0001"

func hostnames(names ...string) []components.Hostname {
	var out []components.Hostname
	for _, n := range names {
		out = append(out, components.Hostname{Name: n, ZoneId: zone})
	}
	return out
}

// platformRequired is a Platform with only what it requires: the
// environment, the images and the hostnames its certificates cover.
func platformRequired() *components.PlatformArgs {
	return &components.PlatformArgs{
		Environment:  "test",
		Runtime:      components.RuntimeDefaults{NginxImage: "nginx:test", PhpImage: "php:test"},
		LoadBalancer: components.LoadBalancerArgs{Sites: []components.SiteHostnames{{Site: "blog", Hostnames: hostnames("blog.example.com")}}},
	}
}

// existingPlatform is a Platform built entirely from parts made elsewhere.
func existingPlatform() *components.PlatformArgs {
	off := false
	return &components.PlatformArgs{
		Environment: "test",
		Runtime:     components.RuntimeDefaults{NginxImage: "nginx:test", PhpImage: "php:test"},
		Network: components.NetworkArgs{ExistingVpcId: "vpc-0123456789abcdef0",
			ExistingPublicSubnetIds:  []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
			ExistingPrivateSubnetIds: []string{"subnet-0123456789abcdef2", "subnet-0123456789abcdef3"}},
		ExecLogging: &off,
		Existing: components.ExistingParts{
			Cluster: &components.ClusterRef{Arn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/shared", Name: "shared"},
			LoadBalancer: &components.LoadBalancerRef{
				HttpsListenerArn: "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/shared/0123456789abcdef/0123456789abcdef",
				SecurityGroupId:  "sg-0a1b2c3d4e5f60001", DnsName: "shared-123.ap-northeast-1.elb.amazonaws.com",
				ZoneId: "Z14GRHDCWA56QT", ArnSuffix: "app/shared/0123456789abcdef"},
			FileSystem: &components.FileSystemRef{Id: "fs-0123456789abcdef0",
				Arn:             "arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-0123456789abcdef0",
				SecurityGroupId: "sg-0a1b2c3d4e5f60002"},
			Database: &components.DatabaseRef{Endpoint: "shared.cluster-abc.ap-northeast-1.rds.amazonaws.com",
				SecurityGroupId: "sg-0a1b2c3d4e5f60003", MasterSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-x-AbCdEf",
				ClusterIdentifier: "shared", ClusterArn: "arn:aws:rds:ap-northeast-1:123456789012:cluster:shared", RequireTLS: true},
			AlarmTopicArn: "arn:aws:sns:ap-northeast-1:123456789012:ops",
			WebACLArn:     "arn:aws:wafv2:us-east-1:123456789012:global/webacl/shared/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
		},
	}
}

func TestPlatformComponent(t *testing.T) {
	t.Run("required args only: new VPC and every part", func(t *testing.T) {
		var p *components.Platform
		res := mustRun(t, func(ctx *pulumi.Context) error {
			var err error
			p, err = components.NewPlatform(ctx, "test", platformRequired())
			return err
		})
		underComponent(t, res, "Platform")
		for _, typ := range []string{"Network", "Cluster", "LoadBalancer", "SharedEFS", "Database", "AlarmTopic", "Backup", "WebFirewall"} {
			one(t, res, "wpfleet:components:"+typ)
		}
		vpc := one(t, res, "awsx:ec2:Vpc")
		assert.Len(t, vpc.Inputs["availabilityZoneNames"], 3)
		one(t, res, "aws:ec2/vpcEndpoint:VpcEndpoint")
		assert.Len(t, res.ByType("aws:efs/mountTarget:MountTarget"), 3, "a mount target per AZ")
		instances := res.ByType("aws:rds/clusterInstance:ClusterInstance")
		require.Len(t, instances, 2)
		assert.NotEqual(t, instances[0].Inputs["availabilityZone"], instances[1].Inputs["availabilityZone"], "writer and reader in two AZs")
		c := one(t, res, "aws:rds/cluster:Cluster").Inputs
		assert.Equal(t, true, c["deletionProtection"])
		assert.Equal(t, false, c["skipFinalSnapshot"])
		assert.Equal(t, "DISABLED", at(one(t, res, "aws:efs/backupPolicy:BackupPolicy").Inputs, "backupPolicy.status"),
			"the platform's Backup plan covers the file system")
		sel := one(t, res, "aws:backup/selection:Selection")
		assert.Len(t, sel.Inputs["resources"], 2)
		cluster := one(t, res, "aws:ecs/cluster:Cluster")
		assert.Equal(t, "/wpfleet/test/exec", at(cluster.Inputs, "configuration.executeCommandConfiguration.logConfiguration.cloudWatchLogGroupName"))
		assert.True(t, p.ExecLogging())
		assert.True(t, p.CoversHostname("blog.example.com"))
		assert.False(t, p.CoversHostname("news.example.com"))
		assert.Equal(t, "production", p.WordPressEnvironment)
		assert.Equal(t, 30, p.LogRetentionDays)
		assert.Equal(t, []string{"120.52.22.96/27", "205.251.249.0/24", "180.163.57.128/26"}, p.CloudFrontCIDRs)
		provider := one(t, res, "pulumi:providers:aws")
		assert.Equal(t, "us-east-1", provider.Inputs["region"])
		static := one(t, res, "aws:cloudfront/cachePolicy:CachePolicy")
		assert.Equal(t, "wpfleet-test--static", static.Inputs["name"])
		fw := one(t, res, "aws:cloudformation/stack:Stack")
		assert.True(t, strings.HasPrefix(fw.Options.Provider, provider.URN+"::"))
		_, ok := res.Find("aws:cloudwatch/eventRule:EventRule", "test-job-failures")
		assert.True(t, ok)
		var alarms []string
		for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
			alarms = append(alarms, str(a.Inputs["name"]))
		}
		assert.ElementsMatch(t, []string{"wpfleet-test--efs-metered-throughput", "wpfleet-test--db-cpu", "wpfleet-test--db-connections",
			"wpfleet-test--db-freeable-memory", "wpfleet-test--db-acu"}, alarms)
		checkTasksGroup(t, res, "test-tasks", "sg-")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := platformRequired()
			off, two := false, 2
			a.Tags = map[string]string{"team": "web"}
			a.Account = &components.Account{ID: "123456789012", Region: "ap-northeast-1", Partition: "aws", DNSSuffix: "amazonaws.com"}
			a.Network = components.NetworkArgs{AvailabilityZoneCount: two, NatGateways: components.NatSingle, CidrBlock: "10.20.0.0/20"}
			a.Cluster = components.ClusterArgs{ContainerInsights: "enabled"}
			a.FileSystem = components.SharedEFSArgs{ThroughputMode: components.ThroughputBursting}
			a.Database = components.DatabaseArgs{Instances: 1, MinCapacity: 0, MaxCapacity: 2, DeletionProtection: &off, FinalSnapshot: &off}
			a.LoadBalancer.AllowedCidrs = []string{"203.0.113.0/24"}
			a.AlarmEmail, a.LogRetentionDays, a.WordPressEnvironment = "ops@example.com", 90, "staging"
			a.Backup = components.BackupArgs{RetentionDays: 7}
			a.Alarms = components.PlatformAlarms{DbCPUPercent: 50, DbConnections: 10, DbFreeableMemoryMiB: 64, EfsThroughputMibps: 5}
			a.Firewall, a.ExecLogging = &off, &off
			a.Runtime.CPUArchitecture, a.Runtime.PlatformVersion = "ARM64", "1.4.0"
			_, err := components.NewPlatform(ctx, "test", a)
			return err
		})
		assert.Empty(t, res.ByType("wpfleet:components:WebFirewall"))
		assert.Nil(t, at(one(t, res, "aws:ecs/cluster:Cluster").Inputs, "configuration"), "no exec logging")
		assert.Len(t, res.ByType("aws:efs/mountTarget:MountTarget"), 2)
		assert.Len(t, res.ByType("aws:rds/clusterInstance:ClusterInstance"), 1)
		one(t, res, "aws:sns/topicSubscription:TopicSubscription")
		burst, ok := res.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "test-burst-credits")
		require.True(t, ok)
		assert.NotEmpty(t, burst.Inputs["alarmActions"], "the burst alarm notifies the platform's topic")
		cpu, _ := res.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "wpfleet-test--db-cpu")
		assert.EqualValues(t, 50, cpu.Inputs["threshold"])
		_, metered := res.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "wpfleet-test--efs-metered-throughput")
		assert.False(t, metered, "bursting mode has the credit alarm instead")
		for _, r := range res.Resources {
			if tags, ok := r.Inputs["tags"].(map[string]any); ok {
				assert.Equal(t, "web", tags["team"], r.Name)
			}
		}
	})
	t.Run("built entirely from existing parts", func(t *testing.T) {
		var p *components.Platform
		res := mustRun(t, func(ctx *pulumi.Context) error {
			var err error
			p, err = components.NewPlatform(ctx, "test", existingPlatform())
			return err
		})
		for _, typ := range []string{"aws:ecs/cluster:Cluster", "aws:lb/loadBalancer:LoadBalancer", "aws:efs/fileSystem:FileSystem",
			"aws:rds/cluster:Cluster", "aws:sns/topic:Topic", "aws:backup/vault:Vault", "aws:cloudformation/stack:Stack", "awsx:ec2:Vpc"} {
			assert.Emptyf(t, res.ByType(typ), "%s is adopted, not created", typ)
		}
		assert.Empty(t, res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm"), "the adopted parts keep their own alarms")
		ap := one(t, res, "aws:efs/accessPoint:AccessPoint")
		assert.Equal(t, "fs-0123456789abcdef0", ap.Inputs["fileSystemId"])
		assert.Equal(t, "/sites", at(ap.Inputs, "rootDirectory.path"), "the release job's access point on the existing file system")
		tasks := checkTasksGroup(t, res, "test-tasks", "sg-0a1b2c3d4e5f6000")
		in := map[string]bool{}
		for _, r := range res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
			in[fmt.Sprintf("%v %v %v", r.Inputs["securityGroupId"], r.Inputs["fromPort"], r.Inputs["referencedSecurityGroupId"])] = true
		}
		assert.True(t, in["sg-0a1b2c3d4e5f60002 2049 "+tasks], "the existing file system admits the tasks")
		assert.True(t, in["sg-0a1b2c3d4e5f60003 3306 "+tasks], "the existing database admits the tasks")
		assert.True(t, in[tasks+" 8080 sg-0a1b2c3d4e5f60001"], "the tasks admit the existing ALB")
		out := map[string]bool{}
		for _, r := range res.ByType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
			out[fmt.Sprintf("%v %v %v", r.Inputs["securityGroupId"], r.Inputs["fromPort"], r.Inputs["referencedSecurityGroupId"])] = true
		}
		assert.True(t, out["sg-0a1b2c3d4e5f60001 8080 "+tasks], "the existing ALB may reach the tasks, whatever its own egress rules")
		rule, _ := res.Find("aws:cloudwatch/eventTarget:EventTarget", "test-job-failures")
		assert.Equal(t, "arn:aws:sns:ap-northeast-1:123456789012:ops", rule.Inputs["arn"], "failures go to the existing topic")
		assert.False(t, p.ExecLogging())
		assert.True(t, p.DatabaseTLS)
		assert.False(t, p.CoversHostname("blog.example.com"), "sites bring certificates of their own")
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			a := platformRequired()
			a.Environment = "Test-1"
			a.Runtime = components.RuntimeDefaults{CPUArchitecture: "arm"}
			a.Tags = map[string]string{"aws:team": "web"}
			a.Existing.Cluster = &components.ClusterRef{Name: "c"}
			a.Existing.WebACLArn = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/x/y"
			a.Database.EngineVersion = "8.0.mysql_aurora.3.99.9"
			_, err := components.NewPlatform(ctx, "test", a)
			return err
		}, `PlatformArgs.Environment: "Test-1" is not valid`, "PlatformArgs.Runtime.NginxImage", "PlatformArgs.Runtime.PhpImage",
			`PlatformArgs.Runtime.CPUArchitecture: "arm" is not valid`, `PlatformArgs.Tags[aws:team]: "web" is not valid; tag keys may not start with "aws:"`,
			"PlatformArgs.Existing.Cluster", "PlatformArgs.Existing.WebACLArn",
			`PlatformArgs.Database.EngineVersion: "8.0.mysql_aurora.3.99.9" is not valid`)
	})
	t.Run("admit a workload of your own", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			p, err := components.NewPlatform(ctx, "test", platformRequired())
			if err != nil {
				return err
			}
			_, err = p.NewWorkloadGroup(ctx, "test-tool", "a tool of ours", components.Workload{Database: true, Internet: []int{443}})
			return err
		})
		sg, ok := res.Find("aws:ec2/securityGroup:SecurityGroup", "test-tool")
		require.True(t, ok)
		var ports []any
		for _, r := range res.ByType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
			if r.Inputs["securityGroupId"] == sg.ID {
				ports = append(ports, r.Inputs["fromPort"])
			}
		}
		assert.ElementsMatch(t, []any{int64(443), int64(3306)}, ports, "HTTPS and MySQL only: no EFS unless asked")
		_, efs := res.Find("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "test-tool-in-efs")
		assert.False(t, efs)
	})
}

// checkTasksGroup checks the rules of the platform's tasks group and returns
// its ID.
func checkTasksGroup(t *testing.T, res *mocks.Result, name, peerPrefix string) string {
	t.Helper()
	sg, ok := res.Find("aws:ec2/securityGroup:SecurityGroup", name)
	require.True(t, ok)
	out := map[any]string{}
	for _, r := range res.ByType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
		if r.Inputs["securityGroupId"] == sg.ID {
			out[r.Inputs["fromPort"]] = str(r.Inputs["cidrIpv4"]) + str(r.Inputs["referencedSecurityGroupId"])
		}
	}
	assert.Equal(t, "0.0.0.0/0", out[int64(443)])
	assert.Equal(t, "0.0.0.0/0", out[int64(80)])
	assert.True(t, strings.HasPrefix(out[int64(2049)], peerPrefix), "tasks reach EFS")
	assert.True(t, strings.HasPrefix(out[int64(3306)], peerPrefix), "tasks reach Aurora")
	assert.Len(t, out, 4)
	return sg.ID
}

// siteAndPool builds a platform, sites and a pool serving them.
func siteAndPool(t *testing.T, pa *components.PlatformArgs, site func(*components.Platform) []components.WordPressSiteArgs,
	pool func(*components.Platform, []*components.WordPressSite) components.SitePoolArgs) (*mocks.Result, *components.SitePool) {
	t.Helper()
	var sp *components.SitePool
	res := mustRun(t, func(ctx *pulumi.Context) error {
		p, err := components.NewPlatform(ctx, "test", pa)
		if err != nil {
			return err
		}
		var sites []*components.WordPressSite
		for _, sa := range site(p) {
			s, err := components.NewWordPressSite(ctx, "test-"+sa.Name, &sa)
			if err != nil {
				return err
			}
			sites = append(sites, s)
		}
		if pool == nil {
			return nil
		}
		a := pool(p, sites)
		sp, err = components.NewSitePool(ctx, "test-"+a.Name, &a)
		return err
	})
	return res, sp
}

func blogSite(p *components.Platform) []components.WordPressSiteArgs {
	return []components.WordPressSiteArgs{{Platform: p, Name: "blog", Hostnames: hostnames("blog.example.com"), ListenerPriority: 100}}
}

func TestSitePoolComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res, _ := siteAndPool(t, platformRequired(), blogSite, func(p *components.Platform, s []*components.WordPressSite) components.SitePoolArgs {
			return components.SitePoolArgs{Platform: p, Name: "web", Sites: s}
		})
		sp := component(t, res, "SitePool", "test-web")
		d := res.Descendants(sp.URN)
		td := onlyOne(t, d, "aws:ecs/taskDefinition:TaskDefinition", "pool")
		assert.Equal(t, "1024", td.Inputs["cpu"])
		assert.Equal(t, "2048", td.Inputs["memory"])
		assert.Equal(t, "X86_64", at(td.Inputs, "runtimePlatform.cpuArchitecture"))
		assert.EqualValues(t, 30, at(td.Inputs, "ephemeralStorage.sizeInGib"))
		c := containers(t, td)
		assert.ElementsMatch(t, []string{"nginx", "php", "sync"}, keys(c), "local code delivery by default")
		assert.Equal(t, "60", envOf(c["php"])["WPFLEET_CRON_INTERVAL_SECONDS"])
		assert.Equal(t, "production", envOf(c["php"])["WP_ENVIRONMENT_TYPE"])
		svc := onlyOne(t, d, "aws:ecs/service:Service", "pool").Inputs
		assert.EqualValues(t, 2, svc["desiredCount"])
		assert.Equal(t, false, svc["enableExecuteCommand"], "ECS Exec off by default")
		assert.Equal(t, []any{map[string]any{"capacityProvider": "FARGATE", "base": int64(1), "weight": int64(1)}}, svc["capacityProviderStrategies"])
		scaling := onlyOne(t, d, "aws:appautoscaling/target:Target", "pool").Inputs
		assert.EqualValues(t, 2, scaling["minCapacity"])
		assert.EqualValues(t, 10, scaling["maxCapacity"])
		tg := onlyOne(t, d, "aws:lb/targetGroup:TargetGroup", "pool").Inputs
		assert.EqualValues(t, 35, tg["deregistrationDelay"])
		assert.Equal(t, "/healthz", at(tg, "healthCheck.path"))
		lg := onlyOne(t, d, "aws:cloudwatch/logGroup:LogGroup", "pool").Inputs
		assert.EqualValues(t, 30, lg["retentionInDays"])
		assert.Equal(t, "/wpfleet/test/pools/web", lg["name"])
		site := component(t, res, "WordPressSite", "test-blog")
		rule := onlyOne(t, res.Children(site.URN), "aws:lb/listenerRule:ListenerRule", "blog")
		assert.EqualValues(t, 100, rule.Inputs["priority"])
		taskPol, _ := res.Find("aws:iam/rolePolicy:RolePolicy", "test-web--task")
		for _, st := range statements(jsonInput(t, taskPol, "policy")) {
			assert.False(t, strings.HasPrefix(str(st["Sid"]), "EcsExec"), "no ECS Exec grant without ECS Exec")
		}
	})
	t.Run("all args", func(t *testing.T) {
		res, _ := siteAndPool(t, platformRequired(), func(p *components.Platform) []components.WordPressSiteArgs {
			return []components.WordPressSiteArgs{
				{Platform: p, Name: "blog", Hostnames: hostnames("blog.example.com", "www.blog.example.com"), ListenerPriority: 100, XMLRPC: true},
				{Platform: p, Name: "news-jp", Hostnames: hostnames("news.example.com"), ListenerPriority: 200},
			}
		}, func(p *components.Platform, s []*components.WordPressSite) components.SitePoolArgs {
			return components.SitePoolArgs{Platform: p, Name: "web", Sites: s, CPU: 2048, Memory: 4096, MinTasks: 3, MaxTasks: 12,
				Capacity:     components.CapacityStrategy{OnDemandBase: 1, SpotWeight: 3},
				CodeDelivery: components.CodeEFS, RequestTimeoutSeconds: 60, ScaleCPUPercent: 50,
				ScaleRequestsPerTarget: 300, CronIntervalSeconds: 120, ExecuteCommand: true,
				NginxImage: "nginx:own", PhpImage: "php:own", CloudFrontCIDRs: []string{"198.51.100.0/24"}}
		})
		sp := component(t, res, "SitePool", "test-web")
		d := res.Descendants(sp.URN)
		td := onlyOne(t, d, "aws:ecs/taskDefinition:TaskDefinition", "pool")
		assert.Nil(t, td.Inputs["ephemeralStorage"], "efs mode keeps the included 20 GiB")
		c := containers(t, td)
		require.ElementsMatch(t, []string{"nginx", "php"}, keys(c), "efs mode: no sync agent")
		php, nginx := c["php"], c["nginx"]
		assert.Equal(t, "php:own", php["image"])
		assert.Equal(t, "nginx:own", nginx["image"])
		assert.Nil(t, php["dependsOn"], "nothing to wait for without the sync agent")
		assert.Equal(t, map[string]string{"/mnt/efs/blog": "efs-blog ro", "/mnt/efs/news-jp": "efs-news-jp ro", "/run/wpfleet-fpm": "fpm rw"}, mounts(php))
		env := envOf(php)
		assert.Equal(t, "blog news-jp", env["WPFLEET_SITES"])
		assert.Equal(t, "efs", env["WPFLEET_CODE_DELIVERY"])
		assert.Equal(t, "/mnt/efs", env["WPFLEET_CODE_ROOT"])
		assert.Equal(t, "120", env["WPFLEET_CRON_INTERVAL_SECONDS"])
		assert.Equal(t, "true", env["WPFLEET_SITE_BLOG_XMLRPC"])
		assert.Equal(t, "false", env["WPFLEET_SITE_NEWS_JP_XMLRPC"], "S is the site name upper-cased with - as _")
		assert.Equal(t, "https://news.example.com", env["WPFLEET_SITE_NEWS_JP_HOME"])
		assert.Contains(t, secretsOf(php), "WPFLEET_SITE_NEWS_JP_SALTS_SECRET")
		assert.Equal(t, "blog.example.com www.blog.example.com", envOf(nginx)["WPFLEET_SITE_BLOG_HOSTNAMES"])
		assert.Equal(t, "10.0.0.0/16 198.51.100.0/24", envOf(nginx)["WPFLEET_REAL_IP_FROM"])
		assert.EqualValues(t, 75, nginx["stopTimeout"], "60 s requests + 15 s")
		svc := onlyOne(t, d, "aws:ecs/service:Service", "pool").Inputs
		assert.Equal(t, true, svc["enableExecuteCommand"])
		assert.EqualValues(t, 60, svc["healthCheckGracePeriodSeconds"])
		assert.Equal(t, []any{map[string]any{"capacityProvider": "FARGATE", "base": int64(1), "weight": int64(0)},
			map[string]any{"capacityProvider": "FARGATE_SPOT", "base": int64(0), "weight": int64(3)}}, svc["capacityProviderStrategies"])
		tg := onlyOne(t, d, "aws:lb/targetGroup:TargetGroup", "pool").Inputs
		assert.EqualValues(t, 65, tg["deregistrationDelay"])
		assert.Equal(t, "/healthz", at(tg, "healthCheck.path"))
		taskPol, _ := res.Find("aws:iam/rolePolicy:RolePolicy", "test-web--task")
		doc := jsonInput(t, taskPol, "policy")
		statement(t, doc, "EcsExecChannels")
		logs := statement(t, doc, "EcsExecSessionLogs")
		assert.Equal(t, []any{"arn:aws:logs:ap-northeast-1:123456789012:log-group:/wpfleet/test/exec:*"}, logs["Resource"],
			"sessions are logged to the platform's exec log group")
		blog := component(t, res, "WordPressSite", "test-blog")
		assert.Len(t, ofType(res.Children(blog.URN), "aws:lb/listenerRule:ListenerRule"), 1, "two hostnames fit one rule")
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			off := false
			pa := platformRequired()
			pa.ExecLogging = &off
			p, err := components.NewPlatform(ctx, "test", pa)
			if err != nil {
				return err
			}
			sa := blogSite(p)[0]
			s, err := components.NewWordPressSite(ctx, "test-blog", &sa)
			if err != nil {
				return err
			}
			if _, err := components.NewSitePool(ctx, "test-one", &components.SitePoolArgs{Platform: p, Name: "one", Sites: []*components.WordPressSite{s}}); err != nil {
				return err
			}
			_, err = components.NewSitePool(ctx, "test-two", &components.SitePoolArgs{Platform: p, Name: "Two", Sites: []*components.WordPressSite{s, s},
				CPU: 2048, Memory: 2048, MinTasks: 3, MaxTasks: 2, CodeDelivery: "nfs", CronIntervalSeconds: 5, ExecuteCommand: true,
				Capacity: components.CapacityStrategy{OnDemandBase: 1}})
			return err
		})
		require.Error(t, err)
		for _, w := range []string{`SitePoolArgs.Name: "Two" is not valid`, "a site is served by one pool; pool one serves it already",
			`SitePoolArgs.Sites: "blog" is not valid; each site once`,
			`SitePoolArgs.Memory: "2048 CPU units, 2048 MiB" is not valid`, `SitePoolArgs.MinTasks: "3-2" is not valid`,
			`SitePoolArgs.CodeDelivery: "nfs"`, "SitePoolArgs.CronIntervalSeconds: 5 is not valid", "SitePoolArgs.ExecuteCommand: true is not valid",
			"SitePoolArgs.Capacity"} {
			assert.Contains(t, err.Error(), w)
		}
		for _, r := range rec.Resources() {
			assert.NotContains(t, r.URN, "test-two", "nothing of the refused pool is registered")
		}
	})
	t.Run("sites of another platform", func(t *testing.T) {
		_, _, err := runProgram(t, func(ctx *pulumi.Context) error {
			p1, err := components.NewPlatform(ctx, "one", platformRequired())
			if err != nil {
				return err
			}
			pa := platformRequired()
			pa.Environment = "two"
			p2, err := components.NewPlatform(ctx, "two", pa)
			if err != nil {
				return err
			}
			sa := blogSite(p1)[0]
			s, err := components.NewWordPressSite(ctx, "one-blog", &sa)
			if err != nil {
				return err
			}
			_, err = components.NewSitePool(ctx, "two-web", &components.SitePoolArgs{Platform: p2, Name: "web", Sites: []*components.WordPressSite{s}})
			return err
		})
		require.ErrorContains(t, err, `SitePoolArgs.Sites: "blog" is not valid; sites of the pool's own platform`)
	})
}

func TestWordPressSiteComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res, _ := siteAndPool(t, platformRequired(), blogSite, nil)
		site := component(t, res, "WordPressSite", "test-blog")
		d := res.Descendants(site.URN)
		assert.Empty(t, ofType(d, "aws:lb/listenerRule:ListenerRule"), "routed only once a pool serves it")
		assert.Len(t, ofType(d, "aws:acm/certificate:Certificate"), 1, "one certificate: the distribution's; the platform's covers the ALB")
		assert.Empty(t, ofType(d, "aws:lb/listenerCertificate:ListenerCertificate"))
		dist := onlyOne(t, d, "aws:cloudfront/distribution:Distribution", "blog")
		assert.Equal(t, "PriceClass_200", dist.Inputs["priceClass"])
		assert.Empty(t, ofType(d, "aws:cloudfront/cachePolicy:CachePolicy"), "no page caching by default")
		fw := one(t, res, "aws:cloudformation/stack:Stack")
		assert.Contains(t, dist.PropertyDependencies["webAclId"], fw.URN, "the platform's web ACL by default")
		assert.Empty(t, ofType(d, "wpfleet:components:CronTask"))
		lc := onlyOne(t, d, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "blog")
		assert.EqualValues(t, 30, at(lc.Inputs, "rules.0.noncurrentVersionExpiration.noncurrentDays"))
		rate, _ := res.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "wpfleet-test-site-blog--5xx")
		assert.EqualValues(t, 5, rate.Inputs["threshold"])
		for _, s := range ofType(d, "aws:secretsmanager/secret:Secret") {
			assert.False(t, s.Options.Protect)
		}
		gens := 0
		for _, p := range ofType(d, "random:index/randomPassword:RandomPassword") {
			if g := at(p.Inputs, "keepers.generation"); g != nil {
				gens++
				assert.Contains(t, []any{"0", "1"}, g)
			}
		}
		assert.Equal(t, 2, gens)
	})
	t.Run("all args", func(t *testing.T) {
		zero := 0
		res, _ := siteAndPool(t, platformRequired(), func(p *components.Platform) []components.WordPressSiteArgs {
			return []components.WordPressSiteArgs{{Platform: p, Name: "blog", Hostnames: hostnames("blog.example.com"), ListenerPriority: 100,
				PageCaching: true, PageTTLSeconds: &zero, PriceClass: "PriceClass_All",
				WebACLArn:          pulumi.String("arn:aws:wafv2:us-east-1:123456789012:global/webacl/own/0a1b2c3d-4e5f-6789-abcd-ef0123456789"),
				AllowedViewerCidrs: []string{"203.0.113.0/24"}, OriginSecretVersion: 3, OriginSecretRotating: true,
				UploadsNoncurrentDays: 7, XMLRPC: true, Target5xxPercent: 2, Protect: true, PhpImage: "php:jobs",
				Jobs: []components.SiteJob{{Name: "flush", Schedule: "rate(1 day)", Command: []string{"wp", "cache", "flush"}}}}}
		}, func(p *components.Platform, s []*components.WordPressSite) components.SitePoolArgs {
			return components.SitePoolArgs{Platform: p, Name: "web", Sites: s}
		})
		site := component(t, res, "WordPressSite", "test-blog")
		d := res.Descendants(site.URN)
		page := onlyOne(t, d, "aws:cloudfront/cachePolicy:CachePolicy", "blog")
		assert.EqualValues(t, 0, page.Inputs["defaultTtl"], "a TTL of 0 means 0")
		dist := onlyOne(t, d, "aws:cloudfront/distribution:Distribution", "blog")
		assert.Equal(t, "PriceClass_All", dist.Inputs["priceClass"])
		assert.Equal(t, "arn:aws:wafv2:us-east-1:123456789012:global/webacl/own/0a1b2c3d-4e5f-6789-abcd-ef0123456789", dist.Inputs["webAclId"])
		onlyOne(t, d, "aws:cloudfront/function:Function", "blog")
		rule := onlyOne(t, d, "aws:lb/listenerRule:ListenerRule", "blog")
		assert.Len(t, originSecretsOf(byURN(res), rule), 2, "rotating: both generations")
		gens := map[string]any{}
		for _, p := range ofType(d, "random:index/randomPassword:RandomPassword") {
			if g := at(p.Inputs, "keepers.generation"); g != nil {
				gens[p.Name] = g
			}
		}
		assert.Equal(t, map[string]any{"test-blog--origin-0": "2", "test-blog--origin-1": "3"}, gens)
		for _, s := range ofType(d, "aws:secretsmanager/secret:Secret") {
			assert.True(t, s.Options.Protect && s.Options.RetainOnDelete, s.Name)
		}
		assert.True(t, onlyOne(t, d, "aws:s3/bucketV2:BucketV2", "blog").Options.Protect)
		rate, _ := res.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "wpfleet-test-site-blog--5xx")
		assert.EqualValues(t, 2, rate.Inputs["threshold"])
		job, ok := res.Find("aws:ecs/taskDefinition:TaskDefinition", "test-blog--job-flush")
		require.True(t, ok)
		for _, c := range containers(t, job) {
			assert.Equal(t, "php:jobs", c["image"])
		}
		ct := component(t, res, "CronTask", "test-blog--job-flush")
		r := onlyOne(t, res.Children(ct.URN), "aws:cloudwatch/eventRule:EventRule", "job")
		assert.Equal(t, "wpfleet-test-blog--flush", r.Inputs["name"])
	})
	t.Run("on a platform that does not cover its names", func(t *testing.T) {
		res, _ := siteAndPool(t, platformRequired(), func(p *components.Platform) []components.WordPressSiteArgs {
			return []components.WordPressSiteArgs{{Platform: p, Name: "news", Hostnames: hostnames("news.example.com", "www.news.example.com"), ListenerPriority: 200}}
		}, func(p *components.Platform, s []*components.WordPressSite) components.SitePoolArgs {
			return components.SitePoolArgs{Platform: p, Name: "web", Sites: s}
		})
		checkOwnCertificate(t, res, "test-news", []string{"news.example.com", "www.news.example.com"}, "")
	})
	t.Run("on a platform of existing parts", func(t *testing.T) {
		res, _ := siteAndPool(t, existingPlatform(), blogSite, func(p *components.Platform, s []*components.WordPressSite) components.SitePoolArgs {
			return components.SitePoolArgs{Platform: p, Name: "web", Sites: s}
		})
		checkOwnCertificate(t, res, "test-blog", []string{"blog.example.com"},
			"arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/shared/0123456789abcdef/0123456789abcdef")
		svc := one(t, res, "aws:ecs/service:Service")
		assert.Equal(t, "arn:aws:ecs:ap-northeast-1:123456789012:cluster/shared", svc.Inputs["cluster"])
		assert.Equal(t, []any{"subnet-0123456789abcdef2", "subnet-0123456789abcdef3"}, at(svc.Inputs, "networkConfiguration.subnets"))
		td := one(t, res, "aws:ecs/taskDefinition:TaskDefinition")
		php := containers(t, td)["php"]
		assert.Equal(t, "shared.cluster-abc.ap-northeast-1.rds.amazonaws.com", envOf(php)["DB_HOST"])
		assert.Equal(t, "true", envOf(php)["DB_TLS"])
		assert.Equal(t, "fs-0123456789abcdef0", at(td.Inputs, "volumes.0.efsVolumeConfiguration.fileSystemId"))
		dist := one(t, res, "aws:cloudfront/distribution:Distribution")
		assert.Equal(t, "shared-123.ap-northeast-1.elb.amazonaws.com", at(dist.Inputs, "origins.0.domainName"))
		assert.Equal(t, existingPlatform().Existing.WebACLArn, dist.Inputs["webAclId"])
		alarm, _ := res.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "wpfleet-test-pool-web--no-healthy-targets")
		assert.Equal(t, "app/shared/0123456789abcdef", at(alarm.Inputs, "dimensions.LoadBalancer"))
		assert.Equal(t, []any{"arn:aws:sns:ap-northeast-1:123456789012:ops"}, alarm.Inputs["alarmActions"])
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			ttl := 90000
			_, err := components.NewWordPressSite(ctx, "x", &components.WordPressSiteArgs{Name: "Blog_1", ListenerPriority: 0, PageTTLSeconds: &ttl,
				PriceClass: "PriceClass_Japan", AllowedViewerCidrs: []string{"office"}, UploadsNoncurrentDays: 4000, Target5xxPercent: 101,
				Jobs: []components.SiteJob{{Name: "x", Schedule: "hourly"}}})
			return err
		}, "WordPressSiteArgs.Platform: (unset) is not valid", `WordPressSiteArgs.Name: "Blog_1" is not valid`,
			"WordPressSiteArgs.Hostnames: (unset) is not valid; at least one hostname", "WordPressSiteArgs.ListenerPriority: 0 is not valid",
			"WordPressSiteArgs.PageTTLSeconds: 90000 is not valid", `WordPressSiteArgs.PriceClass: "PriceClass_Japan" is not valid`,
			"WordPressSiteArgs.AllowedViewerCidrs", "WordPressSiteArgs.UploadsNoncurrentDays: 4000 is not valid",
			"WordPressSiteArgs.Target5xxPercent: 101 is not valid", `WordPressSiteArgs.Jobs[0].Schedule: "hourly" is not valid`,
			"WordPressSiteArgs.Jobs[0].Command", "WordPressSiteArgs.PhpImage")
	})
}

// checkOwnCertificate: a site whose names the platform's certificates do not
// cover brings its own, DNS-validated, attached to the platform's listener;
// its distribution's certificate reuses the same validation records.
func checkOwnCertificate(t *testing.T, res *mocks.Result, site string, names []string, listenerArn string) {
	t.Helper()
	comp := component(t, res, "WordPressSite", site)
	own := ofType(res.Children(comp.URN), "aws:acm/certificate:Certificate")
	require.Len(t, own, 1)
	cert := own[0]
	assert.Empty(t, cert.Options.Provider, "the ALB's certificate lives in the stack's region")
	assert.Equal(t, names[0], cert.Inputs["domainName"])
	assert.ElementsMatch(t, toAny(names[1:]), cert.Inputs["subjectAlternativeNames"])
	var records []any
	for _, r := range ofType(res.Children(comp.URN), "aws:route53/record:Record") {
		if r.Inputs["type"] == "CNAME" {
			records = append(records, r.Outputs["fqdn"])
		}
	}
	assert.Len(t, records, len(names), "a validation record per name")
	val := onlyOne(t, res.Children(comp.URN), "aws:acm/certificateValidation:CertificateValidation", site)
	assert.ElementsMatch(t, records, val.Inputs["validationRecordFqdns"])
	lc := onlyOne(t, res.Children(comp.URN), "aws:lb/listenerCertificate:ListenerCertificate", site)
	assert.Equal(t, val.ID, lc.Inputs["certificateArn"])
	if listenerArn == "" {
		listenerArn = one(t, res, "aws:lb/listener:Listener").ID
	}
	assert.Equal(t, listenerArn, lc.Inputs["listenerArn"])
	cdnVal := onlyOne(t, res.Descendants(component(t, res, "CDN", site).URN), "aws:acm/certificateValidation:CertificateValidation", site)
	assert.ElementsMatch(t, records, cdnVal.Inputs["validationRecordFqdns"], "the us-east-1 certificate reuses the records")
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func cdnRequired() *components.CDNArgs {
	return &components.CDNArgs{Site: "blog", Environment: "test", Tags: components.Tags("test", "blog", nil),
		Hostnames:             hostnames("blog.example.com"),
		ValidationRecordFqdns: pulumi.StringArray{pulumi.String("_x.blog.example.com")},
		AlbDnsName:            pulumi.String("alb.example"), OriginSecret: pulumi.ToSecret(pulumi.String("s3cr3t")).(pulumi.StringOutput),
		BucketRegionalDomainName: pulumi.String("bucket.s3.ap-northeast-1.amazonaws.com")}
}

func TestCDNComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewCDN(ctx, "blog", cdnRequired())
			return err
		})
		d := one(t, res, "aws:cloudfront/distribution:Distribution").Inputs
		assert.Equal(t, "PriceClass_200", d["priceClass"])
		assert.Nil(t, d["webAclId"])
		assert.EqualValues(t, 60, at(d, "origins.0.customOriginConfig.originReadTimeout"))
		assert.Len(t, res.ByType("pulumi:providers:aws"), 1, "its own us-east-1 provider")
		static := one(t, res, "aws:cloudfront/cachePolicy:CachePolicy")
		assert.Equal(t, "wpfleet-test--static-blog", static.Inputs["name"], "its own static policy; no page policy without page caching")
		assert.Empty(t, res.ByType("aws:cloudfront/function:Function"))
		underComponent(t, res, "CDN")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			usEast1, err := aws.NewProvider(ctx, "use1", &aws.ProviderArgs{Region: pulumi.String("us-east-1")})
			if err != nil {
				return err
			}
			a := cdnRequired()
			ttl := 30
			a.Hostnames = append(a.Hostnames, hostnames("www.blog.example.com")...)
			a.UsEast1, a.StaticCachePolicyId = usEast1, pulumi.String("shared-static")
			a.PageCaching, a.PageTTLSeconds, a.PriceClass, a.OriginReadTimeoutSeconds = true, &ttl, "PriceClass_All", 35
			a.WebACLArn = pulumi.String("arn:aws:wafv2:us-east-1:123456789012:global/webacl/w/0a1b2c3d-4e5f-6789-abcd-ef0123456789")
			a.AllowedViewerCidrs = []string{"203.0.113.0/24"}
			_, err = components.NewCDN(ctx, "blog", a)
			return err
		})
		dist := one(t, res, "aws:cloudfront/distribution:Distribution")
		d := dist.Inputs
		assert.Equal(t, "PriceClass_All", d["priceClass"])
		assert.NotNil(t, d["webAclId"])
		assert.Len(t, d["aliases"], 2)
		assert.EqualValues(t, 35, at(d, "origins.0.customOriginConfig.originReadTimeout"))
		page := one(t, res, "aws:cloudfront/cachePolicy:CachePolicy")
		assert.Equal(t, "wpfleet-test-blog--pages", page.Inputs["name"], "the shared static policy is used")
		assert.EqualValues(t, 30, page.Inputs["defaultTtl"])
		assert.Equal(t, "shared-static", behaviors(dist)["*.css"]["cachePolicyId"])
		assert.Len(t, res.ByType("pulumi:providers:aws"), 1, "the given provider, none of its own")
		one(t, res, "aws:cloudfront/function:Function")
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			a := cdnRequired()
			ttl := -1
			a.PriceClass, a.PageTTLSeconds, a.OriginReadTimeoutSeconds = "PriceClass_Cheap", &ttl, 90
			a.AlbDnsName = nil
			_, err := components.NewCDN(ctx, "blog", a)
			return err
		}, `CDNArgs.PriceClass: "PriceClass_Cheap" is not valid`, "CDNArgs.PageTTLSeconds: -1 is not valid",
			"CDNArgs.OriginReadTimeoutSeconds: 90 is not valid", "CDNArgs.AlbDnsName: (unset) is not valid; required")
	})
}

func TestBackupComponent(t *testing.T) {
	arns := []pulumi.StringInput{pulumi.String("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-1")}
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewBackup(ctx, "b", &components.BackupArgs{Environment: "test", Tags: tags, ResourceArns: arns})
			return err
		})
		plan := one(t, res, "aws:backup/plan:Plan").Inputs
		assert.EqualValues(t, 35, at(plan, "rules.0.lifecycle.deleteAfter"))
		assert.Equal(t, components.DefaultBackupSchedule, at(plan, "rules.0.schedule"))
		vault := one(t, res, "aws:backup/vault:Vault")
		assert.Equal(t, "test-wpfleet", vault.Inputs["name"])
		assert.False(t, vault.Options.Protect)
		assert.Equal(t, []any{"arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-1"}, one(t, res, "aws:backup/selection:Selection").Inputs["resources"])
		underComponent(t, res, "Backup")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewBackup(ctx, "b", &components.BackupArgs{Environment: "test", Tags: tags, ResourceArns: arns,
				RetentionDays: 90, Schedule: "cron(30 16 ? * SUN *)", Protect: true,
				Account: &components.Account{ID: "210987654321", Region: "ap-northeast-1", Partition: "aws"}})
			return err
		})
		plan := one(t, res, "aws:backup/plan:Plan").Inputs
		assert.EqualValues(t, 90, at(plan, "rules.0.lifecycle.deleteAfter"))
		assert.Equal(t, "cron(30 16 ? * SUN *)", at(plan, "rules.0.schedule"))
		assert.True(t, one(t, res, "aws:backup/vault:Vault").Options.Protect)
		key, _ := res.Find("aws:kms/key:Key", "b-backup")
		assert.True(t, key.Options.Protect, "the vault's key is kept with it")
		assert.Contains(t, key.Inputs["policy"], "arn:aws:iam::210987654321:root")
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewBackup(ctx, "b", &components.BackupArgs{Environment: "test", Schedule: "rate(1 day)", RetentionDays: 4000})
			return err
		}, `BackupArgs.Schedule: "rate(1 day)" is not valid`, "BackupArgs.ResourceArns: (unset) is not valid", "BackupArgs.RetentionDays: 4000 is not valid")
	})
}

func TestWebFirewallComponent(t *testing.T) {
	run := func(t *testing.T, a components.WebFirewallArgs) *mocks.Result {
		return mustRun(t, func(ctx *pulumi.Context) error {
			p, err := aws.NewProvider(ctx, "use1", &aws.ProviderArgs{Region: pulumi.String("us-east-1")})
			if err != nil {
				return err
			}
			a.UsEast1 = p
			_, err = components.NewWebFirewall(ctx, "waf", &a)
			return err
		})
	}
	t.Run("required args only", func(t *testing.T) {
		res := run(t, components.WebFirewallArgs{Environment: "test", Tags: tags})
		stack := one(t, res, "aws:cloudformation/stack:Stack")
		assert.Equal(t, "wpfleet-test-waf", stack.Inputs["name"])
		tmpl := jsonInput(t, stack, "templateBody")
		assert.EqualValues(t, 100, at(tmpl, "Resources.WebACL.Properties.Rules.5.Statement.RateBasedStatement.Limit"))
		assert.EqualValues(t, 90, at(tmpl, "Resources.LogGroup.Properties.RetentionInDays"))
		assert.Equal(t, "aws-waf-logs-wpfleet-test", at(tmpl, "Resources.LogGroup.Properties.LogGroupName"))
		assert.Equal(t, components.WebACLTemplate("test", 100, 90), stack.Inputs["templateBody"])
	})
	t.Run("all args", func(t *testing.T) {
		res := run(t, components.WebFirewallArgs{Environment: "test", Tags: tags, LoginRateLimit: 20, LogRetentionDays: 365})
		tmpl := jsonInput(t, one(t, res, "aws:cloudformation/stack:Stack"), "templateBody")
		assert.EqualValues(t, 20, at(tmpl, "Resources.WebACL.Properties.Rules.6.Statement.RateBasedStatement.Limit"))
		assert.EqualValues(t, 365, at(tmpl, "Resources.LogGroup.Properties.RetentionInDays"))
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewWebFirewall(ctx, "waf", &components.WebFirewallArgs{Environment: "test", LoginRateLimit: 5, LogRetentionDays: 10})
			return err
		}, "WebFirewallArgs.UsEast1: (unset) is not valid", "WebFirewallArgs.LoginRateLimit: 5 is not valid", "WebFirewallArgs.LogRetentionDays: 10 is not valid")
	})
}

func TestDashboardComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			p, err := components.NewPlatform(ctx, "test", platformRequired())
			if err != nil {
				return err
			}
			sa := blogSite(p)[0]
			s, err := components.NewWordPressSite(ctx, "test-blog", &sa)
			if err != nil {
				return err
			}
			sp, err := components.NewSitePool(ctx, "test-web", &components.SitePoolArgs{Platform: p, Name: "web", Sites: []*components.WordPressSite{s}})
			if err != nil {
				return err
			}
			_, err = components.NewDashboard(ctx, "test", &components.DashboardArgs{Platform: p, Pools: []*components.SitePool{sp}})
			return err
		})
		dash := one(t, res, "aws:cloudwatch/dashboard:Dashboard")
		assert.Equal(t, "wpfleet-test", dash.Inputs["dashboardName"])
		body := jsonInput(t, dash, "dashboardBody")
		assert.Len(t, at(body, "widgets"), 6)
		assert.Equal(t, []any{"wpfleet/test", "Requests", "Site", "blog", map[string]any{"stat": "Sum", "label": "blog"}},
			at(body, "widgets.0.properties.metrics.0"))
		assert.Equal(t, component(t, res, "Dashboard", "test").URN, dash.Parent)
	})
	t.Run("invalid", func(t *testing.T) {
		refused(t, func(ctx *pulumi.Context) error {
			_, err := components.NewDashboard(ctx, "d", &components.DashboardArgs{})
			return err
		}, "DashboardArgs.Platform: (unset) is not valid", "DashboardArgs.Pools: (unset) is not valid")
	})
}
