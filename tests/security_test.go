package tests

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/mocks"
)

// deniesInsecureTransport reports whether a policy document has a Deny on
// aws:SecureTransport = false.
func deniesInsecureTransport(doc any) bool {
	for _, st := range statements(doc) {
		if st["Effect"] == "Deny" && at(st, "Condition.Bool.aws:SecureTransport") == "false" {
			return true
		}
	}
	return false
}

func statements(doc any) []map[string]any {
	var out []map[string]any
	switch s := at(doc, "Statement").(type) {
	case []any:
		for _, x := range s {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, s)
	}
	return out
}

func strList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// readOnlyOrUnscopable are the actions wpfleet grants on "*": read-only
// calls, and calls AWS offers no resource-level permission for.
var readOnlyOrUnscopable = map[string]bool{
	"ecr:GetAuthorizationToken":        true, // no resource-level permissions
	"ecr:BatchCheckLayerAvailability":  true, // read-only image pulls
	"ecr:GetDownloadUrlForLayer":       true,
	"ecr:BatchGetImage":                true,
	"ssmmessages:CreateControlChannel": true, // ECS Exec: no resource-level permissions
	"ssmmessages:CreateDataChannel":    true,
	"ssmmessages:OpenControlChannel":   true,
	"ssmmessages:OpenDataChannel":      true,
	"logs:DescribeLogGroups":           true, // read-only, no resource-level permissions
	"ec2:DescribeDhcpOptions":          true, // read-only: CodeBuild in a VPC
	"ec2:DescribeNetworkInterfaces":    true,
	"ec2:DescribeSubnets":              true,
	"ec2:DescribeSecurityGroups":       true,
	"ec2:DescribeVpcs":                 true,
}

// Identity policies: no "*" actions, and "*" resources only for the listed
// read-only or unscopable actions.
func TestLeastPrivilegeIAM(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			policies := res.ByType("aws:iam/rolePolicy:RolePolicy")
			require.NotEmpty(t, policies)
			for _, p := range policies {
				for _, st := range statements(jsonInput(t, p, "policy")) {
					if st["Effect"] != "Allow" {
						continue
					}
					for _, a := range strList(st["Action"]) {
						assert.NotContainsf(t, a, "*", "%s grants wildcard action %s", p.Name, a)
					}
					for _, r := range strList(st["Resource"]) {
						if r != "*" {
							continue
						}
						for _, a := range strList(st["Action"]) {
							assert.Truef(t, readOnlyOrUnscopable[a], "%s grants %s on every resource", p.Name, a)
						}
					}
				}
			}
			for _, r := range res.ByType("aws:iam/role:Role") {
				assert.Nil(t, r.Inputs["managedPolicyArns"], "%s: inline, scoped policies only", r.Name)
				trust := jsonInput(t, r, "assumeRolePolicy")
				for _, st := range statements(trust) {
					assert.NotEqualf(t, "*", at(st, "Principal.AWS"), "%s trusts everyone", r.Name)
					if at(st, "Principal.Federated") != nil {
						continue // CI roles: checked by TestCIRoleTrust
					}
					assert.Equalf(t, "123456789012", at(st, "Condition.StringEquals.aws:SourceAccount"),
						"%s: service trust limited to this account", r.Name)
				}
			}
		})
	}
}

// A site's task role reaches its own bucket and its own access point only.
func TestTaskRolesAreScopedToTheirSite(t *testing.T) {
	res := shippedStack(t, "prod")
	for _, site := range res.ByType("wpfleet:components:WordPressSite") {
		name := strings.TrimPrefix(site.Name, "prod-")
		d := res.Descendants(site.URN)
		var uploads, task mocks.Resource
		for _, p := range ofType(d, "aws:iam/rolePolicy:RolePolicy") {
			switch p.Name {
			case site.Name + "-uploads":
				uploads = p
			case site.Name + "-task":
				task = p
			}
		}
		require.NotEmpty(t, uploads.Name)
		for _, st := range statements(jsonInput(t, uploads, "policy")) {
			for _, r := range strList(st["Resource"]) {
				assert.Regexpf(t, `^arn:aws:s3:::prod-`+regexp.QuoteMeta(name)+`-[0-9a-f]{7}(/\*)?$`, r, "%s uploads policy", name)
			}
		}
		for _, st := range statements(jsonInput(t, task, "policy")) {
			for _, a := range strList(st["Action"]) {
				assert.NotEqual(t, "elasticfilesystem:ClientWrite", a, "web tasks mount their code read-only")
				assert.NotEqual(t, "elasticfilesystem:ClientRootAccess", a)
			}
			if strList(st["Action"])[0] == "elasticfilesystem:ClientMount" {
				assert.Regexp(t, `access-point/fsap-`, at(st, "Condition.StringEquals.elasticfilesystem:AccessPointArn"))
			}
		}
	}
}

