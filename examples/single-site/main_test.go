package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wpfleet/wpfleet/examples/internal/exampletest"
	"github.com/wpfleet/wpfleet/mocks"
)

func preview(t *testing.T) *mocks.Result { return exampletest.Preview(t, run) }

func find(t *testing.T, res *mocks.Result, typ, name string) mocks.Resource {
	return exampletest.Find(t, res, typ, name)
}

// The stack creates the site, its pool and its release job, and adopts every
// shared part of the platform.
func TestSingleSite(t *testing.T) {
	res := preview(t)
	counts := res.CountByType()
	for _, typ := range []string{"awsx:ec2:Vpc", "aws:ecs/cluster:Cluster", "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener",
		"aws:efs/fileSystem:FileSystem", "aws:rds/cluster:Cluster", "aws:sns/topic:Topic", "aws:cloudformation/stack:Stack",
		"aws:backup/vault:Vault", "aws:ec2/vpcEndpoint:VpcEndpoint"} {
		assert.Zerof(t, counts[typ], "%s is the other stack's, adopted by ID", typ)
	}
	assert.Equal(t, 1, counts["wpfleet:components:WordPressSite"])
	assert.Equal(t, 1, counts["wpfleet:components:SitePool"])
	assert.Equal(t, 1, counts["aws:ecs/service:Service"])
	assert.Equal(t, 1, counts["aws:codebuild/project:Project"])

	// Its own certificate, attached to the shared listener.
	lc := find(t, res, "aws:lb/listenerCertificate:ListenerCertificate", "blog-blog")
	assert.Equal(t, "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/prod-9037106/0a1b2c3d4e5f6071/0a1b2c3d4e5f6072", lc.Inputs["listenerArn"])
	rule := find(t, res, "aws:lb/listenerRule:ListenerRule", "blog-blog--rule-1")
	assert.EqualValues(t, 1000, rule.Inputs["priority"])
	assert.Equal(t, lc.Inputs["listenerArn"], rule.Inputs["listenerArn"])

	// The pool runs in the platform's cluster and private subnets, two tasks.
	svc := find(t, res, "aws:ecs/service:Service", "blog-blog")
	assert.Equal(t, "arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod-0a1b2c3", svc.Inputs["cluster"])
	assert.Equal(t, []any{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"}, svc.Inputs["networkConfiguration"].(map[string]any)["subnets"])
	assert.EqualValues(t, 2, svc.Inputs["desiredCount"])
	assert.Equal(t, false, svc.Inputs["enableExecuteCommand"], "the adopted cluster's sessions are not known to be logged")

	// Reachability: the tasks reach the adopted EFS and Aurora, which admit them; the adopted ALB reaches the tasks.
	tasks := find(t, res, "aws:ec2/securityGroup:SecurityGroup", "blog-tasks").ID
	in, out, hasRule := exampletest.Ingress, exampletest.Egress, exampletest.HasRule
	assert.True(t, hasRule(res, in, tasks, 8080, "sg-0a1b2c3d4e5f60011"), "the tasks admit the adopted ALB")
	assert.True(t, hasRule(res, out, "sg-0a1b2c3d4e5f60011", 8080, tasks), "the adopted ALB may reach the tasks")
	assert.True(t, hasRule(res, out, tasks, 2049, "sg-0a1b2c3d4e5f60012") && hasRule(res, in, "sg-0a1b2c3d4e5f60012", 2049, tasks),
		"the tasks reach the adopted EFS, which admits them")
	assert.True(t, hasRule(res, out, tasks, 3306, "sg-0a1b2c3d4e5f60013") && hasRule(res, in, "sg-0a1b2c3d4e5f60013", 3306, tasks),
		"the tasks reach the adopted Aurora, which admits them")

	// The site's tasks talk to the adopted database over TLS; its distribution is behind the adopted web ACL.
	td := find(t, res, "aws:ecs/taskDefinition:TaskDefinition", "blog-blog")
	assert.Contains(t, td.Inputs["containerDefinitions"], `{"name":"DB_HOST","value":"wpfleet-prod.cluster-0a1b2c3d4e5f.ap-northeast-1.rds.amazonaws.com"}`)
	assert.Contains(t, td.Inputs["containerDefinitions"], `{"name":"DB_TLS","value":"true"}`)
	dist := find(t, res, "aws:cloudfront/distribution:Distribution", "blog-blog")
	assert.Equal(t, "arn:aws:wafv2:us-east-1:123456789012:global/webacl/wpfleet-prod/0a1b2c3d-4e5f-6789-abcd-ef0123456789", dist.Inputs["webAclId"])
	for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
		assert.Equal(t, []any{"arn:aws:sns:ap-northeast-1:123456789012:prod-14e0d33"}, a.Inputs["alarmActions"], a.Name)
	}
	// The release job reads the adopted master secret to create the site's database user.
	rp := find(t, res, "aws:iam/rolePolicy:RolePolicy", "blog-release")
	assert.Contains(t, rp.Inputs["policy"], "secret:rds!cluster-0a1b2c3d-AbCdEf")
	assert.Equal(t, "https://blog.example.com", res.Outputs["url"])
}

// The example passes the policy pack: no mandatory violation.
func TestSingleSitePassesThePolicyPack(t *testing.T) {
	exampletest.PassesPolicyPack(t, preview(t))
}

// AWS would accept every value, and every workload reaches what it needs.
func TestSingleSitePassesPreflight(t *testing.T) {
	exampletest.PassesPreflight(t, preview(t))
}

// The README's monthly figure is the cost model's estimate of this graph
// (one site of 100,000 page views a month; prices of ap-northeast-1).
func TestSingleSiteCostInReadme(t *testing.T) {
	r := exampletest.ReadmeCost(t, preview(t), 100000)
	assert.Zero(t, r.Categories["database"], "the adopted database is billed to its own stack")
}
