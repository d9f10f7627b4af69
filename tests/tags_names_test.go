package tests

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudformation"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/codebuild"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/efs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	awsxec2 "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ec2"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

// argsTypes maps every resource type the graph uses to its Go Args struct:
// whether the type takes tags is read from the SDK, not written down here.
var argsTypes = map[string]any{
	"aws:acm/certificate:Certificate":                                      acm.CertificateArgs{},
	"aws:acm/certificateValidation:CertificateValidation":                  acm.CertificateValidationArgs{},
	"aws:appautoscaling/policy:Policy":                                     appautoscaling.PolicyArgs{},
	"aws:appautoscaling/target:Target":                                     appautoscaling.TargetArgs{},
	"aws:cloudwatch/eventRule:EventRule":                                   cloudwatch.EventRuleArgs{},
	"aws:cloudwatch/eventTarget:EventTarget":                               cloudwatch.EventTargetArgs{},
	"aws:cloudwatch/logGroup:LogGroup":                                     cloudwatch.LogGroupArgs{},
	"aws:cloudwatch/logMetricFilter:LogMetricFilter":                       cloudwatch.LogMetricFilterArgs{},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                               cloudwatch.MetricAlarmArgs{},
	"aws:ec2/securityGroup:SecurityGroup":                                  ec2.SecurityGroupArgs{},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                                      ec2.VpcEndpointArgs{},
	"aws:ecs/cluster:Cluster":                                              ecs.ClusterArgs{},
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":            ecs.ClusterCapacityProvidersArgs{},
	"aws:ecs/service:Service":                                              ecs.ServiceArgs{},
	"aws:ecs/taskDefinition:TaskDefinition":                                ecs.TaskDefinitionArgs{},
	"aws:efs/accessPoint:AccessPoint":                                      efs.AccessPointArgs{},
	"aws:efs/backupPolicy:BackupPolicy":                                    efs.BackupPolicyArgs{},
	"aws:efs/fileSystem:FileSystem":                                        efs.FileSystemArgs{},
	"aws:efs/fileSystemPolicy:FileSystemPolicy":                            efs.FileSystemPolicyArgs{},
	"aws:efs/mountTarget:MountTarget":                                      efs.MountTargetArgs{},
	"aws:iam/role:Role":                                                    iam.RoleArgs{},
	"aws:iam/rolePolicy:RolePolicy":                                        iam.RolePolicyArgs{},
	"aws:kms/alias:Alias":                                                  kms.AliasArgs{},
	"aws:kms/key:Key":                                                      kms.KeyArgs{},
	"aws:lb/listener:Listener":                                             lb.ListenerArgs{},
	"aws:lb/listenerCertificate:ListenerCertificate":                       lb.ListenerCertificateArgs{},
	"aws:lb/listenerRule:ListenerRule":                                     lb.ListenerRuleArgs{},
	"aws:lb/loadBalancer:LoadBalancer":                                     lb.LoadBalancerArgs{},
	"aws:lb/targetGroup:TargetGroup":                                       lb.TargetGroupArgs{},
	"aws:rds/cluster:Cluster":                                              rds.ClusterArgs{},
	"aws:rds/clusterInstance:ClusterInstance":                              rds.ClusterInstanceArgs{},
	"aws:rds/clusterParameterGroup:ClusterParameterGroup":                  rds.ClusterParameterGroupArgs{},
	"aws:rds/subnetGroup:SubnetGroup":                                      rds.SubnetGroupArgs{},
	"aws:route53/record:Record":                                            route53.RecordArgs{},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": s3.BucketLifecycleConfigurationV2Args{},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":               s3.BucketOwnershipControlsArgs{},
	"aws:s3/bucketPolicy:BucketPolicy":                                     s3.BucketPolicyArgs{},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":               s3.BucketPublicAccessBlockArgs{},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": s3.BucketServerSideEncryptionConfigurationV2Args{},
	"aws:s3/bucketV2:BucketV2":                                         s3.BucketV2Args{},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                     s3.BucketVersioningV2Args{},
	"aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2": s3.BucketWebsiteConfigurationV2Args{},
	"aws:secretsmanager/secret:Secret":                                 secretsmanager.SecretArgs{},
	"aws:secretsmanager/secretVersion:SecretVersion":                   secretsmanager.SecretVersionArgs{},
	"aws:sns/topic:Topic":                                              sns.TopicArgs{},
	"aws:sns/topicPolicy:TopicPolicy":                                  sns.TopicPolicyArgs{},
	"aws:sns/topicSubscription:TopicSubscription":                      sns.TopicSubscriptionArgs{},
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":          vpc.SecurityGroupEgressRuleArgs{},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":        vpc.SecurityGroupIngressRuleArgs{},
	"aws:backup/plan:Plan":                                             backup.PlanArgs{},
	"aws:backup/selection:Selection":                                   backup.SelectionArgs{},
	"aws:backup/vault:Vault":                                           backup.VaultArgs{},
	"aws:cloudfront/cachePolicy:CachePolicy":                           cloudfront.CachePolicyArgs{},
	"aws:cloudfront/distribution:Distribution":                         cloudfront.DistributionArgs{},
	"aws:cloudfront/function:Function":                                 cloudfront.FunctionArgs{},
	"aws:cloudformation/stack:Stack":                                   cloudformation.StackArgs{},
	"aws:cloudfront/originAccessControl:OriginAccessControl":           cloudfront.OriginAccessControlArgs{},
	"aws:cloudwatch/dashboard:Dashboard":                               cloudwatch.DashboardArgs{},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                iam.RolePolicyAttachmentArgs{},
	"aws:codebuild/project:Project":                                    codebuild.ProjectArgs{},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider":              iam.OpenIdConnectProviderArgs{},
	"aws:s3/bucketObjectv2:BucketObjectv2":                             s3.BucketObjectv2Args{},
	"awsx:ec2:Vpc":                                                     awsxec2.VpcArgs{},
	"random:index/randomPassword:RandomPassword":                       random.RandomPasswordArgs{},
}

