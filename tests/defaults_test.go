package tests

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/release"
)

// bareGraph builds every component with the arguments it requires and
// nothing else, as a program of one's own would: what it registers are the
// components' own defaults.
func bareGraph(t *testing.T) *mocks.Result {
	t.Helper()
	return mustRun(t, func(ctx *pulumi.Context) error {
		p, err := components.NewPlatform(ctx, "test", platformRequired())
		if err != nil {
			return err
		}
		var sites []*components.WordPressSite
		for i, caching := range []bool{false, true} {
			name := []string{"blog", "news"}[i]
			s, err := components.NewWordPressSite(ctx, "test-"+name, &components.WordPressSiteArgs{Platform: p, Name: name,
				Hostnames: hostnames(name + ".example.com"), ListenerPriority: 100 + 10*i, PageCaching: caching})
			if err != nil {
				return err
			}
			sites = append(sites, s)
		}
		if _, err := components.NewSitePool(ctx, "test-web", &components.SitePoolArgs{Platform: p, Name: "web", Sites: sites}); err != nil {
			return err
		}
		// The parts whose defaults only show in another mode.
		if _, err := components.NewSharedEFS(ctx, "bursting", &components.SharedEFSArgs{Tags: tags, VpcId: vpcID, SubnetIds: subnets,
			SubnetCount: 2, ThroughputMode: components.ThroughputBursting}); err != nil {
			return err
		}
		if _, err := components.NewDatabase(ctx, "provisioned", &components.DatabaseArgs{Environment: "prov", Tags: tags, VpcId: vpcID,
			SubnetIds: subnets, Mode: components.DatabaseProvisioned}); err != nil {
			return err
		}
		if _, err := components.NewDatabase(ctx, "paused", &components.DatabaseArgs{Environment: "paused", Tags: tags, VpcId: vpcID,
			SubnetIds: subnets, MinCapacity: 0, MaxCapacity: 4}); err != nil {
			return err
		}
		var many []components.SiteHostnames
		for i := 0; i < components.DefaultMaxNamesPerCertificate+1; i++ {
			many = append(many, components.SiteHostnames{Site: fmt.Sprintf("s%d", i), Hostnames: hostnames(fmt.Sprintf("s%d.example.com", i))})
		}
		if _, err := components.NewLoadBalancer(ctx, "many", &components.LoadBalancerArgs{Tags: tags, VpcId: vpcID,
			VpcCidr: pulumi.String("10.0.0.0/16"), PublicSubnetIds: subnets, Sites: many}); err != nil {
			return err
		}
		_, err = components.NewReleasePipeline(ctx, "test-release", &components.ReleasePipelineArgs{Environment: "test", Tags: tags,
			Sites: []string{"blog"}, RepoURLTemplate: "https://github.com/acme/wp-{site}.git", VpcId: vpcID, SubnetIds: subnets,
			SecurityGroupId: pulumi.String("sg-1"), FileSystemId: p.FileSystemId, FileSystemArn: p.FileSystemArn,
			AccessPointId: p.ReleaseAccessPointId, AccessPointArn: p.ReleaseAccessPointArn, DatabaseHost: p.DatabaseEndpoint,
			MasterSecretArn: p.MasterSecretArn, AlarmTopicArn: p.AlarmTopicArn, Buildspec: release.Buildspec(), Files: release.Files()})
		return err
	})
}

