package components

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Code delivery modes (see docs/runtime.md).
const (
	// CodeLocal copies the live release from EFS to the task's own disk and
	// serves it from there (the sync agent keeps it current).
	CodeLocal = "local"
	// CodeEFS serves the live release straight from EFS, as the seed did.
	CodeEFS = "efs"
)

// Container names, ports and paths shared with the images (image/README.md).
const (
	ContainerNginx = "nginx"
	ContainerPHP   = "php"
	ContainerSync  = "sync"
	// WebPort is nginx's port inside the task and the target group's port.
	WebPort = 8080
	// EFSMountPath is where the site's access point is mounted, read-only.
	EFSMountPath = "/mnt/efs"
	// LocalCodePath is the task-local copy of the live release (local mode).
	LocalCodePath = "/var/www/wpfleet"
	// SyncAgentPath is the sync agent inside the php image.
	SyncAgentPath = "/usr/local/bin/wpfleet-sync"
)

// hostsPerRule leaves room in an ALB rule (5 condition values at most) for
// one more condition, such as the CDN's origin header.
const hostsPerRule = 4

// SaltKeys are WordPress's eight authentication keys and salts.
var SaltKeys = []string{"AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
	"AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"}

// saltLength is each salt's length (what api.wordpress.org/secret-key generates).
const saltLength = 64

// validLogRetention lists CloudWatch Logs' accepted retention periods (days).
var validLogRetention = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// CheckLogRetention accepts a CloudWatch Logs retention period.
func CheckLogRetention(days int) error {
	for _, d := range validLogRetention {
		if d == days {
			return nil
		}
	}
	return fmt.Errorf("one of CloudWatch Logs' retention periods: %s days", joinInts(validLogRetention))
}

// WordPressSiteArgs configures WordPressSite.
type WordPressSiteArgs struct {
	// Site is the site's name. Required.
	Site string
	// Environment is the environment's name. Required.
	Environment string
	// Tags for every resource. Required: at least the environment and site tags.
	Tags map[string]string
	// Hostnames the site answers to; the first is its home URL. Required.
	Hostnames []Hostname
	// Account is where the site lives. Defaults to looking it up.
	Account *Account

	// VpcId, VpcCidr and SubnetIds place the tasks (private subnets). Required.
	VpcId     pulumi.StringInput
	VpcCidr   pulumi.StringInput
	SubnetIds pulumi.StringArrayInput
	// SecurityGroupIds are the tasks' security groups. Required.
	SecurityGroupIds pulumi.StringArrayInput
	// ClusterArn and ClusterName are the ECS cluster. Required.
	ClusterArn  pulumi.StringInput
	ClusterName pulumi.StringInput
	// ListenerArn is the ALB's HTTPS listener; AlbArnSuffix, AlbDnsName and
	// AlbZoneId are the ALB's. Required.
	ListenerArn  pulumi.StringInput
	AlbArnSuffix pulumi.StringInput
	AlbDnsName   pulumi.StringInput
	AlbZoneId    pulumi.StringInput
	// ListenerPriority is the first of the site's listener rule priorities
	// (one rule per 4 hostnames, at consecutive priorities). Required (1-49990).
	ListenerPriority int
	// FileSystemId, FileSystemArn, AccessPointId and AccessPointArn are the
	// shared file system and the site's access point. Required.
	FileSystemId   pulumi.StringInput
	FileSystemArn  pulumi.StringInput
	AccessPointId  pulumi.StringInput
	AccessPointArn pulumi.StringInput
	// DatabaseHost is the Aurora writer endpoint; DatabaseSecretArn the site's
	// database user secret (JSON with username and password). Required.
	DatabaseHost      pulumi.StringInput
	DatabaseSecretArn pulumi.StringInput
	// DatabaseTLS makes WordPress connect to MySQL over TLS. Defaults to false.
	DatabaseTLS bool
	// UploadsBucketName is the site's uploads bucket and UploadsPolicy the IAM
	// policy granting access to it alone. Required.
	UploadsBucketName pulumi.StringInput
	UploadsPolicy     pulumi.StringInput

	// NginxImage and PhpImage are the container images. Required.
	NginxImage string
	PhpImage   string
	// CPUArchitecture is "X86_64" or "ARM64". Defaults to "X86_64".
	CPUArchitecture string
	// PlatformVersion is "LATEST" or 1.4.0+. Defaults to "LATEST".
	PlatformVersion string
	// CPU (units) and Memory (MiB) size each task; the pair must be a valid
	// Fargate size. Default to 1024 and 2048.
	CPU, Memory int
	// CodeDelivery is "local" or "efs". Defaults to "local".
	CodeDelivery string
	// EphemeralStorageGiB is the task's disk (21-200) in local mode, which
	// holds two releases during a switch. Defaults to 30; efs mode keeps
	// Fargate's 20 GiB unless set.
	EphemeralStorageGiB int

	// MinTasks and MaxTasks bound autoscaling. Default to 2 and 10.
	MinTasks, MaxTasks int
	// Capacity splits tasks between FARGATE and FARGATE_SPOT. Defaults to
	// every task on demand ({OnDemandBase: 0, OnDemandWeight: 1}).
	Capacity CapacityStrategy
	// RequestTimeoutSeconds is the longest a PHP request may run (5-100). The
	// ALB deregistration delay is this plus 5 s and the containers' stop
	// timeout this plus 15 s, so a stopping task finishes what it serves.
	// Defaults to 30.
	RequestTimeoutSeconds int
	// HealthCheckPath is answered by nginx and php-fpm without touching EFS or
	// the database. Defaults to "/healthz".
	HealthCheckPath string
	// ScaleCPUPercent is the target average CPU (10-90). Defaults to 60.
	ScaleCPUPercent int
	// ScaleRequestsPerTarget is the target ALB requests per task per minute.
	// Defaults to 1000.
	ScaleRequestsPerTarget int
	// LogRetentionDays keeps the site's logs. Defaults to 30.
	LogRetentionDays int
	// WordPressEnvironment is WP_ENVIRONMENT_TYPE ("production", "staging",
	// "development"). Defaults to "production".
	WordPressEnvironment string
	// OriginHeaderValue, when set, makes the site's listener rules forward
	// only requests carrying X-Origin-Verify with this value: the secret
	// CloudFront adds. Defaults to nil (any request with a matching host).
	OriginHeaderValue pulumi.StringInput
	// AliasTarget is where the site's DNS names point. Defaults to the ALB
	// (AlbDnsName, AlbZoneId); the CDN's distribution when it fronts the site.
	AliasTarget *AliasTarget
	// TrustedProxyCIDRs are trusted in X-Forwarded-For besides the VPC (where
	// the ALB is): CloudFront's origin-facing ranges for a site behind it, so
	// nginx logs and WordPress see the viewer's address. Defaults to none.
	TrustedProxyCIDRs []string
}

