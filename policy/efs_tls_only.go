package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// efs-tls-only: every EFS file system refuses clients that do not use TLS.
//
// Checks: each aws:efs/fileSystem:FileSystem has an
// aws:efs/fileSystemPolicy:FileSystemPolicy (matched by `fileSystemId`)
// whose policy denies every action to everyone when aws:SecureTransport is
// false.
// Why: encryption in transit for NFS (AWS's EFS security guidance). A
// client can ask for TLS (ecs-efs-transit-encryption checks that wpfleet's
// tasks do), but only the file system policy makes the file system refuse a
// client that does not.
// Level: mandatory.
// Not applicable: stacks without EFS. A policy unknown during preview is not
// judged.
func efsTLSOnly(settings) policyx.Policy {
	return stackRule("efs-tls-only",
		"EFS file system policies deny non-TLS access.",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			for _, fs := range v.of(typeEFSFileSystem) {
				policies := v.referrers(fs, "fileSystemId", typeEFSFileSystemPolicy)
				if len(policies) == 0 {
					report(fs, "no file system policy; add an aws:efs/fileSystemPolicy denying access when aws:SecureTransport is false")
					continue
				}
				for _, p := range policies {
					doc, state := jsonDoc(prop(p.Properties, "policy"))
					if state == jsonUnknown {
						continue
					}
					if state != jsonOK || len(tlsDeniedResources(doc)) == 0 {
						report(fs, "file system policy %s does not deny access when aws:SecureTransport is false", p.Name)
					}
				}
			}
		})
}
