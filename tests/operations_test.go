package tests

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/mocks"
)

func TestAlarmsNotifyTheTopic(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			topic := res.ByType("aws:sns/topic:Topic")[0].Outputs["arn"]
			perSite := map[string]int{}
			kinds := map[string]bool{}
			for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				assert.Equal(t, []any{topic}, a.Inputs["alarmActions"], a.Name)
				assert.NotEmpty(t, a.Inputs["alarmDescription"], a.Name)
				name := strings.TrimPrefix(a.Name, stack+"-")
				for _, kind := range []string{"-5xx", "-latency-p90", "-no-healthy-targets", "-tasks-below-desired"} {
					if strings.HasSuffix(name, kind) {
						perSite[strings.TrimSuffix(name, kind)]++
						kinds[kind] = true
					}
				}
				kinds[name] = true
			}
			for _, site := range siteNames(t, stackConfig(t, stack).Config) {
				assert.Equalf(t, 4, perSite[site], "%s: 5xx rate, p90 latency, no healthy targets, tasks below desired", site)
			}
			for _, k := range []string{"efs-metered-throughput", "db-cpu", "db-connections", "db-freeable-memory"} {
				assert.Truef(t, kinds[k], "alarm %s", k)
			}
			assert.Equal(t, stack == "stg", kinds["db-acu"], "the ACU alarm exists for Serverless v2 only")
		})
	}
}

func TestAlarmDefinitions(t *testing.T) {
	res := shippedStack(t, "prod")
	byName := map[string]mocks.Resource{}
	for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
		byName[a.Name] = a
	}
	rate := byName["prod-news-5xx"].Inputs
	assert.Equal(t, "IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)", at(rate, "metricQueries.2.expression"))
	assert.Equal(t, "HTTPCode_Target_5XX_Count", at(rate, "metricQueries.0.metric.metricName"))
	assert.EqualValues(t, 5, rate["threshold"])
	p90 := byName["prod-news-latency-p90"].Inputs
	assert.Equal(t, "p90", p90["extendedStatistic"])
	assert.EqualValues(t, 2, p90["threshold"], "2000 ms")
	tasks := byName["prod-news-tasks-below-desired"].Inputs
	assert.Equal(t, "desired - running", at(tasks, "metricQueries.2.expression"))
	assert.Equal(t, "ECS/ContainerInsights", at(tasks, "metricQueries.0.metric.namespace"))
	efs := byName["prod-efs-metered-throughput"].Inputs
	assert.EqualValues(t, 20*1024*1024*900, efs["threshold"], "20 MiB/s over 15 minutes")
	mem := byName["prod-db-freeable-memory"].Inputs
	assert.EqualValues(t, 256*1024*1024, mem["threshold"])
	assert.Equal(t, "LessThanThreshold", mem["comparisonOperator"])
}

func TestFailedCronTasksAreReported(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			rule, ok := res.Find("aws:cloudwatch/eventRule:EventRule", stack+"-cron-failures")
			require.True(t, ok)
			pattern := jsonInput(t, rule, "eventPattern")
			assert.Equal(t, []any{"ECS Task State Change"}, at(pattern, "detail-type"))
			assert.Equal(t, []any{"STOPPED"}, at(pattern, "detail.lastStatus"))
			wildcard := str(at(pattern, "detail.taskDefinitionArn.0.wildcard"))
			assert.Equal(t, "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/"+stack+"-*-cron:*", wildcard,
				"matches the cron task definitions of this environment")
			for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
				family := str(td.Inputs["family"])
				matches := strings.HasPrefix(family, stack+"-") && strings.HasSuffix(family, "-cron")
				assert.Equal(t, strings.HasSuffix(td.Name, "-cron"), matches, family)
			}
			assert.Equal(t, map[string]any{"anything-but": float64(0)}, at(pattern, "detail.$or.0.containers.exitCode.0"))
			target, ok := res.Find("aws:cloudwatch/eventTarget:EventTarget", stack+"-cron-failures")
			require.True(t, ok)
			assert.Equal(t, res.ByType("aws:sns/topic:Topic")[0].Outputs["arn"], target.Inputs["arn"])
			assert.Contains(t, at(target.Inputs, "inputTransformer.inputTemplate"), "cron task <group> failed")
		})
	}
}

