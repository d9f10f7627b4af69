package tests

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

// Every alarm notifies the environment's topic, when it fires and when it
// clears; each site, pool and the platform have their alarms.
func TestAlarms(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			names := components.NamesFor(stack)
			topic := onlyOne(t, res.Resources, "aws:sns/topic:Topic", stack).Outputs["arn"]
			byName := map[string]mocks.Resource{}
			for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				assert.Equal(t, []any{topic}, a.Inputs["alarmActions"], a.Name)
				assert.Equal(t, []any{topic}, a.Inputs["okActions"], a.Name)
				assert.NotEmpty(t, a.Inputs["alarmDescription"], a.Name)
				byName[str(a.Inputs["name"])] = a
			}
			ns := names.MetricNamespace()
			var want []string
			for _, s := range siteNames(t, stackConfig(t, stack).Config) {
				for _, k := range []string{"5xx", "cron-failed", "cron-silent"} {
					want = append(want, names.SiteAlarm(s, k))
				}
				rate := byName[names.SiteAlarm(s, "5xx")].Inputs
				assert.Equal(t, "IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)", at(rate, "metricQueries.2.expression"))
				for i, m := range []string{components.MetricServerErrors, components.MetricRequests} {
					q := at(rate, fmt.Sprintf("metricQueries.%d.metric", i))
					assert.Equal(t, ns, at(q, "namespace"))
					assert.Equal(t, m, at(q, "metricName"))
					assert.Equal(t, map[string]any{"Site": s}, at(q, "dimensions"))
				}
				assert.EqualValues(t, 5, rate["threshold"])
				failed := byName[names.SiteAlarm(s, "cron-failed")].Inputs
				assert.Equal(t, ns, failed["namespace"])
				assert.Equal(t, components.MetricCronFailed, failed["metricName"])
				assert.Equal(t, map[string]any{"Site": s}, failed["dimensions"])
				silent := byName[names.SiteAlarm(s, "cron-silent")].Inputs
				assert.Equal(t, components.MetricCronOK, silent["metricName"])
				assert.Equal(t, "LessThanThreshold", silent["comparisonOperator"])
				assert.Equal(t, "breaching", silent["treatMissingData"], "no ok line at all is the failure")
				assert.LessOrEqual(t, silent["period"].(int64)*silent["evaluationPeriods"].(int64), int64(86400), "CloudWatch evaluates at most a day")
				assert.GreaterOrEqual(t, silent["period"].(int64), int64(3*fleetArgs(t, stack).CronIntervalSeconds),
					"three cron intervals without a successful run")
			}
			for pool := range poolSites(t, stack) {
				want = append(want, names.PoolAlarm(pool, "no-healthy-targets"), names.PoolAlarm(pool, "tasks-below-desired"), names.PoolAlarm(pool, "opcache"))
				sp := component(t, res, "SitePool", stack+"-"+pool)
				tg := onlyOne(t, res.Descendants(sp.URN), "aws:lb/targetGroup:TargetGroup", pool)
				h := byName[names.PoolAlarm(pool, "no-healthy-targets")].Inputs
				assert.Equal(t, tg.Outputs["arnSuffix"], at(h, "dimensions.TargetGroup"))
				tasks := byName[names.PoolAlarm(pool, "tasks-below-desired")].Inputs
				assert.Equal(t, "desired - running", at(tasks, "metricQueries.2.expression"))
				assert.Equal(t, "ECS/ContainerInsights", at(tasks, "metricQueries.0.metric.namespace"))
				// The OPcache watcher's "full"/"error" lines (at most one per 5 minutes) alarm at once.
				op := byName[names.PoolAlarm(pool, "opcache")].Inputs
				assert.Equal(t, names.PoolMetric(pool, components.MetricOPcacheTrouble), op["metricName"])
				assert.Equal(t, names.MetricNamespace(), op["namespace"])
				assert.EqualValues(t, 300, op["period"])
				assert.EqualValues(t, 1, op["threshold"])
			}
			for _, k := range []string{"efs-metered-throughput", "db-cpu", "db-connections", "db-freeable-memory", "db-acu"} {
				want = append(want, names.Alarm(k))
			}
			assert.ElementsMatch(t, want, keys(byName))
			efs := byName[names.Alarm("efs-metered-throughput")].Inputs
			assert.EqualValues(t, 20*1024*1024*900, efs["threshold"], "20 MiB/s over 15 minutes")
			mem := byName[names.Alarm("db-freeable-memory")].Inputs
			assert.EqualValues(t, 256*1024*1024, mem["threshold"])
			assert.Equal(t, "LessThanThreshold", mem["comparisonOperator"])
			db := res.ByType("aws:rds/cluster:Cluster")[0]
			assert.Equal(t, db.Outputs["clusterIdentifier"], at(byName[names.Alarm("db-cpu")].Inputs, "dimensions.DBClusterIdentifier"))
		})
	}
}

