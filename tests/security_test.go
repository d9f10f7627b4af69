package tests

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

// readOnlyOrUnscopable are the actions wpfleet grants on "*": read-only
// calls, and calls AWS offers no resource-level permission for (Service
// Authorization Reference, each service's actions table).
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
// read-only or unscopable actions; roles trust their service for this
// account only, or CI through OIDC.
func TestLeastPrivilegeIAM(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			policies := res.ByType("aws:iam/rolePolicy:RolePolicy")
			require.NotEmpty(t, policies)
			for _, p := range policies {
				for _, st := range statements(jsonInput(t, p, "policy")) {
					if st["Effect"] == "Deny" {
						continue // an explicit deny narrows what the role's allows give (the CI roles' override denials)
					}
					require.Equal(t, "Allow", st["Effect"], p.Name)
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
				for _, st := range statements(jsonInput(t, r, "assumeRolePolicy")) {
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

// sitesSecrets returns the database and salts secret ARNs of sites.
func sitesSecrets(t *testing.T, res *mocks.Result, stack string, sites []string) []string {
	var out []string
	for _, s := range sites {
		site := component(t, res, "WordPressSite", stack+"-"+s)
		for _, sec := range ofType(res.Children(site.URN), "aws:secretsmanager/secret:Secret") {
			out = append(out, str(sec.Outputs["arn"]))
		}
	}
	sort.Strings(out)
	return out
}

// A pool's task role reaches its own sites' buckets (under wp-content/ only)
// and their access points, read-only; its execution role reads its own
// sites' secrets and nothing else.
func TestPoolRolesAreScopedToTheirSites(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			fs := res.ByType("aws:efs/fileSystem:FileSystem")[0]
			for pool, sites := range poolSites(t, stack) {
				name := stack + "-" + pool
				taskPol, ok := res.Find("aws:iam/rolePolicy:RolePolicy", name+"--task")
				require.True(t, ok)
				execPol, ok := res.Find("aws:iam/rolePolicy:RolePolicy", name+"--exec")
				require.True(t, ok)

				var buckets, objects, aps []string
				for _, s := range sites {
					site := component(t, res, "WordPressSite", stack+"-"+s)
					d := res.Descendants(site.URN)
					arn := str(onlyOne(t, d, "aws:s3/bucketV2:BucketV2", s).Outputs["arn"])
					buckets = append(buckets, arn)
					for _, st := range components.BucketReadWritePolicy(arn).Statement {
						for _, r := range st.Resource {
							if r != arn {
								objects = append(objects, r)
							}
						}
					}
					aps = append(aps, str(onlyOne(t, res.Children(site.URN), "aws:efs/accessPoint:AccessPoint", s).Outputs["arn"]))
				}
				var gotBuckets, gotObjects []string
				doc := jsonInput(t, taskPol, "policy")
				for _, st := range statements(doc) {
					acts := strList(st["Action"])
					switch {
					case strings.HasPrefix(str(st["Sid"]), "ListUploads"):
						assert.ElementsMatch(t, components.UploadsGrant.BucketActions, acts)
						for _, prefix := range strList(at(st, "Condition.StringLikeIfExists.s3:prefix")) {
							assert.True(t, strings.HasPrefix(prefix, components.UploadsKeyPrefix+"/"), "listing the uploads prefix only: %s", prefix)
						}
						assert.NotEmpty(t, at(st, "Condition.StringLikeIfExists.s3:prefix"))
						gotBuckets = append(gotBuckets, strList(st["Resource"])...)
					case strings.HasPrefix(str(st["Sid"]), "ReadWriteUploads"):
						assert.ElementsMatch(t, components.UploadsGrant.ObjectActions, acts, "exactly what S3-Uploads does")
						gotObjects = append(gotObjects, strList(st["Resource"])...)
					case st["Sid"] == "MountSiteCodeReadOnly":
						assert.Equal(t, []string{"elasticfilesystem:ClientMount"}, acts, "web tasks mount their code read-only")
						assert.Equal(t, []string{str(fs.Outputs["arn"])}, strList(st["Resource"]))
						assert.ElementsMatch(t, aps, strList(at(st, "Condition.StringEquals.elasticfilesystem:AccessPointArn")),
							"through the pool's sites' access points only")
					case strings.HasPrefix(str(st["Sid"]), "EcsExec"):
					default:
						t.Errorf("%s: unexpected statement %v", taskPol.Name, st)
					}
				}
				assert.ElementsMatch(t, buckets, gotBuckets, "%s: its sites' buckets only", pool)
				assert.ElementsMatch(t, objects, gotObjects, "%s: its sites' uploads only", pool)
				for _, r := range gotObjects {
					assert.Regexp(t, `^arn:aws:s3:::[a-z0-9.-]+/wp-content/`, r, "objects under wp-content/ only")
				}

				secrets := statement(t, jsonInput(t, execPol, "policy"), "ReadSiteSecrets")
				assert.Equal(t, []string{"secretsmanager:GetSecretValue"}, strList(secrets["Action"]))
				got := strList(secrets["Resource"])
				sort.Strings(got)
				assert.Equal(t, sitesSecrets(t, res, stack, sites), got, "%s: its sites' secrets, whole", pool)
				logs := statement(t, jsonInput(t, execPol, "policy"), "WriteLogs")
				assert.Equal(t, []string{"arn:aws:logs:ap-northeast-1:123456789012:log-group:" + components.NamesFor(stack).PoolLogGroup(pool) + ":*"},
					strList(logs["Resource"]))
			}
		})
	}
}

// A site's jobs get that site's secrets, bucket and access point only.
func TestJobRolesAreScopedToTheirSite(t *testing.T) {
	res := shippedStack(t, "prod")
	for _, s := range []string{"news", "support"} {
		execPol, ok := res.Find("aws:iam/rolePolicy:RolePolicy", "prod-"+s+"--jobs--exec")
		require.True(t, ok)
		got := strList(statement(t, jsonInput(t, execPol, "policy"), "ReadSiteSecrets")["Resource"])
		sort.Strings(got)
		assert.Equal(t, sitesSecrets(t, res, "prod", []string{s}), got)
		taskPol, _ := res.Find("aws:iam/rolePolicy:RolePolicy", "prod-"+s+"--jobs--task")
		doc := jsonInput(t, taskPol, "policy")
		for _, st := range statements(doc) {
			assert.False(t, strings.HasPrefix(str(st["Sid"]), "EcsExec"), "jobs have no ECS Exec")
			for _, r := range strList(st["Resource"]) {
				if strings.HasPrefix(r, "arn:aws:s3:::") {
					assert.Regexp(t, `^arn:aws:s3:::prod-`+s+`-[0-9a-f]{7}(/wp-content/.*)?$`, r)
				}
			}
		}
	}
}

// Only the release job can read the database master secret.
func TestMasterSecretOnlyForTheReleaseJob(t *testing.T) {
	for _, stack := range stacks {
		res := shippedStack(t, stack)
		master := str(at(res.ByType("aws:rds/cluster:Cluster")[0].Outputs, "masterUserSecrets.0.secretArn"))
		require.NotEmpty(t, master)
		readers := 0
		for _, rp := range res.ByType("aws:iam/rolePolicy:RolePolicy") {
			if strings.Contains(str(rp.Inputs["policy"]), master) {
				readers++
				assert.Equal(t, stack+"-release", rp.Name, "%s can read the master secret", rp.Name)
			}
		}
		assert.Equal(t, 1, readers)
	}
}

// Ingress from outside the VPC exists only on the ALB, on 443 from
// CloudFront's origin-facing prefix list; every other rule admits a
// security group. No group carries inline rules.
func TestNoPublicIngressExceptALB(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			albSG, ok := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-alb")
			require.True(t, ok)
			public := map[int64]string{}
			for _, r := range res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
				cidr4, cidr6, pl := str(r.Inputs["cidrIpv4"]), str(r.Inputs["cidrIpv6"]), str(r.Inputs["prefixListId"])
				assert.Equal(t, "tcp", r.Inputs["ipProtocol"], r.Name)
				assert.Equal(t, r.Inputs["fromPort"], r.Inputs["toPort"], r.Name)
				if cidr4 == "" && cidr6 == "" && pl == "" {
					assert.NotEmptyf(t, r.Inputs["referencedSecurityGroupId"], "%s admits neither a network nor a group", r.Name)
					continue
				}
				assert.Equalf(t, albSG.ID, r.Inputs["securityGroupId"], "%s opens a non-ALB group to %s", r.Name, cidr4+cidr6+pl)
				public[r.Inputs["fromPort"].(int64)] = cidr4 + cidr6 + pl
			}
			assert.Equal(t, map[int64]string{443: "pl-58a04531"}, public, "the ALB admits CloudFront only")
			for _, sg := range res.ByType("aws:ec2/securityGroup:SecurityGroup") {
				assert.Nilf(t, sg.Inputs["ingress"], "%s: rules are separate resources", sg.Name)
				assert.Nilf(t, sg.Inputs["egress"], "%s: rules are separate resources", sg.Name)
				assert.Regexpf(t, ec2Description, sg.Inputs["description"], "%s: a description EC2 accepts", sg.Name)
			}
			for _, typ := range []string{"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"} {
				for _, r := range res.ByType(typ) {
					assert.Regexpf(t, ec2Description, r.Inputs["description"], "%s: a description EC2 accepts", r.Name)
				}
			}
		})
	}
}

