package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// efs-encrypted: every EFS file system is encrypted at rest.
//
// Checks: aws:efs/fileSystem:FileSystem has `encrypted: true`.
// Why: AWS FSBP EFS.1 (EFS should be configured to encrypt file data at rest
// using AWS KMS). The shared file system holds every site's code and wp-config
// inputs; encryption can only be chosen when the file system is created, so
// a mistake here means a migration later.
// Level: mandatory.
// Not applicable: other types. Unknown `encrypted` (preview): not judged.
func efsEncrypted(settings) policyx.Policy {
	return resourceRule("efs-encrypted",
		"EFS file systems are encrypted at rest (FSBP EFS.1).",
		policyx.EnforcementLevelMandatory,
		[]string{typeEFSFileSystem},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			v := prop(r.Properties, "encrypted")
			if unknown(v) || isTrue(v) {
				return
			}
			report("encrypted is not true; set encrypted: true (it cannot be changed after creation)")
		})
}
