package components

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckFargateSize(t *testing.T) {
	valid := [][2]int{{256, 512}, {256, 2048}, {512, 4096}, {1024, 2048}, {1024, 8192}, {2048, 4096},
		{2048, 16384}, {4096, 30720}, {8192, 16384}, {8192, 61440}, {16384, 32768}, {16384, 122880}}
	for _, v := range valid {
		assert.NoErrorf(t, CheckFargateSize(v[0], v[1]), "%v", v)
	}
	invalid := map[[2]int]string{
		{2048, 2048}:   "4096-16384 MiB in steps of 1024", // the seed's "2 vCPU / 2 GB", which Fargate does not have
		{256, 4096}:    "512, 1024, 2048",
		{1024, 1024}:   "2048-8192",
		{1024, 2500}:   "steps of 1024",
		{8192, 18432}:  "steps of 4096",
		{16384, 40000}: "steps of 8192",
		{3000, 6144}:   "256, 512, 1024, 2048, 4096, 8192, 16384",
	}
	for v, want := range invalid {
		err := CheckFargateSize(v[0], v[1])
		if assert.Errorf(t, err, "%v", v) {
			assert.Contains(t, err.Error(), want)
		}
	}
	assert.Len(t, FargateMemories(512), 4)
	assert.Len(t, FargateMemories(4096), 23)
}

func TestCheckScheduleExpression(t *testing.T) {
	valid := []string{"rate(5 minutes)", "rate(1 minute)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)",
		"cron(0 3 * * ? *)", "cron(0/5 * * * ? *)", "cron(15 10 ? * MON-FRI *)", "cron(0 18 L * ? *)",
		"cron(0 8 ? * 6#3 *)", "cron(0 0 1,15 JAN-JUN ? 2027)", "cron(30 9 LW * ? *)", "cron(0 12 ? * 2L *)",
		"cron(*/10 * * * ? *)", "cron(0 3 15W * ? *)"}
	for _, e := range valid {
		assert.NoError(t, CheckScheduleExpression(e), e)
	}
	invalid := []string{"", "every 5 minutes", "rate(5 minute)", "rate(1 minutes)", "rate(0 minutes)",
		"rate(5 seconds)", "rate(-5 minutes)", "cron(0 3 * * * *)", "cron(0 3 ? * ? *)", "cron(60 * * * ? *)",
		"cron(0 24 * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 * 13 ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 * * ? 1969)",
		"cron(* * * * ?)", "*/5 * * * *", "cron(0 3 L * MON *)", "cron(0/0 * * * ? *)", "at(2027-01-01T00:00:00)",
		"cron(0 3 ? * 6#6 *)", "cron(0 3 ? * FOO *)"}
	for _, e := range invalid {
		assert.Error(t, CheckScheduleExpression(e), e)
	}
}

func TestNames(t *testing.T) {
	for _, ok := range []string{"a", "blog", "engineer-blog", "a1-b2", strings.Repeat("x", MaxSiteNameLength)} {
		assert.NoError(t, CheckSiteName(ok), ok)
	}
	for _, bad := range []string{"", "Blog", "1blog", "-blog", "blog-", "en--blog", "blog_1", "blog.x", strings.Repeat("x", MaxSiteNameLength+1)} {
		assert.Error(t, CheckSiteName(bad), bad)
	}
	for _, ok := range []string{"prod", "stg", "qa2", strings.Repeat("e", MaxEnvironmentNameLength)} {
		assert.NoError(t, CheckEnvironmentName(ok), ok)
	}
	for _, bad := range []string{"", "Prod", "pre-prod", "2prod", strings.Repeat("e", MaxEnvironmentNameLength+1)} {
		assert.Error(t, CheckEnvironmentName(bad), bad)
	}
	assert.Equal(t, "wp_engineer_blog", DatabaseIdentifier("engineer-blog"))
	assert.LessOrEqual(t, len(DatabaseIdentifier(strings.Repeat("x", MaxSiteNameLength))), 32, "MySQL user names are at most 32 characters")
	// The target group name is the longest: "<env>-<site>" plus the auto-name suffix.
	assert.LessOrEqual(t, MaxEnvironmentNameLength+1+MaxSiteNameLength+AutonameSuffixLength, 32)
}

func TestCheckHostname(t *testing.T) {
	for _, ok := range []string{"example.com", "www.example.com", "a-b.c-d.example.co.jp", "x1.example.com"} {
		assert.NoError(t, CheckHostname(ok), ok)
	}
	for _, bad := range []string{"", "localhost", "Example.com", "*.example.com", "example.com.", "-a.example.com",
		"a..example.com", "a_b.example.com", strings.Repeat("a", 64) + ".example.com"} {
		assert.Error(t, CheckHostname(bad), bad)
	}
}

