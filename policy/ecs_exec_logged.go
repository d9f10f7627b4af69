package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// ecs-exec-logged: ECS Exec only where sessions are logged and encrypted.
//
// Checks: an aws:ecs/service:Service with enableExecuteCommand true runs in
// an aws:ecs/cluster:Cluster of the stack whose
// configuration.executeCommandConfiguration has logging OVERRIDE, a KMS key
// (session encryption) and a CloudWatch log group with
// cloudWatchEncryptionEnabled (or an S3 bucket with s3BucketEncryptionEnabled).
// Why: ECS Exec is a root shell in a task that holds every member site's
// secrets; who ran what must be on record, and the channel encrypted with a
// key the account controls. (AWS ECS best practices, "ECS Exec logging".)
// Level: mandatory.
// Not applicable: services without ECS Exec; clusters made outside the
// stack (not judged). Unknown values (preview): not judged.
func ecsExecLogged(settings) policyx.Policy {
	return stackRule("ecs-exec-logged",
		"ECS Exec is on only in clusters that log its sessions, encrypted.",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			for _, svc := range v.of(typeECSService) {
				if e := prop(svc.Properties, "enableExecuteCommand"); unknown(e) || !isTrue(e) {
					continue
				}
				for _, c := range v.targets(svc, "cluster", typeECSCluster) {
					ec := prop(c.Properties, "configuration", "executeCommandConfiguration")
					if unknown(ec) {
						continue
					}
					logCfg := at(ec, "logConfiguration")
					switch {
					case str(at(ec, "logging")) != "OVERRIDE":
						report(svc, "ECS Exec is on but cluster %s does not log sessions (executeCommandConfiguration.logging is not OVERRIDE)", c.Name)
					case str(at(ec, "kmsKeyId")) == "" && !unknown(at(ec, "kmsKeyId")):
						report(svc, "ECS Exec is on but cluster %s does not encrypt sessions with a KMS key", c.Name)
					case !(str(at(logCfg, "cloudWatchLogGroupName")) != "" && isTrue(at(logCfg, "cloudWatchEncryptionEnabled"))) &&
						!(str(at(logCfg, "s3BucketName")) != "" && isTrue(at(logCfg, "s3BucketEncryptionEnabled"))):
						report(svc, "ECS Exec is on but cluster %s's session log is not an encrypted CloudWatch group or S3 bucket", c.Name)
					}
				}
			}
		})
}