// Each pool's log group turns the containers' JSON lines into the per-site
// metrics the alarms watch (runtime contract: nginx's access log, the cron
// runner's lines).
func TestMetricFilters(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			ns := components.NamesFor(stack).MetricNamespace()
			produced := map[string]bool{}
			for pool := range poolSites(t, stack) {
				sp := component(t, res, "SitePool", stack+"-"+pool)
				d := res.Descendants(sp.URN)
				lg := onlyOne(t, d, "aws:cloudwatch/logGroup:LogGroup", pool)
				patterns := map[string]string{}
				opcache := components.NamesFor(stack).PoolMetric(pool, components.MetricOPcacheTrouble)
				for _, f := range ofType(d, "aws:cloudwatch/logMetricFilter:LogMetricFilter") {
					assert.Equal(t, lg.Outputs["name"], f.Inputs["logGroupName"])
					m := at(f.Inputs, "metricTransformation")
					assert.Equal(t, ns, at(m, "namespace"))
					if at(m, "name") == opcache {
						assert.Nil(t, at(m, "dimensions"), "the task's OPcache: one metric for the pool")
					} else {
						assert.Equal(t, map[string]any{"Site": "$.site"}, at(m, "dimensions"), "one metric per site")
					}
					assert.Equal(t, "1", at(m, "value"))
					patterns[str(at(m, "name"))] = str(f.Inputs["pattern"])
					produced[str(at(m, "name"))] = true
				}
				assert.Equal(t, map[string]string{
					components.MetricRequests:     `{ $.site = "*" && $.status > 0 }`,
					components.MetricServerErrors: `{ $.site = "*" && $.status >= 500 }`,
					components.MetricCronFailed:   `{ $.wpfleet = "cron" && $.status = "failed" }`,
					components.MetricCronOK:       `{ $.wpfleet = "cron" && $.status = "ok" }`,
					opcache:                       `{ $.wpfleet = "opcache" && ($.status = "full" || $.status = "error") }`,
				}, patterns, pool)
			}
			// Every alarm on the environment's namespace watches a metric a filter produces.
			for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				metrics := []any{a.Inputs}
				if qs, ok := a.Inputs["metricQueries"].([]any); ok {
					metrics = nil
					for _, q := range qs {
						if m := at(q, "metric"); m != nil {
							metrics = append(metrics, m)
						}
					}
				}
				for _, m := range metrics {
					if at(m, "namespace") == ns {
						assert.Truef(t, produced[str(at(m, "metricName"))], "%s watches %v, which no filter produces", a.Name, at(m, "metricName"))
					}
				}
			}
		})
	}
}

// The alarm topic's key lets CloudWatch (for this account) and EventBridge
// (without a source condition: the SNS guide says EventBridge cannot publish
// to an encrypted topic otherwise) use it; the topic policy admits both.
func TestAlarmTopicKeyPolicy(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			topic := onlyOne(t, res.Resources, "aws:sns/topic:Topic", stack)
			comp := component(t, res, "AlarmTopic", stack)
			key := onlyOne(t, res.Children(comp.URN), "aws:kms/key:Key", stack)
			assert.Equal(t, key.Outputs["arn"], topic.Inputs["kmsMasterKeyId"])
			doc := jsonInput(t, key, "policy")
			eb := statement(t, doc, "EventBridgeUsesKey")
			assert.Equal(t, "events.amazonaws.com", at(eb, "Principal.Service"))
			assert.ElementsMatch(t, []any{"kms:Decrypt", "kms:GenerateDataKey*"}, eb["Action"])
			assert.Nil(t, eb["Condition"], "no aws:SourceAccount or aws:SourceArn condition for EventBridge")
			cw := statement(t, doc, "CloudWatchAlarmsUseKey")
			assert.Equal(t, "cloudwatch.amazonaws.com", at(cw, "Principal.Service"))
			assert.Equal(t, "123456789012", at(cw, "Condition.StringEquals.aws:SourceAccount"))
			pol := onlyOne(t, res.Children(comp.URN), "aws:sns/topicPolicy:TopicPolicy", stack)
			pub := statement(t, jsonInput(t, pol, "policy"), "AlarmPublishers")
			assert.ElementsMatch(t, []any{"cloudwatch.amazonaws.com", "events.amazonaws.com"}, at(pub, "Principal.Service"))
			assert.Equal(t, []any{"sns:Publish"}, pub["Action"])
			alias := onlyOne(t, res.Children(comp.URN), "aws:kms/alias:Alias", stack)
			assert.Equal(t, components.NamesFor(stack).AlarmKeyAlias(), alias.Inputs["name"])
			sub := ofType(res.Children(comp.URN), "aws:sns/topicSubscription:TopicSubscription")
			if stack == "prod" {
				require.Len(t, sub, 1)
				assert.Equal(t, "sre-alerts@example.com", sub[0].Inputs["endpoint"])
			} else {
				assert.Empty(t, sub, "stg subscribes nobody")
			}
		})
	}
}