func takesTags(token string) (bool, bool) {
	a, ok := argsTypes[token]
	if !ok {
		return false, false
	}
	_, has := reflect.TypeOf(a).FieldByName("Tags")
	return has, true
}

// Every resource that accepts tags carries environment and managed-by (and
// the user's tags), and every resource below a site carries the site's name.
func TestEveryTaggableResourceIsTagged(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			siteOf := map[string]string{}
			for _, c := range res.ByType("wpfleet:components:WordPressSite") {
				for _, d := range res.Descendants(c.URN) {
					siteOf[d.URN] = strings.TrimPrefix(c.Name, stack+"-")
				}
			}
			tagged, sited := 0, 0
			for _, r := range res.Resources {
				if !r.Custom && r.Type != "awsx:ec2:Vpc" || strings.HasPrefix(r.Type, "pulumi:providers:") {
					continue
				}
				taggable, known := takesTags(r.Type)
				require.Truef(t, known, "resource type %s is not classified in argsTypes", r.Type)
				if !taggable {
					continue
				}
				tagged++
				tags, _ := r.Inputs["tags"].(map[string]any)
				assert.Equalf(t, stack, tags["environment"], "%s %s", r.Type, r.Name)
				assert.Equalf(t, "wpfleet", tags["managed-by"], "%s %s", r.Type, r.Name)
				if site, ok := siteOf[r.URN]; ok {
					sited++
					assert.Equalf(t, site, tags["site"], "%s %s", r.Type, r.Name)
				} else {
					assert.Nilf(t, tags["site"], "%s %s is tagged with a site but is not below one", r.Type, r.Name)
				}
				if stack == "prod" {
					assert.Equalf(t, "web", tags["cost-center"], "%s %s: user tags from wpfleet:tags", r.Type, r.Name)
				}
			}
			assert.Greater(t, tagged, 150)
			assert.Greater(t, sited, 10*len(res.ByType("wpfleet:components:WordPressSite")), "11 or more tagged resources per site")
		})
	}
}

