package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// alarmSpec is one alarm: its name suffix, what it means, and its metric.
type alarmSpec struct {
	name, description string
	args              cloudwatch.MetricAlarmArgs
}

func metricQuery(id, ns, metricName, stat string, period int, dims pulumi.StringMap) cloudwatch.MetricAlarmMetricQueryArgs {
	return cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String(id), ReturnData: pulumi.Bool(false),
		Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{Namespace: pulumi.String(ns), MetricName: pulumi.String(metricName),
			Stat: pulumi.String(stat), Period: pulumi.Int(period), Dimensions: dims}}
}

// efsThroughputAlarm fires when elastic EFS moves more than mibps on average
// over 15 minutes (each MiB/s sustained is ~2.5 TiB a month of metered I/O).
func efsThroughputAlarm(fsID pulumi.StringInput, mibps int) alarmSpec {
	return alarmSpec{"efs-metered-throughput",
		fmt.Sprintf("EFS moved more than %d MiB/s on average for 15 minutes: elastic throughput is billed per GB; find what reads EFS (code delivery mode efs? a sync loop?)", mibps),
		cloudwatch.MetricAlarmArgs{
			Namespace: pulumi.String("AWS/EFS"), MetricName: pulumi.String("MeteredIOBytes"), Statistic: pulumi.String("Sum"),
			Dimensions: pulumi.StringMap{"FileSystemId": fsID}, Period: pulumi.Int(900),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(float64(mibps) * 1024 * 1024 * 900),
			EvaluationPeriods: pulumi.Int(1), TreatMissingData: pulumi.String("notBreaching"),
		}}
}

// databaseAlarms watch Aurora's CPU, connections, memory and (Serverless v2)
// capacity.
func databaseAlarms(clusterID pulumi.StringInput, t PlatformAlarms, serverless bool) []alarmSpec {
	dims := pulumi.StringMap{"DBClusterIdentifier": clusterID}
	rds := func(metric, stat string, periods int, op string, threshold float64) cloudwatch.MetricAlarmArgs {
		return cloudwatch.MetricAlarmArgs{Namespace: pulumi.String("AWS/RDS"), MetricName: pulumi.String(metric), Statistic: pulumi.String(stat),
			Dimensions: dims, Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(periods),
			ComparisonOperator: pulumi.String(op), Threshold: pulumi.Float64(threshold)}
	}
	out := []alarmSpec{
		{"db-cpu", fmt.Sprintf("Aurora CPU above %d%% for 15 minutes", t.DbCPUPercent),
			rds("CPUUtilization", "Maximum", 3, "GreaterThanThreshold", float64(t.DbCPUPercent))},
		{"db-connections", fmt.Sprintf("Aurora has more than %d connections", t.DbConnections),
			rds("DatabaseConnections", "Maximum", 2, "GreaterThanThreshold", float64(t.DbConnections))},
		{"db-freeable-memory", fmt.Sprintf("Aurora freeable memory below %d MiB for 15 minutes", t.DbFreeableMemoryMiB),
			rds("FreeableMemory", "Minimum", 3, "LessThanThreshold", float64(t.DbFreeableMemoryMiB)*1024*1024)},
	}
	if serverless {
		out = append(out, alarmSpec{"db-acu", "Aurora Serverless v2 at more than 90% of its maximum capacity for 15 minutes",
			rds("ACUUtilization", "Average", 3, "GreaterThanThreshold", 90)})
	}
	return out
}

// Log-derived metrics: each pool's log group feeds them (nginx's JSON access
// log and the cron runner's JSON lines, image/README.md), dimension Site.
const (
	MetricRequests     = "Requests"
	MetricServerErrors = "ServerErrors"
	MetricCronFailed   = "CronRunsFailed"
	MetricCronOK       = "CronRunsOK"
	// MetricOPcacheTrouble counts the OPcache watcher's "full" and "error"
	// lines, one metric per pool (Names.PoolMetric): the OPcache is the
	// task's, shared by the pool's sites.
	MetricOPcacheTrouble = "OPcacheTrouble"
)

// logMetrics are the metric filters every pool puts on its log group: one
// metric each, dimension Site from the log line.
var logMetrics = []struct{ name, pattern string }{
	{MetricRequests, `{ $.site = "*" && $.status > 0 }`},
	{MetricServerErrors, `{ $.site = "*" && $.status >= 500 }`},
	{MetricCronFailed, `{ $.wpfleet = "cron" && $.status = "failed" }`},
	{MetricCronOK, `{ $.wpfleet = "cron" && $.status = "ok" }`},
}