// AliasTarget is a Route 53 alias target.
type AliasTarget struct {
	DnsName pulumi.StringInput
	ZoneId  pulumi.StringInput
	// EvaluateTargetHealth is true for the ALB, false for CloudFront.
	EvaluateTargetHealth bool
}

func (a WordPressSiteArgs) withDefaults() WordPressSiteArgs {
	if a.CPUArchitecture == "" {
		a.CPUArchitecture = "X86_64"
	}
	if a.PlatformVersion == "" {
		a.PlatformVersion = "LATEST"
	}
	if a.CPU == 0 && a.Memory == 0 {
		a.CPU, a.Memory = 1024, 2048
	}
	if a.CodeDelivery == "" {
		a.CodeDelivery = CodeLocal
	}
	if a.EphemeralStorageGiB == 0 && a.CodeDelivery == CodeLocal {
		a.EphemeralStorageGiB = 30
	}
	if a.MinTasks == 0 && a.MaxTasks == 0 {
		a.MinTasks, a.MaxTasks = 2, 10
	}
	if a.Capacity == (CapacityStrategy{}) {
		a.Capacity = CapacityStrategy{OnDemandWeight: 1}
	}
	if a.RequestTimeoutSeconds == 0 {
		a.RequestTimeoutSeconds = 30
	}
	if a.HealthCheckPath == "" {
		a.HealthCheckPath = "/healthz"
	}
	if a.ScaleCPUPercent == 0 {
		a.ScaleCPUPercent = 60
	}
	if a.ScaleRequestsPerTarget == 0 {
		a.ScaleRequestsPerTarget = 1000
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	if a.WordPressEnvironment == "" {
		a.WordPressEnvironment = "production"
	}
	return a
}

// CheckTaskCounts accepts 0 <= min <= max <= 1000 with max at least 1.
func CheckTaskCounts(min, max int) error {
	if min < 0 || max < 1 || max > 1000 || min > max {
		return fmt.Errorf("0 <= minimum <= maximum, with maximum 1-1000 tasks")
	}
	return nil
}

// Validate checks the arguments (after defaults) without registering anything.
func (a WordPressSiteArgs) Validate() error {
	a = a.withDefaults()
	var c check
	k := func(f string) string { return "WordPressSiteArgs." + f }
	c.keyed(k("Site"), a.Site, CheckSiteName(a.Site))
	c.keyed(k("Environment"), a.Environment, CheckEnvironmentName(a.Environment))
	if len(a.Hostnames) == 0 {
		c.add(invalid(k("Hostnames"), nil, "at least one hostname"))
	}
	for _, h := range a.Hostnames {
		c.keyed(k("Hostnames"), h.Name, CheckHostname(h.Name))
		if h.ZoneId == "" {
			c.add(invalid(k("Hostnames["+h.Name+"].ZoneId"), "", "the Route 53 zone ID that holds the name"))
		}
	}
	c.required("WordPressSiteArgs.", map[string]any{
		"VpcId": a.VpcId, "VpcCidr": a.VpcCidr, "SubnetIds": a.SubnetIds, "SecurityGroupIds": a.SecurityGroupIds,
		"ClusterArn": a.ClusterArn, "ClusterName": a.ClusterName, "ListenerArn": a.ListenerArn,
		"AlbArnSuffix": a.AlbArnSuffix, "AlbDnsName": a.AlbDnsName, "AlbZoneId": a.AlbZoneId,
		"FileSystemId": a.FileSystemId, "FileSystemArn": a.FileSystemArn, "AccessPointId": a.AccessPointId,
		"AccessPointArn": a.AccessPointArn, "DatabaseHost": a.DatabaseHost, "DatabaseSecretArn": a.DatabaseSecretArn,
		"UploadsBucketName": a.UploadsBucketName, "UploadsPolicy": a.UploadsPolicy,
	})
	if a.NginxImage == "" || a.PhpImage == "" {
		c.add(invalid(k("NginxImage"), a.NginxImage+" / "+a.PhpImage, "both container image URIs are required"))
	}
	c.keyed(k("CPUArchitecture"), a.CPUArchitecture, CheckCPUArchitecture(a.CPUArchitecture))
	c.keyed(k("PlatformVersion"), a.PlatformVersion, CheckPlatformVersion(a.PlatformVersion))
	c.keyed(k("Memory"), a.Memory, CheckFargateSize(a.CPU, a.Memory))
	switch a.CodeDelivery {
	case CodeLocal, CodeEFS:
	default:
		c.add(invalid(k("CodeDelivery"), a.CodeDelivery, `"local" or "efs"`))
	}
	if a.EphemeralStorageGiB != 0 && (a.EphemeralStorageGiB < 21 || a.EphemeralStorageGiB > 200) {
		c.add(invalid(k("EphemeralStorageGiB"), a.EphemeralStorageGiB, "21 to 200 GiB (Fargate includes 20)"))
	}
	c.keyed(k("MinTasks"), fmt.Sprintf("%d-%d", a.MinTasks, a.MaxTasks), CheckTaskCounts(a.MinTasks, a.MaxTasks))
	c.keyed(k("Capacity"), a.Capacity, a.Capacity.Check())
	if a.RequestTimeoutSeconds < 5 || a.RequestTimeoutSeconds > 100 {
		c.add(invalid(k("RequestTimeoutSeconds"), a.RequestTimeoutSeconds, "5 to 100 seconds (the stop timeout, this plus 15 s, must fit Fargate's 120 s)"))
	}
	if len(a.HealthCheckPath) < 2 || a.HealthCheckPath[0] != '/' || len(a.HealthCheckPath) > 1024 {
		c.add(invalid(k("HealthCheckPath"), a.HealthCheckPath, "an absolute URL path such as /healthz"))
	}
	if a.ScaleCPUPercent < 10 || a.ScaleCPUPercent > 90 {
		c.add(invalid(k("ScaleCPUPercent"), a.ScaleCPUPercent, "10 to 90 percent"))
	}
	if a.ScaleRequestsPerTarget < 1 {
		c.add(invalid(k("ScaleRequestsPerTarget"), a.ScaleRequestsPerTarget, "at least 1 request per task per minute"))
	}
	c.keyed(k("LogRetentionDays"), a.LogRetentionDays, CheckLogRetention(a.LogRetentionDays))
	rules := (len(a.Hostnames) + hostsPerRule - 1) / hostsPerRule
	if a.ListenerPriority < 1 || a.ListenerPriority+rules-1 > 50000 {
		c.add(invalid(k("ListenerPriority"), a.ListenerPriority, "1 to 50000, leaving room for one rule per %d hostnames", hostsPerRule))
	}
	for _, cidr := range a.TrustedProxyCIDRs {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			c.add(invalid(k("TrustedProxyCIDRs"), cidr, "IP networks in CIDR notation"))
		}
	}
	switch a.WordPressEnvironment {
	case "production", "staging", "development":
	default:
		c.add(invalid(k("WordPressEnvironment"), a.WordPressEnvironment, `"production", "staging" or "development"`))
	}
	return c.err()
}

