package cost

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/mocks"
)

func res(typ, name string, inputs map[string]any, outputs map[string]any) mocks.Resource {
	return mocks.Resource{URN: "urn:" + typ + "::" + name, Type: typ, Name: name, Custom: true, Inputs: inputs, Outputs: outputs}
}

func containers(t *testing.T, defs ...map[string]any) string {
	b, err := json.Marshal(defs)
	require.NoError(t, err)
	return string(b)
}

// syntheticGraph is a small graph with no dependency data (as if read back
// from JSON), so the estimate must link resources by their identifying inputs.
func syntheticGraph(t *testing.T, s3Gateway bool) *mocks.Result {
	secret := "arn:aws:secretsmanager:ap-northeast-1:1:secret:db-abc"
	efs := []any{map[string]any{"name": "efs", "efsVolumeConfiguration": map[string]any{"fileSystemId": "fs-1"}}, map[string]any{"name": "code"}}
	r := &mocks.Result{Stack: "t", Resources: []mocks.Resource{
		res("aws:ecs/taskDefinition:TaskDefinition", "web", map[string]any{"family": "web", "cpu": "1024", "memory": "2048",
			"runtimePlatform": map[string]any{"cpuArchitecture": "ARM64"}, "ephemeralStorage": map[string]any{"sizeInGib": int64(30)},
			"volumes": efs, "containerDefinitions": containers(t,
				map[string]any{"name": "sync", "image": "r/php:1", "command": []string{"wpfleet-sync", "run"}},
				map[string]any{"name": "php", "image": "r/php:1", "secrets": []any{
					map[string]any{"valueFrom": secret + ":username::"}, map[string]any{"valueFrom": secret + ":password::"},
					map[string]any{"valueFrom": "arn:aws:secretsmanager:ap-northeast-1:1:secret:salts-x"}}},
				map[string]any{"name": "nginx", "image": "r/nginx:1"})}, nil),
		res("aws:ecs/service:Service", "svc", map[string]any{"desiredCount": int64(2),
			"taskDefinition": "arn:aws:ecs:ap-northeast-1:1:task-definition/web:3",
			"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE", "base": 2.0, "weight": 1.0},
				map[string]any{"capacityProvider": "FARGATE_SPOT", "base": 0.0, "weight": 1.0}}},
			map[string]any{"name": "web-svc"}),
		res("aws:appautoscaling/target:Target", "svc", map[string]any{"serviceNamespace": "ecs",
			"resourceId": "service/c/web-svc", "minCapacity": 2.0, "maxCapacity": 4.0}, nil),
		res("aws:ecs/taskDefinition:TaskDefinition", "job", map[string]any{"family": "job", "cpu": 512, "memory": 1024,
			"volumes": efs, "containerDefinitions": containers(t,
				map[string]any{"name": "sync", "image": "r/php:1", "command": []string{"wpfleet-sync", "once"}},
				map[string]any{"name": "php", "image": "r/php:1"})}, nil),
		res("aws:cloudwatch/eventRule:EventRule", "job", map[string]any{"scheduleExpression": "rate(1 hour)"}, map[string]any{"name": "job-rule"}),
		res("aws:cloudwatch/eventTarget:EventTarget", "job", map[string]any{"rule": "job-rule",
			"ecsTarget": map[string]any{"taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:1:task-definition/job:1", "taskCount": 1.0}}, nil),
		res("awsx:ec2:Vpc", "vpc", map[string]any{"natGateways": map[string]any{"strategy": "Single"},
			"availabilityZoneNames": []any{"a", "c"}}, nil),
		res("aws:efs/fileSystem:FileSystem", "fs", map[string]any{"throughputMode": "elastic"}, nil),
	}}
	if s3Gateway {
		r.Resources = append(r.Resources, res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3",
			map[string]any{"serviceName": "com.amazonaws.ap-northeast-1.s3", "vpcEndpointType": "Gateway"}, nil))
	}
	return r
}

func quietUsage() *Usage {
	return &Usage{ImageMiB: map[string]float64{"php": 100, "nginx": 20}, DefaultImageMiB: 50, TaskStartSeconds: 45,
		ScheduledRunSeconds: 30, DeploymentsPerMonth: 1, ReleaseArtifactMiB: 1024, NATOtherGBPerMonth: 10,
		SyncPollSeconds: 2, SyncPollOpsPerSite: 3, CDNShare: -1, SpotShare: -1, EdgeRegion: "japan"}
}

func estimate(t *testing.T, r *mocks.Result, u *Usage) map[string]Line {
	book, err := LoadPrices("ap-northeast-1")
	require.NoError(t, err)
	lines, _, err := Estimate(r, Options{Region: "ap-northeast-1", Usage: u, Prices: book})
	require.NoError(t, err)
	out := map[string]Line{}
	for _, l := range lines {
		out[l.Item] = l
	}
	return out
}

