package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DefaultBackupSchedule runs backups at 17:00 UTC (02:00 in Japan).
const DefaultBackupSchedule = "cron(0 17 * * ? *)"

// BackupArgs configures Backup.
type BackupArgs struct {
	// Environment names the vault and plan ("<env>-wpfleet"). Required.
	Environment string
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// Account owns the vault's key. Defaults to looking it up.
	Account *Account
	// ResourceArns are backed up: the EFS file system and the Aurora cluster. Required.
	ResourceArns []pulumi.StringInput
	// RetentionDays keeps each daily recovery point (1-3650). Defaults to 35.
	RetentionDays int
	// Schedule is the plan's cron expression (UTC). Defaults to DefaultBackupSchedule.
	Schedule string
	// Protect marks the vault and its key protect and retainOnDelete. Defaults to false.
	Protect bool
}

func (a BackupArgs) withDefaults() BackupArgs {
	if a.RetentionDays == 0 {
		a.RetentionDays = 35
	}
	if a.Schedule == "" {
		a.Schedule = DefaultBackupSchedule
	}
	return a
}

// Validate checks the arguments (after defaults) without registering anything.
func (a BackupArgs) Validate() error {
	a = a.withDefaults()
	var c check
	c.keyed("BackupArgs.Environment", a.Environment, CheckEnvironmentName(a.Environment))
	if len(a.ResourceArns) == 0 {
		c.add(invalid("BackupArgs.ResourceArns", nil, "at least one resource to back up"))
	}
	if a.RetentionDays < 1 || a.RetentionDays > 3650 {
		c.add(invalid("BackupArgs.RetentionDays", a.RetentionDays, "1 to 3650 days"))
	}
	if err := CheckScheduleExpression(a.Schedule); err != nil || a.Schedule[:4] != "cron" {
		c.add(invalid("BackupArgs.Schedule", a.Schedule, `a cron expression such as "cron(0 17 * * ? *)"`))
	}
	return c.err()
}

// Backup is an AWS Backup vault (encrypted with its own key) and a daily plan
// for the environment's stateful resources.
type Backup struct {
	pulumi.ResourceState

	Key   *kms.Key
	Vault *backup.Vault
	Plan  *backup.Plan
	Role  *iam.Role
}

// NewBackup creates the key, vault, plan, selection and the role AWS Backup uses.
func NewBackup(ctx *pulumi.Context, name string, args *BackupArgs, opts ...pulumi.ResourceOption) (*Backup, error) {
	if args == nil {
		args = &BackupArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	b := &Backup{}
	if err := ctx.RegisterComponentResource(typePrefix+"Backup", name, b, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(b)
	keep := []pulumi.ResourceOption{parent, pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.Protect)}
	tags := tagInput(a.Tags)
	vaultName := a.Environment + "-wpfleet"

	b.Key, err = kms.NewKey(ctx, name+"-backup", &kms.KeyArgs{
		Description:       pulumi.String("Encrypts the wpfleet " + a.Environment + " backup vault"),
		EnableKeyRotation: pulumi.Bool(true),
		Policy: pulumi.String(Policy(PolicyStatement{
			Sid:       "AccountAdministersKey",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": "arn:" + acct.Partition + ":iam::" + acct.ID + ":root"},
			Action:    []string{"kms:*"},
			Resource:  []string{"*"},
		}).JSON()),
		Tags: tags,
	}, keep...)
	if err != nil {
		return nil, err
	}
	b.Vault, err = backup.NewVault(ctx, name, &backup.VaultArgs{
		Name:      pulumi.String(vaultName),
		KmsKeyArn: b.Key.Arn,
		Tags:      tags,
	}, keep...)
	if err != nil {
		return nil, err
	}
	b.Plan, err = backup.NewPlan(ctx, name, &backup.PlanArgs{
		Name: pulumi.String(vaultName),
		Rules: backup.PlanRuleArray{
			backup.PlanRuleArgs{
				RuleName:          pulumi.String("daily"),
				TargetVaultName:   b.Vault.Name,
				Schedule:          pulumi.String(a.Schedule),
				StartWindow:       pulumi.Int(60),
				CompletionWindow:  pulumi.Int(480),
				Lifecycle:         backup.PlanRuleLifecycleArgs{DeleteAfter: pulumi.Int(a.RetentionDays)},
				RecoveryPointTags: tagInput(a.Tags),
			},
		},
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	b.Role, err = iam.NewRole(ctx, name+"-backup", &iam.RoleArgs{
		Description:      pulumi.String("AWS Backup takes and restores the wpfleet " + a.Environment + " backups"),
		AssumeRolePolicy: pulumi.String(servicePrincipalPolicy("backup.amazonaws.com", acct.ID)),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	for i, p := range []string{"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"} {
		if _, err = iam.NewRolePolicyAttachment(ctx, name+"-backup-"+[]string{"backup", "restore"}[i], &iam.RolePolicyAttachmentArgs{
			Role:      b.Role.Name,
			PolicyArn: pulumi.String("arn:" + acct.Partition + ":iam::aws:policy/service-role/" + p),
		}, parent); err != nil {
			return nil, err
		}
	}
	resources := make(pulumi.StringArray, len(a.ResourceArns))
	for i, r := range a.ResourceArns {
		resources[i] = r
	}
	if _, err = backup.NewSelection(ctx, name, &backup.SelectionArgs{
		Name:       pulumi.String(vaultName),
		PlanId:     b.Plan.ID(),
		IamRoleArn: b.Role.Arn,
		Resources:  resources,
	}, parent); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{"vaultName": b.Vault.Name, "planId": b.Plan.ID()}); err != nil {
		return nil, err
	}
	return b, nil
}
