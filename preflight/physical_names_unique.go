package preflight

import (
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// physical-names-unique: names AWS requires to be unique are unique.
//
// Two resources of a stack must not get the same physical name where AWS
// keeps one object per name: the second create fails (a log group, secret,
// target group, load balancer, IAM role, CodeBuild project, cluster,
// bucket, alias, cache policy ... "already exists"), or worse, silently
// takes over the first (PutMetricAlarm and PutRule overwrite an alarm or
// rule of the same name; RegisterTaskDefinition adds a revision to the
// other site's family, so two services run each other's containers). The
// scope is the account and Region (IAM, CloudFront and Route 53 names:
// the account; bucket names: all of AWS; security group names: the VPC;
// service names: the cluster; metric filter names: the log group; records:
// the hosted zone). IAM role and security group names are compared without
// case, as AWS does. Sources: each API's "already exists" / uniqueness
// statement (CreateLogGroup ResourceAlreadyExistsException, CreateRole
// EntityAlreadyExists, PutMetricAlarm "If you update an existing alarm",
// RegisterTaskDefinition family, ...).
// Not checked offline: names used by resources outside this stack.
func physicalNamesUnique() Rule {
	const (
		logs   = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
		role   = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"
		alarm  = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
		family = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"
		rule   = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html"
	)
	return Rule{
		Name:    "physical-names-unique",
		Doc:     "no two resources get the same AWS name where AWS keeps one object per name (families, log groups, secrets, roles, alarms, rules, ...)",
		Sources: []string{logs, role, alarm, family, rule},
		check: func(g *Graph, rep *report) {
			seen := map[string]*mocks.Resource{}
			for _, u := range uniqueNames {
				for _, r := range g.Of(u.types...) {
					name, ok := physical(r, u.field)
					if !ok || name == "" {
						continue
					}
					if u.dns {
						name = strings.TrimSuffix(name, ".")
					}
					key := u.kind + "\x00" + u.scopeOf(g, r) + "\x00" + name
					if u.fold {
						key = strings.ToLower(key)
					}
					if first, dup := seen[key]; dup {
						rep.add(r, u.field, name, u.source, "%s names are unique %s; %s already has this one", u.kind, u.scopeText, first.URN)
						continue
					}
					seen[key] = r
				}
			}
		},
	}
}

// uniqueName is one kind of name AWS keeps unique within a scope.
type uniqueName struct {
	kind      string
	types     []string
	field     string
	scopeText string
	scope     func(g *Graph, r *mocks.Resource) string
	fold      bool
	// dns compares names without a trailing dot.
	dns    bool
	source string
}

func (u uniqueName) scopeOf(g *Graph, r *mocks.Resource) string {
	if u.scope == nil {
		return g.RegionOf(r)
	}
	return u.scope(g, r)
}

func account(*Graph, *mocks.Resource) string { return "account" }

func inputScope(key string) func(*Graph, *mocks.Resource) string {
	return func(g *Graph, r *mocks.Resource) string { return g.RegionOf(r) + "/" + str(at(r.Inputs, key)) }
}

const perRegion = "per account and Region"

var uniqueNames = []uniqueName{
	{kind: "task definition family", types: []string{typeTaskDefinition}, field: "family", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"},
	{kind: "log group", types: []string{typeLogGroup}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"},
	{kind: "secret", types: []string{typeSecret}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"},
	{kind: "target group", types: []string{typeTargetGroup}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"},
	{kind: "load balancer", types: []string{typeLB, typeALB}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"},
	{kind: "IAM role", types: []string{typeIAMRole}, field: "name", scopeText: "per account (case-insensitive)", scope: account, fold: true,
		source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"},
	{kind: "IAM policy", types: []string{typeIAMPolicy}, field: "name", scopeText: "per account (case-insensitive)", scope: account, fold: true,
		source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html"},
	{kind: "OIDC provider", types: []string{typeOIDCProvider}, field: "url", scopeText: "per account", scope: account,
		source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html"},
	{kind: "inline role policy", types: []string{typeIAMRolePolicy}, field: "name", scopeText: "per role", scope: inputScope("role"),
		source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html"},
	{kind: "CodeBuild project", types: []string{typeCodeBuild}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html"},
	{kind: "CloudWatch alarm", types: []string{typeMetricAlarm}, field: "name", scopeText: perRegion + " (a second PutMetricAlarm overwrites the first)",
		source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"},
	{kind: "EventBridge rule", types: []string{typeEventRule}, field: "name", scopeText: "per event bus (a second PutRule overwrites the first)", scope: inputScope("eventBusName"),
		source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html"},
	{kind: "ECS cluster", types: []string{typeECSCluster}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html"},
	{kind: "ECS service", types: []string{typeECSService}, field: "name", scopeText: "per cluster", scope: inputScope("cluster"),
		source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"},
	{kind: "security group", types: []string{typeSecurityGroup}, field: "name", scopeText: "per VPC (case-insensitive)", scope: inputScope("vpcId"), fold: true,
		source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"},
	{kind: "S3 bucket", types: []string{typeBucket, typeBucketLegacy}, field: "bucket", scopeText: "across all of AWS", scope: func(*Graph, *mocks.Resource) string { return "global" },
		source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"},
	{kind: "KMS alias", types: []string{typeKMSAlias}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"},
	{kind: "SNS topic", types: []string{typeSNSTopic}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"},
	{kind: "CloudFront cache policy", types: []string{typeCachePolicy}, field: "name", scopeText: "per account", scope: account,
		source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html"},
	{kind: "CloudFront origin access control", types: []string{typeOAC}, field: "name", scopeText: "per account", scope: account,
		source: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html"},
	{kind: "backup vault", types: []string{typeBackupVault}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html"},
	{kind: "backup plan", types: []string{typeBackupPlan}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupPlan.html"},
	{kind: "Aurora cluster", types: []string{typeRDSCluster}, field: "clusterIdentifier", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"},
	{kind: "DB instance", types: []string{typeRDSInstance}, field: "identifier", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"},
	{kind: "DB cluster parameter group", types: []string{typeRDSParamGroup}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html"},
	{kind: "DB subnet group", types: []string{typeRDSSubnetGroup}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html"},
	{kind: "CloudWatch dashboard", types: []string{typeDashboard}, field: "dashboardName", scopeText: perRegion + " (a second PutDashboard overwrites the first)",
		source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html"},
	{kind: "metric filter", types: []string{typeLogMetricFilter}, field: "name", scopeText: "per log group", scope: inputScope("logGroupName"),
		source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html"},
	{kind: "CloudFormation stack", types: []string{typeCFNStack}, field: "name", scopeText: perRegion,
		source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html"},
	{kind: "DNS record", types: []string{"aws:route53/record:Record"}, field: "name", scopeText: "per hosted zone and type (without a routing policy)", scope: recordScope, fold: true, dns: true,
		source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html"},
}

func recordScope(_ *Graph, r *mocks.Resource) string {
	if str(r.Inputs["setIdentifier"]) != "" {
		return r.URN // weighted, latency, ... records share a name by design
	}
	return str(r.Inputs["zoneId"]) + "/" + str(r.Inputs["type"])
}