// Failed batch jobs (a job family's task stopped with a non-zero exit code
// or that never started) reach the alarm topic; pool tasks do not match.
func TestFailedJobsAreReported(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			rule, ok := res.Find("aws:cloudwatch/eventRule:EventRule", stack+"-job-failures")
			require.True(t, ok)
			pattern := jsonInput(t, rule, "eventPattern")
			assert.Equal(t, []any{"aws.ecs"}, at(pattern, "source"))
			assert.Equal(t, []any{"ECS Task State Change"}, at(pattern, "detail-type"))
			assert.Equal(t, []any{"STOPPED"}, at(pattern, "detail.lastStatus"))
			cluster := onlyOne(t, res.Resources, "aws:ecs/cluster:Cluster", stack)
			assert.Equal(t, []any{cluster.Outputs["arn"]}, at(pattern, "detail.clusterArn"))
			wildcard := str(at(pattern, "detail.taskDefinitionArn.0.wildcard"))
			assert.Equal(t, "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/"+components.NamesFor(stack).JobFamily("*", "*")+":*", wildcard)
			for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
				isJob := strings.Contains(td.Name, "--job-")
				assert.Equalf(t, isJob, wildcardMatch(wildcard, str(td.Outputs["arn"])), "%s: jobs match, pools do not", td.Name)
			}
			assert.Equal(t, map[string]any{"anything-but": float64(0)}, at(pattern, "detail.$or.0.containers.exitCode.0"))
			assert.Equal(t, []any{"TaskFailedToStart"}, at(pattern, "detail.$or.1.stopCode"))
			target, ok := res.Find("aws:cloudwatch/eventTarget:EventTarget", stack+"-job-failures")
			require.True(t, ok)
			assert.Equal(t, rule.Outputs["name"], target.Inputs["rule"])
			assert.Equal(t, res.ByType("aws:sns/topic:Topic")[0].Outputs["arn"], target.Inputs["arn"])
			assert.Contains(t, at(target.Inputs, "inputTransformer.inputTemplate"), "batch job <group> failed")
		})
	}
}

// wildcardMatch is EventBridge's wildcard filter: * matches any characters.
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

func TestDashboard(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			dash := onlyOne(t, res.Resources, "aws:cloudwatch/dashboard:Dashboard", stack)
			assert.Equal(t, components.NamesFor(stack).DashboardName(), dash.Inputs["dashboardName"])
			var body map[string]any
			require.NoError(t, json.Unmarshal([]byte(str(dash.Inputs["dashboardBody"])), &body))
			widgets := body["widgets"].([]any)
			assert.Len(t, widgets, 6)
			sites := len(siteNames(t, stackConfig(t, stack).Config))
			pools := len(poolSites(t, stack))
			assert.Len(t, at(widgets[0], "properties.metrics"), sites, "requests: a line per site")
			assert.Len(t, at(widgets[1], "properties.metrics"), sites, "5xx: a line per site")
			assert.Len(t, at(widgets[2], "properties.metrics"), pools, "response time: a line per pool")
			assert.Len(t, at(widgets[3], "properties.metrics"), pools, "tasks: a line per pool")
			for _, w := range widgets {
				assert.Equal(t, "ap-northeast-1", at(w, "properties.region"))
			}
			line := at(widgets[0], "properties.metrics.0").([]any)
			assert.Equal(t, components.NamesFor(stack).MetricNamespace(), line[0])
			assert.Equal(t, components.MetricRequests, line[1])
		})
	}
}