// Ingress from outside the VPC exists only on the ALB: from anywhere on 80
// and 443, or, when every site is behind CloudFront (prod), on 443 from
// CloudFront's origin-facing prefix list only. Every other security group
// admits other security groups only.
func TestNoPublicIngressExceptALB(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			albSG, ok := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-alb")
			require.True(t, ok)
			public := map[int64]string{}
			for _, r := range res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
				cidr4, cidr6, pl := str(r.Inputs["cidrIpv4"]), str(r.Inputs["cidrIpv6"]), str(r.Inputs["prefixListId"])
				if cidr4 == "" && cidr6 == "" && pl == "" {
					assert.NotEmptyf(t, r.Inputs["referencedSecurityGroupId"], "%s admits neither a CIDR nor a group", r.Name)
					continue
				}
				assert.Equalf(t, albSG.ID, r.Inputs["securityGroupId"], "%s opens a non-ALB group to %s", r.Name, cidr4+cidr6+pl)
				assert.Equal(t, r.Inputs["fromPort"], r.Inputs["toPort"])
				public[r.Inputs["fromPort"].(int64)] = cidr4 + cidr6 + pl
			}
			if stack == "prod" {
				assert.Equal(t, map[int64]string{443: "pl-58a04531"}, public, "prod's ALB admits CloudFront only")
			} else {
				assert.Equal(t, map[int64]string{80: "0.0.0.0/0", 443: "0.0.0.0/0"}, public)
			}
			for _, sg := range res.ByType("aws:ec2/securityGroup:SecurityGroup") {
				assert.Nilf(t, sg.Inputs["ingress"], "%s: rules are separate resources", sg.Name)
				assert.Nilf(t, sg.Inputs["egress"], "%s: rules are separate resources", sg.Name)
			}
		})
	}
}

// Encryption at rest and in transit everywhere the graph stores or moves data.
func TestEncryptionEverywhere(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, fs := range res.ByType("aws:efs/fileSystem:FileSystem") {
				assert.Equal(t, true, fs.Inputs["encrypted"])
			}
			for _, c := range res.ByType("aws:rds/cluster:Cluster") {
				assert.Equal(t, true, c.Inputs["storageEncrypted"])
			}
			for _, pg := range res.ByType("aws:rds/clusterParameterGroup:ClusterParameterGroup") {
				params := map[string]string{}
				for _, p := range pg.Inputs["parameters"].([]any) {
					params[str(at(p, "name"))] = str(at(p, "value"))
				}
				assert.Equal(t, "ON", params["require_secure_transport"], "MySQL clients must use TLS")
			}
			buckets := res.ByType("aws:s3/bucketV2:BucketV2")
			assert.Len(t, res.ByType("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"), len(buckets))
			assert.Len(t, res.ByType("aws:s3/bucketPolicy:BucketPolicy"), len(buckets))
			for _, topic := range res.ByType("aws:sns/topic:Topic") {
				assert.NotEmpty(t, topic.Inputs["kmsMasterKeyId"])
			}
			for _, k := range res.ByType("aws:kms/key:Key") {
				assert.Equal(t, true, k.Inputs["enableKeyRotation"])
			}
			for _, p := range res.ByType("aws:sns/topicPolicy:TopicPolicy") {
				assert.True(t, deniesInsecureTransport(jsonInput(t, p, "policy")))
			}
		})
	}
}

var secretLike = regexp.MustCompile(`(?i)(password|passwd|secret|salt|_key$|token)`)

// No secret value appears in a plain environment variable, and no input of
// any resource carries a generated password in the clear.
func TestNoSecretInPlainEnvironment(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			var passwords []string
			for _, p := range res.ByType("random:index/randomPassword:RandomPassword") {
				passwords = append(passwords, str(p.Outputs["result"]))
				assert.Equal(t, mocks.SecretPlaceholder, p.Outputs["result"], "generated passwords are secret outputs")
			}
			for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
				for _, d := range jsonInput(t, td, "containerDefinitions").([]any) {
					for _, e := range at(d, "environment").([]any) {
						name := str(at(e, "name"))
						assert.Falsef(t, secretLike.MatchString(name), "%s: %s looks secret but is plain environment", td.Name, name)
					}
				}
			}
			for _, v := range res.ByType("aws:secretsmanager/secretVersion:SecretVersion") {
				assert.Equal(t, mocks.SecretPlaceholder, v.Inputs["secretString"], "%s: the value is a secret in state", v.Name)
			}
			all, err := json.Marshal(res)
			require.NoError(t, err)
			for _, p := range passwords {
				if p != mocks.SecretPlaceholder {
					assert.NotContains(t, string(all), p)
				}
			}
			for k, v := range res.Outputs {
				assert.NotEqualf(t, mocks.SecretPlaceholder, v, "output %s is a secret: outputs must not carry secrets", k)
			}
		})
	}
}
