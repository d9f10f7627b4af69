package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// rds-storage-encrypted: Aurora clusters and RDS instances are encrypted at
// rest.
//
// Checks: aws:rds/cluster:Cluster and aws:rds/instance:Instance have
// `storageEncrypted: true`. (Aurora cluster instances inherit the cluster's
// storage and have no such setting.)
// Why: AWS FSBP RDS.27 (RDS DB clusters should be encrypted at rest) and
// RDS.3 (RDS DB instances should have encryption at rest enabled). The
// database holds every site's content and users; like EFS, encryption is
// fixed at creation.
// Level: mandatory.
// Not applicable: other types. Unknown value (preview): not judged.
func rdsStorageEncrypted(settings) policyx.Policy {
	return resourceRule("rds-storage-encrypted",
		"Aurora clusters and RDS instances are encrypted at rest (FSBP RDS.27, RDS.3).",
		policyx.EnforcementLevelMandatory,
		[]string{typeRDSCluster, typeRDSInstance},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			v := prop(r.Properties, "storageEncrypted")
			if unknown(v) || isTrue(v) {
				return
			}
			report("storageEncrypted is not true; set storageEncrypted: true (it cannot be changed after creation)")
		})
}
