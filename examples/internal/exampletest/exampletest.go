// Package exampletest runs an example program the way its tests need: on its
// example stack file under wpfleet's recording mocks, through the policy
// pack and the preflight rules, and through the cost model its README quotes.
package exampletest

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/cost"
	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/policy"
	"github.com/wpfleet/wpfleet/preflight"
)

// Preview runs program on Pulumi.yaml and Pulumi.example.yaml of the current
// directory, as `pulumi preview` would: the files are read and type-checked
// with the Pulumi SDK's own loaders.
func Preview(t testing.TB, program pulumi.RunFunc) *mocks.Result {
	t.Helper()
	files, err := fleetconfig.ReadStackFiles("Pulumi.yaml", "Pulumi.example.yaml")
	require.NoError(t, err)
	res, err := mocks.Run(files.Project, "example", files.Config, files.SecretKeys, program)
	require.NoError(t, err)
	return res
}

// Find returns the resource of a type and name.
func Find(t testing.TB, res *mocks.Result, typ, name string) mocks.Resource {
	t.Helper()
	r, ok := res.Find(typ, name)
	require.Truef(t, ok, "%s %s", typ, name)
	return r
}

// Security group rule types.
const (
	Ingress = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	Egress  = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
)

// HasRule reports whether a security group rule of typ on group admits or
// reaches peer (a group) on port.
func HasRule(res *mocks.Result, typ, group string, port int64, peer string) bool {
	for _, r := range res.ByType(typ) {
		if r.Inputs["securityGroupId"] == group && r.Inputs["fromPort"] == port && r.Inputs["referencedSecurityGroupId"] == peer {
			return true
		}
	}
	return false
}

// PassesPolicyPack fails the test on every mandatory violation of the
// policy pack and logs the advisory ones.
func PassesPolicyPack(t *testing.T, res *mocks.Result) {
	t.Helper()
	pack, err := policy.Pack(policy.Options{})
	require.NoError(t, err)
	vs, err := policy.Check(pack, policy.FromMocks(res), nil)
	require.NoError(t, err)
	for _, v := range vs {
		if v.Mandatory() {
			t.Errorf("%s\n    on %s", v, v.URN)
		} else {
			t.Logf("%s", v)
		}
	}
}

// PassesPreflight fails the test on every value AWS would refuse or
// deployment that would not work (preflight, reachability included).
func PassesPreflight(t *testing.T, res *mocks.Result) {
	t.Helper()
	for _, v := range preflight.Check(res) {
		t.Errorf("%s", v)
	}
}

// ReadmeCost prices the graph with the project's cost model
// (cost/usage/default.yaml with pageViews a month, ap-northeast-1 list
// prices) and checks that README.md states it as "about $N a month" to
// within 10%.
func ReadmeCost(t *testing.T, res *mocks.Result, pageViews float64) *cost.Report {
	t.Helper()
	u, err := cost.LoadUsage("default")
	require.NoError(t, err)
	u.PageViewsPerMonth = pageViews
	r, err := cost.Build(res, "ap-northeast-1", "default", u, cost.DefaultFxJPYPerUSD, true)
	require.NoError(t, err)
	for _, c := range cost.Categories {
		t.Logf("%-15s $%7.2f", c, r.Categories[c])
	}
	for _, l := range r.Lines {
		t.Logf("  %-50s $%7.2f  %s", l.Item, l.USD, l.Basis)
	}
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?i)about \$([0-9,]+) a month`).FindSubmatch(b)
	require.NotNil(t, m, "README.md states the monthly estimate as 'about $N a month'")
	stated, _ := strconv.ParseFloat(strings.ReplaceAll(string(m[1]), ",", ""), 64)
	assert.InEpsilonf(t, r.TotalUSD, stated, 0.1, "README.md says about $%v a month; the estimate is $%.0f", stated, r.TotalUSD)
	return r
}
