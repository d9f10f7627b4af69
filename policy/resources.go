package policy

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Type tokens the rules read (pulumi-aws v6 schema; where v6 and v7 name a
// resource differently both are listed so the pack survives the upgrade).
const (
	typeEFSFileSystem       = "aws:efs/fileSystem:FileSystem"
	typeEFSFileSystemPolicy = "aws:efs/fileSystemPolicy:FileSystemPolicy"
	typeEFSMountTarget      = "aws:efs/mountTarget:MountTarget"

	typeRDSCluster               = "aws:rds/cluster:Cluster"
	typeRDSClusterInstance       = "aws:rds/clusterInstance:ClusterInstance"
	typeRDSInstance              = "aws:rds/instance:Instance"
	typeRDSClusterParameterGroup = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
	typeRDSParameterGroup        = "aws:rds/parameterGroup:ParameterGroup"

	typeS3Bucket   = "aws:s3/bucket:Bucket"
	typeS3BucketV2 = "aws:s3/bucketV2:BucketV2"

	typeS3BucketPolicy       = "aws:s3/bucketPolicy:BucketPolicy"
	typeS3PublicAccessBlock  = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	typeS3EncryptionV2       = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	typeS3Encryption         = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
	typeS3WebsiteV2          = "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2"
	typeS3Website            = "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"
	typeS3AclV2              = "aws:s3/bucketAclV2:BucketAclV2"
	typeS3Acl                = "aws:s3/bucketAcl:BucketAcl"
	typeS3OwnershipControls  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	typeCloudFrontDistrib    = "aws:cloudfront/distribution:Distribution"
	typeSecurityGroup        = "aws:ec2/securityGroup:SecurityGroup"
	typeSecurityGroupRule    = "aws:ec2/securityGroupRule:SecurityGroupRule"
	typeSGIngressRule        = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeLB                   = "aws:lb/loadBalancer:LoadBalancer"
	typeALB                  = "aws:alb/loadBalancer:LoadBalancer"
	typeLBListener           = "aws:lb/listener:Listener"
	typeALBListener          = "aws:alb/listener:Listener"
	typeLBListenerRule       = "aws:lb/listenerRule:ListenerRule"
	typeALBListenerRule      = "aws:alb/listenerRule:ListenerRule"
	typeECSService           = "aws:ecs/service:Service"
	typeECSCluster           = "aws:ecs/cluster:Cluster"
	typeECSTaskDefinition    = "aws:ecs/taskDefinition:TaskDefinition"
	typeEventTarget          = "aws:cloudwatch/eventTarget:EventTarget"
	typeLogGroup             = "aws:cloudwatch/logGroup:LogGroup"
	typeMetricAlarm          = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeAppAutoscalingTarget = "aws:appautoscaling/target:Target"
	typeIAMRole              = "aws:iam/role:Role"
	typeIAMRolePolicy        = "aws:iam/rolePolicy:RolePolicy"
	typeIAMPolicy            = "aws:iam/policy:Policy"
	typeIAMUserPolicy        = "aws:iam/userPolicy:UserPolicy"
	typeIAMGroupPolicy       = "aws:iam/groupPolicy:GroupPolicy"
	typeIAMRoleAttachment    = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeIAMUserAttachment    = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
	typeIAMGroupAttachment   = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
	typeIAMPolicyAttachment  = "aws:iam/policyAttachment:PolicyAttachment"
	typeCodeBuildProject     = "aws:codebuild/project:Project"
	typeBackupVault          = "aws:backup/vault:Vault"
	typeSecret               = "aws:secretsmanager/secret:Secret"
	typeSNSTopic             = "aws:sns/topic:Topic"
	typeKMSKey               = "aws:kms/key:Key"
	typeAwsxVpc              = "awsx:ec2:Vpc"
)

// settings are the pack-wide options every rule sees.
type settings struct {
	prodEnvs map[string]bool
}

func newSettings(o Options) settings {
	envs := o.ProductionEnvironments
	if len(envs) == 0 {
		envs = DefaultProductionEnvironments
	}
	s := settings{prodEnvs: map[string]bool{}}
	for _, e := range envs {
		if e = strings.TrimSpace(e); e != "" {
			s.prodEnvs[e] = true
		}
	}
	return s
}

// TagEnvironment is the tag every wpfleet resource carries with its
// environment's name (components.TagEnvironment; the policy package does not
// import components, to keep the AWS SDK out of the policy pack binary).
const TagEnvironment = "environment"

// environmentOf is a resource's environment: its environment tag when the
// resource is tagged with a known value, otherwise its stack's name (from
// the URN). wpfleet's environment defaults to the stack name.
func environmentOf(r policyx.AnalyzerResource) string {
	if env := str(prop(r.Properties, "tags", TagEnvironment)); env != "" {
		return env
	}
	return stackOfURN(r.URN)
}

// stackEnvironment is the environment of a whole stack: the environment tag
// most of its tagged resources carry, or the stack name when none is tagged.
// Stack rules use it for resources that cannot be tagged.
func stackEnvironment(resources []policyx.AnalyzerResource) string {
	count := map[string]int{}
	stack := ""
	for _, r := range resources {
		if env := str(prop(r.Properties, "tags", TagEnvironment)); env != "" {
			count[env]++
		}
		if stack == "" {
			stack = stackOfURN(r.URN)
		}
	}
	best, n := stack, 0
	for _, env := range sortedKeys(count) {
		if count[env] > n {
			best, n = env, count[env]
		}
	}
	return best
}

// stackOfURN returns the stack name of a URN
// ("urn:pulumi:<stack>::<project>::<type>::<name>").
func stackOfURN(urn string) string {
	rest, ok := strings.CutPrefix(urn, "urn:pulumi:")
	if !ok {
		return ""
	}
	stack, _, _ := strings.Cut(rest, "::")
	return stack
}

func (s settings) isProd(env string) bool { return s.prodEnvs[env] }

// stackView indexes a stack's resources for stack rules.
type stackView struct {
	all    []policyx.AnalyzerResource
	byType map[string][]policyx.AnalyzerResource
	env    string
}

func newStackView(resources []policyx.AnalyzerResource) *stackView {
	v := &stackView{all: resources, byType: map[string][]policyx.AnalyzerResource{}, env: stackEnvironment(resources)}
	for _, r := range resources {
		v.byType[r.Type] = append(v.byType[r.Type], r)
	}
	return v
}

// of returns the resources of the given types, in stack order per type.
func (v *stackView) of(types ...string) []policyx.AnalyzerResource {
	var out []policyx.AnalyzerResource
	for _, t := range types {
		out = append(out, v.byType[t]...)
	}
	return out
}

// envOf is a resource's environment, falling back to the stack's for
// untagged resources.
func (v *stackView) envOf(r policyx.AnalyzerResource) string {
	if env := str(prop(r.Properties, "tags", TagEnvironment)); env != "" {
		return env
	}
	return v.env
}

// identifiers are the property values by which other resources refer to a
// resource: its ID and ARN (outputs, present once the resource exists: the
// engine hands stack policies each resource's outputs) and the names AWS
// APIs use for it.
var identifierKeys = []string{"id", "arn", "name", "bucket", "clusterIdentifier", "identifier"}

// refersTo reports whether src's property key points at target: either the
// engine recorded target as a dependency of that property (the property is
// an output of target; this works during preview, when IDs are unknown), or
// the property's known value (a string or a list of strings) equals one of
// target's known identifiers.
func refersTo(src policyx.AnalyzerResource, key string, target policyx.AnalyzerResource) bool {
	for _, u := range src.PropertyDependencies[key] {
		if u == target.URN {
			return true
		}
	}
	values := strs(prop(src.Properties, key))
	if len(values) == 0 {
		return false
	}
	for _, k := range identifierKeys {
		id := str(prop(target.Properties, k))
		if id == "" {
			continue
		}
		for _, v := range values {
			if v == id {
				return true
			}
		}
	}
	return false
}

// referrers returns the resources of the given types whose property key
// points at target.
func (v *stackView) referrers(target policyx.AnalyzerResource, key string, types ...string) []policyx.AnalyzerResource {
	var out []policyx.AnalyzerResource
	for _, r := range v.of(types...) {
		if refersTo(r, key, target) {
			out = append(out, r)
		}
	}
	return out
}

// targets returns the resources of the given types that src's property key
// points at.
func (v *stackView) targets(src policyx.AnalyzerResource, key string, types ...string) []policyx.AnalyzerResource {
	var out []policyx.AnalyzerResource
	for _, t := range v.of(types...) {
		if refersTo(src, key, t) {
			out = append(out, t)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// label names a resource in violation messages: "type name".
func label(r policyx.AnalyzerResource) string {
	return r.Type + " " + r.Name
}
