package cost

import (
	"sort"

	"github.com/wpfleet/wpfleet/mocks"
)

// Treatment says how the estimate handles a resource type: priced (by the
// rule named in How) or free (with the reason).
type Treatment struct {
	Priced bool
	How    string
}

// Types is the table of every resource type the estimate knows. A type not
// in it (and not a component) is reported as unpriced, and the test over the
// shipped graphs fails: add the new type here, priced or free, with why.
var Types = map[string]Treatment{
	// compute
	"aws:ecs/service:Service":                                   {true, "Fargate task-hours from desiredCount, autoscaling min and capacity provider strategy"},
	"aws:ecs/taskDefinition:TaskDefinition":                     {true, "vCPU, memory, architecture, ephemeral storage, images and secrets of the tasks that run it"},
	"aws:cloudwatch/eventTarget:EventTarget":                    {true, "an ECS target runs taskCount tasks per schedule firing; other targets are free"},
	"aws:cloudwatch/eventRule:EventRule":                        {true, "its schedule expression gives the runs of its ECS targets; the rule itself is free"},
	"aws:ecs/cluster:Cluster":                                   {true, "free itself; Container Insights (enabled/enhanced) priced per observation"},
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {false, "free; its default strategy splits tasks between FARGATE and FARGATE_SPOT"},
	"aws:appautoscaling/target:Target":                          {false, "free; its minCapacity/maxCapacity bound the task count"},
	"aws:appautoscaling/policy:Policy":                          {false, "free"},
	"aws:appautoscaling/scheduledAction:ScheduledAction":        {false, "free"},
	"aws:scheduler/schedule:Schedule":                           {true, "an ECS target runs taskCount tasks per firing (the first 14 M Scheduler invocations a month are free)"},
	"aws:scheduler/scheduleGroup:ScheduleGroup":                 {false, "free"},
	// file storage
	"aws:efs/fileSystem:FileSystem":             {true, "storage (usage) and throughput by mode: elastic per GB read/written, provisioned per MiB/s"},
	"aws:efs/accessPoint:AccessPoint":           {false, "free"},
	"aws:efs/mountTarget:MountTarget":           {false, "free"},
	"aws:efs/backupPolicy:BackupPolicy":         {false, "free (AWS Backup storage is priced from backup selections)"},
	"aws:efs/fileSystemPolicy:FileSystemPolicy": {false, "free"},
	// database
	"aws:rds/cluster:Cluster":                             {true, "storage and I/O (usage); a managed master password is a secret"},
	"aws:rds/clusterInstance:ClusterInstance":             {true, "instance-hours by class, or ACU-hours for db.serverless"},
	"aws:rds/clusterParameterGroup:ClusterParameterGroup": {false, "free"},
	"aws:rds/subnetGroup:SubnetGroup":                     {false, "free"},
	// network
	"awsx:ec2:Vpc":                                                              {true, "NAT gateways by strategy and AZ count: hours, GB processed, their public IPv4 addresses"},
	"aws:ec2/natGateway:NatGateway":                                             {true, "hours and GB processed"},
	"aws:ec2/eip:Eip":                                                           {true, "public IPv4 address-hours"},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                                           {true, "interface endpoints per AZ-hour and GB; gateway endpoints free (S3 gateway takes image layers off NAT)"},
	"aws:lb/loadBalancer:LoadBalancer":                                          {true, "hours, LCUs from traffic, one public IPv4 per subnet when internet-facing, access logs in S3"},
	"aws:lb/listener:Listener":                                                  {false, "free"},
	"aws:lb/listenerRule:ListenerRule":                                          {true, "free itself; rules beyond 10 evaluated per request add LCUs"},
	"aws:lb/listenerCertificate:ListenerCertificate":                            {false, "free"},
	"aws:lb/targetGroup:TargetGroup":                                            {false, "free"},
	"aws:ec2/securityGroup:SecurityGroup":                                       {false, "free"},
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":                   {false, "free"},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":                 {false, "free"},
	"aws:ec2/securityGroupRule:SecurityGroupRule":                               {false, "free"},
	"aws:ec2/vpc:Vpc":                                                           {false, "free (NAT gateways, endpoints and addresses are their own resources)"},
	"aws:ec2/subnet:Subnet":                                                     {false, "free"},
	"aws:ec2/routeTable:RouteTable":                                             {false, "free"},
	"aws:ec2/routeTableAssociation:RouteTableAssociation":                       {false, "free"},
	"aws:ec2/route:Route":                                                       {false, "free"},
	"aws:ec2/internetGateway:InternetGateway":                                   {false, "free"},
	"aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": {false, "free"},
	// edge
	"aws:cloudfront/distribution:Distribution":                   {true, "GB to viewers and HTTPS requests at the usage profile's edge region"},
	"aws:cloudfront/cachePolicy:CachePolicy":                     {false, "free"},
	"aws:cloudfront/function:Function":                           {true, "per invocation, on the distributions that run it"},
	"aws:cloudfront/originAccessControl:OriginAccessControl":     {false, "free"},
	"aws:cloudfront/originRequestPolicy:OriginRequestPolicy":     {false, "free"},
	"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {false, "free"},
	"aws:wafv2/webAcl:WebAcl":                                    {true, "web ACL-month, rule-months, requests inspected"},
	"aws:wafv2/webAclAssociation:WebAclAssociation":              {false, "free"},
	"aws:cloudformation/stack:Stack":                             {true, "free itself; an AWS::WAFv2::WebACL in its template is priced as a web ACL, other charged resources are reported"},
	"aws:acm/certificate:Certificate":                            {false, "public ACM certificates are free"},
	"aws:acm/certificateValidation:CertificateValidation":        {false, "free"},
	"aws:route53/record:Record":                                  {true, "free itself; the zones it names are priced per month, alias queries free"},
	"aws:route53/zone:Zone":                                      {true, "hosted zone-month"},
	// object storage
	"aws:s3/bucketV2:BucketV2": {true, "storage (usage uploadsGB, access logs) and requests"},
	"aws:s3/bucket:Bucket":     {true, "storage (usage uploadsGB, access logs) and requests"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       {false, "free; an expiration rule bounds kept access logs"},
	"aws:s3/bucketObjectv2:BucketObjectv2":                                                       {false, "a few KB: negligible"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {false, "free"},
	"aws:s3/bucketPolicy:BucketPolicy":                                                           {false, "free"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {false, "free"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {false, "free (SSE-S3)"},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               {false, "free; noncurrent versions are in usage uploadsGB"},
	// operations
	"aws:secretsmanager/secret:Secret":                    {true, "secret-month; GetSecretValue calls at task start"},
	"aws:secretsmanager/secretVersion:SecretVersion":      {false, "free"},
	"aws:kms/key:Key":                                     {true, "key-month"},
	"aws:kms/alias:Alias":                                 {false, "free"},
	"aws:cloudwatch/metricAlarm:MetricAlarm":              {true, "per alarm metric (metric-math alarms per metric)"},
	"aws:cloudwatch/dashboard:Dashboard":                  {true, "dashboard-month"},
	"aws:cloudwatch/logGroup:LogGroup":                    {true, "ingestion (usage) and storage by retention"},
	"aws:cloudwatch/logMetricFilter:LogMetricFilter":      {true, "one custom metric each"},
	"aws:backup/plan:Plan":                                {true, "its schedule and retention size the backup storage"},
	"aws:backup/selection:Selection":                      {true, "the EFS and Aurora ARNs it selects are backed up (storage by usage sizes)"},
	"aws:backup/vault:Vault":                              {false, "free; storage priced from selections"},
	"aws:codebuild/project:Project":                       {true, "build-minutes by compute type (usage releases x minutes)"},
	"aws:sns/topic:Topic":                                 {false, "alarm notifications: the first 1,000 emails a month are free"},
	"aws:sns/topicPolicy:TopicPolicy":                     {false, "free"},
	"aws:sns/topicSubscription:TopicSubscription":         {false, "free"},
	"aws:iam/role:Role":                                   {false, "free"},
	"aws:iam/rolePolicy:RolePolicy":                       {false, "free"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":   {false, "free"},
	"aws:iam/policy:Policy":                               {false, "free"},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {false, "free"},
	"random:index/randomPassword:RandomPassword":          {false, "not an AWS resource"},
	"random:index/randomString:RandomString":              {false, "not an AWS resource"},
	"pulumi:providers:aws":                                {false, "not an AWS resource"},
	"pulumi:providers:random":                             {false, "not an AWS resource"},
	"pulumi:pulumi:Stack":                                 {false, "not an AWS resource"},
}

// Unpriced lists the types of res that are neither in Types nor component
// resources (components own no AWS resource of their own), with counts.
func Unpriced(res *mocks.Result) map[string]int {
	out := map[string]int{}
	for _, r := range res.Resources {
		if _, ok := Types[r.Type]; ok || !r.Custom {
			continue
		}
		out[r.Type]++
	}
	return out
}

// SortedKeys returns m's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
