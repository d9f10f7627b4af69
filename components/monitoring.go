package components

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MonitoredSite is what Monitoring watches of one site.
type MonitoredSite struct {
	Site                 string
	ServiceName          pulumi.StringInput
	TargetGroupArnSuffix pulumi.StringInput
}

// MonitoringArgs configures Monitoring.
type MonitoringArgs struct {
	// Environment names alarms, the dashboard and the cron task families
	// ("<env>-<site>-cron"). Required.
	Environment string
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// Account is where the fleet runs. Defaults to looking it up.
	Account *Account
	// AlarmTopicArn is notified of every alarm and failed cron task. Required.
	AlarmTopicArn pulumi.StringInput
	// AlbArnSuffix, ClusterName and ClusterArn are the shared pieces. Required.
	AlbArnSuffix pulumi.StringInput
	ClusterName  pulumi.StringInput
	ClusterArn   pulumi.StringInput
	// Sites are watched one by one. Required: at least one.
	Sites []MonitoredSite
	// FileSystemId and ThroughputMode identify the shared EFS; in elastic mode
	// its metered throughput is watched (bursting mode has its credit alarm
	// in SharedEFS). Required.
	FileSystemId   pulumi.StringInput
	ThroughputMode string
	// DbClusterId is the Aurora cluster; DbServerless adds an ACU alarm. Required.
	DbClusterId  pulumi.StringInput
	DbServerless bool

	// Target5xxPercent alarms when a site's targets answer more than this
	// share of requests with 5xx (over 3 of 5 minutes with 20+ requests).
	// Defaults to 5.
	Target5xxPercent float64
	// ResponseTimeP90Ms alarms when a site's p90 target response time is above
	// this (3 of 5 minutes). Defaults to 2000.
	ResponseTimeP90Ms int
	// DbCPUPercent, DbConnections and DbFreeableMemoryMiB bound Aurora.
	// Default to 80, 1000 and 256.
	DbCPUPercent        float64
	DbConnections       int
	DbFreeableMemoryMiB int
	// EfsThroughputMibps alarms when elastic EFS moves more than this on
	// average over 15 minutes (each MiB/s sustained is ~2.5 TiB a month of
	// metered reads). Defaults to 20.
	EfsThroughputMibps int
}

func (a MonitoringArgs) withDefaults() MonitoringArgs {
	if a.Target5xxPercent == 0 {
		a.Target5xxPercent = 5
	}
	if a.ResponseTimeP90Ms == 0 {
		a.ResponseTimeP90Ms = 2000
	}
	if a.DbCPUPercent == 0 {
		a.DbCPUPercent = 80
	}
	if a.DbConnections == 0 {
		a.DbConnections = 1000
	}
	if a.DbFreeableMemoryMiB == 0 {
		a.DbFreeableMemoryMiB = 256
	}
	if a.EfsThroughputMibps == 0 {
		a.EfsThroughputMibps = 20
	}
	return a
}

// Validate checks the arguments (after defaults) without registering anything.
func (a MonitoringArgs) Validate() error {
	a = a.withDefaults()
	var c check
	k := func(f string) string { return "MonitoringArgs." + f }
	c.keyed(k("Environment"), a.Environment, CheckEnvironmentName(a.Environment))
	c.required("MonitoringArgs.", map[string]any{"AlarmTopicArn": a.AlarmTopicArn, "AlbArnSuffix": a.AlbArnSuffix, "ClusterName": a.ClusterName,
		"ClusterArn": a.ClusterArn, "FileSystemId": a.FileSystemId, "DbClusterId": a.DbClusterId})
	if len(a.Sites) == 0 {
		c.add(invalid(k("Sites"), nil, "at least one site"))
	}
	if a.Target5xxPercent <= 0 || a.Target5xxPercent > 100 {
		c.add(invalid(k("Target5xxPercent"), a.Target5xxPercent, "more than 0 and at most 100 percent"))
	}
	if a.ResponseTimeP90Ms < 10 || a.ResponseTimeP90Ms > 120000 {
		c.add(invalid(k("ResponseTimeP90Ms"), a.ResponseTimeP90Ms, "10 to 120000 milliseconds"))
	}
	if a.DbCPUPercent <= 0 || a.DbCPUPercent > 100 {
		c.add(invalid(k("DbCPUPercent"), a.DbCPUPercent, "more than 0 and at most 100 percent"))
	}
	if a.DbConnections < 1 || a.DbFreeableMemoryMiB < 1 || a.EfsThroughputMibps < 1 {
		c.add(invalid(k("DbConnections"), fmt.Sprintf("%d / %d MiB / %d MiB/s", a.DbConnections, a.DbFreeableMemoryMiB, a.EfsThroughputMibps),
			"positive connection, memory and throughput thresholds"))
	}
	return c.err()
}

