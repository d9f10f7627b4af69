package preflight

import (
	"fmt"
	"regexp"
)

// log-metric-filters: CloudWatch Logs metric filters fit PutMetricFilter.
//
// A filter name is 1-512 characters without ':' or '*' (auto-names
// included); a filter pattern at most 1,024 characters; one metric
// transformation whose metric name and namespace are 1-255 characters
// without ':', '*' or '$', whose value is at most 100 characters, with at
// most 3 dimensions and then no default value (MetricTransformation:
// "If you specify dimensions, you can't specify a default value"). A log
// group has at most 100 metric filters (CloudWatch Logs quotas).
func logMetricFilters() Rule {
	const (
		put    = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html"
		mt     = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html"
		quotas = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html"
	)
	metricSpec := textSpec{min: 1, max: 255, allowed: metricNameRe, describe: "characters without : * $"}
	return Rule{
		Name:    "log-metric-filters",
		Doc:     "metric filter names 512 without :*, patterns 1,024, one transformation with names 255 without :*$, 3 dimensions and no default with them, 100 filters per log group",
		Sources: []string{put, mt, quotas},
		check: func(g *Graph, rep *report) {
			perGroup := map[string]int{}
			for _, f := range g.Of(typeLogMetricFilter) {
				if name, ok := physical(f, "name"); ok {
					checkText(rep, f, "name", name, textSpec{min: 1, max: 512, allowed: filterNameRe, describe: "characters without : and *"}, put)
				}
				checkText(rep, f, "pattern", f.Inputs["pattern"], textSpec{max: 1024}, put)
				if grp, ok := text(f.Inputs["logGroupName"]); ok {
					perGroup[grp]++
					if perGroup[grp] == 101 {
						rep.add(f, "logGroupName", grp, quotas, "a log group has at most 100 metric filters")
					}
				}
				t := asMap(f.Inputs["metricTransformation"])
				if t == nil {
					continue
				}
				checkText(rep, f, "metricTransformation.name", t["name"], metricSpec, mt)
				checkText(rep, f, "metricTransformation.namespace", t["namespace"], metricSpec, mt)
				checkText(rep, f, "metricTransformation.value", t["value"], textSpec{min: 1, max: 100}, mt)
				dims := asMap(t["dimensions"])
				if len(dims) > 3 {
					rep.add(f, "metricTransformation.dimensions", len(dims), mt, "a metric filter has at most 3 dimensions")
				}
				if len(dims) > 0 && t["defaultValue"] != nil {
					rep.add(f, "metricTransformation.defaultValue", t["defaultValue"], mt, fmt.Sprintf("with dimensions (%d) a metric filter takes no default value", len(dims)))
				}
			}
		},
	}
}

var (
	filterNameRe = regexp.MustCompile(`^[^:*]*$`)
	metricNameRe = regexp.MustCompile(`^[^:*$]*$`)
)
