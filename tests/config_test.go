package tests

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/fleetconfig"
)

// badConfig is one invalid configuration of the stg stack and what its
// error must say: the config key, the bad value and what is allowed.
type badConfig struct {
	name   string
	mutate func(t testing.TB, cfg map[string]string)
	want   []string
}

type mutation = func(testing.TB, map[string]string)

func site(i int, field string, value any) mutation {
	return func(t testing.TB, cfg map[string]string) {
		sites := sitesOf(t, cfg)
		sites[i][field] = value
		setSites(t, cfg, sites)
	}
}

func set(key, value string) mutation {
	return func(_ testing.TB, cfg map[string]string) { cfg[key] = value }
}

func del(key string) mutation {
	return func(_ testing.TB, cfg map[string]string) { delete(cfg, key) }
}

func all(ms ...mutation) mutation {
	return func(t testing.TB, cfg map[string]string) {
		for _, m := range ms {
			m(t, cfg)
		}
	}
}

// twoPools splits stg's sites into pools "web" (the first site) and "rest"
// (the others); extra settings go to "web".
func twoPools(web map[string]any) mutation {
	return func(t testing.TB, cfg map[string]string) {
		names := siteNames(t, cfg)
		first := sitesOf(t, cfg)[0]["name"].(string)
		var rest []any
		for _, n := range names {
			if n != first {
				rest = append(rest, n)
			}
		}
		p := map[string]any{"name": "web", "sites": []any{first}}
		for k, v := range web {
			p[k] = v
		}
		setPools(t, cfg, []map[string]any{p, {"name": "rest", "sites": rest}})
	}
}

// manySites replaces the sites with n generated ones of hosts hostnames
// each, in pools of at most 25.
func manySites(n, hosts int, extra map[string]any) mutation {
	return func(t testing.TB, cfg map[string]string) {
		var sites []map[string]any
		var pools []map[string]any
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("s%d", i)
			var hs []any
			for h := 0; h < hosts; h++ {
				hs = append(hs, fmt.Sprintf("h%d.%s.stg.example.com", h, name))
			}
			s := map[string]any{"name": name, "hostnames": hs}
			for k, v := range extra {
				s[k] = v
			}
			sites = append(sites, s)
			if i%25 == 0 {
				// 25 sites need 3200 MiB (contract.MinTaskMemoryMiB).
				pools = append(pools, map[string]any{"name": fmt.Sprintf("p%d", i/25), "sites": []any{}, "taskCpu": 1024, "taskMemory": 4096})
			}
			p := pools[len(pools)-1]
			p["sites"] = append(p["sites"].([]any), name)
		}
		setSites(t, cfg, sites)
		setPools(t, cfg, pools)
	}
}

