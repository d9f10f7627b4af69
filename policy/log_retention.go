package policy

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// log-retention: every log the stack produces expires.
//
// Checks:
//   - every aws:cloudwatch/logGroup:LogGroup has retentionInDays set (0 or
//     unset means "never expire");
//   - every log group something in the stack writes to is one of the stack's
//     log groups, because groups that AWS creates on first write never
//     expire:
//   - ECS containers with the awslogs driver and awslogs-create-group
//     "true" (ECS would create the group);
//   - Aurora clusters and RDS instances exporting logs
//     (enabledCloudwatchLogsExports): RDS creates
//     /aws/rds/cluster/<clusterIdentifier>/<log> (or /aws/rds/instance/...),
//     so the stack must create each of those groups itself, matched by name
//     or by a name built from the cluster (dependency record);
//   - CodeBuild projects logging to CloudWatch (the default) must name a
//     groupName of the stack; otherwise CodeBuild creates
//     /aws/codebuild/<project>.
//
// Why: FSBP CloudWatch.16 (CloudWatch log groups should be retained for a
// specified time period). wpfleet enforces that a period is set, not FSBP's
// default of at least 365 days: site logs are kept logRetentionDays (90 in
// prod, 7 in stg) by choice. Logs kept forever cost money every month and
// hold request data (IPs, URLs, e-mail addresses in query strings) longer
// than anyone decided.
// Level: mandatory.
// Not applicable: log destinations the stack does not create and AWS does
// not create either (an existing group named by an ECS task without
// awslogs-create-group). Unknown values (preview): not judged.
func logRetention(settings) policyx.Policy {
	return stackRule("log-retention",
		"Log groups have a retention period, and nothing in the stack writes to a log group AWS would create without one (FSBP CloudWatch.16).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			groups := v.of(typeLogGroup)
			for _, g := range groups {
				days := prop(g.Properties, "retentionInDays")
				if unknown(days) {
					continue
				}
				if n, ok := num(days); !ok || n <= 0 {
					report(g, "no retentionInDays: the group never expires; set a period (e.g. 30)")
				}
			}
			// managed reports whether the stack creates a log group with this
			// name, or one whose name src's property key was built from.
			managed := func(name string, src policyx.AnalyzerResource, key string) bool {
				for _, g := range groups {
					if name != "" && str(prop(g.Properties, "name")) == name {
						return true
					}
				}
				for _, u := range src.PropertyDependencies[key] {
					for _, g := range groups {
						if g.URN == u {
							return true
						}
					}
				}
				return false
			}

			for _, td := range v.of(typeECSTaskDefinition) {
				doc, state := jsonDoc(prop(td.Properties, "containerDefinitions"))
				if state != jsonOK {
					continue
				}
				for _, c := range jarr(doc) {
					lc := jget(c, "logConfiguration")
					if jstr(jget(lc, "logDriver")) != "awslogs" {
						continue
					}
					group := jstr(jget(lc, "options", "awslogs-group"))
					create := strings.EqualFold(jstr(jget(lc, "options", "awslogs-create-group")), "true")
					if create && !managed(group, td, "containerDefinitions") {
						report(td, "container %s: awslogs-create-group makes ECS create %q without retention; create the log group in the stack",
							jstr(jget(c, "name")), group)
					}
				}
			}

			checkExports := func(db policyx.AnalyzerResource, kind, idKey string) {
				exports := prop(db.Properties, "enabledCloudwatchLogsExports")
				if hasUnknown(exports) {
					return
				}
				id := prop(db.Properties, idKey)
				for _, logType := range strs(exports) {
					suffix := "/" + logType
					found := false
					if str(id) != "" {
						found = managed("/aws/rds/"+kind+"/"+str(id)+suffix, db, "")
					}
					for _, g := range groups {
						name := prop(g.Properties, "name")
						if unknown(name) || (strings.HasPrefix(str(name), "/aws/rds/"+kind+"/") && strings.HasSuffix(str(name), suffix)) {
							if refersTo(g, "name", db) {
								found = true
							}
						}
					}
					if !found {
						where := "/aws/rds/" + kind + "/<" + idKey + ">" + suffix
						if str(id) != "" {
							where = "/aws/rds/" + kind + "/" + str(id) + suffix
						}
						report(db, "exports the %s log, and RDS creates %s with no retention; create that log group in the stack (with retentionInDays) before the %s",
							logType, where, kind)
					}
				}
			}
			for _, c := range v.of(typeRDSCluster) {
				checkExports(c, "cluster", "clusterIdentifier")
			}
			for _, i := range v.of(typeRDSInstance) {
				checkExports(i, "instance", "identifier")
			}

			for _, p := range v.of(typeCodeBuildProject) {
				cw := prop(p.Properties, "logsConfig", "cloudwatchLogs")
				status := at(cw, "status")
				if unknown(cw) || unknown(status) || str(status) == "DISABLED" {
					continue
				}
				group := at(cw, "groupName")
				if unknown(group) {
					continue
				}
				if !managed(str(group), p, "logsConfig") {
					name := str(group)
					if name == "" {
						name = "/aws/codebuild/<project>"
					}
					report(p, "logs to CloudWatch group %s, which the stack does not create, so it never expires; set logsConfig.cloudwatchLogs.groupName to a log group of the stack", name)
				}
			}
		})
}
