package components

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/efs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EFS throughput modes.
const (
	ThroughputElastic     = "elastic"
	ThroughputBursting    = "bursting"
	ThroughputProvisioned = "provisioned"
)

// WebUID and WebGID are the Alpine images' www-data user and group: the
// owner of every site directory on EFS.
const (
	WebUID = 82
	WebGID = 82
)

// burstRateBytesPerSecond is the burst rate of a file system under 1 TiB:
// 100 MiB/s (EFS performance docs).
const burstRateBytesPerSecond = 100 * 1024 * 1024

// SharedEFSArgs configures SharedEFS.
type SharedEFSArgs struct {
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// VpcId is the VPC. Required.
	VpcId pulumi.StringInput
	// SubnetIds are the private subnets; one mount target goes in each. Required.
	SubnetIds pulumi.StringArrayInput
	// SubnetCount is len(SubnetIds), known while the program runs. Required (2-6).
	SubnetCount int
	// ClientSecurityGroupIds are admitted on NFS (2049/tcp); nothing else is.
	// More can be admitted later with Admit. Defaults to none.
	ClientSecurityGroupIds []pulumi.StringInput
	// WebUID and WebGID own the site directories. Defaults to 82:82 (Alpine's www-data).
	WebUID, WebGID int
	// ThroughputMode is "elastic" (pay per GB moved; no credits to run out),
	// "bursting" (credits; what ran out in the seed's story) or "provisioned".
	// Defaults to "elastic".
	ThroughputMode string
	// ProvisionedMibps is the provisioned throughput in MiB/s (1-10240);
	// required with "provisioned" and not allowed otherwise. Defaults to 0.
	ProvisionedMibps float64
	// BurstCreditAlarmMinutes: in bursting mode, alarm when the credit balance
	// would last less than this many minutes at the 100 MiB/s burst rate.
	// Defaults to 60.
	BurstCreditAlarmMinutes int
	// AlarmTopicArn receives the alarm. Defaults to no action (the alarm still exists).
	AlarmTopicArn pulumi.StringInput
	// Account is where the file system lives. Defaults to looking it up.
	Account *Account
	// AutomaticBackups turns on EFS's own daily backups (AWS Backup's
	// default plan, 35 days). Turn it off when a Backup plan of yours covers
	// the file system. Defaults to true.
	AutomaticBackups *bool
	// Protect marks the file system protect and retainOnDelete. Defaults to false.
	Protect bool
	// KmsKeyArn encrypts the file system with this customer managed key
	// instead of the AWS managed aws/elasticfilesystem key (fixed at
	// creation). Defaults to "" (AWS managed key).
	KmsKeyArn string
}