// nameLimits are AWS's limits on the physical names wpfleet's resources get
// (explicitly or by Pulumi's auto-naming: logical name + 8 characters).
// Sources: each service's API reference (CreateLoadBalancer and
// CreateTargetGroup Name: 32; IAM CreateRole RoleName: 64, PutRolePolicy
// PolicyName: 128; EventBridge PutRule Name: 64; RDS DBClusterIdentifier and
// DBInstanceIdentifier: 63; S3 bucket naming rules: 63; ECS family, service
// and cluster names: 255; CloudFront CachePolicyConfig Name: 128,
// OriginAccessControlConfig Name: 64, CreateFunction Name: 64; AWS Backup
// vault, plan and selection names: 50; CloudFormation stack name: 128;
// CodeBuild project name: 255; Secrets Manager name: 512; CloudWatch Logs
// group and metric filter names: 512; alarm and dashboard names: 255; SNS
// topic: 256; KMS alias: 256).
var nameLimits = map[string]struct {
	input string
	limit int
}{
	"aws:lb/loadBalancer:LoadBalancer":                       {"name", 32},
	"aws:lb/targetGroup:TargetGroup":                         {"name", 32},
	"aws:iam/role:Role":                                      {"name", 64},
	"aws:iam/rolePolicy:RolePolicy":                          {"name", 128},
	"aws:cloudwatch/eventRule:EventRule":                     {"name", 64},
	"aws:rds/cluster:Cluster":                                {"clusterIdentifier", 63},
	"aws:rds/clusterInstance:ClusterInstance":                {"identifier", 63},
	"aws:s3/bucketV2:BucketV2":                               {"bucket", 63},
	"aws:ecs/taskDefinition:TaskDefinition":                  {"family", 255},
	"aws:ecs/service:Service":                                {"name", 255},
	"aws:ecs/cluster:Cluster":                                {"name", 255},
	"aws:ec2/securityGroup:SecurityGroup":                    {"name", 255},
	"aws:secretsmanager/secret:Secret":                       {"name", 512},
	"aws:cloudwatch/logGroup:LogGroup":                       {"name", 512},
	"aws:cloudwatch/logMetricFilter:LogMetricFilter":         {"name", 512},
	"aws:sns/topic:Topic":                                    {"name", 256},
	"aws:kms/alias:Alias":                                    {"name", 256},
	"aws:rds/subnetGroup:SubnetGroup":                        {"name", 255},
	"aws:rds/clusterParameterGroup:ClusterParameterGroup":    {"name", 255},
	"aws:cloudfront/cachePolicy:CachePolicy":                 {"name", 128},
	"aws:cloudfront/originAccessControl:OriginAccessControl": {"name", 64},
	"aws:cloudfront/function:Function":                       {"name", 64},
	"aws:cloudformation/stack:Stack":                         {"name", 128},
	"aws:codebuild/project:Project":                          {"name", 255},
	"aws:backup/vault:Vault":                                 {"name", 50},
	"aws:backup/plan:Plan":                                   {"name", 50},
	"aws:backup/selection:Selection":                         {"name", 50},
	"aws:cloudwatch/dashboard:Dashboard":                     {"dashboardName", 255},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                 {"name", 255},
}

func physicalNameLength(r mocks.Resource, input string) int {
	if s, ok := r.Inputs[input].(string); ok && s != "" {
		return len(s)
	}
	return len(r.Name) + components.AutonameSuffixLength
}

// longest returns a name of n characters that validation accepts (letters
// and single hyphens).
func longest(first string, n int) string {
	s := first + strings.Repeat("-x", (n-1)/2) + strings.Repeat("y", (n-1)%2)
	return s[:n]
}

// A configuration with the longest environment, site, pool and job names
// validation allows still fits every AWS name limit: a graph that passes the
// mocks must not fail on AWS.
func TestLongestNamesFitAWSLimits(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	env := strings.Repeat("e", components.MaxEnvironmentNameLength)
	cfg["wpfleet:environment"] = env
	cfg["wpfleet:waf"] = "true"
	sites := sitesOf(t, cfg)
	sites[0]["name"] = longest("s", components.MaxSiteNameLength)
	sites[0]["jobs"] = []any{map[string]any{"name": longest("j", components.MaxJobNameLength),
		"schedule": "rate(1 day)", "command": []any{"wp", "cache", "flush"}}}
	setSites(t, cfg, sites)
	var all []any
	for _, s := range sites {
		all = append(all, s["name"])
	}
	setPools(t, cfg, []map[string]any{{"name": longest("p", components.MaxSiteNameLength), "sites": all}})
	require.Len(t, sites[0]["name"], components.MaxSiteNameLength)
	res, _, err := runConfig(env, cfg)
	require.NoError(t, err)
	checked := map[string]int{}
	for _, r := range res.Resources {
		lim, ok := nameLimits[r.Type]
		if !ok {
			continue
		}
		checked[r.Type]++
		assert.LessOrEqualf(t, physicalNameLength(r, lim.input), lim.limit, "%s %s: name too long for AWS", r.Type, r.Name)
	}
	for typ := range nameLimits {
		assert.NotZerof(t, checked[typ], "no %s in the graph: the limit is not checked", typ)
	}
	for _, r := range res.ByType("aws:s3/bucketV2:BucketV2") {
		assert.Equal(t, strings.ToLower(r.Name), r.Name, "bucket names must be lowercase")
	}
}
