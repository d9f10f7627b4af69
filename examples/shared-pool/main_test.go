package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/examples/internal/exampletest"
	"github.com/wpfleet/wpfleet/mocks"
)

func preview(t *testing.T) *mocks.Result { return exampletest.Preview(t, run) }

func containerEnv(t *testing.T, td mocks.Resource, name string) string {
	t.Helper()
	defs := td.Inputs["containerDefinitions"].(string)
	i := strings.Index(defs, `"name":"`+name+`","value":"`)
	require.GreaterOrEqualf(t, i, 0, "%s in %s", name, td.Name)
	rest := defs[i+len(`"name":"`+name+`","value":"`):]
	return rest[:strings.Index(rest, `"`)]
}

// A new platform, three sites, two pools: www and blog share one service,
// shop has one of its own.
func TestSharedPool(t *testing.T) {
	res := preview(t)
	counts := res.CountByType()
	for typ, n := range map[string]int{
		"wpfleet:components:Platform": 1, "awsx:ec2:Vpc": 1, "aws:ecs/cluster:Cluster": 1, "aws:lb/loadBalancer:LoadBalancer": 1,
		"aws:efs/fileSystem:FileSystem": 1, "aws:rds/cluster:Cluster": 1, "aws:rds/clusterInstance:ClusterInstance": 1,
		"aws:cloudformation/stack:Stack": 1, "aws:sns/topicSubscription:TopicSubscription": 1, "aws:backup/plan:Plan": 1,
		"wpfleet:components:WordPressSite": 3, "wpfleet:components:SitePool": 2, "aws:ecs/service:Service": 2,
		"aws:cloudfront/distribution:Distribution": 3, "aws:ec2/vpcEndpoint:VpcEndpoint": 1, "aws:codebuild/project:Project": 1,
		"aws:cloudwatch/dashboard:Dashboard": 1, "wpfleet:components:CronTask": 1,
	} {
		assert.Equalf(t, n, counts[typ], "%s", typ)
	}
	shared := exampletest.Find(t, res, "aws:ecs/taskDefinition:TaskDefinition", "demo-shared")
	shop := exampletest.Find(t, res, "aws:ecs/taskDefinition:TaskDefinition", "demo-shop")
	assert.Equal(t, "www blog", containerEnv(t, shared, "WPFLEET_SITES"), "one service serves both sites")
	assert.Equal(t, "shop", containerEnv(t, shop, "WPFLEET_SITES"))
	assert.Equal(t, "https://www.example.org", containerEnv(t, shared, "WPFLEET_SITE_WWW_HOME"))
	assert.Equal(t, "512", shared.Inputs["cpu"])
	assert.Equal(t, "1024", shop.Inputs["cpu"])
	// Each pool's rules forward its sites to its own target group.
	for pool, sites := range map[string][]string{"shared": {"www", "blog"}, "shop": {"shop"}} {
		tg := exampletest.Find(t, res, "aws:lb/targetGroup:TargetGroup", "demo-"+pool)
		for _, s := range sites {
			rule := exampletest.Find(t, res, "aws:lb/listenerRule:ListenerRule", "demo-"+s+"--rule-1")
			assert.Equal(t, tg.Outputs["arn"], rule.Inputs["actions"].([]any)[0].(map[string]any)["targetGroupArn"], s)
		}
	}
	// shop's task role reaches shop's bucket only; the shared pool's, both of its sites'.
	shopPolicy := exampletest.Find(t, res, "aws:iam/rolePolicy:RolePolicy", "demo-shop--task").Inputs["policy"].(string)
	sharedPolicy := exampletest.Find(t, res, "aws:iam/rolePolicy:RolePolicy", "demo-shared--task").Inputs["policy"].(string)
	for _, s := range []string{"www", "blog", "shop"} {
		bucket := exampletest.Find(t, res, "aws:s3/bucketV2:BucketV2", "demo-"+s).Outputs["arn"].(string)
		assert.Equal(t, s == "shop", strings.Contains(shopPolicy, bucket), s)
		assert.Equal(t, s != "shop", strings.Contains(sharedPolicy, bucket), s)
	}
	// Pages cached for www and blog, not for the shop (carts, logged-in customers).
	_, wwwPages := res.Find("aws:cloudfront/cachePolicy:CachePolicy", "demo-www-pages")
	_, shopPages := res.Find("aws:cloudfront/cachePolicy:CachePolicy", "demo-shop-pages")
	assert.True(t, wwwPages)
	assert.False(t, shopPages)
	for _, svc := range res.ByType("aws:ecs/service:Service") {
		assert.EqualValues(t, 2, svc.Inputs["desiredCount"], "two tasks per pool, one in each AZ")
		assert.Equal(t, true, svc.Inputs["enableExecuteCommand"], "ECS Exec, with sessions logged by the platform's cluster")
	}
	assert.Equal(t, map[string]any{"www": "https://www.example.org", "blog": "https://blog.example.org", "shop": "https://shop.example.org"},
		res.Outputs["siteUrls"])
	// One release job for the three sites; its settings sit beside its source.
	settings := exampletest.Find(t, res, "aws:s3/bucketObjectv2:BucketObjectv2", "demo-release-settings").Inputs["content"].(string)
	var parsed map[string]any
	require.NoError(t, json.Unmarshal([]byte(settings), &parsed))
	assert.Equal(t, "www blog shop", parsed["WPFLEET_SITES"])
}

func TestSharedPoolPassesThePolicyPack(t *testing.T) {
	exampletest.PassesPolicyPack(t, preview(t))
}

// AWS would accept every value, and every workload reaches what it needs.
func TestSharedPoolPassesPreflight(t *testing.T) {
	exampletest.PassesPreflight(t, preview(t))
}

// The README's monthly figure: 1,000,000 page views a month over the three sites.
func TestSharedPoolCostInReadme(t *testing.T) {
	exampletest.ReadmeCost(t, preview(t), 1000000)
}