var kmsKeyArnRe = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$`)

func (a SharedEFSArgs) withDefaults() SharedEFSArgs {
	if a.AutomaticBackups == nil {
		on := true
		a.AutomaticBackups = &on
	}
	if a.WebUID == 0 {
		a.WebUID = WebUID
	}
	if a.WebGID == 0 {
		a.WebGID = WebGID
	}
	if a.ThroughputMode == "" {
		a.ThroughputMode = ThroughputElastic
	}
	if a.BurstCreditAlarmMinutes == 0 {
		a.BurstCreditAlarmMinutes = 60
	}
	return a
}

// CheckThroughput accepts an EFS throughput mode with the provisioned
// throughput it needs (only "provisioned" takes MiB/s).
func CheckThroughput(mode string, mibps float64) error {
	switch mode {
	case ThroughputElastic, ThroughputBursting:
		if mibps != 0 {
			return fmt.Errorf("provisioned MiB/s is only allowed with throughput mode %q (mode is %q)", ThroughputProvisioned, mode)
		}
		return nil
	case ThroughputProvisioned:
		if mibps < 1 || mibps > 10240 {
			return fmt.Errorf("throughput mode %q needs provisioned MiB/s between 1 and 10240", ThroughputProvisioned)
		}
		return nil
	}
	return fmt.Errorf(`throughput mode must be "elastic", "bursting" or "provisioned"`)
}

// Validate checks the arguments (after defaults) without registering anything.
func (a SharedEFSArgs) Validate() error {
	a = a.withDefaults()
	var c check
	if a.VpcId == nil {
		c.add(invalid("SharedEFSArgs.VpcId", nil, "the VPC ID is required"))
	}
	if a.SubnetIds == nil || a.SubnetCount < 1 || a.SubnetCount > 16 {
		c.add(invalid("SharedEFSArgs.SubnetCount", a.SubnetCount, "SubnetIds and their count (1-16) are required"))
	}
	if a.KmsKeyArn != "" && !kmsKeyArnRe.MatchString(a.KmsKeyArn) {
		c.add(invalid("SharedEFSArgs.KmsKeyArn", a.KmsKeyArn, "a KMS key ARN such as arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
	}
	if a.WebUID < 1 || a.WebGID < 1 {
		c.add(invalid("SharedEFSArgs.WebUID", a.WebUID, "a non-root user and group (uid and gid above 0)"))
	}
	if err := CheckThroughput(a.ThroughputMode, a.ProvisionedMibps); err != nil {
		c.add(invalid("SharedEFSArgs.ThroughputMode", a.ThroughputMode, "%s", err))
	}
	if a.BurstCreditAlarmMinutes < 1 || a.BurstCreditAlarmMinutes > 1440 {
		c.add(invalid("SharedEFSArgs.BurstCreditAlarmMinutes", a.BurstCreditAlarmMinutes, "1 to 1440 minutes"))
	}
	return c.err()
}

// BurstCreditThresholdBytes is the BurstCreditBalance (bytes) below which a
// bursting file system has less than minutes of full-rate burst left.
func BurstCreditThresholdBytes(minutes int) float64 {
	return float64(minutes) * 60 * burstRateBytesPerSecond
}

// SharedEFS is the one encrypted file system that holds every site's
// releases. Tasks mount their site's access point (AccessPoint) read-only
// over TLS with IAM authorization; the release job writes through the release
// access point.
type SharedEFS struct {
	pulumi.ResourceState

	FileSystem      *efs.FileSystem
	SecurityGroup   *ec2.SecurityGroup
	MountTargets    []*efs.MountTarget
	ReleaseAccess   *efs.AccessPoint
	BurstAlarm      *cloudwatch.MetricAlarm // nil unless bursting
	FileSystemId    pulumi.StringOutput
	FileSystemArn   pulumi.StringOutput
	SecurityGroupId pulumi.StringOutput
	// ReleaseAccessPointId and ReleaseAccessPointArn are the release job's
	// access point (root /sites).
	ReleaseAccessPointId  pulumi.StringOutput
	ReleaseAccessPointArn pulumi.StringOutput

	webUID, webGID int
	tags           map[string]string
}

// NewSharedEFS creates the file system, its mount targets, access points,
// policy, backups and (when bursting) the credit alarm.
func NewSharedEFS(ctx *pulumi.Context, name string, args *SharedEFSArgs, opts ...pulumi.ResourceOption) (*SharedEFS, error) {
	if args == nil {
		args = &SharedEFSArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	e := &SharedEFS{webUID: a.WebUID, webGID: a.WebGID, tags: a.Tags}
	if err := ctx.RegisterComponentResource(typePrefix+"SharedEFS", name, e, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(e)
	tags := tagInput(a.Tags)

	fsArgs := &efs.FileSystemArgs{
		Encrypted:       pulumi.Bool(true),
		PerformanceMode: pulumi.String("generalPurpose"),
		ThroughputMode:  pulumi.String(a.ThroughputMode),
		Tags:            tagInput(withTag(a.Tags, "Name", name)),
	}
	if a.ThroughputMode == ThroughputProvisioned {
		fsArgs.ProvisionedThroughputInMibps = pulumi.Float64(a.ProvisionedMibps)
	}
	if a.KmsKeyArn != "" {
		fsArgs.KmsKeyId = pulumi.String(a.KmsKeyArn)
	}
	e.FileSystem, err = efs.NewFileSystem(ctx, name, fsArgs, parent, pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.Protect))
	if err != nil {
		return nil, err
	}
	e.FileSystemId = e.FileSystem.ID().ToStringOutput()
	e.FileSystemArn = e.FileSystem.Arn

	if _, err = efs.NewBackupPolicy(ctx, name, &efs.BackupPolicyArgs{
		FileSystemId: e.FileSystem.ID(),
		BackupPolicy: efs.BackupPolicyBackupPolicyArgs{Status: pulumi.String(enabledDisabled(*a.AutomaticBackups))},
	}, parent); err != nil {
		return nil, err
	}

	fsPolicy := policyOutput(func(v []string) PolicyDocument {
		return Policy(
			denyInsecureTransport(v[0]),
			PolicyStatement{
				Sid:       "AccountPrincipalsThroughMountTargets",
				Effect:    "Allow",
				Principal: map[string]any{"AWS": "arn:" + acct.Partition + ":iam::" + acct.ID + ":root"},
				Action:    []string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"},
				Resource:  []string{v[0]},
				Condition: map[string]map[string]any{"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
			},
		)
	}, e.FileSystem.Arn)
	if _, err = efs.NewFileSystemPolicy(ctx, name, &efs.FileSystemPolicyArgs{
		FileSystemId: e.FileSystem.ID(),
		Policy:       fsPolicy,
	}, parent); err != nil {
		return nil, err
	}

	e.SecurityGroup, err = ec2.NewSecurityGroup(ctx, name+"-efs", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet EFS mount targets: NFS from the fleet tasks only"),
		VpcId:       a.VpcId,
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	e.SecurityGroupId = e.SecurityGroup.ID().ToStringOutput()
	for i, sg := range a.ClientSecurityGroupIds {
		if err := e.Admit(ctx, fmt.Sprintf("%s-efs-nfs-%d", name, i+1), sg, parent); err != nil {
			return nil, err
		}
	}
	subnets := a.SubnetIds.ToStringArrayOutput()
	for i := 0; i < a.SubnetCount; i++ {
		mt, err := efs.NewMountTarget(ctx, fmt.Sprintf("%s-%d", name, i+1), &efs.MountTargetArgs{
			FileSystemId:   e.FileSystem.ID(),
			SubnetId:       subnets.Index(pulumi.Int(i)),
			SecurityGroups: pulumi.StringArray{e.SecurityGroup.ID()},
		}, parent)
		if err != nil {
			return nil, err
		}
		e.MountTargets = append(e.MountTargets, mt)
	}

	e.ReleaseAccess, err = e.newAccessPoint(ctx, name+"-release", "/sites", withTag(a.Tags, "Name", name+"-release"), parent)
	if err != nil {
		return nil, err
	}
	e.ReleaseAccessPointId = e.ReleaseAccess.ID().ToStringOutput()
	e.ReleaseAccessPointArn = e.ReleaseAccess.Arn

	if a.ThroughputMode == ThroughputBursting {
		var actions pulumi.Array
		if a.AlarmTopicArn != nil {
			actions = pulumi.Array{a.AlarmTopicArn}
		}
		e.BurstAlarm, err = cloudwatch.NewMetricAlarm(ctx, name+"-burst-credits", &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.String(fmt.Sprintf(
				"EFS burst credits would last less than %d minutes at the 100 MiB/s burst rate; "+
					"when they run out throughput falls to the baseline (50 KiB/s per GiB stored). "+
					"Switch to elastic throughput or reduce reads from EFS.", a.BurstCreditAlarmMinutes)),
			Namespace:          pulumi.String("AWS/EFS"),
			MetricName:         pulumi.String("BurstCreditBalance"),
			Dimensions:         pulumi.StringMap{"FileSystemId": e.FileSystem.ID()},
			Statistic:          pulumi.String("Minimum"),
			Period:             pulumi.Int(300),
			EvaluationPeriods:  pulumi.Int(1),
			Threshold:          pulumi.Float64(BurstCreditThresholdBytes(a.BurstCreditAlarmMinutes)),
			ComparisonOperator: pulumi.String("LessThanThreshold"),
			TreatMissingData:   pulumi.String("breaching"),
			AlarmActions:       actions,
			OkActions:          actions,
			Tags:               tags,
		}, parent)
		if err != nil {
			return nil, err
		}
	}

	if err := ctx.RegisterResourceOutputs(e, pulumi.Map{
		"fileSystemId":    e.FileSystemId,
		"fileSystemArn":   e.FileSystemArn,
		"securityGroupId": e.SecurityGroupId,
	}); err != nil {
		return nil, err
	}
	return e, nil
}

func enabledDisabled(b bool) string {
	if b {
		return "ENABLED"
	}
	return "DISABLED"
}

// Admit lets clients in security group sg mount the file system (NFS, 2049/tcp).
func (e *SharedEFS) Admit(ctx *pulumi.Context, name string, sg pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	_, err := vpc.NewSecurityGroupIngressRule(ctx, name, &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           e.SecurityGroupId,
		Description:               pulumi.String("NFS from a client security group"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(2049),
		ToPort:                    pulumi.Int(2049),
		ReferencedSecurityGroupId: sg,
		Tags:                      tagInput(e.tags),
	}, opts...)
	return err
}

// SiteAccessPoint creates a site's access point, rooted at SiteRoot(site) and
// owned by the web user; opts parent it to the site.
func (e *SharedEFS) SiteAccessPoint(ctx *pulumi.Context, name, site string, tags map[string]string, opts ...pulumi.ResourceOption) (*efs.AccessPoint, error) {
	return e.newAccessPoint(ctx, name, SiteRoot(site), withTag(withTag(tags, TagSite, site), "Name", name), opts...)
}

func (e *SharedEFS) newAccessPoint(ctx *pulumi.Context, name, root string, tags map[string]string, opts ...pulumi.ResourceOption) (*efs.AccessPoint, error) {
	return efs.NewAccessPoint(ctx, name, &efs.AccessPointArgs{
		FileSystemId: e.FileSystemId,
		PosixUser:    efs.AccessPointPosixUserArgs{Uid: pulumi.Int(e.webUID), Gid: pulumi.Int(e.webGID)},
		RootDirectory: efs.AccessPointRootDirectoryArgs{
			Path: pulumi.String(root),
			CreationInfo: efs.AccessPointRootDirectoryCreationInfoArgs{
				OwnerUid:    pulumi.Int(e.webUID),
				OwnerGid:    pulumi.Int(e.webGID),
				Permissions: pulumi.String("0755"),
			},
		},
		Tags: tagInput(tags),
	}, opts...)
}