// The tasks' group has every rule a WordPress task needs, owned by the
// platform: nginx from the ALB, out to HTTPS and HTTP, EFS and Aurora (with
// the matching ingress on those groups); the ALB reaches the VPC on 8080.
func TestTasksSecurityGroupRules(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			sg := func(name string) string {
				g, ok := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-"+name)
				require.True(t, ok, name)
				return g.ID
			}
			tasks, alb, efs, db := sg("tasks"), sg("alb"), sg("efs"), sg("db")
			type rule struct {
				group string
				port  int64
				peer  string
			}
			in, out := map[rule]bool{}, map[rule]bool{}
			for _, r := range res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
				in[rule{str(r.Inputs["securityGroupId"]), r.Inputs["fromPort"].(int64), str(r.Inputs["referencedSecurityGroupId"]) + str(r.Inputs["prefixListId"])}] = true
			}
			for _, r := range res.ByType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
				out[rule{str(r.Inputs["securityGroupId"]), r.Inputs["fromPort"].(int64), str(r.Inputs["referencedSecurityGroupId"]) + str(r.Inputs["cidrIpv4"])}] = true
			}
			assert.True(t, in[rule{tasks, components.WebPort, alb}], "nginx from the ALB")
			assert.True(t, out[rule{alb, components.WebPort, "10.0.0.0/16"}], "the ALB reaches targets in the VPC only")
			assert.True(t, out[rule{tasks, 443, "0.0.0.0/0"}], "tasks reach AWS APIs and ECR over HTTPS")
			assert.True(t, out[rule{tasks, 2049, efs}] && in[rule{efs, 2049, tasks}], "tasks mount EFS")
			assert.True(t, out[rule{tasks, 3306, db}] && in[rule{db, 3306, tasks}], "tasks reach Aurora")
			release := sg("release")
			assert.True(t, out[rule{release, 2049, efs}] && in[rule{efs, 2049, release}], "the release job mounts EFS")
			assert.True(t, out[rule{release, 3306, db}] && in[rule{db, 3306, release}], "the release job creates site users")
			assert.True(t, out[rule{release, 443, "0.0.0.0/0"}])
			assert.False(t, out[rule{release, 80, "0.0.0.0/0"}], "the release job needs HTTPS only")
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
			for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
				for _, v := range td.Inputs["volumes"].([]any) {
					if at(v, "efsVolumeConfiguration") != nil {
						assert.Equal(t, "ENABLED", at(v, "efsVolumeConfiguration.transitEncryption"), td.Name)
					}
				}
			}
			for _, c := range res.ByType("aws:rds/cluster:Cluster") {
				assert.Equal(t, true, c.Inputs["storageEncrypted"])
			}
			for _, pg := range res.ByType("aws:rds/clusterParameterGroup:ClusterParameterGroup") {
				assert.Contains(t, pg.Inputs["parameters"], map[string]any{"name": "require_secure_transport", "value": "ON"}, "MySQL clients must use TLS")
			}
			buckets := res.ByType("aws:s3/bucketV2:BucketV2")
			assert.Len(t, res.ByType("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"), len(buckets))
			pols := res.ByType("aws:s3/bucketPolicy:BucketPolicy")
			assert.Len(t, pols, len(buckets))
			for _, p := range pols {
				assert.True(t, deniesInsecureTransport(jsonInput(t, p, "policy")), p.Name)
			}
			for _, topic := range res.ByType("aws:sns/topic:Topic") {
				assert.NotEmpty(t, topic.Inputs["kmsMasterKeyId"])
			}
			for _, p := range res.ByType("aws:sns/topicPolicy:TopicPolicy") {
				assert.True(t, deniesInsecureTransport(jsonInput(t, p, "policy")))
			}
			for _, k := range res.ByType("aws:kms/key:Key") {
				assert.Equal(t, true, k.Inputs["enableKeyRotation"], k.Name)
			}
			exec, ok := res.Find("aws:cloudwatch/logGroup:LogGroup", stack+"-exec")
			require.True(t, ok)
			assert.NotEmpty(t, exec.Inputs["kmsKeyId"], "ECS Exec sessions are logged encrypted")
			vault := res.ByType("aws:backup/vault:Vault")[0]
			assert.NotEmpty(t, vault.Inputs["kmsKeyArn"], "the vault has its own key")
			for _, d := range res.ByType("aws:cloudfront/distribution:Distribution") {
				assert.Equal(t, "redirect-to-https", at(d.Inputs, "defaultCacheBehavior.viewerProtocolPolicy"))
			}
			listener := res.ByType("aws:lb/listener:Listener")[0]
			assert.Equal(t, "HTTPS", listener.Inputs["protocol"])
		})
	}
}