// DeregistrationDelaySeconds is how long the ALB drains a stopping task.
func (a WordPressSiteArgs) DeregistrationDelaySeconds() int {
	return a.withDefaults().RequestTimeoutSeconds + 5
}

// StopTimeoutSeconds is how long ECS waits after SIGTERM before SIGKILL.
func (a WordPressSiteArgs) StopTimeoutSeconds() int {
	return min(120, a.withDefaults().RequestTimeoutSeconds+15)
}

// WordPressSite is one site: its Fargate service behind the shared ALB, its
// task and cron task definitions, roles, logs, DNS records and autoscaling.
type WordPressSite struct {
	pulumi.ResourceState

	LogGroup           *cloudwatch.LogGroup
	SaltsSecret        *secretsmanager.Secret
	ExecutionRole      *iam.Role
	TaskRole           *iam.Role
	TaskDefinition     *ecs.TaskDefinition
	CronTaskDefinition *ecs.TaskDefinition
	TargetGroup        *lb.TargetGroup
	ListenerRules      []*lb.ListenerRule
	Service            *ecs.Service
	Records            []*route53.Record

	// URL is the site's home URL.
	URL pulumi.StringOutput
	// ServiceName and TargetGroupArnSuffix identify the service in metrics.
	ServiceName          pulumi.StringOutput
	TargetGroupArnSuffix pulumi.StringOutput
	// CronContainer is the container of CronTaskDefinition to override.
	CronContainer string
}

