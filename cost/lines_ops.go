package cost

import (
	"encoding/json"
	"github.com/wpfleet/wpfleet/mocks"
	"sort"
	"strings"
)

func (b *builder) operations() {
	b.secrets()
	if n := len(b.g.of("aws:kms/key:Key")); n > 0 {
		pr := b.p("kms.keyMonth")
		b.add("operations", "KMS customer managed keys", float64(n)*pr, false,
			"%d key(s) x $%.2f (rotation adds $1/month per key after each of its first two rotations)", n, pr)
	}
	b.alarms()
	b.logs()
	if n := len(b.g.of("aws:cloudwatch/dashboard:Dashboard")); n > 0 {
		pr := b.p("cloudwatch.dashboardMonth")
		b.add("operations", "CloudWatch dashboards", float64(n)*pr, false, "%d dashboard(s) x $%.2f (the account's first 3 are free)", n, pr)
	}
	if filters := b.g.of("aws:cloudwatch/logMetricFilter:LogMetricFilter"); len(filters) > 0 {
		pr := b.p("cloudwatch.metricMonth")
		metrics := b.filterMetrics(filters)
		b.add("operations", "CloudWatch custom metrics from log metric filters", metrics*pr, false,
			"%.0f metrics from %d filter(s) x $%.2f (a filter with dimensions makes one metric per distinct value: the sites logging to its group)",
			metrics, len(filters), pr)
	}
	b.containerInsights()
	b.backup()
	b.codebuild()
	b.route53()
}

func (b *builder) secrets() {
	n := len(b.g.of("aws:secretsmanager/secret:Secret"))
	rds := 0
	for _, c := range b.g.of("aws:rds/cluster:Cluster") {
		if c.Inputs["manageMasterUserPassword"] == true {
			rds++
		}
	}
	if n+rds > 0 {
		pr := b.p("secrets.secretMonth")
		b.add("operations", "Secrets Manager secrets", float64(n+rds)*pr, false,
			"(%d secrets + %d managed by RDS) x $%.2f", n, rds, pr)
	}
	calls := 0.0
	for _, w := range b.work {
		calls += w.TaskStarts * float64(w.TD.Secrets)
	}
	if calls == 0 {
		return
	}
	api := b.p("secrets.api10k")
	b.add("operations", "Secrets Manager API calls at task start", PerUnit(calls, api, 1e4), true,
		"%.0f GetSecretValue calls (each task start fetches each of its task definition's secrets) x $%.2f per 10,000", calls, api)
}

func (b *builder) alarms() {
	var std, high, alarms int
	for _, a := range b.g.of("aws:cloudwatch/metricAlarm:MetricAlarm") {
		alarms++
		queries, hi := 0, num(a.Inputs["period"]) > 0 && num(a.Inputs["period"]) < 60
		for _, q := range list(a.Inputs["metricQueries"]) {
			if m := obj(obj(q)["metric"]); m != nil {
				queries++
				hi = hi || (num(m["period"]) > 0 && num(m["period"]) < 60)
			}
		}
		n := AlarmMetrics(str(a.Inputs["metricName"]), queries)
		if hi {
			high += n
		} else {
			std += n
		}
	}
	if alarms == 0 {
		return
	}
	s, h := b.p("cloudwatch.alarmMetricMonth"), b.p("cloudwatch.highResAlarmMetricMonth")
	b.add("operations", "CloudWatch alarms", float64(std)*s+float64(high)*h, false,
		"%d alarms on %d standard metrics x $%.2f + %d high-resolution x $%.2f (metric-math alarms pay per metric)", alarms, std, s, high, h)
}

// logIngestGiB is a month of CloudWatch Logs ingestion.
func (b *builder) logIngestGiB() float64 {
	runs := 0.0
	for _, w := range b.work {
		if w.Kind == "scheduled" {
			runs += w.TaskStarts
		}
	}
	return b.traffic.ALBRequests*b.u.LogBytesPerOriginRequest/GiB + runs*b.u.LogKBPerTaskRun*1024/GiB + b.u.LogGBOtherPerMonth
}

