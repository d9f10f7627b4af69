package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/preflight"
	"github.com/wpfleet/wpfleet/program"
)

// namesCase is a configuration whose resources must all get distinct URNs
// and distinct AWS names: the shipped stacks, and generated fleets with
// adversarial site and job names.
type namesCase struct {
	name  string
	env   string // wpfleet:environment; empty keeps the base's
	sites []map[string]any
}

// testSite is a site with one hostname and the given batch jobs.
func testSite(name string, jobs ...string) map[string]any {
	s := map[string]any{"name": name, "hostnames": []any{name + ".wpfleet-names.test"}}
	var js []any
	for _, j := range jobs {
		js = append(js, map[string]any{"name": j, "schedule": "rate(1 day)", "command": []any{"wp", "cache", "flush"}})
	}
	if len(js) > 0 {
		s["jobs"] = js
	}
	return s
}

// adversarialNames are fleets whose names are built to collide with the
// names the components derive from site, job and environment names.
func adversarialNames() []namesCase {
	many := make([]map[string]any, 60)
	for i := range many {
		many[i] = testSite(fmt.Sprintf("site%d", i+1))
	}
	return []namesCase{
		{name: "site named release", sites: []map[string]any{testSite("release"), testSite("corporate")}},
		{name: "sites news and news-cron", sites: []map[string]any{testSite("news"), testSite("news-cron")}},
		{name: "job transients of news-expired, job expired-transients of news",
			sites: []map[string]any{testSite("news", "expired-transients"), testSite("news-expired", "transients")}},
		{name: "job a-b of site x, job b of site x-a", sites: []map[string]any{testSite("x", "a-b"), testSite("x-a", "b")}},
		{name: "job named cron", sites: []map[string]any{testSite("news", "cron")}},
		{name: "sites named after fleet resources", sites: []map[string]any{testSite("tasks"), testSite("db"), testSite("efs"),
			testSite("alb"), testSite("static"), testSite("backup"), testSite("cron-failures"), testSite("origin-verify"),
			testSite("us-east-1"), testSite("https"), testSite("http"), testSite("validation")}},
		{name: "site and site-suffix", sites: []map[string]any{testSite("news"), testSite("news-salts"), testSite("news-exec"),
			testSite("news-task"), testSite("news-uploads"), testSite("news-pages"), testSite("news-1"), testSite("news-cpu")}},
		{name: "longest names", env: "abcdefgh", sites: []map[string]any{
			testSite("abcdefghijklmn", "abcdefghijklmnopqrst", "abcdefghijklmnopqrsu"),
			testSite("abcdefghijklmo", "abcdefghijklmnopqrst")}},
		{name: "sixty sites", sites: many},
	}
}

// No shipped or generated configuration gives two resources the same URN
// or two resources the same AWS name where AWS keeps one object per name.
// A configuration the validation refuses with a message naming the
// wpfleet:sites key passes (the collision never reaches AWS). Every
// collision of a configuration is listed
// (go test ./tests -run TestNamesAreUnique -v).
func TestNamesAreUnique(t *testing.T) {
	for _, stack := range stacks {
		t.Run("shipped "+stack, func(t *testing.T) {
			reportCollisions(t, stack, stackConfig(t, stack).Config)
		})
	}
	for _, base := range stacks {
		for _, c := range adversarialNames() {
			t.Run(base+"/"+c.name, func(t *testing.T) {
				cfg := copyConfig(stackConfig(t, base).Config)
				cfg["wpfleet:dnsZones"] = `[{"name":"wpfleet-names.test","zoneId":"Z0NAMESTEST"}]`
				stack := base
				if c.env != "" {
					// The environment names the stack: a stack may not take another's.
					cfg["wpfleet:environment"], stack = c.env, c.env
				}
				setSites(t, cfg, c.sites)
				reportCollisions(t, stack, cfg)
			})
		}
	}
}

// reportCollisions runs the program on cfg and fails with every duplicate
// URN and every AWS name used twice.
func reportCollisions(t *testing.T, stack string, cfg map[string]string) {
	t.Helper()
	require.NoError(t, fleetconfig.CheckKeys(cfg))
	rec := mocks.New("wpfleet", stack, cfg["aws:region"])
	res, err := rec.Run(cfg, nil, program.Run)
	dups := rec.DuplicateURNErrors()
	if len(dups) == 0 && err != nil {
		require.Containsf(t, err.Error(), "wpfleet:sites", "the program failed for another reason than refusing the names: %v", err)
		t.Logf("refused by validation (fine): %v", err)
		return
	}
	if res == nil {
		res = &mocks.Result{Project: "wpfleet", Stack: stack, Resources: rec.Resources(), Region: rec.Region,
			AccountID: rec.AccountID, Lookups: rec.Lookups()}
	}
	// The registrations the engine would refuse still show which AWS names
	// they would have taken.
	res.Resources = append(append([]mocks.Resource(nil), res.Resources...), rec.Rejected()...)
	var problems []string
	for _, d := range dups {
		problems = append(problems, "same URN: "+d.Error())
	}
	for _, v := range uniqueNamesRule(t).Run(preflight.NewGraph(res)) {
		problems = append(problems, fmt.Sprintf("same AWS name: %s %s = %s\n      %s", v.Type, v.Field, v.Value, v.Constraint))
	}
	if len(problems) > 0 {
		t.Errorf("%d collision(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
}

func uniqueNamesRule(t *testing.T) preflight.Rule {
	for _, r := range preflight.Rules() {
		if r.Name == "physical-names-unique" {
			return r
		}
	}
	t.Fatal("no physical-names-unique rule")
	return preflight.Rule{}
}
