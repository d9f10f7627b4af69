package components

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ruleNameRe is EventBridge's rule name pattern (EventBridge API reference, PutRule: Name).
var ruleNameRe = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)

// CronTaskArgs configures CronTask.
type CronTaskArgs struct {
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// Description says what the job does. Defaults to the command.
	Description string
	// RuleName names the EventBridge rule (1-64 of letters, digits, . - _).
	// Defaults to an auto-generated name.
	RuleName string
	// Schedule is an EventBridge schedule expression, in UTC. Defaults to
	// "rate(5 minutes)".
	Schedule string
	// ClusterArn is the ECS cluster. Required.
	ClusterArn pulumi.StringInput
	// TaskDefinitionArn is the task to run. Required.
	TaskDefinitionArn pulumi.StringInput
	// ContainerName is the container whose command is overridden. Required.
	ContainerName string
	// Command replaces the container's command. Required.
	Command []string
	// SubnetIds and SecurityGroupIds place the task (private subnets, no
	// public IP). Required.
	SubnetIds        pulumi.StringArrayInput
	SecurityGroupIds pulumi.StringArrayInput
	// PassRoleArns are the task's execution and task roles, which EventBridge
	// must be allowed to pass to ECS. Required.
	PassRoleArns []pulumi.StringInput
	// Capacity picks FARGATE and/or FARGATE_SPOT. Defaults to on demand only.
	Capacity CapacityStrategy
	// PlatformVersion is "LATEST" or 1.4.0+. Defaults to "LATEST".
	PlatformVersion string
	// MaxRetries is how often EventBridge retries a RunTask call that failed
	// (0-185). Defaults to 2.
	MaxRetries *int
	// MaxEventAgeSeconds gives up on a run not started within this time
	// (60-86400). Defaults to 300, so a late run never overlaps the next one
	// of a 5-minute schedule by much.
	MaxEventAgeSeconds int
	// Account is where the task runs. Defaults to looking it up.
	Account *Account
}

func (a CronTaskArgs) withDefaults() CronTaskArgs {
	if a.Schedule == "" {
		a.Schedule = DefaultCronSchedule
	}
	if a.Capacity == (CapacityStrategy{}) {
		a.Capacity = CapacityStrategy{OnDemandWeight: 1}
	}
	if a.PlatformVersion == "" {
		a.PlatformVersion = "LATEST"
	}
	if a.MaxRetries == nil {
		two := 2
		a.MaxRetries = &two
	}
	if a.MaxEventAgeSeconds == 0 {
		a.MaxEventAgeSeconds = 300
	}
	if a.Description == "" {
		a.Description = "Runs: " + strings.Join(a.Command, " ")
	}
	return a
}

// Validate checks the arguments (after defaults) without registering anything.
func (a CronTaskArgs) Validate() error {
	a = a.withDefaults()
	var c check
	k := func(f string) string { return "CronTaskArgs." + f }
	c.keyed(k("Schedule"), a.Schedule, CheckScheduleExpression(a.Schedule))
	if a.RuleName != "" && !ruleNameRe.MatchString(a.RuleName) {
		c.add(invalid(k("RuleName"), a.RuleName, "1-64 letters, digits, periods, hyphens and underscores (EventBridge rule names)"))
	}
	c.required("CronTaskArgs.", map[string]any{"ClusterArn": a.ClusterArn, "TaskDefinitionArn": a.TaskDefinitionArn,
		"SubnetIds": a.SubnetIds, "SecurityGroupIds": a.SecurityGroupIds})
	if a.ContainerName == "" {
		c.add(invalid(k("ContainerName"), "", "the container whose command is overridden"))
	}
	if len(a.Command) == 0 {
		c.add(invalid(k("Command"), a.Command, "a command of at least one word"))
	}
	if len(a.PassRoleArns) == 0 {
		c.add(invalid(k("PassRoleArns"), nil, "the task's execution and task role ARNs"))
	}
	c.keyed(k("Capacity"), a.Capacity, a.Capacity.Check())
	c.keyed(k("PlatformVersion"), a.PlatformVersion, CheckPlatformVersion(a.PlatformVersion))
	if *a.MaxRetries < 0 || *a.MaxRetries > 185 {
		c.add(invalid(k("MaxRetries"), *a.MaxRetries, "0 to 185"))
	}
	if a.MaxEventAgeSeconds < 60 || a.MaxEventAgeSeconds > 86400 {
		c.add(invalid(k("MaxEventAgeSeconds"), a.MaxEventAgeSeconds, "60 to 86400 seconds"))
	}
	return c.err()
}

// CronTask runs an ECS task on a schedule with a command override: an
// EventBridge rule targeting the cluster, with retries, in private subnets.
// A site's batch jobs run this way (wp-cron runs inside the site's pool).
type CronTask struct {
	pulumi.ResourceState

	Rule   *cloudwatch.EventRule
	Target *cloudwatch.EventTarget
	Role   *iam.Role
	// RuleArn identifies the schedule.
	RuleArn pulumi.StringOutput
}

