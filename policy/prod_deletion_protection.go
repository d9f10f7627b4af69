package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// prod-deletion-protection: in production, stateful resources survive an
// accidental delete.
//
// Checks, on resources whose environment is a production environment
// (Options.ProductionEnvironments; see doc.go):
//   - aws:rds/cluster:Cluster and aws:rds/instance:Instance:
//     deletionProtection true (FSBP RDS.7 for clusters, RDS.8 for
//     instances) and skipFinalSnapshot not true;
//   - aws:lb/loadBalancer:LoadBalancer: enableDeletionProtection true (FSBP
//     ELB.6): every alias record and CloudFront origin points at its DNS
//     name, which a replacement would change;
//   - aws:efs/fileSystem:FileSystem: the `protect` resource option. EFS has no
//     deletion protection of its own and `pulumi destroy` deletes the mount
//     targets first, after which nothing stops the delete;
//   - S3 buckets: forceDestroy not true (S3 then refuses to delete a bucket
//     that still holds objects or versions);
//   - aws:secretsmanager/secret:Secret: recoveryWindowInDays not 0 (0 deletes
//     without recovery);
//   - aws:backup/vault:Vault: forceDestroy not true.
//
// The `retainOnDelete` option cannot satisfy any of these: the Pulumi
// engine does not send it to policy packs (the analyzer protocol's resource
// options carry protect but not retainOnDelete), so a rule could not tell it
// is there. Use `protect` (alone or together with retainOnDelete).
// Why: a mistaken `pulumi destroy`, a replace triggered by an innocent
// change, or a console click must not take the sites' database, code or
// uploads with it.
// Level: mandatory.
// Not applicable: resources of non-production environments, other types.
// Unknown values (preview): not judged.
func prodDeletionProtection(s settings) policyx.Policy {
	return resourceRule("prod-deletion-protection",
		"In production, databases, load balancers, file systems, buckets, secrets and backup vaults are protected from deletion (FSBP RDS.7, RDS.8, ELB.6).",
		policyx.EnforcementLevelMandatory,
		[]string{typeRDSCluster, typeRDSInstance, typeLB, typeALB, typeEFSFileSystem, typeS3BucketV2, typeS3Bucket, typeSecret, typeBackupVault},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			if !s.isProd(environmentOf(r)) {
				return
			}
			mustBeTrue := func(key string) {
				if v := prop(r.Properties, key); !unknown(v) && !isTrue(v) {
					report("%s is not true (environment %s)", key, environmentOf(r))
				}
			}
			mustNotBeTrue := func(key, why string) {
				if isTrue(prop(r.Properties, key)) {
					report("%s is true: %s (environment %s)", key, why, environmentOf(r))
				}
			}
			switch r.Type {
			case typeRDSCluster, typeRDSInstance:
				mustBeTrue("deletionProtection")
				mustNotBeTrue("skipFinalSnapshot", "deleting it would take no final snapshot")
			case typeLB, typeALB:
				mustBeTrue("enableDeletionProtection")
			case typeEFSFileSystem:
				if !r.Options.Protect {
					report("not protected: set the protect resource option (EFS has no deletion protection of its own; environment %s)", environmentOf(r))
				}
			case typeS3BucketV2, typeS3Bucket, typeBackupVault:
				mustNotBeTrue("forceDestroy", "deleting it would delete every object in it")
			case typeSecret:
				if v := prop(r.Properties, "recoveryWindowInDays"); !unknown(v) {
					if n, ok := num(v); ok && n == 0 {
						report("recoveryWindowInDays is 0: deleting it is immediate and unrecoverable (environment %s)", environmentOf(r))
					}
				}
			}
		})
}