// ec2Description is what EC2 accepts in security group and rule
// descriptions (EC2 API reference, CreateSecurityGroup: GroupDescription;
// IpRange/UserIdGroupPair: Description): up to 255 of a-z, A-Z, 0-9, spaces
// and ._-:/()#,@[]+=&;{}!$*.
var ec2Description = regexp.MustCompile(`^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]{1,255}$`)

var secretLike = regexp.MustCompile(`(?i)(password|passwd|secret|salt|_key$|token)`)

// No secret value appears in a plain environment variable, in any input in
// the clear, or in an output.
func TestNoSecretInPlainEnvironment(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, p := range res.ByType("random:index/randomPassword:RandomPassword") {
				assert.Equal(t, mocks.SecretPlaceholder, p.Outputs["result"], "generated passwords are secret outputs")
			}
			for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
				for name, c := range containers(t, td) {
					for k := range envOf(c) {
						assert.Falsef(t, secretLike.MatchString(k), "%s/%s: %s looks secret but is plain environment", td.Name, name, k)
					}
					for k, v := range secretsOf(c) {
						assert.Regexpf(t, `^arn:aws:secretsmanager:`, v, "%s/%s: %s arrives through ECS secrets", td.Name, name, k)
					}
				}
			}
			for _, v := range res.ByType("aws:secretsmanager/secretVersion:SecretVersion") {
				assert.Equal(t, mocks.SecretPlaceholder, v.Inputs["secretString"], "%s: the value is a secret in state", v.Name)
			}
			for k, v := range res.Outputs {
				assert.NotEqualf(t, mocks.SecretPlaceholder, v, "output %s is a secret: outputs carry no secrets", k)
			}
			// The mock's generated passwords never appear in the clear: run
			// the same program with passwords visible to the recorder.
			all, err := json.Marshal(res)
			require.NoError(t, err)
			assert.NotContains(t, string(all), "\"password\":\"", "no password in the clear in any input")
		})
	}
}
