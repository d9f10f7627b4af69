package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/examples/internal/exampletest"
	"github.com/wpfleet/wpfleet/mocks"
)

func preview(t *testing.T) *mocks.Result { return exampletest.Preview(t, run) }

// The VPC, ALB, EFS and Aurora are adopted; the cluster, alarm topic and web
// ACL are created; two sites share one pool.
func TestExistingInfrastructure(t *testing.T) {
	res := preview(t)
	counts := res.CountByType()
	for _, typ := range []string{"awsx:ec2:Vpc", "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener",
		"aws:efs/fileSystem:FileSystem", "aws:rds/cluster:Cluster", "aws:backup/plan:Plan"} {
		assert.Zerof(t, counts[typ], "%s exists already", typ)
	}
	for typ, n := range map[string]int{"aws:ecs/cluster:Cluster": 1, "aws:sns/topic:Topic": 1, "aws:cloudformation/stack:Stack": 1,
		"wpfleet:components:WordPressSite": 2, "wpfleet:components:SitePool": 1, "aws:ecs/service:Service": 1,
		"aws:lb/listenerCertificate:ListenerCertificate": 2, "aws:codebuild/project:Project": 1} {
		assert.Equalf(t, n, counts[typ], "%s", typ)
	}
	listener := "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/corp-web/0c0ffee0c0ffee01/0c0ffee0c0ffee02"
	for _, s := range []struct {
		name  string
		hosts []any
	}{{"intranet", []any{"intranet.example.net"}}, {"careers", []any{"careers.example.net", "jobs.example.net"}}} {
		cert := exampletest.Find(t, res, "aws:acm/certificate:Certificate", "corp-"+s.name)
		assert.Equal(t, s.hosts[0], cert.Inputs["domainName"], "each site brings its own certificate")
		lc := exampletest.Find(t, res, "aws:lb/listenerCertificate:ListenerCertificate", "corp-"+s.name)
		assert.Equal(t, listener, lc.Inputs["listenerArn"])
		rule := exampletest.Find(t, res, "aws:lb/listenerRule:ListenerRule", "corp-"+s.name+"--rule-1")
		assert.Equal(t, listener, rule.Inputs["listenerArn"])
		assert.Equal(t, s.hosts, rule.Inputs["conditions"].([]any)[0].(map[string]any)["hostHeader"].(map[string]any)["values"])
	}
	tasks := exampletest.Find(t, res, "aws:ec2/securityGroup:SecurityGroup", "corp-tasks").ID
	in, out, has := exampletest.Ingress, exampletest.Egress, exampletest.HasRule
	assert.True(t, has(res, in, tasks, 8080, "sg-0c0ffee0c0ffee031") && has(res, out, "sg-0c0ffee0c0ffee031", 8080, tasks),
		"the existing ALB reaches the tasks, which admit it")
	assert.True(t, has(res, out, tasks, 2049, "sg-0c0ffee0c0ffee042") && has(res, in, "sg-0c0ffee0c0ffee042", 2049, tasks))
	assert.True(t, has(res, out, tasks, 3306, "sg-0c0ffee0c0ffee051") && has(res, in, "sg-0c0ffee0c0ffee051", 3306, tasks))
	release := exampletest.Find(t, res, "aws:ec2/securityGroup:SecurityGroup", "corp-release").ID
	assert.True(t, has(res, in, "sg-0c0ffee0c0ffee042", 2049, release) && has(res, in, "sg-0c0ffee0c0ffee051", 3306, release))

	// The cluster the platform made logs ECS Exec sessions, so the pool may use it.
	cluster := exampletest.Find(t, res, "aws:ecs/cluster:Cluster", "corp")
	assert.NotNil(t, cluster.Inputs["configuration"])
	svc := exampletest.Find(t, res, "aws:ecs/service:Service", "corp-web")
	assert.Equal(t, cluster.Outputs["arn"], svc.Inputs["cluster"])
	assert.Equal(t, true, svc.Inputs["enableExecuteCommand"])
	td := exampletest.Find(t, res, "aws:ecs/taskDefinition:TaskDefinition", "corp-web")
	defs := td.Inputs["containerDefinitions"].(string)
	assert.Contains(t, defs, `{"name":"WPFLEET_SITES","value":"intranet careers"}`)
	assert.Contains(t, defs, `{"name":"DB_HOST","value":"corp-mysql.cluster-0c0ffee0c0ff.ap-northeast-1.rds.amazonaws.com"}`)
	assert.True(t, volumesOn(td, "fs-0c0ffee0c0ffee041"), "both sites' access points on the existing file system")
	topic := exampletest.Find(t, res, "aws:sns/topic:Topic", "corp")
	for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
		assert.Equal(t, []any{topic.Outputs["arn"]}, a.Inputs["alarmActions"], a.Name)
	}
	fw := exampletest.Find(t, res, "aws:cloudformation/stack:Stack", "corp-waf")
	for _, d := range res.ByType("aws:cloudfront/distribution:Distribution") {
		assert.Contains(t, d.PropertyDependencies["webAclId"], fw.URN, d.Name)
	}
	ap := exampletest.Find(t, res, "aws:efs/accessPoint:AccessPoint", "corp-release")
	assert.Equal(t, "fs-0c0ffee0c0ffee041", ap.Inputs["fileSystemId"])
	require.Contains(t, res.Outputs, "releaseStartCommand")
}

func volumesOn(td mocks.Resource, fs string) bool {
	vols, _ := td.Inputs["volumes"].([]any)
	n := 0
	for _, v := range vols {
		if c, ok := v.(map[string]any)["efsVolumeConfiguration"].(map[string]any); ok && c["fileSystemId"] == fs {
			n++
		}
	}
	return n == 2
}

func TestExistingInfrastructurePassesThePolicyPack(t *testing.T) {
	exampletest.PassesPolicyPack(t, preview(t))
}

// AWS would accept every value, and every workload reaches what it needs.
func TestExistingInfrastructurePassesPreflight(t *testing.T) {
	exampletest.PassesPreflight(t, preview(t))
}

// The README's monthly figure: 300,000 page views a month over both sites.
func TestExistingInfrastructureCostInReadme(t *testing.T) {
	r := exampletest.ReadmeCost(t, preview(t), 300000)
	assert.Zero(t, r.Categories["database"], "the existing database is billed where it is")
}
