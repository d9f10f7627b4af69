package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ClusterArgs configures Cluster.
type ClusterArgs struct {
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// Account owns the ECS Exec key. Defaults to looking it up.
	Account *Account
	// ContainerInsights is "enhanced", "enabled" or "disabled". Defaults to
	// "enhanced" (per-task and per-container metrics).
	ContainerInsights string
	// ExecLogGroupName, when set, logs every ECS Exec session of the
	// cluster's tasks to this log group, encrypted with a key of the
	// cluster's own that also encrypts the session. Defaults to "" (no
	// session log; services then keep ECS Exec off).
	ExecLogGroupName string
	// ExecLogRetentionDays keeps the session logs. Defaults to 365.
	ExecLogRetentionDays int
}

// Validate checks the arguments without registering anything.
func (a ClusterArgs) Validate() error {
	var c check
	switch a.ContainerInsights {
	case "", "enhanced", "enabled", "disabled":
	default:
		c.add(invalid("ClusterArgs.ContainerInsights", a.ContainerInsights, `"enhanced", "enabled" or "disabled"`))
	}
	if a.ExecLogRetentionDays != 0 {
		c.keyed("ClusterArgs.ExecLogRetentionDays", a.ExecLogRetentionDays, CheckLogRetention(a.ExecLogRetentionDays))
	}
	return c.err()
}

// Cluster is the ECS cluster every pool and job runs in, with the FARGATE and
// FARGATE_SPOT capacity providers and, with ExecLogGroupName, logged and
// encrypted ECS Exec sessions.
type Cluster struct {
	pulumi.ResourceState

	Cluster *ecs.Cluster
	// ExecKey encrypts ECS Exec sessions and their log (nil without ExecLogGroupName).
	ExecKey *kms.Key
	// Arn and Name identify the cluster.
	Arn  pulumi.StringOutput
	Name pulumi.StringOutput
	// ExecKeyArn and ExecLogGroupArn are what a task role needs for ECS Exec
	// (empty without ExecLogGroupName).
	ExecKeyArn      pulumi.StringOutput
	ExecLogGroupArn pulumi.StringOutput
}

// NewCluster creates the cluster and attaches both Fargate capacity providers.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		args = &ClusterArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := *args
	if a.ContainerInsights == "" {
		a.ContainerInsights = "enhanced"
	}
	if a.ExecLogRetentionDays == 0 {
		a.ExecLogRetentionDays = 365
	}
	c := &Cluster{}
	if err := ctx.RegisterComponentResource(typePrefix+"Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	clusterArgs := &ecs.ClusterArgs{
		Settings: ecs.ClusterSettingArray{
			ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String(a.ContainerInsights)},
		},
		Tags: tagInput(a.Tags),
	}
	c.ExecKeyArn, c.ExecLogGroupArn = pulumi.String("").ToStringOutput(), pulumi.String("").ToStringOutput()
	if a.ExecLogGroupName != "" {
		exec, err := c.execLogging(ctx, name, a, parent)
		if err != nil {
			return nil, err
		}
		clusterArgs.Configuration = ecs.ClusterConfigurationArgs{ExecuteCommandConfiguration: exec}
	}
	var err error
	c.Cluster, err = ecs.NewCluster(ctx, name, clusterArgs, parent)
	if err != nil {
		return nil, err
	}
	if _, err = ecs.NewClusterCapacityProviders(ctx, name, &ecs.ClusterCapacityProvidersArgs{
		ClusterName:       c.Cluster.Name,
		CapacityProviders: pulumi.StringArray{pulumi.String(CapacityFargate), pulumi.String(CapacityFargateSpot)},
		DefaultCapacityProviderStrategies: ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArray{
			ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String(CapacityFargate), Base: pulumi.Int(0), Weight: pulumi.Int(1),
			},
		},
	}, parent); err != nil {
		return nil, err
	}
	c.Arn = c.Cluster.Arn
	c.Name = c.Cluster.Name
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": c.Arn, "name": c.Name}); err != nil {
		return nil, err
	}
	return c, nil
}

// execLogging creates the key and log group of ECS Exec sessions: the key
// encrypts the session channel and the log group (CloudWatch Logs may use it
// for that group only).
func (c *Cluster) execLogging(ctx *pulumi.Context, name string, a ClusterArgs, parent pulumi.ResourceOption) (ecs.ClusterConfigurationExecuteCommandConfigurationArgs, error) {
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return ecs.ClusterConfigurationExecuteCommandConfigurationArgs{}, err
	}
	logGroupArn := acct.ARN("logs", acct.Region, "log-group:"+a.ExecLogGroupName)
	c.ExecKey, err = kms.NewKey(ctx, name+"-exec", &kms.KeyArgs{
		Description:       pulumi.String("Encrypts ECS Exec sessions of cluster " + name + " and their log"),
		EnableKeyRotation: pulumi.Bool(true),
		Policy: pulumi.String(Policy(
			PolicyStatement{Sid: "AccountAdministersKey", Effect: "Allow",
				Principal: map[string]any{"AWS": "arn:" + acct.Partition + ":iam::" + acct.ID + ":root"},
				Action:    []string{"kms:*"}, Resource: []string{"*"}},
			// CloudWatch Logs key policy (Logs user guide, "Encrypt log data
			// in CloudWatch Logs using AWS KMS"): this log group only.
			PolicyStatement{Sid: "LogsEncryptsExecLog", Effect: "Allow",
				Principal: map[string]any{"Service": "logs." + acct.Region + "." + acct.DNSSuffix},
				Action:    []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
				Resource:  []string{"*"},
				Condition: map[string]map[string]any{"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": logGroupArn}}},
		).JSON()),
		Tags: tagInput(a.Tags),
	}, parent)
	if err != nil {
		return ecs.ClusterConfigurationExecuteCommandConfigurationArgs{}, err
	}
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-exec", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(a.ExecLogGroupName),
		RetentionInDays: pulumi.Int(a.ExecLogRetentionDays),
		KmsKeyId:        c.ExecKey.Arn,
		Tags:            tagInput(a.Tags),
	}, parent)
	if err != nil {
		return ecs.ClusterConfigurationExecuteCommandConfigurationArgs{}, err
	}
	c.ExecKeyArn, c.ExecLogGroupArn = c.ExecKey.Arn, logs.Arn
	return ecs.ClusterConfigurationExecuteCommandConfigurationArgs{
		KmsKeyId: c.ExecKey.Arn,
		Logging:  pulumi.String("OVERRIDE"),
		LogConfiguration: ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs{
			CloudWatchLogGroupName:      logs.Name,
			CloudWatchEncryptionEnabled: pulumi.Bool(true),
		},
	}, nil
}