// TaskDefinitionFamilyArn turns a task definition ARN into the ARN of every
// revision of its family ("...:task-definition/family:*").
func TaskDefinitionFamilyArn(arn string) string {
	if i := strings.LastIndex(arn, ":"); i > strings.Index(arn, "task-definition/") && strings.Contains(arn, "task-definition/") {
		return arn[:i] + ":*"
	}
	return arn
}

// NewCronTask creates the rule, its target and the role EventBridge uses.
func NewCronTask(ctx *pulumi.Context, name string, args *CronTaskArgs, opts ...pulumi.ResourceOption) (*CronTask, error) {
	if args == nil {
		args = &CronTaskArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	t := &CronTask{}
	if err := ctx.RegisterComponentResource(typePrefix+"CronTask", name, t, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(t)
	tags := tagInput(a.Tags)

	t.Role, err = iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:      pulumi.String("Lets EventBridge start the scheduled task " + name),
		AssumeRolePolicy: pulumi.String(servicePrincipalPolicy("events.amazonaws.com", acct.ID)),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	inputs := []pulumi.StringInput{a.TaskDefinitionArn, a.ClusterArn}
	inputs = append(inputs, a.PassRoleArns...)
	policy := policyOutput(func(v []string) PolicyDocument {
		clusterCond := map[string]map[string]any{"ArnEquals": {"ecs:cluster": v[1]}}
		return Policy(
			PolicyStatement{Sid: "RunTheTask", Effect: "Allow",
				Action:    []string{"ecs:RunTask"},
				Resource:  []string{TaskDefinitionFamilyArn(v[0])},
				Condition: clusterCond},
			PolicyStatement{Sid: "TagTheTask", Effect: "Allow",
				Action:    []string{"ecs:TagResource"},
				Resource:  []string{acct.ARN("ecs", acct.Region, "task/*")},
				Condition: map[string]map[string]any{"StringEquals": {"ecs:CreateAction": "RunTask"}}},
			PolicyStatement{Sid: "PassTheTaskRoles", Effect: "Allow",
				Action:    []string{"iam:PassRole"},
				Resource:  v[2:],
				Condition: map[string]map[string]any{"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
		)
	}, inputs...)
	if _, err = iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: t.Role.ID(), Policy: policy}, parent); err != nil {
		return nil, err
	}

	ruleArgs := &cloudwatch.EventRuleArgs{
		Description:        pulumi.String(truncate(a.Description, 512)),
		ScheduleExpression: pulumi.String(a.Schedule),
		State:              pulumi.String("ENABLED"),
		Tags:               tags,
	}
	if a.RuleName != "" {
		ruleArgs.Name = pulumi.String(a.RuleName)
	}
	t.Rule, err = cloudwatch.NewEventRule(ctx, name, ruleArgs, parent)
	if err != nil {
		return nil, err
	}
	t.RuleArn = t.Rule.Arn
	overrides, err := json.Marshal(map[string]any{
		"containerOverrides": []map[string]any{{"name": a.ContainerName, "command": a.Command}},
	})
	if err != nil {
		return nil, err
	}
	var strategies cloudwatch.EventTargetEcsTargetCapacityProviderStrategyArray
	for _, p := range a.Capacity.providers() {
		strategies = append(strategies, cloudwatch.EventTargetEcsTargetCapacityProviderStrategyArgs{
			CapacityProvider: pulumi.String(p.provider), Base: pulumi.Int(p.base), Weight: pulumi.Int(p.weight),
		})
	}
	t.Target, err = cloudwatch.NewEventTarget(ctx, name, &cloudwatch.EventTargetArgs{
		Rule:    t.Rule.Name,
		Arn:     a.ClusterArn,
		RoleArn: t.Role.Arn,
		Input:   pulumi.String(string(overrides)),
		EcsTarget: cloudwatch.EventTargetEcsTargetArgs{
			TaskDefinitionArn:          a.TaskDefinitionArn,
			TaskCount:                  pulumi.Int(1),
			CapacityProviderStrategies: strategies,
			PlatformVersion:            pulumi.String(a.PlatformVersion),
			PropagateTags:              pulumi.String("TASK_DEFINITION"),
			EnableEcsManagedTags:       pulumi.Bool(true),
			NetworkConfiguration: cloudwatch.EventTargetEcsTargetNetworkConfigurationArgs{
				Subnets:        a.SubnetIds,
				SecurityGroups: a.SecurityGroupIds,
				AssignPublicIp: pulumi.Bool(false),
			},
		},
		RetryPolicy: cloudwatch.EventTargetRetryPolicyArgs{
			MaximumRetryAttempts:     pulumi.Int(*a.MaxRetries),
			MaximumEventAgeInSeconds: pulumi.Int(a.MaxEventAgeSeconds),
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(t, pulumi.Map{"ruleArn": t.RuleArn}); err != nil {
		return nil, err
	}
	return t, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