var badConfigs = []badConfig{
	// Task sizes and counts: fleet-wide and per pool.
	{"2 vCPU with 2048 MB in a pool", twoPools(map[string]any{"taskCpu": 2048, "taskMemory": 2048}),
		[]string{"wpfleet:pools[0].taskMemory", "2048 CPU units, 2048 MiB", "4096-16384 MiB"}},
	{"fleet-wide memory too small for the CPU", set("wpfleet:taskMemory", "256"),
		[]string{"wpfleet:taskMemory", "512 CPU units, 256 MiB", "1024-4096 MiB"}},
	{"CPU size Fargate does not have", set("wpfleet:taskCpu", "3000"),
		[]string{"wpfleet:taskCpu", "3000", "256, 512, 1024, 2048, 4096, 8192, 16384"}},
	{"min tasks above max in a pool", twoPools(map[string]any{"minTasks": 5, "maxTasks": 3}),
		[]string{"wpfleet:pools[0].minTasks", `"5-3"`, "minimum <= maximum"}},
	{"Spot and on-demand both off", set("wpfleet:spotWeight", "0"),
		[]string{"wpfleet:spotWeight", "onDemandBase 0, onDemandWeight 0, spotWeight 0", "at least one of the on-demand and Spot weights must be positive"}},
	{"unknown code delivery in a pool", twoPools(map[string]any{"codeDelivery": "nfs"}),
		[]string{"wpfleet:pools[0].codeDelivery", `"nfs"`, `"local"`}},
	{"cron interval too short", set("wpfleet:cronIntervalSeconds", "10"),
		[]string{"wpfleet:cronIntervalSeconds", "10 is not valid", "30 to 600 seconds"}},
	{"request timeout beyond Fargate's stop timeout", twoPools(map[string]any{"requestTimeoutSeconds": 200}),
		[]string{"wpfleet:pools[0].requestTimeoutSeconds", "200 is not valid", "5 to 100 seconds"}},
	{"ECS Exec without session logging", set("wpfleet:execLogging", "false"),
		[]string{"wpfleet:executeCommand", "true is not valid", "ECS Exec only where sessions are logged"}},

	// Sites, hostnames and zones.
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
	{"no DNS zone at all", del("wpfleet:dnsZones"),
		[]string{"wpfleet:dnsZones", "(unset)", "at least one Route 53 hosted zone"}},
	{"hostname outside every zone", site(0, "hostnames", []any{"www.example.org"}),
		[]string{"wpfleet:sites[0].hostnames[0]", `"www.example.org"`, "inside one of the zones in wpfleet:dnsZones (stg.example.com)"}},
	{"malformed hostname", site(0, "hostnames", []any{"*.stg.example.com"}),
		[]string{"wpfleet:sites[0].hostnames", `"*.stg.example.com"`, "no wildcard"}},
	{"malformed zone ID", set("wpfleet:dnsZones", `[{"name":"stg.example.com","zoneId":"example"}]`),
		[]string{"wpfleet:dnsZones[0].zoneId", `"example"`, "hosted zone ID"}},
	{"no sites", set("wpfleet:sites", "[]"),
		[]string{"wpfleet:sites", "at least one site"}},
	{"listener priorities colliding", all(site(0, "listenerPriority", 110), site(1, "listenerPriority", 110)),
		[]string{"wpfleet:sites[1].listenerPriority", "110 is not valid", "overlap site corporate's 110-110"}},
	{"more than 100 listener rules on one ALB", manySites(101, 1, nil),
		[]string{"wpfleet:sites", "101 is not valid", "at most 100 listener rules on one ALB"}},
	{"more than 25 certificates on one listener", all(manySites(27, 1, nil), set("wpfleet:certificateMaxNames", "1")),
		[]string{"wpfleet:sites", "27 is not valid", "at most 26 certificates on one HTTPS listener"}},
	{"more than 19 page-caching sites", manySites(20, 1, map[string]any{"cdn": true}),
		[]string{"wpfleet:cdn", "20 is not valid", "at most 19 sites with page caching", "20 per account"}},
	{"page TTL beyond a day", site(1, "cdnPageTtlSeconds", 100000),
		[]string{"wpfleet:sites[1].cdnPageTtlSeconds", "100000 is not valid", "0 to 86400 seconds"}},
	{"viewer network that is not one", site(1, "allowedViewerCidrs", []any{"office"}),
		[]string{"wpfleet:sites[1].allowedViewerCidrs", `"office"`, "IPv4 networks in CIDR notation"}},

	// Jobs.
	{"job schedule out of range", site(2, "jobs", []any{map[string]any{"name": "purge", "schedule": "cron(61 * * * ? *)", "command": []any{"wp", "cache", "flush"}}}),
		[]string{"wpfleet:sites[2].jobs[0].schedule", `"cron(61 * * * ? *)"`, "minutes field"}},
	{"job without a command", site(2, "jobs", []any{map[string]any{"name": "purge", "schedule": "rate(1 hour)", "command": []any{}}}),
		[]string{"wpfleet:sites[2].jobs[0].command", "a command as a list of words"}},
	{"job name with capitals", site(2, "jobs", []any{map[string]any{"name": "Purge", "schedule": "rate(1 hour)", "command": []any{"wp"}}}),
		[]string{"wpfleet:sites[2].jobs[0].name", `"Purge"`, "a job name is 1-20 characters"}},

	// Pools.
	{"pool with an unknown site", set("wpfleet:pools", `[{"name":"all","sites":["corporate","nosuch"]}]`),
		[]string{"wpfleet:pools[0].sites", `"nosuch"`, "names of sites in wpfleet:sites"}},
	{"site in two pools", all(twoPools(nil), func(t testing.TB, cfg map[string]string) {
		pools := poolsOf(t, cfg)
		pools[1]["sites"] = append(pools[1]["sites"].([]any), "corporate")
		setPools(t, cfg, pools)
	}), []string{"wpfleet:pools[1].sites", `"corporate"`, "pool web serves it already"}},
	{"site in no pool", set("wpfleet:pools", `[{"name":"web","sites":["corporate"]}]`),
		[]string{"wpfleet:sites[1].name", `"engineerblog"`, "every site is in one pool's sites (wpfleet:pools); this one is in none"}},
	{"duplicate pool names", all(twoPools(nil), func(t testing.TB, cfg map[string]string) {
		pools := poolsOf(t, cfg)
		pools[1]["name"] = "web"
		setPools(t, cfg, pools)
	}), []string{"wpfleet:pools[1].name", `"web"`, "pool names are unique"}},
	{"pool name too long", twoPools(map[string]any{"name": "web-frontend-pool"}),
		[]string{"wpfleet:pools[0].name", `"web-frontend-pool"`, "a pool name is 1-14 characters"}},
	{"task size on a site (moved to pools)", site(0, "taskCpu", 1024),
		[]string{"wpfleet:sites[0].taskCpu", "task settings moved to pools", "wpfleet:pools"}},
	{"removed key cronSchedule", set("wpfleet:cronSchedule", "rate(5 minutes)"),
		[]string{"wpfleet:cronSchedule: this key was removed", "wpfleet:cronIntervalSeconds"}},

	// Keys and types.
	{"typo in a key", set("wpfleet:taskCPU", "1024"),
		[]string{"wpfleet:taskCPU: unknown key", "taskCpu"}},
	{"typo in a site field", site(0, "hostname", []any{"x.stg.example.com"}),
		[]string{"wpfleet:sites[0].hostname: unknown field", "hostnames"}},
	{"not a number", set("wpfleet:maxTasks", "lots"),
		[]string{"wpfleet:maxTasks", `"lots"`, "a whole number"}},

	// Region and environment.
	{"no region", del("aws:region"),
		[]string{"aws:region", "(unset)", "the AWS region to deploy into"}},
	{"region that does not exist", set("aws:region", "tokyo"),
		[]string{"aws:region", `"tokyo"`, "an AWS region code such as ap-northeast-1"}},
	{"environment name with a hyphen", set("wpfleet:environment", "pre-prod"),
		[]string{"wpfleet:environment", `"pre-prod"`, "1-8 lowercase letters and digits"}},
	{"another stack's environment", set("wpfleet:environment", "prod"),
		[]string{"wpfleet:environment", `"prod"`, `set it to the stack's name "stg"`}},
	{"reserved tag key", set("wpfleet:tags", `{"aws:x":"y"}`),
		[]string{"wpfleet:tags", `"y"`, `tag keys may not start with "aws:"`}},
	{"tag value with a character AWS refuses", set("wpfleet:tags", `{"team":"web|ops"}`),
		[]string{"wpfleet:tags", `"web|ops"`, "letters, digits, spaces and _ . : / = + - @"}},

	// Network.
	{"no NAT for private subnets", set("wpfleet:natGateways", "None"),
		[]string{"wpfleet:natGateways", `"None"`, `"OnePerAz" or "Single"`}},
	{"existing VPC with one subnet", all(set("wpfleet:existingVpcId", "vpc-0123456789abcdef0"),
		set("wpfleet:existingPublicSubnetIds", `["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]`),
		set("wpfleet:existingPrivateSubnetIds", `["subnet-0123456789abcdef2"]`)),
		[]string{"wpfleet:existingPrivateSubnetIds", `["subnet-0123456789abcdef2"]`, "at least two private subnet IDs"}},
	{"existing subnets without their VPC", set("wpfleet:existingPrivateSubnetIds", `["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]`),
		[]string{"wpfleet:existingVpcId", `""`, "subnets without their VPC would be ignored and a new VPC built"}},
	{"VPC range too large", set("wpfleet:vpcCidr", "10.0.0.0/8"),
		[]string{"wpfleet:vpcCidr", `"10.0.0.0/8"`, "/16 to /24"}},
	{"interface endpoint for S3", set("wpfleet:interfaceEndpoints", `["s3"]`),
		[]string{"wpfleet:interfaceEndpoints", `"s3"`, "S3 is the gateway endpoint"}},

	// EFS.
	{"unknown throughput mode", set("wpfleet:efsThroughputMode", "turbo"),
		[]string{"wpfleet:efsThroughputMode", `"turbo"`, `"elastic", "bursting" or "provisioned"`}},
	{"provisioned throughput without MiB/s", set("wpfleet:efsThroughputMode", "provisioned"),
		[]string{"wpfleet:efsThroughputMode", `"provisioned"`, "needs provisioned MiB/s between 1 and 10240"}},
	{"MiB/s without provisioned mode", set("wpfleet:efsProvisionedMibps", "100"),
		[]string{"wpfleet:efsThroughputMode", `"elastic"`, "only allowed with throughput mode"}},

	// Aurora.
	{"scale to zero on an engine that cannot", set("wpfleet:dbEngineVersion", "8.0.mysql_aurora.3.04.2"),
		[]string{"wpfleet:dbMinAcu", `"0-4"`, "needs Aurora MySQL 3.08.0 or later"}},
	{"Aurora MySQL 2", set("wpfleet:dbEngineVersion", "5.7.mysql_aurora.2.12.1"),
		[]string{"wpfleet:dbEngineVersion", `"5.7.mysql_aurora.2.12.1"`, "Aurora MySQL 3"}},
	{"made-up Aurora version", set("wpfleet:dbEngineVersion", "8.0.mysql_aurora.3.99.9"),
		[]string{"wpfleet:dbEngineVersion", `"8.0.mysql_aurora.3.99.9"`, "known as of"}},
	{"unknown database mode", set("wpfleet:dbMode", "aurora"),
		[]string{"wpfleet:dbMode", `"aurora"`, `"serverless" or "provisioned"`}},
	{"provisioned with the serverless class", all(set("wpfleet:dbMode", "provisioned"), set("wpfleet:dbInstanceClass", "db.serverless")),
		[]string{"wpfleet:dbInstanceClass", `"db.serverless"`, "a provisioned Aurora MySQL instance class"}},
	{"capacity in odd steps", set("wpfleet:dbMaxAcu", "4.2"),
		[]string{"wpfleet:dbMinAcu", `"0-4.2"`, "in steps of 0.5"}},

	// Load balancer and CloudFront.
	{"TLS 1.0 policy", set("wpfleet:sslPolicy", "ELBSecurityPolicy-2016-08"),
		[]string{"wpfleet:sslPolicy", `"ELBSecurityPolicy-2016-08"`, "only TLS 1.2 and later"}},
	{"SSL policy that does not exist", set("wpfleet:sslPolicy", "ELBSecurityPolicy-TLS13-1-2-2099-01"),
		[]string{"wpfleet:sslPolicy", `"ELBSecurityPolicy-TLS13-1-2-2099-01"`, "known as of"}},
	{"ALB network that is not one", set("wpfleet:albAllowedCidrs", `["0.0.0.0"]`),
		[]string{"wpfleet:albAllowedCidrs", `"0.0.0.0"`, "IPv4 networks in CIDR notation"}},
	{"unknown CloudFront price class", set("wpfleet:cdnPriceClass", "PriceClass_Japan"),
		[]string{"wpfleet:cdnPriceClass", `"PriceClass_Japan"`, "PriceClass_200"}},
	{"WAF login limit below WAF's minimum", all(set("wpfleet:waf", "true"), set("wpfleet:wafLoginRateLimit", "5")),
		[]string{"wpfleet:wafLoginRateLimit", "5 is not valid", "10 to 2000000000"}},

	// Operations.
	{"log retention CloudWatch does not offer", set("wpfleet:logRetentionDays", "10"),
		[]string{"wpfleet:logRetentionDays", "10 is not valid", "1, 3, 5, 7, 14, 30"}},
	{"backup schedule as a rate", set("wpfleet:backupSchedule", "rate(1 day)"),
		[]string{"wpfleet:backupSchedule", `"rate(1 day)"`, "a cron expression"}},
	{"alarm threshold out of range", set("wpfleet:alarmTarget5xxPercent", "101"),
		[]string{"wpfleet:alarmTarget5xxPercent", "101 is not valid", "1 to 100"}},
	{"email that is not one", set("wpfleet:alarmEmail", "ops at example"),
		[]string{"wpfleet:alarmEmail", `"ops at example"`, "e-mail address"}},
	{"missing images", del("wpfleet:phpImage"),
		[]string{"wpfleet:phpImage", `""`, "image/README.md"}},

	// 0 where it means nothing is refused, not silently replaced by the default.
	{"zero database instances", set("wpfleet:dbInstances", "0"),
		[]string{"wpfleet:dbInstances", "0 is not valid", "leave it unset for the default, 2"}},
	{"zero log retention", set("wpfleet:logRetentionDays", "0"),
		[]string{"wpfleet:logRetentionDays", "0 is not valid", "leave it unset for the default, 30"}},
	{"zero request timeout in a pool", twoPools(map[string]any{"requestTimeoutSeconds": 0}),
		[]string{"wpfleet:pools[0].requestTimeoutSeconds", "0 is not valid", "leave it unset to use wpfleet:requestTimeoutSeconds"}},
	{"zero origin secret generation", site(0, "originSecretVersion", 0),
		[]string{"wpfleet:sites[0].originSecretVersion", "0 is not valid", "a generation from 1"}},
	{"no capacity weight in a pool", twoPools(map[string]any{"onDemandBase": 0, "onDemandWeight": 0, "spotWeight": 0}),
		[]string{"wpfleet:pools[0].spotWeight", "onDemandBase 0, onDemandWeight 0, spotWeight 0", "at least one of the on-demand and Spot weights"}},

	// Releases.
	{"no repository for releases", del("wpfleet:releaseRepoUrlTemplate"),
		[]string{"wpfleet:releaseRepoUrlTemplate", `""`, "a git URL containing {site}"}},
	{"token inside a repository URL", site(0, "repository", "https://deploy:ghp_secret@github.com/acme/corp.git"),
		[]string{"wpfleet:sites[0].repository", `"https://***@github.com/acme/corp.git"`, "without credentials"}},
	{"CI branch wildcard", set("wpfleet:ciGithub", `[{"repository":"example-corp/wp-news","branches":["*"]}]`),
		[]string{"wpfleet:ciGithub[0].branches", `"*"`, "without wildcards"}},
	{"CircleCI org that is not an ID", all(set("wpfleet:ciCircleciOrgId", "example-corp"), set("wpfleet:ciCircleciProjectIds", `["7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6"]`)),
		[]string{"wpfleet:ciCircleciOrgId", `"example-corp"`, "a UUID"}},
	{"release keep of one", set("wpfleet:releaseKeep", "1"),
		[]string{"wpfleet:releaseKeep", "1 is not valid", "2 to 50 releases"}},
}