func (b *builder) logs() {
	groups := b.g.of("aws:cloudwatch/logGroup:LogGroup")
	if len(groups) == 0 {
		return
	}
	counts := map[float64]int{}
	for _, g := range groups {
		counts[num(g.Inputs["retentionInDays"])]++
	}
	retention, most := 0.0, 0
	for days, n := range counts {
		if n > most || (n == most && days > retention) {
			retention, most = days, n
		}
	}
	gb := b.logIngestGiB()
	in, st := b.p("logs.ingestGB"), b.p("logs.storageGBMonth")
	b.add("operations", "CloudWatch Logs ingestion", gb*in, true,
		"%.1f GB x $%.2f: %.1f M requests reaching tasks x %.0f bytes, scheduled task runs, other %.0f GB", gb, in,
		b.traffic.ALBRequests/1e6, b.u.LogBytesPerOriginRequest, b.u.LogGBOtherPerMonth)
	stored := LogStoredGiB(gb, retention, b.u.LogCompressionRatio)
	b.add("operations", "CloudWatch Logs storage", stored*st, true,
		"%.1f GB archived x $%.3f: %d log groups, most kept %.0f days (0 = never expires, counted as a year), stored at %.0f%% of ingested size",
		stored, st, len(groups), retention, b.u.LogCompressionRatio*100)
}

// Container Insights metric counts in standard mode, from the ECS metric list
// (CloudWatch user guide, "Amazon ECS Container Insights metrics"): ~10 at the
// ClusterName dimension, 13 per service, 8 per task definition family.
const (
	insightsClusterMetrics = 10
	insightsServiceMetrics = 13
	insightsFamilyMetrics  = 8
)

func (b *builder) containerInsights() {
	mode := ""
	for _, c := range b.g.of("aws:ecs/cluster:Cluster") {
		for _, s := range list(c.Inputs["settings"]) {
			if str(obj(s)["name"]) == "containerInsights" {
				mode = str(obj(s)["value"])
			}
		}
	}
	var taskMinutes, values, events float64
	services, families := 0, map[string]bool{}
	for _, w := range b.work {
		m := w.TaskHours * 60
		taskMinutes += m
		values += m * (b.u.InsightsTaskMetrics + b.u.InsightsContainerMetric*float64(w.TD.Containers))
		events += m * float64(1+w.TD.Containers)
		families[w.TD.Family] = true
		if w.Kind == "service" {
			services++
		}
	}
	switch mode {
	case "enhanced":
		pr := b.p("cloudwatch.containerInsightsObservationMillion")
		b.add("operations", "Container Insights (enhanced observability)", values/1e6*pr, true,
			"%.0f task-minutes x (%.0f task + %.0f per container) values a minute = %.1f M observations x $%.2f per million",
			taskMinutes, b.u.InsightsTaskMetrics, b.u.InsightsContainerMetric, values/1e6, pr)
	case "enabled":
		metrics := float64(insightsClusterMetrics + insightsServiceMetrics*services + insightsFamilyMetrics*len(families))
		gb := events * b.u.InsightsEventBytes / GiB
		m, l := b.p("cloudwatch.metricMonth"), b.p("logs.ingestGB")
		b.add("operations", "Container Insights", metrics*m+gb*l, true,
			"%.0f custom metrics (10 cluster + 13 x %d services + 8 x %d task families) x $%.2f + %.1f GB of performance log events x $%.2f",
			metrics, services, len(families), m, gb, l)
	}
}