// NewWordPressSite creates one site.
func NewWordPressSite(ctx *pulumi.Context, name string, args *WordPressSiteArgs, opts ...pulumi.ResourceOption) (*WordPressSite, error) {
	if args == nil {
		args = &WordPressSiteArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	s := &WordPressSite{CronContainer: ContainerPHP}
	if err := ctx.RegisterComponentResource(typePrefix+"WordPressSite", name, s, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(s)
	tags := tagInput(a.Tags)
	home := "https://" + a.Hostnames[0].Name
	s.URL = pulumi.String(home).ToStringOutput()

	// Logs.
	logGroupName := fmt.Sprintf("/wpfleet/%s/%s", a.Environment, a.Site)
	s.LogGroup, err = cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(logGroupName),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
		Tags:            tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	// WordPress salts: generated once, kept in Secrets Manager, handed to the
	// php container as ECS secrets.
	salts, err := random.NewRandomPassword(ctx, name+"-salts", &random.RandomPasswordArgs{
		Length:          pulumi.Int(saltLength * len(SaltKeys)),
		Special:         pulumi.Bool(true),
		OverrideSpecial: pulumi.String("!#%()*+,-.:;<=>?@[]^_{|}~"),
	}, parent)
	if err != nil {
		return nil, err
	}
	s.SaltsSecret, err = secretsmanager.NewSecret(ctx, name+"-salts", &secretsmanager.SecretArgs{
		Name:                 pulumi.String(SaltsSecretName(a.Environment, a.Site)),
		Description:          pulumi.String("WordPress keys and salts of site " + a.Site + " (" + a.Environment + ")"),
		RecoveryWindowInDays: pulumi.Int(7),
		Tags:                 tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	saltsJSON := salts.Result.ApplyT(func(r string) (string, error) {
		m := map[string]string{}
		for i, k := range SaltKeys {
			m[k] = r[i*saltLength : (i+1)*saltLength]
		}
		b, err := json.Marshal(m)
		return string(b), err
	}).(pulumi.StringOutput)
	if _, err = secretsmanager.NewSecretVersion(ctx, name+"-salts", &secretsmanager.SecretVersionArgs{
		SecretId:     s.SaltsSecret.ID(),
		SecretString: pulumi.ToSecret(saltsJSON).(pulumi.StringOutput),
	}, parent); err != nil {
		return nil, err
	}

	// Roles: the execution role starts containers (images, logs, the site's
	// two secrets); the task role is what WordPress itself may do.
	trust := servicePrincipalPolicy("ecs-tasks.amazonaws.com", acct.ID)
	s.ExecutionRole, err = iam.NewRole(ctx, name+"-exec", &iam.RoleArgs{
		Description:      pulumi.String("Starts " + a.Site + " tasks: pulls images, writes logs, reads the site's secrets"),
		AssumeRolePolicy: pulumi.String(trust),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	logGroupArn := acct.ARN("logs", acct.Region, "log-group:"+logGroupName)
	execPolicy := policyOutput(func(v []string) PolicyDocument {
		return Policy(
			PolicyStatement{Sid: "PullImages", Effect: "Allow",
				Action:   []string{"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"},
				Resource: []string{"*"}},
			PolicyStatement{Sid: "WriteSiteLogs", Effect: "Allow",
				Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
				Resource: []string{logGroupArn + ":*"}},
			PolicyStatement{Sid: "ReadSiteSecrets", Effect: "Allow",
				Action:   []string{"secretsmanager:GetSecretValue"},
				Resource: []string{v[0], v[1]}},
		)
	}, a.DatabaseSecretArn, s.SaltsSecret.Arn)
	if _, err = iam.NewRolePolicy(ctx, name+"-exec", &iam.RolePolicyArgs{Role: s.ExecutionRole.ID(), Policy: execPolicy}, parent); err != nil {
		return nil, err
	}
	s.TaskRole, err = iam.NewRole(ctx, name+"-task", &iam.RoleArgs{
		Description:      pulumi.String("What WordPress site " + a.Site + " may do: its uploads bucket, read its code on EFS, ECS Exec"),
		AssumeRolePolicy: pulumi.String(trust),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err = iam.NewRolePolicy(ctx, name+"-uploads", &iam.RolePolicyArgs{Role: s.TaskRole.ID(), Policy: a.UploadsPolicy}, parent); err != nil {
		return nil, err
	}
	taskPolicy := policyOutput(func(v []string) PolicyDocument {
		return Policy(
			PolicyStatement{Sid: "MountSiteCodeReadOnly", Effect: "Allow",
				Action:    []string{"elasticfilesystem:ClientMount"},
				Resource:  []string{v[0]},
				Condition: map[string]map[string]any{"StringEquals": {"elasticfilesystem:AccessPointArn": v[1]}}},
			// ssmmessages has no resource-level permissions: "*" is the only form.
			PolicyStatement{Sid: "EcsExecChannels", Effect: "Allow",
				Action:   []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"},
				Resource: []string{"*"}},
			PolicyStatement{Sid: "EcsExecSessionLogs", Effect: "Allow",
				Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
				Resource: []string{logGroupArn + ":*"}},
			PolicyStatement{Sid: "EcsExecFindLogGroup", Effect: "Allow",
				Action:   []string{"logs:DescribeLogGroups"},
				Resource: []string{"*"}},
		)
	}, a.FileSystemArn, a.AccessPointArn)
	if _, err = iam.NewRolePolicy(ctx, name+"-task", &iam.RolePolicyArgs{Role: s.TaskRole.ID(), Policy: taskPolicy}, parent); err != nil {
		return nil, err
	}

	// Task definitions.
	stopTimeout := a.StopTimeoutSeconds()
	containers := pulumi.All(a.DatabaseHost, a.DatabaseSecretArn, s.SaltsSecret.Arn, a.UploadsBucketName, a.VpcCidr).ApplyT(
		func(v []any) (string, error) {
			in := siteContainerInputs{dbHost: v[0].(string), dbSecret: v[1].(string), saltsSecret: v[2].(string), bucket: v[3].(string), vpcCidr: v[4].(string)}
			return containersJSON(a.serviceContainers(acct, home, logGroupName, stopTimeout, in))
		}).(pulumi.StringOutput)
	cronContainers := pulumi.All(a.DatabaseHost, a.DatabaseSecretArn, s.SaltsSecret.Arn, a.UploadsBucketName, a.VpcCidr).ApplyT(
		func(v []any) (string, error) {
			in := siteContainerInputs{dbHost: v[0].(string), dbSecret: v[1].(string), saltsSecret: v[2].(string), bucket: v[3].(string), vpcCidr: v[4].(string)}
			return containersJSON(a.cronContainers(acct, home, logGroupName, in))
		}).(pulumi.StringOutput)
	efsVolume := ecs.TaskDefinitionVolumeArgs{
		Name: pulumi.String("efs"),
		EfsVolumeConfiguration: ecs.TaskDefinitionVolumeEfsVolumeConfigurationArgs{
			FileSystemId:      a.FileSystemId,
			TransitEncryption: pulumi.String("ENABLED"),
			AuthorizationConfig: ecs.TaskDefinitionVolumeEfsVolumeConfigurationAuthorizationConfigArgs{
				AccessPointId: a.AccessPointId,
				Iam:           pulumi.String("ENABLED"),
			},
		},
	}
	volumes := ecs.TaskDefinitionVolumeArray{efsVolume}
	if a.CodeDelivery == CodeLocal {
		volumes = append(volumes, ecs.TaskDefinitionVolumeArgs{Name: pulumi.String("code")})
	}
	tdArgs := &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(a.Environment + "-" + a.Site),
		Cpu:                     pulumi.String(strconv.Itoa(a.CPU)),
		Memory:                  pulumi.String(strconv.Itoa(a.Memory)),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		RuntimePlatform: ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"),
			CpuArchitecture:       pulumi.String(a.CPUArchitecture),
		},
		ExecutionRoleArn:     s.ExecutionRole.Arn,
		TaskRoleArn:          s.TaskRole.Arn,
		ContainerDefinitions: containers,
		Volumes:              volumes,
		Tags:                 tags,
	}
	if a.EphemeralStorageGiB > 0 {
		tdArgs.EphemeralStorage = ecs.TaskDefinitionEphemeralStorageArgs{SizeInGib: pulumi.Int(a.EphemeralStorageGiB)}
	}
	s.TaskDefinition, err = ecs.NewTaskDefinition(ctx, name, tdArgs, parent)
	if err != nil {
		return nil, err
	}
	s.CronTaskDefinition, err = ecs.NewTaskDefinition(ctx, name+"-cron", &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(a.Environment + "-" + a.Site + "-cron"),
		Cpu:                     pulumi.String("512"),
		Memory:                  pulumi.String("1024"),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		RuntimePlatform: ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"),
			CpuArchitecture:       pulumi.String(a.CPUArchitecture),
		},
		ExecutionRoleArn:     s.ExecutionRole.Arn,
		TaskRoleArn:          s.TaskRole.Arn,
		ContainerDefinitions: cronContainers,
		Volumes:              ecs.TaskDefinitionVolumeArray{efsVolume},
		Tags:                 tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	// Load balancing.
	s.TargetGroup, err = lb.NewTargetGroup(ctx, a.Environment+"-"+a.Site, &lb.TargetGroupArgs{
		Port:                       pulumi.Int(WebPort),
		Protocol:                   pulumi.String("HTTP"),
		TargetType:                 pulumi.String("ip"),
		VpcId:                      a.VpcId,
		DeregistrationDelay:        pulumi.Int(a.DeregistrationDelaySeconds()),
		LoadBalancingAlgorithmType: pulumi.String("least_outstanding_requests"),
		HealthCheck: lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Path:               pulumi.String(a.HealthCheckPath),
			Matcher:            pulumi.String("200"),
			Interval:           pulumi.Int(15),
			Timeout:            pulumi.Int(5),
			HealthyThreshold:   pulumi.Int(2),
			UnhealthyThreshold: pulumi.Int(3),
		},
		// Sessions live in the database: any task can serve any request.
		Stickiness: lb.TargetGroupStickinessArgs{Type: pulumi.String("lb_cookie"), Enabled: pulumi.Bool(false)},
		Tags:       tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	s.TargetGroupArnSuffix = s.TargetGroup.ArnSuffix
	for i := 0; i*hostsPerRule < len(a.Hostnames); i++ {
		end := min(len(a.Hostnames), (i+1)*hostsPerRule)
		var values pulumi.StringArray
		for _, h := range a.Hostnames[i*hostsPerRule : end] {
			values = append(values, pulumi.String(h.Name))
		}
		conditions := lb.ListenerRuleConditionArray{
			lb.ListenerRuleConditionArgs{HostHeader: lb.ListenerRuleConditionHostHeaderArgs{Values: values}},
		}
		if a.OriginHeaderValue != nil {
			conditions = append(conditions, lb.ListenerRuleConditionArgs{HttpHeader: lb.ListenerRuleConditionHttpHeaderArgs{
				HttpHeaderName: pulumi.String(OriginHeaderName),
				Values:         pulumi.StringArray{a.OriginHeaderValue},
			}})
		}
		rule, err := lb.NewListenerRule(ctx, fmt.Sprintf("%s-%d", name, i+1), &lb.ListenerRuleArgs{
			ListenerArn: a.ListenerArn,
			Priority:    pulumi.Int(a.ListenerPriority + i),
			Conditions:  conditions,
			Actions: lb.ListenerRuleActionArray{
				lb.ListenerRuleActionArgs{Type: pulumi.String("forward"), TargetGroupArn: s.TargetGroup.Arn},
			},
			Tags: tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		s.ListenerRules = append(s.ListenerRules, rule)
	}

	// Service.
	var strategies ecs.ServiceCapacityProviderStrategyArray
	for _, p := range a.Capacity.providers() {
		strategies = append(strategies, ecs.ServiceCapacityProviderStrategyArgs{
			CapacityProvider: pulumi.String(p.provider), Base: pulumi.Int(p.base), Weight: pulumi.Int(p.weight),
		})
	}
	grace := 60
	if a.CodeDelivery == CodeLocal {
		grace = 120 // the first copy of the release happens before nginx starts
	}
	ruleDeps := make([]pulumi.Resource, len(s.ListenerRules))
	for i, r := range s.ListenerRules {
		ruleDeps[i] = r
	}
	s.Service, err = ecs.NewService(ctx, name, &ecs.ServiceArgs{
		Cluster:                         a.ClusterArn,
		TaskDefinition:                  s.TaskDefinition.Arn,
		DesiredCount:                    pulumi.Int(a.MinTasks),
		PlatformVersion:                 pulumi.String(a.PlatformVersion),
		CapacityProviderStrategies:      strategies,
		DeploymentCircuitBreaker:        ecs.ServiceDeploymentCircuitBreakerArgs{Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true)},
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		EnableExecuteCommand:            pulumi.Bool(true),
		EnableEcsManagedTags:            pulumi.Bool(true),
		PropagateTags:                   pulumi.String("SERVICE"),
		HealthCheckGracePeriodSeconds:   pulumi.Int(grace),
		AvailabilityZoneRebalancing:     pulumi.String("ENABLED"),
		NetworkConfiguration: ecs.ServiceNetworkConfigurationArgs{
			Subnets:        a.SubnetIds,
			SecurityGroups: a.SecurityGroupIds,
			AssignPublicIp: pulumi.Bool(false),
		},
		LoadBalancers: ecs.ServiceLoadBalancerArray{
			ecs.ServiceLoadBalancerArgs{
				TargetGroupArn: s.TargetGroup.Arn,
				ContainerName:  pulumi.String(ContainerNginx),
				ContainerPort:  pulumi.Int(WebPort),
			},
		},
		WaitForSteadyState: pulumi.Bool(false),
		Tags:               tags,
	}, parent, pulumi.DependsOn(ruleDeps), pulumi.IgnoreChanges([]string{"desiredCount"}))
	if err != nil {
		return nil, err
	}
	s.ServiceName = s.Service.Name

	// DNS.
	alias := AliasTarget{DnsName: a.AlbDnsName, ZoneId: a.AlbZoneId, EvaluateTargetHealth: true}
	if a.AliasTarget != nil {
		alias = *a.AliasTarget
	}
	for _, h := range a.Hostnames {
		rec, err := route53.NewRecord(ctx, name+"-"+h.Name, &route53.RecordArgs{
			ZoneId: pulumi.String(h.ZoneId),
			Name:   pulumi.String(h.Name),
			Type:   pulumi.String("A"),
			Aliases: route53.RecordAliasArray{
				route53.RecordAliasArgs{Name: alias.DnsName, ZoneId: alias.ZoneId, EvaluateTargetHealth: pulumi.Bool(alias.EvaluateTargetHealth)},
			},
		}, parent)
		if err != nil {
			return nil, err
		}
		s.Records = append(s.Records, rec)
	}

	// Autoscaling on CPU and on requests per task.
	resourceID := pulumi.Sprintf("service/%s/%s", a.ClusterName, s.Service.Name)
	target, err := appautoscaling.NewTarget(ctx, name, &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        resourceID,
		MinCapacity:       pulumi.Int(a.MinTasks),
		MaxCapacity:       pulumi.Int(a.MaxTasks),
		Tags:              tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	policies := []struct {
		suffix, metric string
		target         float64
		label          pulumi.StringPtrInput
	}{
		{"cpu", "ECSServiceAverageCPUUtilization", float64(a.ScaleCPUPercent), nil},
		{"requests", "ALBRequestCountPerTarget", float64(a.ScaleRequestsPerTarget),
			pulumi.Sprintf("%s/%s", a.AlbArnSuffix, s.TargetGroup.ArnSuffix)},
	}
	for _, p := range policies {
		if _, err = appautoscaling.NewPolicy(ctx, name+"-"+p.suffix, &appautoscaling.PolicyArgs{
			PolicyType:        pulumi.String("TargetTrackingScaling"),
			ServiceNamespace:  target.ServiceNamespace,
			ScalableDimension: target.ScalableDimension,
			ResourceId:        target.ResourceId,
			TargetTrackingScalingPolicyConfiguration: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				TargetValue:      pulumi.Float64(p.target),
				ScaleOutCooldown: pulumi.Int(60),
				ScaleInCooldown:  pulumi.Int(300),
				PredefinedMetricSpecification: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
					PredefinedMetricType: pulumi.String(p.metric),
					ResourceLabel:        p.label,
				},
			},
		}, parent); err != nil {
			return nil, err
		}
	}

	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"url":                   s.URL,
		"serviceName":           s.ServiceName,
		"taskDefinitionArn":     s.TaskDefinition.Arn,
		"cronTaskDefinitionArn": s.CronTaskDefinition.Arn,
		"targetGroupArn":        s.TargetGroup.Arn,
	}); err != nil {
		return nil, err
	}
	return s, nil
}

type siteContainerInputs struct {
	dbHost, dbSecret, saltsSecret, bucket, vpcCidr string
}

// webRoot is where nginx and php-fpm find the live release.
func (a WordPressSiteArgs) webRoot() string {
	if a.CodeDelivery == CodeEFS {
		return EFSMountPath + "/current"
	}
	return LocalCodePath + "/current"
}

func (a WordPressSiteArgs) logOptions(acct Account, logGroup, prefix string) *logConfiguration {
	return &logConfiguration{LogDriver: "awslogs", Options: map[string]string{
		"awslogs-group":         logGroup,
		"awslogs-region":        acct.Region,
		"awslogs-stream-prefix": prefix,
	}}
}

// phpEnvironment is the php container's plain environment; everything secret
// arrives through phpSecrets.
func (a WordPressSiteArgs) phpEnvironment(acct Account, home, webRoot, codeDelivery string, in siteContainerInputs) []keyValue {
	return env(
		"WP_HOME", home,
		"WP_SITEURL", home,
		"WP_ENVIRONMENT_TYPE", a.WordPressEnvironment,
		"WPFLEET_SITE", a.Site,
		"WPFLEET_ENV", a.Environment,
		"WPFLEET_CODE_DELIVERY", codeDelivery,
		"WPFLEET_WEB_ROOT", webRoot,
		"WPFLEET_TASK_CPU", strconv.Itoa(a.CPU),
		"WPFLEET_TASK_MEMORY_MIB", strconv.Itoa(a.Memory),
		"WPFLEET_REQUEST_TIMEOUT_SECONDS", strconv.Itoa(a.RequestTimeoutSeconds),
		"DB_HOST", in.dbHost,
		"DB_NAME", DatabaseIdentifier(a.Site),
		"DB_TLS", strconv.FormatBool(a.DatabaseTLS),
		"S3_UPLOADS_BUCKET", in.bucket,
		"S3_UPLOADS_REGION", acct.Region,
		"DISABLE_WP_CRON", "true",
		"DISALLOW_FILE_MODS", "true",
		"FORCE_SSL_ADMIN", "true",
	)
}

func phpSecrets(in siteContainerInputs) []secretRef {
	out := []secretRef{
		{Name: "DB_USER", ValueFrom: in.dbSecret + ":username::"},
		{Name: "DB_PASSWORD", ValueFrom: in.dbSecret + ":password::"},
	}
	for _, k := range SaltKeys {
		out = append(out, secretRef{Name: k, ValueFrom: in.saltsSecret + ":" + k + "::"})
	}
	return out
}

func (a WordPressSiteArgs) serviceContainers(acct Account, home, logGroup string, stopTimeout int, in siteContainerInputs) []containerDef {
	webRoot := a.webRoot()
	mounts := []mountPoint{{SourceVolume: "efs", ContainerPath: EFSMountPath, ReadOnly: true}}
	if a.CodeDelivery == CodeLocal {
		mounts = append(mounts, mountPoint{SourceVolume: "code", ContainerPath: LocalCodePath, ReadOnly: true})
	}
	var waitForSync []dependency
	if a.CodeDelivery == CodeLocal {
		waitForSync = []dependency{{ContainerName: ContainerSync, Condition: "HEALTHY"}}
	}
	php := containerDef{
		Name:        ContainerPHP,
		Image:       a.PhpImage,
		Essential:   true,
		Environment: a.phpEnvironment(acct, home, webRoot, a.CodeDelivery, in),
		Secrets:     phpSecrets(in),
		MountPoints: mounts,
		DependsOn:   waitForSync,
		HealthCheck: &healthCheck{
			Command:  []string{"CMD-SHELL", "php-fpm-healthcheck || exit 1"},
			Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 15,
		},
		LogConfiguration: a.logOptions(acct, logGroup, ContainerPHP),
		StopTimeout:      stopTimeout,
		LinuxParameters:  &linuxParameters{InitProcessEnabled: true},
	}
	nginx := containerDef{
		Name:         ContainerNginx,
		Image:        a.NginxImage,
		Essential:    true,
		PortMappings: []portMapping{{ContainerPort: WebPort, Protocol: "tcp", Name: "http"}},
		Environment: env(
			"WP_HOME", home,
			"WPFLEET_SITE", a.Site,
			"WPFLEET_ENV", a.Environment,
			"WPFLEET_CODE_DELIVERY", a.CodeDelivery,
			"WPFLEET_WEB_ROOT", webRoot,
			"WPFLEET_REAL_IP_FROM", strings.Join(append([]string{in.vpcCidr}, a.TrustedProxyCIDRs...), " "),
			"WPFLEET_REQUEST_TIMEOUT_SECONDS", strconv.Itoa(a.RequestTimeoutSeconds),
		),
		MountPoints: mounts,
		DependsOn:   append([]dependency{{ContainerName: ContainerPHP, Condition: "HEALTHY"}}, waitForSync...),
		HealthCheck: &healthCheck{
			Command:  []string{"CMD-SHELL", fmt.Sprintf("wget -q -O /dev/null http://127.0.0.1:%d%s || exit 1", WebPort, a.HealthCheckPath)},
			Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 10,
		},
		LogConfiguration: a.logOptions(acct, logGroup, ContainerNginx),
		StopTimeout:      stopTimeout,
		LinuxParameters:  &linuxParameters{InitProcessEnabled: true},
	}
	defs := []containerDef{nginx, php}
	if a.CodeDelivery == CodeLocal {
		defs = append(defs, containerDef{
			Name:      ContainerSync,
			Image:     a.PhpImage,
			Essential: true,
			Command:   []string{SyncAgentPath, "run"},
			Environment: env(
				"WPFLEET_SITE", a.Site,
				"WPFLEET_EFS_ROOT", EFSMountPath,
				"WPFLEET_LOCAL_ROOT", LocalCodePath,
				// old releases are removed once requests on them have had time to finish
				"WPFLEET_REQUEST_TIMEOUT_SECONDS", strconv.Itoa(a.RequestTimeoutSeconds),
			),
			MountPoints: []mountPoint{
				{SourceVolume: "efs", ContainerPath: EFSMountPath, ReadOnly: true},
				{SourceVolume: "code", ContainerPath: LocalCodePath, ReadOnly: false},
			},
			HealthCheck: &healthCheck{
				Command:  []string{"CMD", SyncAgentPath, "health"},
				Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 120,
			},
			LogConfiguration: a.logOptions(acct, logGroup, ContainerSync),
			StopTimeout:      stopTimeout,
			LinuxParameters:  &linuxParameters{InitProcessEnabled: true},
		})
	}
	return defs
}

// cronContainers is the cron task: php alone, reading the live release
// straight from EFS (a short job does not warrant copying the site).
func (a WordPressSiteArgs) cronContainers(acct Account, home, logGroup string, in siteContainerInputs) []containerDef {
	webRoot := EFSMountPath + "/current"
	return []containerDef{{
		Name:             ContainerPHP,
		Image:            a.PhpImage,
		Essential:        true,
		Command:          []string{"wp", "cron", "event", "run", "--due-now"},
		Environment:      a.phpEnvironment(acct, home, webRoot, CodeEFS, in),
		Secrets:          phpSecrets(in),
		MountPoints:      []mountPoint{{SourceVolume: "efs", ContainerPath: EFSMountPath, ReadOnly: true}},
		LogConfiguration: a.logOptions(acct, logGroup, "cron"),
		LinuxParameters:  &linuxParameters{InitProcessEnabled: true},
	}}
}