func TestBackupPlans(t *testing.T) {
	for stack, days := range map[string]int64{"prod": 35, "stg": 7} {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			plan := onlyOne(t, res.Resources, "aws:backup/plan:Plan", stack)
			assert.EqualValues(t, days, at(plan.Inputs, "rules.0.lifecycle.deleteAfter"))
			assert.Equal(t, components.DefaultBackupSchedule, at(plan.Inputs, "rules.0.schedule"), "daily")
			vault := onlyOne(t, res.Resources, "aws:backup/vault:Vault", stack)
			assert.Equal(t, vault.Outputs["name"], at(plan.Inputs, "rules.0.targetVaultName"))
			key, ok := res.Find("aws:kms/key:Key", stack+"-backup")
			require.True(t, ok)
			assert.Equal(t, key.Outputs["arn"], vault.Inputs["kmsKeyArn"], "the vault has its own key")
			sel := onlyOne(t, res.Resources, "aws:backup/selection:Selection", stack)
			fs := res.ByType("aws:efs/fileSystem:FileSystem")[0]
			db := res.ByType("aws:rds/cluster:Cluster")[0]
			assert.ElementsMatch(t, []any{fs.Outputs["arn"], db.Outputs["arn"]}, sel.Inputs["resources"])
			b := component(t, res, "Backup", stack)
			attachments := ofType(res.Descendants(b.URN), "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
			require.Len(t, attachments, 2)
			for _, a := range attachments {
				assert.Regexp(t, `^arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyFor(Backup|Restores)$`, a.Inputs["policyArn"])
			}
		})
	}
}

// In prod, Pulumi can never delete what holds data: the file system, the
// database, the sites' secrets and buckets, the backup vault and its key.
func TestStatefulResourcesProtectedInProd(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			prod := stack == "prod"
			check := func(r mocks.Resource) {
				assert.Equalf(t, prod, r.Options.Protect, "%s %s protect", r.Type, r.Name)
				assert.Equalf(t, prod, r.Options.RetainOnDelete, "%s %s retainOnDelete", r.Type, r.Name)
			}
			for _, typ := range []string{"aws:efs/fileSystem:FileSystem", "aws:rds/cluster:Cluster", "aws:backup/vault:Vault"} {
				check(onlyOne(t, res.Resources, typ, stack))
			}
			key, _ := res.Find("aws:kms/key:Key", stack+"-backup")
			check(key)
			for _, s := range fleetArgs(t, stack).Sites {
				site := component(t, res, "WordPressSite", stack+"-"+s.Name)
				d := res.Descendants(site.URN)
				for _, sec := range ofType(d, "aws:secretsmanager/secret:Secret") {
					check(sec)
				}
				check(onlyOne(t, d, "aws:s3/bucketV2:BucketV2", s.Name))
			}
		})
	}
}

// A Spot reclaim or scale-in drains a task without failed requests: the ALB
// stops sending new requests and waits the deregistration delay (request
// timeout + 5 s) while in-flight requests finish, and ECS gives the
// containers the stop timeout (request timeout + 15 s) after SIGTERM, within
// Fargate's 120 s and Spot's two-minute warning.
func TestSpotDrainTimingIsAligned(t *testing.T) {
	for _, stack := range stacks {
		res := shippedStack(t, stack)
		for pool := range poolSites(t, stack) {
			sp := component(t, res, "SitePool", stack+"-"+pool)
			d := res.Descendants(sp.URN)
			tg := onlyOne(t, d, "aws:lb/targetGroup:TargetGroup", pool)
			td := onlyOne(t, d, "aws:ecs/taskDefinition:TaskDefinition", pool)
			dereg := tg.Inputs["deregistrationDelay"].(int64)
			assert.EqualValues(t, 35, dereg)
			for name, c := range containers(t, td) {
				stop := int64(c["stopTimeout"].(float64))
				assert.EqualValues(t, 45, stop, name)
				assert.LessOrEqual(t, stop, int64(120), "Fargate's maximum stop timeout")
				assert.Greater(t, stop, dereg, "containers outlive the ALB's drain")
				assert.Equal(t, "30", envOf(c)["WPFLEET_REQUEST_TIMEOUT_SECONDS"], "php-fpm and nginx size their graceful shutdown from this")
			}
		}
	}
}
