package components

import (
	"net/mail"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AlarmTopicArgs configures AlarmTopic.
type AlarmTopicArgs struct {
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// Email, when set, subscribes this address to the topic (AWS sends a
	// confirmation mail). Defaults to "" (no subscription).
	Email string
	// Account is where the topic lives. Defaults to looking it up.
	Account *Account
	// Environment names the key's alias (Names.AlarmKeyAlias). Required.
	Environment string
}

// AliasName is the KMS alias of the topic's key.
func (a AlarmTopicArgs) AliasName() string { return NamesFor(a.Environment).AlarmKeyAlias() }

// Validate checks the arguments without registering anything.
func (a AlarmTopicArgs) Validate() error {
	var c check
	c.keyed("AlarmTopicArgs.Environment", a.Environment, CheckEnvironmentName(a.Environment))
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
			c.add(invalid("AlarmTopicArgs.Email", a.Email, "a plain e-mail address such as ops@example.com"))
		}
	}
	return c.err()
}

// AlarmTopic is the SNS topic every alarm and failure event of an environment
// notifies. It is encrypted with its own KMS key, because CloudWatch alarms
// and EventBridge cannot publish to a topic encrypted with the AWS-managed
// SNS key.
type AlarmTopic struct {
	pulumi.ResourceState

	Key   *kms.Key
	Topic *sns.Topic
	// Arn is the topic's ARN, for alarm actions.
	Arn pulumi.StringOutput
}

// NewAlarmTopic creates the topic, its key and its policy.
func NewAlarmTopic(ctx *pulumi.Context, name string, args *AlarmTopicArgs, opts ...pulumi.ResourceOption) (*AlarmTopic, error) {
	if args == nil {
		args = &AlarmTopicArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	acct, err := resolveAccount(ctx, args.Account)
	if err != nil {
		return nil, err
	}
	t := &AlarmTopic{}
	if err := ctx.RegisterComponentResource(typePrefix+"AlarmTopic", name, t, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(t)
	publishers := []string{"cloudwatch.amazonaws.com", "events.amazonaws.com"}

	keyPolicy := Policy(
		PolicyStatement{
			Sid:       "AccountAdministersKey",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": "arn:" + acct.Partition + ":iam::" + acct.ID + ":root"},
			Action:    []string{"kms:*"},
			Resource:  []string{"*"},
		},
		PolicyStatement{
			Sid:       "CloudWatchAlarmsUseKey",
			Effect:    "Allow",
			Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  []string{"*"},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": acct.ID}},
		},
		// EventBridge publishes to an encrypted topic only with a key
		// statement that has no aws:SourceAccount / aws:SourceArn condition
		// (SNS developer guide, "Enable compatibility between event sources
		// from AWS services and encrypted topics"); the topic policy below
		// still limits publishing to this account.
		PolicyStatement{
			Sid:       "EventBridgeUsesKey",
			Effect:    "Allow",
			Principal: map[string]any{"Service": "events.amazonaws.com"},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  []string{"*"},
		},
	)
	t.Key, err = kms.NewKey(ctx, name, &kms.KeyArgs{
		Description:       pulumi.String("Encrypts the wpfleet alarm topic " + name),
		EnableKeyRotation: pulumi.Bool(true),
		Policy:            pulumi.String(keyPolicy.JSON()),
		Tags:              tagInput(args.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err = kms.NewAlias(ctx, name, &kms.AliasArgs{
		Name:        pulumi.String(args.AliasName()),
		TargetKeyId: t.Key.KeyId,
	}, parent); err != nil {
		return nil, err
	}
	t.Topic, err = sns.NewTopic(ctx, name, &sns.TopicArgs{
		DisplayName:    pulumi.String("wpfleet " + name + " alarms"),
		KmsMasterKeyId: t.Key.Arn,
		Tags:           tagInput(args.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	t.Arn = t.Topic.Arn
	topicPolicy := policyOutput(func(v []string) PolicyDocument {
		return Policy(
			PolicyStatement{
				Sid:       "AlarmPublishers",
				Effect:    "Allow",
				Principal: map[string]any{"Service": publishers},
				Action:    []string{"sns:Publish"},
				Resource:  []string{v[0]},
				Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": acct.ID}},
			},
			denyInsecureTransport(v[0]),
		)
	}, t.Topic.Arn)
	if _, err = sns.NewTopicPolicy(ctx, name, &sns.TopicPolicyArgs{
		Arn:    t.Topic.Arn,
		Policy: topicPolicy,
	}, parent); err != nil {
		return nil, err
	}
	if args.Email != "" {
		if _, err = sns.NewTopicSubscription(ctx, name+"-email", &sns.TopicSubscriptionArgs{
			Topic:    t.Topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(args.Email),
		}, parent); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(t, pulumi.Map{"arn": t.Arn}); err != nil {
		return nil, err
	}
	return t, nil
}