func (b *builder) backup() {
	efs, db := 0.0, 0.0
	for _, sel := range b.g.of("aws:backup/selection:Selection") {
		for _, r := range list(sel.Inputs["resources"]) {
			arn := str(r)
			switch {
			case strings.Contains(arn, ":elasticfilesystem:"):
				efs += b.u.EFSStorageGB
			case strings.Contains(arn, ":rds:"):
				db += b.u.DBStorageGB
			}
		}
	}
	if efs+db == 0 {
		return
	}
	retention, perDay := 35.0, 1.0
	for _, plan := range b.g.of("aws:backup/plan:Plan") {
		for _, r := range list(plan.Inputs["rules"]) {
			if d := num(obj(obj(r)["lifecycle"])["deleteAfter"]); d > 0 {
				retention = d
			}
			if runs, err := RunsPerMonth(str(obj(r)["schedule"])); err == nil && runs > 0 {
				perDay = runs / DaysPerMonth
			}
		}
	}
	e, a := b.p("backup.efsGBMonth"), b.p("backup.auroraGBMonth")
	ch := b.u.BackupDailyChangeRatio
	efsGB, dbGB := BackupStoredGiB(efs, ch, retention, perDay), BackupStoredGiB(db, ch, retention, perDay)
	b.add("operations", "AWS Backup storage", efsGB*e+dbGB*a, true,
		"EFS %.0f GB x $%.3f + Aurora %.0f GB x $%.3f: %.1f backups a day kept %.0f days, %.0f%% of the data changing a day",
		efsGB, e, dbGB, a, perDay, retention, ch*100)
}

func (b *builder) codebuild() {
	projects := b.g.of("aws:codebuild/project:Project")
	if len(projects) == 0 {
		return
	}
	usd := 0.0
	var kinds []string
	minutes := b.u.ReleasesPerMonth * b.u.ReleaseBuildMinutes / float64(len(projects))
	for _, p := range projects {
		env := obj(p.Inputs["environment"])
		key := "codebuild." + str(env["computeType"]) + "." + str(env["type"])
		pr := b.p(key)
		usd += minutes * pr
		kinds = append(kinds, strings.TrimPrefix(key, "codebuild."))
	}
	sort.Strings(kinds)
	b.add("operations", "CodeBuild release builds", usd, true,
		"%.0f releases x %.0f min (usage) over %d project(s) (%s)", b.u.ReleasesPerMonth, b.u.ReleaseBuildMinutes,
		len(projects), strings.Join(kinds, ", "))
}

func (b *builder) route53() {
	created := len(b.g.of("aws:route53/zone:Zone"))
	referenced := map[string]bool{}
	records := b.g.of("aws:route53/record:Record")
	for _, r := range records {
		referenced[str(r.Inputs["zoneId"])] = true
	}
	zones := created + len(referenced)
	if created > 0 {
		zones = max(created, len(referenced))
	}
	if zones == 0 {
		return
	}
	z, q := b.p("route53.zoneMonth"), b.p("route53.queriesMillion")
	b.add("operations", "Route 53 hosted zones and queries", float64(zones)*z+b.u.DNSQueriesMillions*q, true,
		"%d zone(s) x $%.2f (%d created here, the rest referenced by the stack's %d records) + %.1f M non-alias queries x $%.2f (alias queries to CloudFront/ALB are free)",
		zones, z, created, len(records), b.u.DNSQueriesMillions, q)
}

// filterMetrics counts the custom metrics log metric filters publish: one
// per filter, or with dimensions one per site whose tasks log to the
// filter's group (the site count of the task definitions that log there).
func (b *builder) filterMetrics(filters []*mocks.Resource) float64 {
	sitesOf := map[string]int{}
	for _, td := range b.g.of("aws:ecs/taskDefinition:TaskDefinition") {
		var defs []struct {
			LogConfiguration struct {
				Options map[string]string `json:"options"`
			} `json:"logConfiguration"`
		}
		if json.Unmarshal([]byte(str(td.Inputs["containerDefinitions"])), &defs) != nil || len(defs) == 0 {
			continue
		}
		sites := 0
		for _, v := range list(td.Inputs["volumes"]) {
			if m, ok := v.(map[string]any); ok && m["efsVolumeConfiguration"] != nil {
				sites++ // one access point per site
			}
		}
		group := defs[0].LogConfiguration.Options["awslogs-group"]
		sitesOf[group] = max(sitesOf[group], max(1, sites))
	}
	total := 0.0
	for _, f := range filters {
		dims, _ := f.Inputs["metricTransformation"].(map[string]any)
		if d, _ := dims["dimensions"].(map[string]any); len(d) > 0 {
			total += float64(max(1, sitesOf[str(f.Inputs["logGroupName"])]))
			continue
		}
		total++
	}
	return total
}