func TestEstimateWiresTheGraph(t *testing.T) {
	lines := estimate(t, syntheticGraph(t, false), quietUsage())
	// 2 tasks (desired 2, autoscaling min 2, both in the on-demand base) x 730 h x (1 x $0.04045 + 2 x $0.00442)
	assert.InDelta(t, 1460*0.04929, lines["Fargate service tasks, on-demand"].USD, 1e-6)
	assert.NotContains(t, lines, "Fargate service tasks, Spot")
	// rate(1 hour) = 730 runs x 75 s (45 s pull + 30 s run), x86 0.5 vCPU / 1 GB; no strategy, no cluster default: on-demand
	assert.InDelta(t, 730*75.0/3600*(0.5*0.05056+1*0.00553), lines["Fargate scheduled tasks, on-demand"].USD, 1e-6)
	// 10 GiB above 20 x 1,460 task-hours x $0.00014
	assert.InDelta(t, 10*1460*0.00014, lines["Fargate ephemeral storage above 20 GiB"].USD, 1e-9)
	// one NAT gateway (strategy Single)
	assert.InDelta(t, 730*0.062, lines["NAT gateway hours"].USD, 1e-9)
	// pulls: 2 deployment starts x (php 100 + nginx 20 MiB) + 730 job runs x php 100 MiB (one pull per image) + 10 GB other
	pulls := (2*120.0 + 730*100.0) / 1024
	assert.InDelta(t, (pulls+10)*0.062, lines["NAT gateway data processed"].USD, 1e-6)
	// EFS reads: 2 starts x 1 GiB artifact + 730 job runs x 1 GiB + 2 tasks polling
	reads := 2.0 + 730 + 2*SyncPollGiB(2, 3, 1)
	assert.InDelta(t, reads*0.036, lines["EFS elastic throughput: reads"].USD, 1e-6)
	// Secrets: 2 service starts x 2 distinct secrets; the job has none
	assert.InDelta(t, 4.0/1e4*0.05, lines["Secrets Manager API calls at task start"].USD, 1e-12)
	// Public IPv4: the NAT gateway's address
	assert.InDelta(t, 730*0.005, lines["Public IPv4 addresses"].USD, 1e-9)
}

func TestS3GatewayTakesImagePullsOffNAT(t *testing.T) {
	lines := estimate(t, syntheticGraph(t, true), quietUsage())
	assert.InDelta(t, 10*0.062, lines["NAT gateway data processed"].USD, 1e-9, "only the other traffic is left")
	assert.Contains(t, lines, "S3 gateway VPC endpoint")
	assert.Equal(t, 0.0, lines["S3 gateway VPC endpoint"].USD)
}

func TestScaleOutAndSpot(t *testing.T) {
	u := quietUsage()
	u.ExtraTaskHoursPerService = 730 // one more task all month: the third task is split 1:1
	u.ScaleOutHoursPerStart = 730
	lines := estimate(t, syntheticGraph(t, true), u)
	assert.InDelta(t, 730*2.5*0.04929, lines["Fargate service tasks, on-demand"].USD, 1e-6)
	assert.InDelta(t, 730*0.5*0.04929*0.30, lines["Fargate service tasks, Spot"].USD, 1e-6)
}

func TestEstimateErrorsName(t *testing.T) {
	r := syntheticGraph(t, false)
	r.Resources[1].Inputs["taskDefinition"] = "arn:aws:ecs:x:1:task-definition/missing:1"
	book, _ := LoadPrices("ap-northeast-1")
	_, _, err := Estimate(r, Options{Region: "ap-northeast-1", Usage: quietUsage(), Prices: book})
	assert.ErrorContains(t, err, `aws:ecs/service:Service svc: its task definition "arn:aws:ecs:x:1:task-definition/missing:1" is not in the graph`)
	r = syntheticGraph(t, false)
	r.Resources[4].Inputs["scheduleExpression"] = "every hour"
	_, _, err = Estimate(r, Options{Region: "ap-northeast-1", Usage: quietUsage(), Prices: book})
	assert.ErrorContains(t, err, `event rule job: schedule "every hour"`)
}

func TestWAFFromCloudFormationStack(t *testing.T) {
	r := syntheticGraph(t, true)
	tpl := `{"Resources":{"Acl":{"Type":"AWS::WAFv2::WebACL","Properties":{"Scope":"CLOUDFRONT","Rules":[{"Name":"a"},{"Name":"b"},{"Name":"c"}]}}}}`
	r.Resources = append(r.Resources,
		res("aws:cloudformation/stack:Stack", "waf", map[string]any{"templateBody": tpl}, nil),
		res("aws:cloudfront/distribution:Distribution", "d", map[string]any{"aliases": []any{"a.example"}}, nil))
	u := quietUsage()
	u.PageViewsPerMonth, u.RequestsPerPageView = 1e6, 10
	lines := estimate(t, r, u)
	// $5 ACL + 3 rules x $1 + 10 M requests x $0.60
	assert.InDelta(t, 5+3+10*0.60, lines["WAF web ACLs, rules and requests"].USD, 1e-9)
	assert.InDelta(t, 10e6/1e4*0.012, lines["CloudFront HTTPS requests"].USD, 1e-9)
}