// Every invalid configuration fails with an error naming the config key, the
// value and what is allowed, never a Go field name, and registers nothing.
func TestBadConfigurationsFailBeforeAnythingIsRegistered(t *testing.T) {
	base := stackConfig(t, "stg").Config
	for _, tc := range badConfigs {
		t.Run(tc.name, func(t *testing.T) {
			cfg := copyConfig(base)
			tc.mutate(t, cfg)
			_, rec, err := runConfig("stg", cfg)
			require.Error(t, err)
			msg := err.Error()
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
			assert.NotContains(t, msg, "Args.", "errors name config keys, never Go fields")
			assert.NotContains(t, msg, "ghp_secret", "credentials are never echoed")
			assert.Empty(t, rec.Resources(), "nothing may be registered for an invalid configuration")
			for _, line := range problems(msg) {
				assert.Regexpf(t, `^(aws:region|wpfleet:[A-Za-z0-9]+(\[\d+\](\.[A-Za-z0-9]+)?(\[\d+\](\.[A-Za-z0-9]+)?)?)?): `, line,
					"every problem starts with its config key")
			}
		})
	}
}

// problems splits an error into its problems, one per line, without the
// engine's "N errors occurred:" framing.
func problems(msg string) []string {
	var out []string
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "* ")
		if line == "" || regexp.MustCompile(`^\d+ errors? occurred:$`).MatchString(line) {
			continue
		}
		out = append(out, line)
	}
	return out
}