func TestPackCertificates(t *testing.T) {
	h := func(names ...string) []Hostname {
		var out []Hostname
		for _, n := range names {
			out = append(out, Hostname{Name: n, ZoneId: "Z1"})
		}
		return out
	}
	sites := []SiteHostnames{
		{"a", h("a1", "a2", "a3")}, {"b", h("b1", "b2", "b3", "b4")}, {"c", h("c1", "c2", "c3", "c4")}, {"d", h("d1")},
	}
	certs := PackCertificates(sites, 8)
	assert.Equal(t, [][]Hostname{h("a1", "a2", "a3", "b1", "b2", "b3", "b4"), h("c1", "c2", "c3", "c4", "d1")}, certs,
		"a site's names are never split across certificates")
	// Adding a site at the end leaves the earlier certificates as they were.
	more := PackCertificates(append(sites, SiteHostnames{"e", h("e1", "e2", "e3", "e4")}), 8)
	assert.Equal(t, certs[0], more[0])
	assert.Equal(t, certs[1], more[1])
	assert.Len(t, more, 3)
	assert.Empty(t, PackCertificates(nil, 10))
}

func TestCheckCapacityAndThroughput(t *testing.T) {
	assert.NoError(t, CheckCapacity(0.5, 8, DefaultEngineVersion))
	assert.NoError(t, CheckCapacity(0, 4, "8.0.mysql_aurora.3.08.0"))
	assert.ErrorContains(t, CheckCapacity(0, 4, "8.0.mysql_aurora.3.07.1"), "3.08.0")
	assert.Error(t, CheckCapacity(0.3, 8, DefaultEngineVersion), "steps of 0.5")
	assert.Error(t, CheckCapacity(4, 2, DefaultEngineVersion), "min above max")
	assert.Error(t, CheckCapacity(0, 0.5, DefaultEngineVersion), "max below 1")
	assert.Error(t, CheckCapacity(1, 300, DefaultEngineVersion))

	assert.NoError(t, CheckThroughput("elastic", 0))
	assert.NoError(t, CheckThroughput("bursting", 0))
	assert.NoError(t, CheckThroughput("provisioned", 100))
	assert.Error(t, CheckThroughput("provisioned", 0))
	assert.Error(t, CheckThroughput("elastic", 100))
	assert.Error(t, CheckThroughput("max", 0))
	// 60 minutes at 100 MiB/s is ~351.6 GiB of credit.
	assert.InDelta(t, 351.5625, BurstCreditThresholdBytes(60)/(1<<30), 1e-9)
}

func TestCheckVpcCidrAndPlatform(t *testing.T) {
	assert.NoError(t, CheckVpcCidr("10.0.0.0/16"))
	assert.NoError(t, CheckVpcCidr("172.31.128.0/20"))
	for _, bad := range []string{"10.0.0.1/16", "10.0.0.0/8", "10.0.0.0/28", "fd00::/48", "10.0.0.0"} {
		assert.Error(t, CheckVpcCidr(bad), bad)
	}
	for _, ok := range []string{"LATEST", "1.4.0", "1.5.2", "2.0.0"} {
		assert.NoError(t, CheckPlatformVersion(ok), ok)
	}
	for _, bad := range []string{"1.3.0", "1.0.0", "latest", "1.4"} {
		assert.Error(t, CheckPlatformVersion(bad), bad)
	}
}

func TestCapacityStrategy(t *testing.T) {
	s := CapacityStrategy{OnDemandBase: 2, OnDemandWeight: 1, SpotWeight: 3}
	assert.NoError(t, s.Check())
	assert.Equal(t, []capacityShare{{CapacityFargate, 2, 1}, {CapacityFargateSpot, 0, 3}}, s.providers())
	assert.Equal(t, []capacityShare{{CapacityFargateSpot, 0, 1}}, CapacityStrategy{SpotWeight: 1}.providers())
	assert.Equal(t, []capacityShare{{CapacityFargate, 1, 0}, {CapacityFargateSpot, 0, 1}},
		CapacityStrategy{OnDemandBase: 1, SpotWeight: 1}.providers(), "an on-demand base with Spot for the rest")
	assert.Error(t, CapacityStrategy{OnDemandBase: 1}.Check())
	assert.Error(t, CapacityStrategy{SpotWeight: -1}.Check())
}

func TestTaskDefinitionFamilyArn(t *testing.T) {
	assert.Equal(t, "arn:aws:ecs:ap-northeast-1:1:task-definition/prod-blog-cron:*",
		TaskDefinitionFamilyArn("arn:aws:ecs:ap-northeast-1:1:task-definition/prod-blog-cron:12"))
}

func TestZoneMatchingPicksTheLongestZone(t *testing.T) {
	f := DefaultFleetArgs()
	f.DnsZones = []DNSZone{{Name: "example.com", ZoneId: "Z1"}, {Name: "blog.example.com", ZoneId: "Z2"}}
	assert.Equal(t, "Z2", f.zoneFor("www.blog.example.com").ZoneId)
	assert.Equal(t, "Z2", f.zoneFor("blog.example.com").ZoneId)
	assert.Equal(t, "Z1", f.zoneFor("example.com").ZoneId)
	assert.Equal(t, "", f.zoneFor("notexample.com").ZoneId)
}