func TestDashboard(t *testing.T) {
	res := shippedStack(t, "prod")
	dash := res.ByType("aws:cloudwatch/dashboard:Dashboard")
	require.Len(t, dash, 1)
	assert.Equal(t, "wpfleet-prod", dash[0].Inputs["dashboardName"])
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(str(dash[0].Inputs["dashboardBody"])), &body))
	widgets := body["widgets"].([]any)
	assert.Len(t, widgets, 6)
	requests := at(widgets[0], "properties.metrics").([]any)
	assert.Len(t, requests, len(siteNames(t, stackConfig(t, "prod").Config)), "a line per site")
	assert.Equal(t, "wpfleet-prod", res.Outputs["dashboardName"])
}

func TestBackupPlans(t *testing.T) {
	for stack, days := range map[string]int64{"prod": 35, "stg": 7} {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			plan := res.ByType("aws:backup/plan:Plan")
			require.Len(t, plan, 1)
			assert.EqualValues(t, days, at(plan[0].Inputs, "rules.0.lifecycle.deleteAfter"))
			assert.Equal(t, "cron(0 17 * * ? *)", at(plan[0].Inputs, "rules.0.schedule"), "daily")
			vault := res.ByType("aws:backup/vault:Vault")
			require.Len(t, vault, 1)
			assert.NotEmpty(t, vault[0].Inputs["kmsKeyArn"], "the vault has its own key")
			sel := res.ByType("aws:backup/selection:Selection")[0]
			fs := res.ByType("aws:efs/fileSystem:FileSystem")[0]
			db := res.ByType("aws:rds/cluster:Cluster")[0]
			assert.ElementsMatch(t, []any{fs.Outputs["arn"], db.Outputs["arn"]}, sel.Inputs["resources"])
			role := component(t, res, "Backup", stack)
			attachments := ofType(res.Descendants(role.URN), "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
			require.Len(t, attachments, 2)
			for _, a := range attachments {
				assert.Regexp(t, `^arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyFor(Backup|Restores)$`, a.Inputs["policyArn"])
			}
		})
	}
}

// In prod, Pulumi can never delete what holds data: the file system, the
// database and its user secrets, the buckets, the backup vault.
func TestStatefulResourcesProtectedInProd(t *testing.T) {
	stateful := []string{"aws:efs/fileSystem:FileSystem", "aws:rds/cluster:Cluster", "aws:s3/bucketV2:BucketV2",
		"aws:backup/vault:Vault", "aws:kms/key:Key"}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, typ := range stateful {
				for _, r := range res.ByType(typ) {
					if typ == "aws:kms/key:Key" && !strings.HasSuffix(r.Name, "-backup") ||
						typ == "aws:s3/bucketV2:BucketV2" && strings.HasSuffix(r.Name, "-release-source") {
						continue // the alarm topic's key and the release scripts' bucket hold nothing to keep
					}
					assert.Equalf(t, stack == "prod", r.Options.Protect, "%s %s protect", typ, r.Name)
					assert.Equalf(t, stack == "prod", r.Options.RetainOnDelete, "%s %s retainOnDelete", typ, r.Name)
				}
			}
			db := component(t, res, "Database", stack)
			for _, s := range ofType(res.Descendants(db.URN), "aws:secretsmanager/secret:Secret") {
				assert.Equal(t, stack == "prod", s.Options.Protect, s.Name)
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
		for _, site := range res.ByType("wpfleet:components:WordPressSite") {
			d := res.Descendants(site.URN)
			tg := ofType(d, "aws:lb/targetGroup:TargetGroup")[0]
			var td mocks.Resource
			for _, x := range ofType(d, "aws:ecs/taskDefinition:TaskDefinition") {
				if !strings.HasSuffix(x.Name, "-cron") {
					td = x
				}
			}
			var env map[string]string
			dereg := tg.Inputs["deregistrationDelay"].(int64)
			for _, c := range jsonInput(t, td, "containerDefinitions").([]any) {
				stop := int64(at(c, "stopTimeout").(float64))
				assert.LessOrEqual(t, stop, int64(120), "Fargate's maximum stop timeout")
				assert.Greater(t, stop, dereg, "containers outlive the ALB's drain")
				if at(c, "name") == "php" {
					env = map[string]string{}
					for _, e := range at(c, "environment").([]any) {
						env[str(at(e, "name"))] = str(at(e, "value"))
					}
				}
			}
			assert.Equal(t, "30", env["WPFLEET_REQUEST_TIMEOUT_SECONDS"], "php-fpm sizes its graceful shutdown from this")
			assert.EqualValues(t, 35, dereg)
		}
	}
}
