package components

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func jsonKeys(v any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := 0; i < t.NumField(); i++ {
		if n := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]; n != "" {
			out[n] = true
		}
	}
	return out
}

// Every argument path the table maps goes to a real config key: a field of
// FleetArgs, of a site entry (WordPressSiteArgs paths) or of a pool entry
// (SitePoolArgs paths).
func TestConfigFieldsNameRealKeys(t *testing.T) {
	fleet, site, pool := jsonKeys(FleetArgs{}), jsonKeys(SiteConfig{}), jsonKeys(PoolConfig{})
	for path, key := range configFields {
		switch {
		case strings.HasPrefix(path, "WordPressSiteArgs."):
			assert.Truef(t, site[key] || fleet[key], "%s -> %s: neither a site field nor a fleet key", path, key)
		case strings.HasPrefix(path, "SitePoolArgs."):
			assert.Truef(t, pool[key] || fleet[key], "%s -> %s: neither a pool field nor a fleet key", path, key)
		default:
			assert.Truef(t, fleet[key], "%s -> %s: not a fleet key", path, key)
		}
	}
	for k, fields := range widerKeys {
		for _, f := range append(fields, k) {
			assert.Truef(t, pool[f] || fleet[f], "widerKeys %s: %s is not a key", k, f)
		}
	}
}

func TestConfigKey(t *testing.T) {
	f := DefaultFleetArgs()
	eight := 8
	f.Sites = []SiteConfig{{Name: "blog"}, {Name: "news", CdnPageTtlSeconds: &eight}}
	f.Pools = []PoolConfig{{Name: "web", TaskMemory: &eight}}
	site := func(i int) scope { return scope{kind: "sites", index: i, entry: f.Sites[i]} }
	pool := scope{kind: "pools", index: 0, entry: f.Pools[0]}
	for _, c := range []struct {
		path string
		sc   scope
		want string
	}{
		{"PlatformArgs.Network.CidrBlock", scope{}, "wpfleet:vpcCidr"},
		{"PlatformArgs.Tags[team]", scope{}, "wpfleet:tags"},
		{"PlatformArgs.LoadBalancer.Sites[news].Hostnames", scope{}, "wpfleet:sites[1].hostnames"},
		{"WordPressSiteArgs.PageTTLSeconds", site(0), "wpfleet:cdnPageTtlSeconds"},
		{"WordPressSiteArgs.PageTTLSeconds", site(1), "wpfleet:sites[1].cdnPageTtlSeconds"},
		{"WordPressSiteArgs.Name", site(1), "wpfleet:sites[1].name"},
		{"WordPressSiteArgs.Jobs[0].Schedule", site(1), "wpfleet:sites[1].jobs[0].schedule"},
		{"SitePoolArgs.Memory", pool, "wpfleet:pools[0].taskMemory"},
		{"SitePoolArgs.CPU", pool, "wpfleet:taskCpu"},
		{"SitePoolArgs.RequestTimeoutSeconds", pool, "wpfleet:requestTimeoutSeconds"},
		{"SitePoolArgs.Memory", scope{}, "wpfleet:taskMemory"},
		{"ReleasePipelineArgs.GitHub[2].Branches", scope{}, "wpfleet:ciGithub[2].branches"},
		{"ReleasePipelineArgs.SiteRepoURLs[news]", scope{}, "wpfleet:sites[1].repository"},
		{"ReleasePipelineArgs.Sites", scope{}, "wpfleet:sites"},
	} {
		assert.Equalf(t, c.want, f.configKey(c.path, c.sc), "%s in %+v", c.path, c.sc)
	}
}

// The two origin secret slots hold generations v and v-1: raising the
// version regenerates one slot only.
func TestOriginSecretSlot(t *testing.T) {
	for v := 1; v < 6; v++ {
		gens := []int{originSecretSlot(v, 0), originSecretSlot(v, 1)}
		assert.ElementsMatch(t, []int{v, v - 1}, gens, "version %d", v)
		if v > 1 {
			assert.Equal(t, originSecretSlot(v-1, v%2^1), originSecretSlot(v, v%2^1), "the other slot keeps its generation")
		}
	}
}

func TestEnvKeyAndNames(t *testing.T) {
	assert.Equal(t, "NEWS_JP", EnvKey("news-jp"))
	n := NamesFor("prod")
	assert.Equal(t, "prod-job-news--expired-transients", n.JobFamily("news", "expired-transients"))
	assert.Equal(t, "wpfleet-prod-news--expired-transients", n.JobRule("news", "expired-transients"))
	assert.Equal(t, "prod-pool-shared", n.PoolFamily("shared"))
	// A "--" before each fixed suffix: no two (site, job) give one name.
	assert.NotEqual(t, n.JobFamily("news", "expired-transients"), n.JobFamily("news-expired", "transients"))
	longest := strings.Repeat("x", MaxSiteNameLength)
	assert.LessOrEqual(t, len(NamesFor(strings.Repeat("e", MaxEnvironmentNameLength)).JobRule(longest, strings.Repeat("j", MaxJobNameLength))), 64,
		"EventBridge rule names are at most 64 characters")
}
