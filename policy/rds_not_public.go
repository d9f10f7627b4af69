package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// rds-not-public: database instances are not publicly accessible.
//
// Checks: aws:rds/clusterInstance:ClusterInstance and aws:rds/instance:Instance
// have `publiclyAccessible` unset or false.
// Why: AWS FSBP RDS.2 (RDS DB instances should prohibit public access). A
// publicly accessible instance gets a public DNS answer and, in a subnet
// with an internet gateway route, is one security group rule away from the
// internet; only the tasks' security group may reach MySQL.
// Level: mandatory.
// Not applicable: other types. Unknown values (preview): not judged.
func rdsNotPublic(settings) policyx.Policy {
	return resourceRule("rds-not-public",
		"RDS and Aurora instances are not publicly accessible (FSBP RDS.2).",
		policyx.EnforcementLevelMandatory,
		[]string{typeRDSClusterInstance, typeRDSInstance},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			if isTrue(prop(r.Properties, "publiclyAccessible")) {
				report("publiclyAccessible is true")
			}
		})
}