// Component defaults equal what Pulumi.yaml documents (issue 10): every key
// Pulumi.yaml gives a default is observed in the graph of components built
// without that setting.
func TestComponentDefaultsEqualPulumiYaml(t *testing.T) {
	proj, err := workspace.LoadProject(filepath.Join(repoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	res := bareGraph(t)
	find := func(typ, name string) mocks.Resource {
		r, ok := res.Find(typ, name)
		require.Truef(t, ok, "%s %s", typ, name)
		return r
	}
	in := func(typ, name, path string) any { return at(find(typ, name).Inputs, path) }
	alarm := func(name string) any { return in("aws:cloudwatch/metricAlarm:MetricAlarm", name, "threshold") }
	td := find("aws:ecs/taskDefinition:TaskDefinition", "test-web")
	php := containers(t, td)["php"]
	svc := find("aws:ecs/service:Service", "test-web").Inputs
	strategy := func(provider, field string) any {
		for _, s := range svc["capacityProviderStrategies"].([]any) {
			if at(s, "capacityProvider") == provider {
				return at(s, field)
			}
		}
		return int64(0)
	}
	policyTarget := func(suffix string) any {
		return in("aws:appautoscaling/policy:Policy", "test-web--"+suffix, "targetTrackingScalingPolicyConfiguration.targetValue")
	}
	count := func(typ string) int { return len(res.ByType(typ)) }
	cluster := find("aws:rds/cluster:Cluster", "test").Inputs
	observed := map[string]any{
		"tags":                           extraTags(find("aws:efs/fileSystem:FileSystem", "test")),
		"alarmEmail":                     emptyIf(count("aws:sns/topicSubscription:TopicSubscription") == 0),
		"vpcCidr":                        in("awsx:ec2:Vpc", "test", "cidrBlock"),
		"availabilityZones":              len(in("awsx:ec2:Vpc", "test", "availabilityZoneNames").([]any)),
		"natGateways":                    in("awsx:ec2:Vpc", "test", "natGateways.strategy"),
		"existingVpcId":                  emptyIf(count("awsx:ec2:Vpc") == 1),
		"s3GatewayEndpoint":              count("aws:ec2/vpcEndpoint:VpcEndpoint") == 1,
		"efsThroughputMode":              in("aws:efs/fileSystem:FileSystem", "test", "throughputMode"),
		"efsProvisionedMibps":            orZero(in("aws:efs/fileSystem:FileSystem", "test", "provisionedThroughputInMibps")),
		"efsBurstCreditAlarmMinutes":     burstMinutes(in("aws:cloudwatch/metricAlarm:MetricAlarm", "bursting-burst-credits", "threshold")),
		"efsKmsKeyArn":                   orEmpty(in("aws:efs/fileSystem:FileSystem", "test", "kmsKeyId")),
		"dbMode":                         map[bool]string{true: "serverless", false: "provisioned"}[cluster["serverlessv2ScalingConfiguration"] != nil],
		"dbEngineVersion":                cluster["engineVersion"],
		"dbInstanceClass":                in("aws:rds/clusterInstance:ClusterInstance", "provisioned-1", "instanceClass"),
		"dbInstances":                    len(ofType(res.Descendants(find("wpfleet:components:Database", "test").URN), "aws:rds/clusterInstance:ClusterInstance")),
		"dbMinAcu":                       at(cluster, "serverlessv2ScalingConfiguration.minCapacity"),
		"dbMaxAcu":                       at(cluster, "serverlessv2ScalingConfiguration.maxCapacity"),
		"dbAutoPauseSeconds":             in("aws:rds/cluster:Cluster", "paused", "serverlessv2ScalingConfiguration.secondsUntilAutoPause"),
		"dbBackupRetentionDays":          cluster["backupRetentionPeriod"],
		"dbRequireTls":                   paramOn(find("aws:rds/clusterParameterGroup:ClusterParameterGroup", "test"), "require_secure_transport"),
		"deletionProtection":             cluster["deletionProtection"] == true && in("aws:lb/loadBalancer:LoadBalancer", "test", "enableDeletionProtection") == true,
		"finalSnapshot":                  cluster["skipFinalSnapshot"] == false,
		"sslPolicy":                      in("aws:lb/listener:Listener", "test-https", "sslPolicy"),
		"certificateMaxNames":            len(strList(in("aws:acm/certificate:Certificate", "many-1", "subjectAlternativeNames"))) + 1,
		"albAccessLogs":                  in("aws:lb/loadBalancer:LoadBalancer", "test", "accessLogs.enabled"),
		"albAccessLogDays":               in("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "test-logs", "rules.0.expiration.days"),
		"cpuArchitecture":                at(td.Inputs, "runtimePlatform.cpuArchitecture"),
		"platformVersion":                svc["platformVersion"],
		"taskCpu":                        td.Inputs["cpu"],
		"taskMemory":                     td.Inputs["memory"],
		"minTasks":                       in("aws:appautoscaling/target:Target", "test-web", "minCapacity"),
		"maxTasks":                       in("aws:appautoscaling/target:Target", "test-web", "maxCapacity"),
		"onDemandBase":                   strategy("FARGATE", "base"),
		"onDemandWeight":                 strategy("FARGATE", "weight"),
		"spotWeight":                     strategy("FARGATE_SPOT", "weight"),
		"codeDelivery":                   envOf(php)["WPFLEET_CODE_DELIVERY"],
		"ephemeralStorageGiB":            at(td.Inputs, "ephemeralStorage.sizeInGib"),
		"requestTimeoutSeconds":          envOf(php)["WPFLEET_REQUEST_TIMEOUT_SECONDS"],
		"scaleCpuPercent":                policyTarget("cpu"),
		"scaleRequestsPerTarget":         policyTarget("requests"),
		"logRetentionDays":               in("aws:cloudwatch/logGroup:LogGroup", "test-web", "retentionInDays"),
		"cronIntervalSeconds":            envOf(php)["WPFLEET_CRON_INTERVAL_SECONDS"],
		"executeCommand":                 svc["enableExecuteCommand"],
		"execLogging":                    in("aws:ecs/cluster:Cluster", "test", "configuration.executeCommandConfiguration.logging") == "OVERRIDE",
		"uploadsNoncurrentDays":          in("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "test-blog", "rules.0.noncurrentVersionExpiration.noncurrentDays"),
		"cdn":                            len(ofType(res.Descendants(find("wpfleet:components:WordPressSite", "test-blog").URN), "aws:cloudfront/cachePolicy:CachePolicy")) == 1,
		"cdnPageTtlSeconds":              in("aws:cloudfront/cachePolicy:CachePolicy", "test-news-pages", "defaultTtl"),
		"cdnPriceClass":                  in("aws:cloudfront/distribution:Distribution", "test-blog", "priceClass"),
		"waf":                            count("aws:cloudformation/stack:Stack") == 1,
		"wafLoginRateLimit":              at(jsonInput(t, one(t, res, "aws:cloudformation/stack:Stack"), "templateBody"), "Resources.WebACL.Properties.Rules.5.Statement.RateBasedStatement.Limit"),
		"wafWebAclArn":                   emptyIf(includes(find("aws:cloudfront/distribution:Distribution", "test-blog").PropertyDependencies["webAclId"], one(t, res, "aws:cloudformation/stack:Stack").URN)),
		"protect":                        find("aws:efs/fileSystem:FileSystem", "test").Options.Protect,
		"backupRetentionDays":            in("aws:backup/plan:Plan", "test", "rules.0.lifecycle.deleteAfter"),
		"backupSchedule":                 in("aws:backup/plan:Plan", "test", "rules.0.schedule"),
		"alarmTarget5xxPercent":          alarm("wpfleet-test-site-blog--5xx"),
		"alarmDbCpuPercent":              alarm("wpfleet-test--db-cpu"),
		"alarmDbConnections":             alarm("wpfleet-test--db-connections"),
		"alarmDbFreeableMemoryMiB":       mib(alarm("wpfleet-test--db-freeable-memory")),
		"alarmEfsThroughputMibps":        mibPerSecond(alarm("wpfleet-test--efs-metered-throughput")),
		"releaseKeep":                    releaseSettings(t, find("aws:s3/bucketObjectv2:BucketObjectv2", "test-release-settings"))["KEEP_RELEASES"],
		"releaseGitCredentialsSecretArn": releaseSettings(t, find("aws:s3/bucketObjectv2:BucketObjectv2", "test-release-settings"))["GIT_CREDENTIALS_SECRET_ARN"],
		"releaseConnectionArn":           emptyIf(!strings.Contains(str(in("aws:iam/rolePolicy:RolePolicy", "test-release", "policy")), "UseGitConnection")),
		"ciGithubOidcProviderArn":        emptyIf(count("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == 0),
		"ciCircleciOrgId":                emptyIf(!hasRole(res, "test-release-ci-cc-")),
		"ciCircleciOidcProviderArn":      emptyIf(count("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == 0),
	}
	for name, decl := range proj.Config {
		if decl.Default == nil {
			continue
		}
		got, ok := observed[name]
		if !assert.Truef(t, ok, "Pulumi.yaml documents a default for %s: add how the graph shows it", name) {
			continue
		}
		assert.Equalf(t, normalize(decl.Default), normalize(got), "%s: Pulumi.yaml documents %v, components default to %v", name, decl.Default, got)
	}
}

// releaseSettings reads the release job's settings.json (the settings object
// beside its source): every setting but the three CI may pass.
func releaseSettings(t *testing.T, obj mocks.Resource) map[string]string {
	out := map[string]string{}
	for k, v := range jsonInput(t, obj, "content").(map[string]any) {
		out[k] = str(v)
	}
	return out
}

// emptyIf is "" when the graph shows a setting left empty, and a marker
// that matches no default otherwise.
func emptyIf(unset bool) any {
	if unset {
		return ""
	}
	return "(set)"
}

func includes(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hasRole reports whether the graph has a role whose name starts with prefix.
func hasRole(res *mocks.Result, prefix string) bool {
	for _, r := range res.ByType("aws:iam/role:Role") {
		if strings.HasPrefix(r.Name, prefix) {
			return true
		}
	}
	return false
}

// extraTags are a resource's tags beyond the ones wpfleet always sets.
func extraTags(r mocks.Resource) map[string]any {
	out := map[string]any{}
	for k, v := range r.Inputs["tags"].(map[string]any) {
		if k != components.TagEnvironment && k != components.TagManagedBy && k != "Name" {
			out[k] = v
		}
	}
	return out
}

func normalize(v any) string {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

func orZero(v any) any {
	if v == nil {
		return "0"
	}
	return v
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func paramOn(pg mocks.Resource, name string) bool {
	return assert.ObjectsAreEqual(true, strings.Contains(fmt.Sprint(pg.Inputs["parameters"]), "map[name:"+name+" value:ON]"))
}

func burstMinutes(threshold any) any {
	b, _ := threshold.(float64)
	if i, ok := threshold.(int64); ok {
		b = float64(i)
	}
	return int64(b / components.BurstCreditThresholdBytes(1))
}

func mib(v any) any {
	return toFloat(v) / (1024 * 1024)
}

func mibPerSecond(v any) any {
	return toFloat(v) / (1024 * 1024 * 900)
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return -1
}