// No error of any case names a Go field (WordPressSiteArgs.X, SitePoolArgs.X,
// PlatformArgs.X...): a check over the whole table at once, so a new case
// cannot slip through.
func TestNoErrorNamesAGoField(t *testing.T) {
	base := stackConfig(t, "stg").Config
	for _, tc := range badConfigs {
		cfg := copyConfig(base)
		tc.mutate(t, cfg)
		_, _, err := runConfig("stg", cfg)
		if assert.Error(t, err, tc.name) {
			assert.NotContains(t, err.Error(), "Args.", tc.name)
		}
	}
}

// All problems are reported at once, type errors together with value
// errors, and a fleet-wide mistake once rather than once per site or pool.
func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	cfg["wpfleet:efsThroughputMode"] = "turbo"
	cfg["wpfleet:maxTasks"] = "lots"
	cfg["wpfleet:cdnPageTtlSeconds"] = "-1"
	cfg["aws:region"] = "tokyo"
	_, rec, err := runConfig("stg", cfg)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `wpfleet:efsThroughputMode: "turbo" is not valid`)
	assert.Contains(t, msg, `wpfleet:maxTasks: "lots" is not valid; a whole number`, "the type error")
	assert.Contains(t, msg, `aws:region: "tokyo" is not valid`)
	assert.Equal(t, 1, strings.Count(msg, "wpfleet:cdnPageTtlSeconds:"), "a fleet-wide mistake is reported once, not once per site")
	assert.Empty(t, rec.Resources())
}