// Monitoring is an environment's alarms (to the alarm topic), its
// CloudWatch dashboard, and the EventBridge rule that reports failed cron
// tasks.
type Monitoring struct {
	pulumi.ResourceState

	Alarms        []*cloudwatch.MetricAlarm
	Dashboard     *cloudwatch.Dashboard
	CronFailures  *cloudwatch.EventRule
	DashboardName string
}

type alarmSpec struct {
	name, description string
	args              cloudwatch.MetricAlarmArgs
}

// NewMonitoring creates the alarms, the dashboard and the cron-failure rule.
func NewMonitoring(ctx *pulumi.Context, name string, args *MonitoringArgs, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	if args == nil {
		args = &MonitoringArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	m := &Monitoring{DashboardName: "wpfleet-" + a.Environment}
	if err := ctx.RegisterComponentResource(typePrefix+"Monitoring", name, m, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(m)
	actions := pulumi.Array{a.AlarmTopicArn}

	var specs []alarmSpec
	for _, s := range a.Sites {
		lbDims := pulumi.StringMap{"LoadBalancer": a.AlbArnSuffix, "TargetGroup": s.TargetGroupArnSuffix}
		metric := func(id, ns, metricName, stat string, dims pulumi.StringMap) cloudwatch.MetricAlarmMetricQueryArgs {
			return cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String(id), ReturnData: pulumi.Bool(false),
				Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{Namespace: pulumi.String(ns), MetricName: pulumi.String(metricName),
					Stat: pulumi.String(stat), Period: pulumi.Int(60), Dimensions: dims}}
		}
		specs = append(specs,
			alarmSpec{s.Site + "-5xx", fmt.Sprintf("%s: more than %g%% of requests answered 5xx by the tasks", s.Site, a.Target5xxPercent),
				cloudwatch.MetricAlarmArgs{
					MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
						metric("errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", lbDims),
						metric("requests", "AWS/ApplicationELB", "RequestCount", "Sum", lbDims),
						cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("rate"), ReturnData: pulumi.Bool(true),
							Label:      pulumi.String("5xx percent"),
							Expression: pulumi.String("IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)")},
					},
					ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(a.Target5xxPercent),
					EvaluationPeriods: pulumi.Int(5), DatapointsToAlarm: pulumi.Int(3), TreatMissingData: pulumi.String("notBreaching"),
				}},
			alarmSpec{s.Site + "-latency-p90", fmt.Sprintf("%s: p90 target response time above %d ms", s.Site, a.ResponseTimeP90Ms),
				cloudwatch.MetricAlarmArgs{
					Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("TargetResponseTime"),
					ExtendedStatistic: pulumi.String("p90"), Dimensions: lbDims, Period: pulumi.Int(60),
					ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(float64(a.ResponseTimeP90Ms) / 1000),
					EvaluationPeriods: pulumi.Int(5), DatapointsToAlarm: pulumi.Int(3), TreatMissingData: pulumi.String("notBreaching"),
				}},
			alarmSpec{s.Site + "-no-healthy-targets", s.Site + ": no healthy task behind the load balancer",
				cloudwatch.MetricAlarmArgs{
					Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("HealthyHostCount"),
					Statistic: pulumi.String("Minimum"), Dimensions: lbDims, Period: pulumi.Int(60),
					ComparisonOperator: pulumi.String("LessThanThreshold"), Threshold: pulumi.Float64(1),
					EvaluationPeriods: pulumi.Int(2), TreatMissingData: pulumi.String("breaching"),
				}},
			alarmSpec{s.Site + "-tasks-below-desired", s.Site + ": fewer tasks running than desired for 5 minutes",
				cloudwatch.MetricAlarmArgs{
					MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
						metric("running", "ECS/ContainerInsights", "RunningTaskCount", "Minimum", pulumi.StringMap{"ClusterName": a.ClusterName, "ServiceName": s.ServiceName}),
						metric("desired", "ECS/ContainerInsights", "DesiredTaskCount", "Maximum", pulumi.StringMap{"ClusterName": a.ClusterName, "ServiceName": s.ServiceName}),
						cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("missing"), ReturnData: pulumi.Bool(true),
							Label: pulumi.String("tasks missing"), Expression: pulumi.String("desired - running")},
					},
					ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(0),
					EvaluationPeriods: pulumi.Int(5), DatapointsToAlarm: pulumi.Int(5), TreatMissingData: pulumi.String("notBreaching"),
				}},
		)
	}
	if a.ThroughputMode == ThroughputElastic {
		specs = append(specs, alarmSpec{"efs-metered-throughput",
			fmt.Sprintf("EFS moved more than %d MiB/s on average for 15 minutes: elastic throughput is billed per GB; find what reads EFS (code delivery mode efs? a sync loop?)", a.EfsThroughputMibps),
			cloudwatch.MetricAlarmArgs{
				Namespace: pulumi.String("AWS/EFS"), MetricName: pulumi.String("MeteredIOBytes"), Statistic: pulumi.String("Sum"),
				Dimensions: pulumi.StringMap{"FileSystemId": a.FileSystemId}, Period: pulumi.Int(900),
				ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(float64(a.EfsThroughputMibps) * 1024 * 1024 * 900),
				EvaluationPeriods: pulumi.Int(1), TreatMissingData: pulumi.String("notBreaching"),
			}})
	}
	dbDims := pulumi.StringMap{"DBClusterIdentifier": a.DbClusterId}
	specs = append(specs,
		alarmSpec{"db-cpu", fmt.Sprintf("Aurora CPU above %g%% for 15 minutes", a.DbCPUPercent), cloudwatch.MetricAlarmArgs{
			Namespace: pulumi.String("AWS/RDS"), MetricName: pulumi.String("CPUUtilization"), Statistic: pulumi.String("Maximum"),
			Dimensions: dbDims, Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(3),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(a.DbCPUPercent),
		}},
		alarmSpec{"db-connections", fmt.Sprintf("Aurora has more than %d connections", a.DbConnections), cloudwatch.MetricAlarmArgs{
			Namespace: pulumi.String("AWS/RDS"), MetricName: pulumi.String("DatabaseConnections"), Statistic: pulumi.String("Maximum"),
			Dimensions: dbDims, Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(2),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(float64(a.DbConnections)),
		}},
		alarmSpec{"db-freeable-memory", fmt.Sprintf("Aurora freeable memory below %d MiB for 15 minutes", a.DbFreeableMemoryMiB), cloudwatch.MetricAlarmArgs{
			Namespace: pulumi.String("AWS/RDS"), MetricName: pulumi.String("FreeableMemory"), Statistic: pulumi.String("Minimum"),
			Dimensions: dbDims, Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(3),
			ComparisonOperator: pulumi.String("LessThanThreshold"), Threshold: pulumi.Float64(float64(a.DbFreeableMemoryMiB) * 1024 * 1024),
		}},
	)
	if a.DbServerless {
		specs = append(specs, alarmSpec{"db-acu", "Aurora Serverless v2 at more than 90% of its maximum capacity for 15 minutes", cloudwatch.MetricAlarmArgs{
			Namespace: pulumi.String("AWS/RDS"), MetricName: pulumi.String("ACUUtilization"), Statistic: pulumi.String("Average"),
			Dimensions: dbDims, Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(3),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(90),
		}})
	}
	for _, s := range specs {
		args := s.args
		args.AlarmDescription = pulumi.String(s.description)
		args.AlarmActions = actions
		args.OkActions = actions
		args.Tags = tagInput(a.Tags)
		alarm, err := cloudwatch.NewMetricAlarm(ctx, a.Environment+"-"+s.name, &args, parent)
		if err != nil {
			return nil, err
		}
		m.Alarms = append(m.Alarms, alarm)
	}

	// Failed cron tasks: any cron task of this environment that stopped with a
	// non-zero exit code or never started.
	pattern := pulumi.All(a.ClusterArn).ApplyT(func(v []any) (string, error) {
		family := acct.ARN("ecs", acct.Region, "task-definition/"+a.Environment+"-*-cron:*")
		b, err := json.Marshal(map[string]any{
			"source":      []string{"aws.ecs"},
			"detail-type": []string{"ECS Task State Change"},
			"detail": map[string]any{
				"clusterArn":        []any{v[0]},
				"lastStatus":        []string{"STOPPED"},
				"taskDefinitionArn": []any{map[string]string{"wildcard": family}},
				"$or": []any{
					map[string]any{"containers": map[string]any{"exitCode": []any{map[string]any{"anything-but": 0}}}},
					map[string]any{"stopCode": []string{"TaskFailedToStart"}},
				},
			},
		})
		return string(b), err
	}).(pulumi.StringOutput)
	m.CronFailures, err = cloudwatch.NewEventRule(ctx, a.Environment+"-cron-failures", &cloudwatch.EventRuleArgs{
		Description:  pulumi.String("wpfleet " + a.Environment + ": a cron task failed"),
		EventPattern: pattern,
		Tags:         tagInput(a.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err = cloudwatch.NewEventTarget(ctx, a.Environment+"-cron-failures", &cloudwatch.EventTargetArgs{
		Rule: m.CronFailures.Name,
		Arn:  a.AlarmTopicArn,
		InputTransformer: cloudwatch.EventTargetInputTransformerArgs{
			InputPaths: pulumi.StringMap{
				"group": pulumi.String("$.detail.group"), "reason": pulumi.String("$.detail.stoppedReason"),
				"code": pulumi.String("$.detail.stopCode"), "task": pulumi.String("$.detail.taskArn"),
			},
			InputTemplate: pulumi.String(`"wpfleet ` + a.Environment + ` cron task <group> failed (<code>): <reason>. Task: <task>"`),
		},
	}, parent); err != nil {
		return nil, err
	}

	// Dashboard.
	siteInputs := []any{a.AlbArnSuffix, a.ClusterName, a.FileSystemId, a.DbClusterId}
	for _, s := range a.Sites {
		siteInputs = append(siteInputs, s.TargetGroupArnSuffix, s.ServiceName)
	}
	body := pulumi.All(siteInputs...).ApplyT(func(v []any) (string, error) {
		str := func(i int) string { s, _ := v[i].(string); return s }
		alb, cluster, fs, db := str(0), str(1), str(2), str(3)
		var requests, errors, latency, tasks []any
		for i, s := range a.Sites {
			tg, svc := str(4+2*i), str(5+2*i)
			requests = append(requests, []any{"AWS/ApplicationELB", "RequestCount", "LoadBalancer", alb, "TargetGroup", tg, map[string]any{"stat": "Sum", "label": s.Site}})
			errors = append(errors, []any{"AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", alb, "TargetGroup", tg, map[string]any{"stat": "Sum", "label": s.Site}})
			latency = append(latency, []any{"AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", alb, "TargetGroup", tg, map[string]any{"stat": "p90", "label": s.Site}})
			tasks = append(tasks, []any{"ECS/ContainerInsights", "RunningTaskCount", "ClusterName", cluster, "ServiceName", svc, map[string]any{"stat": "Average", "label": s.Site}})
		}
		widget := func(x, y int, title string, metrics []any) map[string]any {
			return map[string]any{"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": map[string]any{
				"title": title, "region": acct.Region, "view": "timeSeries", "period": 60, "metrics": metrics}}
		}
		efsMetric := "MeteredIOBytes"
		if a.ThroughputMode == ThroughputBursting {
			efsMetric = "BurstCreditBalance"
		}
		b, err := json.Marshal(map[string]any{"widgets": []any{
			widget(0, 0, "Requests per site", requests),
			widget(12, 0, "Target 5xx per site", errors),
			widget(0, 6, "Response time p90 per site (s)", latency),
			widget(12, 6, "Running tasks per site", tasks),
			widget(0, 12, "EFS "+efsMetric, []any{[]any{"AWS/EFS", efsMetric, "FileSystemId", fs}}),
			widget(12, 12, "Aurora", []any{
				[]any{"AWS/RDS", "CPUUtilization", "DBClusterIdentifier", db},
				[]any{"AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", db, map[string]any{"yAxis": "right"}},
			}),
		}})
		return string(b), err
	}).(pulumi.StringOutput)
	m.Dashboard, err = cloudwatch.NewDashboard(ctx, a.Environment, &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(m.DashboardName),
		DashboardBody: body,
	}, parent)
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(m, pulumi.Map{"dashboardName": pulumi.String(m.DashboardName)}); err != nil {
		return nil, err
	}
	return m, nil
}
