package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// sns-topic-encrypted: SNS topics are encrypted with a KMS key.
//
// Checks: aws:sns/topic:Topic has a `kmsMasterKeyId`.
// Why: AWS FSBP SNS.1 (SNS topics should be encrypted at-rest using AWS KMS).
// Alarm notifications carry resource names and failure details. wpfleet's
// alarm topic uses its own customer managed key because CloudWatch alarms and
// EventBridge cannot publish to a topic encrypted with the AWS managed
// alias/aws/sns key; the rule accepts any key.
// Level: mandatory.
// Not applicable: other types. Unknown key (preview): not judged.
func snsTopicEncrypted(settings) policyx.Policy {
	return resourceRule("sns-topic-encrypted",
		"SNS topics are encrypted at rest with a KMS key (FSBP SNS.1).",
		policyx.EnforcementLevelMandatory,
		[]string{typeSNSTopic},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			v := prop(r.Properties, "kmsMasterKeyId")
			if unknown(v) || str(v) != "" {
				return
			}
			report("no kmsMasterKeyId; encrypt the topic with a customer managed KMS key whose policy lets the publishers use it")
		})
}
