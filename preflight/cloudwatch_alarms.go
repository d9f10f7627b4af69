package preflight

import (
	"fmt"
	"regexp"

	"github.com/wpfleet/wpfleet/mocks"
)

// cloudwatch-alarms: metric alarms fit PutMetricAlarm.
//
// An alarm name is 1-255 characters without ASCII control characters
// (auto-names included); a description at most 1024 characters; each of
// alarmActions, okActions and insufficientDataActions at most 5 ARNs. A
// period is 10, 20, 30 or a multiple of 60 seconds; period times
// evaluationPeriods is at most 86,400 s when the period is under an hour
// and at most 604,800 s otherwise; datapointsToAlarm is at most
// evaluationPeriods. In a metric math alarm every query id starts with a
// lowercase letter and holds only letters, digits and underscores
// (MetricDataQuery Id), exactly one query returns data, and a metric has
// at most 30 dimensions.
func cloudwatchAlarms() Rule {
	const (
		put   = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
		query = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html"
	)
	return Rule{
		Name:    "cloudwatch-alarms",
		Doc:     "alarm names 1-255, descriptions 1024, 5 actions per state, valid periods and evaluation windows, metric math query ids",
		Sources: []string{put, query},
		check: func(g *Graph, rep *report) {
			for _, a := range g.Of(typeMetricAlarm) {
				if name, ok := physical(a, "name"); ok {
					checkText(rep, a, "name", name, textSpec{min: 1, max: 255, allowed: noControlRe, describe: "characters without control characters"}, put)
				}
				checkText(rep, a, "alarmDescription", a.Inputs["alarmDescription"], textSpec{max: 1024}, put)
				for _, k := range []string{"alarmActions", "okActions", "insufficientDataActions"} {
					if n := len(items(a.Inputs[k])); n > 5 {
						rep.add(a, k, a.Inputs[k], put, "at most 5 actions per alarm state; there are %d", n)
					}
				}
				checkAlarmPeriods(rep, a, put)
				checkAlarmQueries(rep, a, query)
			}
		},
	}
}

var (
	noControlRe  = regexp.MustCompile(`^[^\x00-\x1f\x7f]*$`)
	queryIDRe    = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
	validPeriods = map[float64]bool{10: true, 20: true, 30: true}
)

func checkAlarmPeriods(rep *report, a *mocks.Resource, src string) {
	periods := map[string]float64{}
	if p, ok := num(a.Inputs["period"]); ok {
		periods["period"] = p
	}
	for i, q := range items(a.Inputs["metricQueries"]) {
		if p, ok := num(at(q, "metric.period")); ok {
			periods[fmt.Sprintf("metricQueries[%d].metric.period", i)] = p
		}
	}
	longest := 0.0
	for field, p := range periods {
		if !validPeriods[p] && (p < 60 || int64(p)%60 != 0) {
			rep.add(a, field, p, src, "a period is 10, 20, 30 or a multiple of 60 seconds")
		}
		longest = max(longest, p)
	}
	n, ok := num(a.Inputs["evaluationPeriods"])
	if !ok {
		return
	}
	limit := 604800.0
	if longest < 3600 {
		limit = 86400
	}
	if longest*n > limit {
		rep.add(a, "evaluationPeriods", n, src, "period x evaluationPeriods is at most %.0f s (period %.0f s); it is %.0f s", limit, longest, longest*n)
	}
	if d, ok := num(a.Inputs["datapointsToAlarm"]); ok && d > n {
		rep.add(a, "datapointsToAlarm", d, src, "datapointsToAlarm is at most evaluationPeriods (%.0f)", n)
	}
}

func checkAlarmQueries(rep *report, a *mocks.Resource, src string) {
	queries := items(a.Inputs["metricQueries"])
	if len(queries) == 0 {
		return
	}
	returning := 0
	for i, q := range queries {
		field := fmt.Sprintf("metricQueries[%d]", i)
		if id, ok := text(at(q, "id")); ok && (!queryIDRe.MatchString(id) || len(id) > 255) {
			rep.add(a, field+".id", id, src, "a query id is 1-255 characters, starts with a lowercase letter and holds only letters, digits and underscores")
		}
		if truthy(at(q, "returnData")) {
			returning++
		}
		if dims := asMap(at(q, "metric.dimensions")); len(dims) > 30 {
			rep.add(a, field+".metric.dimensions", len(dims), src, "a metric has at most 30 dimensions")
		}
	}
	if returning != 1 {
		rep.add(a, "metricQueries", returning, src, "exactly one query of a metric math alarm returns data (returnData true); %d do", returning)
	}
}
