package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// backup-vault-customer-key: AWS Backup vaults encrypt recovery points with a
// customer managed KMS key.
//
// Checks: aws:backup/vault:Vault has a `kmsKeyArn`.
// Why: AWS FSBP Backup.1 asks that recovery points be encrypted at rest. A
// vault always encrypts, with the AWS managed aws/backup key when no key is
// given; but recovery points under that key cannot be copied to another
// account (the backup account a ransomware-resistant setup needs) and its
// key policy cannot be restricted. A customer managed key keeps both options.
// Level: advisory, because a vault without a key is still encrypted: this is
// a recommendation for the backup design, not an exposure.
// Not applicable: other types. Unknown key (preview): not judged.
func backupVaultCustomerKey(settings) policyx.Policy {
	return resourceRule("backup-vault-customer-key",
		"AWS Backup vaults encrypt with a customer managed KMS key (FSBP Backup.1).",
		policyx.EnforcementLevelAdvisory,
		[]string{typeBackupVault},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			v := prop(r.Properties, "kmsKeyArn")
			if unknown(v) || str(v) != "" {
				return
			}
			report("no kmsKeyArn: recovery points use the AWS managed aws/backup key and cannot be copied to another account; set kmsKeyArn to a customer managed key")
		})
}
