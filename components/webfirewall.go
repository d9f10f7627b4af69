package components

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudformation"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WebFirewallArgs configures WebFirewall.
type WebFirewallArgs struct {
	// Environment names the web ACL, its CloudFormation stack and log group. Required.
	Environment string
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// UsEast1 is a provider for us-east-1, where CloudFront-scope web ACLs
	// live. Required.
	UsEast1 *aws.Provider
	// LoginRateLimit is how many requests to /wp-login.php and /xmlrpc.php
	// one address may make in 5 minutes before it is blocked (10-2000000).
	// Defaults to 100.
	LoginRateLimit int
	// LogRetentionDays keeps the WAF's logs. Defaults to 90.
	LogRetentionDays int
}

func (a WebFirewallArgs) withDefaults() WebFirewallArgs {
	a.LoginRateLimit = intDefault(a.LoginRateLimit, 100)
	a.LogRetentionDays = intDefault(a.LogRetentionDays, 90)
	return a
}

// Validate checks the arguments (after defaults) without registering anything.
func (a WebFirewallArgs) Validate() error {
	a = a.withDefaults()
	var c check
	c.keyed("WebFirewallArgs.Environment", a.Environment, CheckEnvironmentName(a.Environment))
	if a.UsEast1 == nil {
		c.add(invalid("WebFirewallArgs.UsEast1", nil, "a provider for us-east-1 (CloudFront-scope web ACLs live there)"))
	}
	// WAFv2 API reference, RateBasedStatement: Limit 10 to 2,000,000,000.
	if a.LoginRateLimit < 10 || a.LoginRateLimit > 2000000000 {
		c.add(invalid("WebFirewallArgs.LoginRateLimit", a.LoginRateLimit, "10 to 2000000000 requests per 5 minutes"))
	}
	c.keyed("WebFirewallArgs.LogRetentionDays", a.LogRetentionDays, CheckLogRetention(a.LogRetentionDays))
	return c.err()
}

// WebFirewall is a CloudFront-scope AWS WAF web ACL with AWS managed rule
// groups (core rule set, known bad inputs, IP reputation, PHP, WordPress)
// and a per-address rate limit on the login and XML-RPC endpoints, logged to
// CloudWatch. It is a CloudFormation stack in us-east-1: the provider's
// wafv2 package is not used (too large to compile here).
type WebFirewall struct {
	pulumi.ResourceState

	Stack *cloudformation.Stack
	// WebACLArn is attached to distributions.
	WebACLArn pulumi.StringOutput
}

// ManagedRuleGroups are the AWS managed rule groups of the web ACL, in
// priority order. Source: AWS WAF developer guide, "AWS Managed Rules rule
// groups list" (baseline, use-case specific and IP reputation groups).
var ManagedRuleGroups = []string{
	"AWSManagedRulesAmazonIpReputationList",
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesPHPRuleSet",
	"AWSManagedRulesWordPressRuleSet",
}

// commonRuleSetCounted are core rule set rules WordPress trips on normal
// use (media uploads and post bodies larger than 8 KB, post HTML): counted,
// not blocked.
var commonRuleSetCounted = []string{"SizeRestrictions_BODY", "CrossSiteScripting_BODY"}

// WebACLTemplate is the CloudFormation template of the web ACL and its logging.
func WebACLTemplate(env string, loginRateLimit, logDays int) string {
	metric := func(name string) map[string]any {
		return map[string]any{"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name}
	}
	var rules []any
	for i, g := range ManagedRuleGroups {
		stmt := map[string]any{"VendorName": "AWS", "Name": g}
		if g == "AWSManagedRulesCommonRuleSet" {
			var overrides []any
			for _, r := range commonRuleSetCounted {
				overrides = append(overrides, map[string]any{"Name": r, "ActionToUse": map[string]any{"Count": map[string]any{}}})
			}
			stmt["RuleActionOverrides"] = overrides
		}
		rules = append(rules, map[string]any{
			"Name": g, "Priority": i + 1, "OverrideAction": map[string]any{"None": map[string]any{}},
			"Statement": map[string]any{"ManagedRuleGroupStatement": stmt}, "VisibilityConfig": metric(g),
		})
	}
	for i, path := range []string{"/wp-login.php", "/xmlrpc.php"} {
		name := fmt.Sprintf("RateLimit%d", i+1)
		rules = append(rules, map[string]any{
			"Name": name, "Priority": len(ManagedRuleGroups) + i + 1, "Action": map[string]any{"Block": map[string]any{}},
			"Statement": map[string]any{"RateBasedStatement": map[string]any{
				"Limit": loginRateLimit, "AggregateKeyType": "IP",
				"ScopeDownStatement": map[string]any{"ByteMatchStatement": map[string]any{
					"SearchString": path, "PositionalConstraint": "EXACTLY",
					"FieldToMatch":        map[string]any{"UriPath": map[string]any{}},
					"TextTransformations": []any{map[string]any{"Priority": 0, "Type": "LOWERCASE"}},
				}},
			}},
			"VisibilityConfig": metric(name),
		})
	}
	logGroup := "aws-waf-logs-wpfleet-" + env // WAF logs only to groups named aws-waf-logs-*
	t := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "wpfleet " + env + ": CloudFront web ACL",
		"Resources": map[string]any{
			"WebACL": map[string]any{"Type": "AWS::WAFv2::WebACL", "Properties": map[string]any{
				"Name": "wpfleet-" + env, "Scope": "CLOUDFRONT", "DefaultAction": map[string]any{"Allow": map[string]any{}},
				"Rules": rules, "VisibilityConfig": metric("wpfleet-" + env),
			}},
			"LogGroup": map[string]any{"Type": "AWS::Logs::LogGroup", "Properties": map[string]any{
				"LogGroupName": logGroup, "RetentionInDays": logDays,
			}},
			"Logging": map[string]any{"Type": "AWS::WAFv2::LoggingConfiguration", "Properties": map[string]any{
				"ResourceArn":           map[string]any{"Fn::GetAtt": []string{"WebACL", "Arn"}},
				"LogDestinationConfigs": []any{map[string]any{"Fn::GetAtt": []string{"LogGroup", "Arn"}}},
			}},
		},
		"Outputs": map[string]any{"WebACLArn": map[string]any{"Value": map[string]any{"Fn::GetAtt": []string{"WebACL", "Arn"}}}},
	}
	b, _ := json.Marshal(t)
	return string(b)
}

// NewWebFirewall creates the web ACL stack.
func NewWebFirewall(ctx *pulumi.Context, name string, args *WebFirewallArgs, opts ...pulumi.ResourceOption) (*WebFirewall, error) {
	if args == nil {
		args = &WebFirewallArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	w := &WebFirewall{}
	if err := ctx.RegisterComponentResource(typePrefix+"WebFirewall", name, w, opts...); err != nil {
		return nil, err
	}
	var err error
	w.Stack, err = cloudformation.NewStack(ctx, name, &cloudformation.StackArgs{
		Name:         pulumi.String("wpfleet-" + a.Environment + "-waf"),
		TemplateBody: pulumi.String(WebACLTemplate(a.Environment, a.LoginRateLimit, a.LogRetentionDays)),
		OnFailure:    pulumi.String("DELETE"),
		Tags:         tagInput(a.Tags),
	}, pulumi.Parent(w), pulumi.Provider(a.UsEast1))
	if err != nil {
		return nil, err
	}
	w.WebACLArn = w.Stack.Outputs.MapIndex(pulumi.String("WebACLArn"))
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{"webAclArn": w.WebACLArn}); err != nil {
		return nil, err
	}
	return w, nil
}
