package preflight

import (
	"regexp"
	"strings"
)

// log-group-names: CloudWatch Logs group names fit CreateLogGroup's rules.
//
// A log group name is 1-512 characters of a-z, A-Z, 0-9, '_', '-', '/',
// '.' and '#' and cannot start with "aws/" (reserved for AWS)
// (CreateLogGroup logGroupName). Checked: aws:cloudwatch/logGroup names
// (auto-names included) and the awslogs-group every container definition
// writes to.
func logGroupNames() Rule {
	const src = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
	spec := textSpec{min: 1, max: 512, allowed: logGroupRe, describe: "characters of a-z, A-Z, 0-9, _ - / . #"}
	check := func(rep *report, g *Graph) {
		for _, lg := range g.Of(typeLogGroup) {
			name, ok := physical(lg, "name")
			if !ok {
				continue
			}
			checkText(rep, lg, "name", name, spec, src)
			if strings.HasPrefix(name, "aws/") {
				rep.add(lg, "name", name, src, "a log group name cannot start with aws/ (reserved for AWS)")
			}
		}
		for _, td := range g.Of(typeTaskDefinition) {
			for _, c := range containers(g, td) {
				if group, ok := text(at(c.def, "logConfiguration.options.awslogs-group")); ok {
					checkText(rep, td, c.field+".logConfiguration.options.awslogs-group", group, spec, src)
				}
			}
		}
	}
	return Rule{
		Name:    "log-group-names",
		Doc:     "log group names: 1-512 characters of a-zA-Z0-9_-/.#, not starting with aws/",
		Sources: []string{src},
		check:   func(g *Graph, rep *report) { check(rep, g) },
	}
}

var logGroupRe = regexp.MustCompile(`^[a-zA-Z0-9_\-/.#]*$`)