// cdnPageTtlSeconds: 0 means 0: pages are kept only while being fetched.
func TestZeroPageTTLMeansZero(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "prod").Config)
	cfg["wpfleet:cdnPageTtlSeconds"] = "0"
	res, _, err := runConfig("prod", cfg)
	require.NoError(t, err)
	checked := 0
	for _, p := range res.ByType("aws:cloudfront/cachePolicy:CachePolicy") {
		if !strings.HasSuffix(p.Name, "-pages") {
			continue
		}
		checked++
		want := 0
		if p.Name == "prod-news-pages" {
			want = 60 // news sets its own
		}
		assert.EqualValues(t, want, p.Inputs["defaultTtl"], p.Name)
		assert.EqualValues(t, 0, p.Inputs["minTtl"], p.Name)
	}
	assert.Equal(t, 12, checked)
}

// A secure value is accepted where the README tells users to use --secret
// (a string setting), and refused for a setting of another type.
func TestSecureValues(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	cfg["wpfleet:alarmEmail"] = fleetconfig.SecretPlaceholder
	cfg["wpfleet:releaseGitCredentialsSecretArn"] = fleetconfig.SecretPlaceholder
	args, err := fleetconfig.FromMapWithSecrets(cfg, "stg", []string{"wpfleet:alarmEmail", "wpfleet:releaseGitCredentialsSecretArn"})
	require.NoError(t, err, "a secure string is accepted offline; its content is checked under the engine")
	assert.Equal(t, fleetconfig.SecretPlaceholder, args.AlarmEmail)

	cfg["wpfleet:taskCpu"] = fleetconfig.SecretPlaceholder
	_, err = fleetconfig.FromMapWithSecrets(cfg, "stg", []string{"wpfleet:taskCpu"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wpfleet:taskCpu: a secure value is not valid here; only string settings may be set with --secret (this one is integer)")
	assert.NotContains(t, err.Error(), "Args.")

	// A plain value that happens to read "[secret]" is checked like any other.
	cfg = copyConfig(stackConfig(t, "stg").Config)
	cfg["wpfleet:alarmEmail"] = fleetconfig.SecretPlaceholder
	_, err = fleetconfig.FromMapWithSecrets(cfg, "stg", nil)
	assert.ErrorContains(t, err, `wpfleet:alarmEmail: "[secret]" is not valid; [secret] is how an encrypted value reads offline`)
}