// siteAlarms watch one site through the log-derived metrics: the share of
// 5xx answers, failed wp-cron runs, and wp-cron not running at all.
func siteAlarms(namespace, site string, target5xxPercent int, cronIntervalSeconds int) []alarmSpec {
	dims := pulumi.StringMap{"Site": pulumi.String(site)}
	// The cron runner logs "ok" at least once per interval in one task; 30
	// minutes without one means no task runs it.
	silent := max(30, 3*cronIntervalSeconds/60)
	return []alarmSpec{
		{"5xx", fmt.Sprintf("%s: more than %d%% of requests answered 5xx by WordPress (3 of 5 minutes, 20+ requests a minute)", site, target5xxPercent),
			cloudwatch.MetricAlarmArgs{
				MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
					metricQuery("errors", namespace, MetricServerErrors, "Sum", 60, dims),
					metricQuery("requests", namespace, MetricRequests, "Sum", 60, dims),
					cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("rate"), ReturnData: pulumi.Bool(true),
						Label:      pulumi.String("5xx percent"),
						Expression: pulumi.String("IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)")},
				},
				ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(float64(target5xxPercent)),
				EvaluationPeriods: pulumi.Int(5), DatapointsToAlarm: pulumi.Int(3), TreatMissingData: pulumi.String("notBreaching"),
			}},
		{"cron-failed", site + ": wp-cron runs failed (see the pool's log: wpfleet cron lines with status failed)",
			cloudwatch.MetricAlarmArgs{
				Namespace: pulumi.String(namespace), MetricName: pulumi.String(MetricCronFailed), Dimensions: dims,
				Statistic: pulumi.String("Sum"), Period: pulumi.Int(900), EvaluationPeriods: pulumi.Int(1),
				ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"), Threshold: pulumi.Float64(2),
				TreatMissingData: pulumi.String("notBreaching"),
			}},
		{"cron-silent", fmt.Sprintf("%s: no successful wp-cron run for %d minutes: no task runs the site's due events", site, silent),
			cloudwatch.MetricAlarmArgs{
				Namespace: pulumi.String(namespace), MetricName: pulumi.String(MetricCronOK), Dimensions: dims,
				Statistic: pulumi.String("Sum"), Period: pulumi.Int(silent * 60), EvaluationPeriods: pulumi.Int(1),
				ComparisonOperator: pulumi.String("LessThanThreshold"), Threshold: pulumi.Float64(1),
				TreatMissingData: pulumi.String("breaching"),
			}},
	}
}

// poolAlarms watch a pool's service: healthy targets, running tasks and
// its OPcache (opcacheMetric in namespace).
func poolAlarms(albSuffix, tgSuffix, clusterName, serviceName pulumi.StringInput, pool, namespace, opcacheMetric string) []alarmSpec {
	lbDims := pulumi.StringMap{"LoadBalancer": albSuffix, "TargetGroup": tgSuffix}
	svcDims := pulumi.StringMap{"ClusterName": clusterName, "ServiceName": serviceName}
	return []alarmSpec{
		{"no-healthy-targets", "pool " + pool + ": no healthy task behind the load balancer",
			cloudwatch.MetricAlarmArgs{
				Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("HealthyHostCount"),
				Statistic: pulumi.String("Minimum"), Dimensions: lbDims, Period: pulumi.Int(60),
				ComparisonOperator: pulumi.String("LessThanThreshold"), Threshold: pulumi.Float64(1),
				EvaluationPeriods: pulumi.Int(2), TreatMissingData: pulumi.String("breaching"),
			}},
		{"tasks-below-desired", "pool " + pool + ": fewer tasks running than desired for 5 minutes",
			cloudwatch.MetricAlarmArgs{
				MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
					metricQuery("running", "ECS/ContainerInsights", "RunningTaskCount", "Minimum", 60, svcDims),
					metricQuery("desired", "ECS/ContainerInsights", "DesiredTaskCount", "Maximum", 60, svcDims),
					cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("missing"), ReturnData: pulumi.Bool(true),
						Label: pulumi.String("tasks missing"), Expression: pulumi.String("desired - running")},
				},
				ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(0),
				EvaluationPeriods: pulumi.Int(5), DatapointsToAlarm: pulumi.Int(5), TreatMissingData: pulumi.String("notBreaching"),
			}},
		// The watcher logs "full" or "error" at most every 5 minutes while
		// it lasts: scripts run uncached (raise the OPcache per site,
		// WPFLEET_OPCACHE_SITE_MIB) or old releases stay cached.
		{"opcache", "pool " + pool + ": OPcache full (PHP runs uncached) or its watcher failing (image/README.md)",
			cloudwatch.MetricAlarmArgs{
				Namespace: pulumi.String(namespace), MetricName: pulumi.String(opcacheMetric),
				Statistic: pulumi.String("Sum"), Period: pulumi.Int(300),
				ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"), Threshold: pulumi.Float64(1),
				EvaluationPeriods: pulumi.Int(1), TreatMissingData: pulumi.String("notBreaching"),
			}},
	}
}
