package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badConfig is one invalid configuration and what its error must say: the
// key, the bad value and what is allowed.
type badConfig struct {
	name   string
	mutate func(t *testing.T, cfg map[string]string)
	want   []string
}

func site(i int, field string, value any) func(*testing.T, map[string]string) {
	return func(t *testing.T, cfg map[string]string) {
		sites := sitesOf(t, cfg)
		sites[i][field] = value
		setSites(t, cfg, sites)
	}
}

func set(key, value string) func(*testing.T, map[string]string) {
	return func(_ *testing.T, cfg map[string]string) { cfg[key] = value }
}

func del(key string) func(*testing.T, map[string]string) {
	return func(_ *testing.T, cfg map[string]string) { delete(cfg, key) }
}

func both(a, b func(*testing.T, map[string]string)) func(*testing.T, map[string]string) {
	return func(t *testing.T, cfg map[string]string) { a(t, cfg); b(t, cfg) }
}

var badConfigs = []badConfig{
	{"2 vCPU with 2048 MB", both(site(0, "taskCpu", 2048), site(0, "taskMemory", 2048)),
		[]string{"wpfleet:sites[0].taskMemory", "2048 is not valid", "4096-16384 MiB"}},
	{"fleet-wide memory too small for the CPU", set("wpfleet:taskMemory", "256"),
		[]string{"wpfleet:taskMemory: 256 is not valid", "with 512 CPU units", "1024-4096 MiB"}},
	{"CPU size Fargate does not have", set("wpfleet:taskCpu", "3000"),
		[]string{"wpfleet:taskCpu: 3000 is not valid", "256, 512, 1024, 2048, 4096, 8192, 16384"}},
	{"min tasks above max", both(site(1, "minTasks", 5), site(1, "maxTasks", 3)),
		[]string{"wpfleet:sites[1].minTasks", "5 (maxTasks 3)", "minimum <= maximum"}},
	{"hostname of two sites", site(1, "hostnames", []any{"corporate.stg.example.com"}),
		[]string{"wpfleet:sites[1].hostnames[0]", `"corporate.stg.example.com"`, "corporate already serves it"}},
	{"site name with capitals and underscore", site(2, "name", "News_Site"),
		[]string{"wpfleet:sites[2].name", `"News_Site"`, "lowercase letters, digits and single hyphens"}},
	{"site name too long for AWS names", site(2, "name", "newsroom-archive"),
		[]string{"wpfleet:sites[2].name", `"newsroom-archive"`, "1-14 characters"}},
	{"site name ending in a hyphen", site(2, "name", "news-"),
		[]string{"wpfleet:sites[2].name", `"news-"`, "not ending with a hyphen"}},
	{"duplicate site name", site(3, "name", "corporate"),
		[]string{"wpfleet:sites[3].name", `"corporate"`, "unique"}},
	{"unknown throughput mode", set("wpfleet:efsThroughputMode", "turbo"),
		[]string{"wpfleet:efsThroughputMode", `"turbo"`, `"elastic", "bursting" or "provisioned"`}},
	{"provisioned throughput without MiB/s", set("wpfleet:efsThroughputMode", "provisioned"),
		[]string{"wpfleet:efsThroughputMode", `"provisioned"`, "needs provisioned MiB/s between 1 and 10240"}},
	{"MiB/s without provisioned mode", set("wpfleet:efsProvisionedMibps", "100"),
		[]string{"wpfleet:efsThroughputMode", `"elastic"`, "only allowed with throughput mode"}},
	{"schedule in words", set("wpfleet:cronSchedule", "every 5 minutes"),
		[]string{"wpfleet:cronSchedule", `"every 5 minutes"`, "rate(N minutes|hours|days)"}},
	{"rate with a singular unit", site(0, "cronSchedule", "rate(5 minute)"),
		[]string{"wpfleet:sites[0].cronSchedule", `"rate(5 minute)"`, "plural"}},
	{"cron with both day fields", set("wpfleet:cronSchedule", "cron(0 3 * * * *)"),
		[]string{"wpfleet:cronSchedule", `"cron(0 3 * * * *)"`, `exactly one of day-of-month and day-of-week must be "?"`}},
	{"cron with five fields", set("wpfleet:cronSchedule", "cron(*/5 * * * ?)"),
		[]string{"wpfleet:cronSchedule", "6 fields"}},
	{"job schedule out of range", site(2, "jobs", []any{map[string]any{"name": "purge", "schedule": "cron(61 * * * ? *)", "command": []any{"wp", "cache", "flush"}}}),
		[]string{"wpfleet:sites[2].jobs[0].schedule", `"cron(61 * * * ? *)"`, "minutes field"}},
	{"job without a command", site(2, "jobs", []any{map[string]any{"name": "purge", "schedule": "rate(1 hour)", "command": []any{}}}),
		[]string{"wpfleet:sites[2].jobs[0].command", "a command as a list of words"}},
	{"no DNS zone at all", del("wpfleet:dnsZones"),
		[]string{"wpfleet:dnsZones", "(unset)", "at least one Route 53 hosted zone"}},
	{"hostname outside every zone", site(0, "hostnames", []any{"www.example.org"}),
		[]string{"wpfleet:sites[0].hostnames[0]", `"www.example.org"`, "inside one of the zones in wpfleet:dnsZones (stg.example.com)"}},
	{"malformed zone ID", set("wpfleet:dnsZones", `[{"name":"stg.example.com","zoneId":"example"}]`),
		[]string{"wpfleet:dnsZones[0].zoneId", `"example"`, "hosted zone ID"}},
	{"no sites", set("wpfleet:sites", "[]"),
		[]string{"wpfleet:sites", "at least one site"}},
	{"typo in a key", set("wpfleet:taskCPU", "1024"),
		[]string{"wpfleet:taskCPU: unknown key", "taskCpu"}},
	{"typo in a site field", site(0, "hostname", []any{"x.stg.example.com"}),
		[]string{"wpfleet:sites[0].hostname: unknown field", "hostnames"}},
	{"not a number", set("wpfleet:maxTasks", "lots"),
		[]string{"wpfleet:maxTasks", `"lots"`, "a whole number"}},
	{"no region", del("aws:region"),
		[]string{"aws:region", "the AWS region to deploy into"}},
	{"scale to zero on an engine that cannot", set("wpfleet:dbEngineVersion", "8.0.mysql_aurora.3.05.2"),
		[]string{"wpfleet:dbMinAcu", "needs Aurora MySQL 3.08.0 or later"}},
	{"Aurora MySQL 2", set("wpfleet:dbEngineVersion", "5.7.mysql_aurora.2.12.1"),
		[]string{"wpfleet:dbEngineVersion", `"5.7.mysql_aurora.2.12.1"`, "Aurora MySQL 3"}},
	{"unknown database mode", set("wpfleet:dbMode", "aurora"),
		[]string{"wpfleet:dbMode", `"aurora"`, `"serverless" or "provisioned"`}},
	{"TLS 1.0 policy", set("wpfleet:sslPolicy", "ELBSecurityPolicy-2016-08"),
		[]string{"wpfleet:sslPolicy", `"ELBSecurityPolicy-2016-08"`, "only TLS 1.2 and later"}},
	{"log retention CloudWatch does not offer", set("wpfleet:logRetentionDays", "10"),
		[]string{"wpfleet:logRetentionDays", "10 is not valid", "1, 3, 5, 7, 14, 30"}},
	{"no NAT for private subnets", set("wpfleet:natGateways", "None"),
		[]string{"wpfleet:natGateways", `"None"`, `"OnePerAz" or "Single"`}},
	{"Spot and on-demand both off", set("wpfleet:spotWeight", "0"),
		[]string{"wpfleet:spotWeight", "at least one of the on-demand and Spot weights must be positive"}},
	{"unknown code delivery", site(4, "codeDelivery", "nfs"),
		[]string{"wpfleet:sites[4].codeDelivery", `"nfs"`, `"local"`}},
	{"environment name with a hyphen", set("wpfleet:environment", "pre-prod"),
		[]string{"wpfleet:environment", `"pre-prod"`, "1-8 lowercase letters and digits"}},
	{"missing images", del("wpfleet:phpImage"),
		[]string{"wpfleet:phpImage", "image/README.md"}},
	{"existing VPC with one subnet", both(set("wpfleet:existingVpcId", "vpc-0abc"), set("wpfleet:existingPrivateSubnetIds", `["subnet-1"]`)),
		[]string{"wpfleet:existingPrivateSubnetIds", "at least two private subnets"}},
	{"listener priorities colliding", both(site(0, "listenerPriority", 110), site(1, "listenerPriority", 110)),
		[]string{"wpfleet:sites", "listener priorities 110-110 overlap"}},
	{"unknown CloudFront price class", set("wpfleet:cdnPriceClass", "PriceClass_Japan"),
		[]string{"wpfleet:cdnPriceClass", `"PriceClass_Japan"`, "PriceClass_200"}},
	{"page TTL beyond a day", site(1, "cdnPageTtlSeconds", 100000),
		[]string{"wpfleet:sites[1].cdnPageTtlSeconds", "100000 is not valid", "0 to 86400 seconds"}},
	{"backup schedule as a rate", set("wpfleet:backupSchedule", "rate(1 day)"),
		[]string{"wpfleet:backupSchedule", `"rate(1 day)"`, "a cron expression"}},
	{"alarm threshold out of range", set("wpfleet:alarmTarget5xxPercent", "0"),
		[]string{"wpfleet:alarmTarget5xxPercent", "0 is not valid", "1 to 100"}},
	{"no repository for releases", del("wpfleet:releaseRepoUrlTemplate"),
		[]string{"wpfleet:releaseRepoUrlTemplate", "with {site} in it"}},
	{"token inside a repository URL", site(0, "repository", "https://deploy:ghp_secret@github.com/acme/corp.git"),
		[]string{"wpfleet:sites[0].repository", `"https://***@github.com/acme/corp.git"`, "without credentials"}},
	{"CI branch wildcard", set("wpfleet:ciGithub", `[{"repository":"example-corp/wp-news","branches":["*"]}]`),
		[]string{"wpfleet:ciGithub[0].branches", `"*"`, "without wildcards"}},
	{"CircleCI org that is not an ID", both(set("wpfleet:ciCircleciOrgId", "example-corp"), set("wpfleet:ciCircleciProjectIds", `["7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6"]`)),
		[]string{"wpfleet:ciCircleciOrgId", `"example-corp"`, "a UUID"}},
	{"email that is not one", set("wpfleet:alarmEmail", "ops at example"),
		[]string{"wpfleet:alarmEmail", `"ops at example"`, "e-mail address"}},
}

// Every invalid configuration fails with an error naming the key, the value
// and what is allowed, and registers nothing.
func TestBadConfigurationsFailBeforeAnythingIsRegistered(t *testing.T) {
	base := stackConfig(t, "stg").Config
	for _, tc := range badConfigs {
		t.Run(tc.name, func(t *testing.T) {
			cfg := copyConfig(base)
			tc.mutate(t, cfg)
			_, rec, err := runConfig("stg", cfg)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "ghp_secret", "credentials are never echoed")
			assert.Empty(t, rec.Resources(), "nothing may be registered for an invalid configuration")
		})
	}
}

// All problems are reported at once, not one per run.
func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	cfg["wpfleet:efsThroughputMode"] = "turbo"
	cfg["wpfleet:cronSchedule"] = "hourly"
	_, _, err := runConfig("stg", cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wpfleet:efsThroughputMode")
	assert.Contains(t, err.Error(), "wpfleet:cronSchedule")
	assert.Equal(t, 1, strings.Count(err.Error(), "wpfleet:cronSchedule:"), "a fleet-wide mistake is reported once, not once per site")
}