func TestContainerInsights(t *testing.T) {
	for _, mode := range []string{"enhanced", "enabled", "disabled"} {
		r := syntheticGraph(t, true)
		r.Resources = append(r.Resources, res("aws:ecs/cluster:Cluster", "c", map[string]any{
			"settings": []any{map[string]any{"name": "containerInsights", "value": mode}}}, nil))
		u := quietUsage()
		u.InsightsTaskMetrics, u.InsightsContainerMetric, u.InsightsEventBytes = 12, 16, 1024
		lines := estimate(t, r, u)
		// service: 2 tasks x 730 h x 60 min, 3 containers; job: 730 runs x 75 s, 2 containers
		svcMin, jobMin := 2*730*60.0, 730*75.0/60
		switch mode {
		case "enhanced":
			obs := svcMin*(12+16*3) + jobMin*(12+16*2)
			assert.InDelta(t, obs/1e6*0.25, lines["Container Insights (enhanced observability)"].USD, 1e-9)
		case "enabled":
			metrics := 10 + 13*1 + 8*2.0  // cluster + one service + two task families
			events := svcMin*4 + jobMin*3 // a task event and one per container, a minute
			assert.InDelta(t, metrics*0.30+events*1024/GiB*0.76, lines["Container Insights"].USD, 1e-9)
		default:
			assert.NotContains(t, lines, "Container Insights")
			assert.NotContains(t, lines, "Container Insights (enhanced observability)")
		}
	}
}

func TestEventBridgeSchedulerTarget(t *testing.T) {
	r := syntheticGraph(t, true)
	// replace the EventBridge rule + target with a Scheduler schedule: every 15 minutes on Spot
	r.Resources = append(r.Resources[:4:4], r.Resources[6:]...)
	r.Resources = append(r.Resources, res("aws:scheduler/schedule:Schedule", "job", map[string]any{
		"scheduleExpression": "rate(15 minutes)",
		"target": map[string]any{"arn": "arn:aws:ecs:ap-northeast-1:1:cluster/c", "ecsParameters": map[string]any{
			"taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:1:task-definition/job:1", "taskCount": 1.0,
			"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}}}}}, nil))
	lines := estimate(t, r, quietUsage())
	runs := 730 * 4.0
	assert.InDelta(t, runs*75/3600*(0.5*0.05056+1*0.00553)*0.30, lines["Fargate scheduled tasks, Spot"].USD, 1e-9)
	assert.NotContains(t, lines, "Fargate scheduled tasks, on-demand")
}

func TestUnknownTemplateIsReportedNotPriced(t *testing.T) {
	r := syntheticGraph(t, true)
	r.Resources = append(r.Resources, res("aws:cloudformation/stack:Stack", "waf", map[string]any{"templateBody": mocks.UnknownPlaceholder}, nil))
	book, _ := LoadPrices("ap-northeast-1")
	lines, notes, err := Estimate(r, Options{Region: "ap-northeast-1", Usage: quietUsage(), Prices: book})
	require.NoError(t, err)
	for _, l := range lines {
		assert.NotContains(t, l.Item, "WAF")
	}
	assert.Contains(t, notes, "CloudFormation stack waf: its template body is not known before deployment (or given by URL); not priced")
}

func TestPublicAddresses(t *testing.T) {
	r := syntheticGraph(t, true)
	r.Resources = append(r.Resources,
		res("aws:lb/loadBalancer:LoadBalancer", "alb", map[string]any{"subnets": []any{"a", "b", "c"}}, nil),
		res("aws:lb/loadBalancer:LoadBalancer", "internal", map[string]any{"internal": true, "subnets": []any{"a", "b"}}, nil),
		res("aws:lb/loadBalancer:LoadBalancer", "nlb", map[string]any{"loadBalancerType": "network", "subnets": []any{"a"}}, nil),
		res("aws:ec2/natGateway:NatGateway", "extra", map[string]any{}, nil),
		res("aws:ec2/eip:Eip", "extra", map[string]any{}, nil))
	book, _ := LoadPrices("ap-northeast-1")
	_, notes, err := Estimate(r, Options{Region: "ap-northeast-1", Usage: quietUsage(), Prices: book})
	require.NoError(t, err)
	assert.Contains(t, notes, "load balancer nlb (network load balancer): only Application Load Balancers are priced")
	lines := estimate(t, r, quietUsage())
	// the NLB is neither an ALB-hour nor addresses here;
	// awsx NAT (1) + the stack's own Elastic IP (1, used by its own NAT gateway) + 3 public ALB nodes
	assert.InDelta(t, 5*730*0.005, lines["Public IPv4 addresses"].USD, 1e-9)
	assert.InDelta(t, 2*730*0.062, lines["NAT gateway hours"].USD, 1e-9)
	assert.InDelta(t, 2*730*0.0243, lines["Application Load Balancer hours"].USD, 1e-9)
}
