package policy

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// rds-tls-required: the database refuses connections without TLS.
//
// Checks: each aws:rds/cluster:Cluster (and aws:rds/instance:Instance) of a
// MySQL-family engine uses a parameter group of the stack
// (`dbClusterParameterGroupName` / `parameterGroupName`, matched by the
// engine's dependency record or by name) that sets
// require_secure_transport to ON; PostgreSQL-family engines need
// rds.force_ssl = 1. A missing parameter group name or a "default.*" group
// is a violation: AWS's default groups allow plaintext connections.
// Why: encryption in transit for every query and every site's database
// password; FSBP has no control for it, so this is the database half of the
// issue's "encryption in transit". wpfleet's php images connect over TLS
// (DB_TLS), so refusing plaintext costs nothing.
// Level: mandatory.
// Not applicable: engines of other families; a parameter group named by a
// plain string that the stack does not create (it cannot be read from here).
// Unknown values (preview): not judged.
func rdsTLSRequired(settings) policyx.Policy {
	return stackRule("rds-tls-required",
		"Aurora/RDS parameter groups require TLS (require_secure_transport / rds.force_ssl).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			check := func(db policyx.AnalyzerResource, groupKey string, groupTypes ...string) {
				engine := prop(db.Properties, "engine")
				if unknown(engine) {
					return
				}
				param, want := tlsParameter(str(engine))
				if param == "" {
					return
				}
				name := prop(db.Properties, groupKey)
				if unknown(name) {
					return
				}
				groups := v.targets(db, groupKey, groupTypes...)
				if len(groups) == 0 {
					if n := str(name); n == "" || strings.HasPrefix(n, "default.") {
						report(db, "uses the engine's default parameter group, which allows plaintext connections; "+
							"set %s to a parameter group with %s = %s", groupKey, param, want)
					}
					return
				}
				for _, g := range groups {
					params := prop(g.Properties, "parameters")
					if hasUnknown(params) {
						continue
					}
					got := ""
					for _, p := range items(params) {
						if strings.EqualFold(str(at(p, "name")), param) {
							got = str(at(p, "value"))
						}
					}
					if !tlsValueOn(got) {
						report(db, "parameter group %s sets %s to %q; set it to %s", g.Name, param, got, want)
					}
				}
			}
			for _, c := range v.of(typeRDSCluster) {
				check(c, "dbClusterParameterGroupName", typeRDSClusterParameterGroup)
			}
			for _, i := range v.of(typeRDSInstance) {
				check(i, "parameterGroupName", typeRDSParameterGroup)
			}
		})
}

// tlsParameter returns the parameter that forces TLS for an engine and the
// value that turns it on; "" for engines it does not know.
func tlsParameter(engine string) (string, string) {
	switch {
	case strings.Contains(engine, "mysql"), engine == "aurora", engine == "mariadb":
		return "require_secure_transport", "ON"
	case strings.Contains(engine, "postgres"):
		return "rds.force_ssl", "1"
	}
	return "", ""
}

func tlsValueOn(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "1", "true":
		return true
	}
	return false
}
