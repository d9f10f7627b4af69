package cost_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/cost"
	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/program"
)

// shippedStacks are the stacks whose graphs must be fully priced: extend
// this list (and cost.Types) when a stack or a resource type is added.
var shippedStacks = []string{"prod", "stg"}

func graphOf(t *testing.T, stack string) *mocks.Result {
	t.Helper()
	files, err := fleetconfig.ReadStackFiles("../Pulumi.yaml", "../Pulumi."+stack+".yaml")
	require.NoError(t, err)
	res, _, err := program.Preview(files.Project, stack, files.Config, files.SecretKeys)
	require.NoError(t, err)
	return res
}

func TestEveryShippedTypeIsPricedOrListedFree(t *testing.T) {
	for _, stack := range shippedStacks {
		t.Run(stack, func(t *testing.T) {
			res := graphOf(t, stack)
			require.NotEmpty(t, res.Resources)
			assert.Empty(t, cost.Unpriced(res), "types in the %s graph that cost.Types neither prices nor lists as free", stack)
		})
	}
}

func TestUnlistedTypeIsReported(t *testing.T) {
	res := &mocks.Result{Resources: []mocks.Resource{
		{Type: "aws:ec2/instance:Instance", Custom: true}, {Type: "aws:ec2/instance:Instance", Custom: true},
		{Type: "wpfleet:components:Platform", Custom: false}, {Type: "aws:iam/role:Role", Custom: true}}}
	assert.Equal(t, map[string]int{"aws:ec2/instance:Instance": 2}, cost.Unpriced(res))
}

// The shipped graphs' shapes reach the estimate: prod's 25 minimum tasks,
// ~99,000 wp-cron runs, 3 NAT gateways; stg's Serverless v2 and Spot tasks.
func TestShippedEstimates(t *testing.T) {
	for _, stack := range shippedStacks {
		t.Run(stack, func(t *testing.T) {
			u, err := cost.LoadUsage(stack)
			require.NoError(t, err)
			r, err := cost.Build(graphOf(t, stack), "ap-northeast-1", stack, u, 150, true)
			require.NoError(t, err)
			assert.Empty(t, r.Unpriced)
			assert.Greater(t, r.TotalUSD, 0.0)
			for _, l := range r.Lines {
				assert.Contains(t, cost.Categories, l.Category, l.Item)
				assert.GreaterOrEqual(t, l.USD, 0.0, l.Item)
				assert.NotEmpty(t, l.Basis, l.Item)
			}
			assert.InDelta(t, 80000.0/150, r.SeedUSD, 1e-9)
		})
	}
	u, _ := cost.LoadUsage("prod")
	u.ExtraTaskHoursPerService = 0
	r, err := cost.Build(graphOf(t, "prod"), "ap-northeast-1", "prod", u, 150, true)
	require.NoError(t, err)
	basis := map[string]string{}
	for _, l := range r.Lines {
		basis[l.Item] = l.Basis
	}
	// The pool layout: two pools of two tasks, no wp-cron task starts (cron
	// runs in the pools; only the sites' jobs are scheduled), two NAT
	// gateways, two Serverless v2 instances, image pulls off NAT.
	assert.Contains(t, basis["Fargate service tasks, on-demand"], "3.0 of 4.0 tasks on average in 2 services")
	assert.Contains(t, basis["Fargate scheduled tasks, on-demand"], "from 2 EventBridge schedules")
	assert.Contains(t, basis["NAT gateway hours"], "2 NAT gateway(s)")
	assert.Contains(t, basis["Aurora Serverless v2 capacity"], "2 instance(s)")
	assert.Contains(t, basis["NAT gateway data processed"], "image layers bypass NAT through the S3 gateway endpoint")
}
