package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// codebuild-logging: builds leave an encrypted log.
//
// Checks: aws:codebuild/project:Project logs to CloudWatch
// (logsConfig.cloudwatchLogs.status not DISABLED; enabled is the default)
// or to S3 (logsConfig.s3Logs.status ENABLED), and S3 logs are not written
// unencrypted (s3Logs.encryptionDisabled not true).
// Why: AWS FSBP CodeBuild.4 (CodeBuild project environments should have a
// logging AWS Configuration) and CodeBuild.3 (S3 logs should be
// encrypted). The release pipeline builds the images every site runs; its
// log is the record of what went into them. Log retention of the
// CloudWatch group is checked by log-retention.
// Level: mandatory.
// Not applicable: other types. Unknown values (preview): not judged.
func codebuildLogging(settings) policyx.Policy {
	return resourceRule("codebuild-logging",
		"CodeBuild projects keep build logs, encrypted (FSBP CodeBuild.4, CodeBuild.3).",
		policyx.EnforcementLevelMandatory,
		[]string{typeCodeBuildProject},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			cwStatus := prop(r.Properties, "logsConfig", "cloudwatchLogs", "status")
			s3Status := prop(r.Properties, "logsConfig", "s3Logs", "status")
			if unknown(cwStatus) || unknown(s3Status) {
				return
			}
			if str(cwStatus) == "DISABLED" && str(s3Status) != "ENABLED" {
				report("both CloudWatch and S3 build logs are disabled")
			}
			if str(s3Status) == "ENABLED" && isTrue(prop(r.Properties, "logsConfig", "s3Logs", "encryptionDisabled")) {
				report("S3 build logs are written unencrypted (encryptionDisabled)")
			}
		})
}
