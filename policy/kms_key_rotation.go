package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// kms-key-rotation: symmetric customer managed KMS keys rotate yearly.
//
// Checks: aws:kms/key:Key with a symmetric encryption key spec (the default,
// SYMMETRIC_DEFAULT) has `enableKeyRotation: true`.
// Why: AWS FSBP KMS.4 (AWS KMS key rotation should be enabled). Rotation is
// free of downtime and bounds the data protected by one key version.
// Level: mandatory.
// Not applicable: asymmetric and HMAC keys (AWS cannot rotate them), other
// types. Unknown values (preview): not judged.
func kmsKeyRotation(settings) policyx.Policy {
	return resourceRule("kms-key-rotation",
		"Symmetric KMS keys have automatic rotation on (FSBP KMS.4).",
		policyx.EnforcementLevelMandatory,
		[]string{typeKMSKey},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			spec := prop(r.Properties, "customerMasterKeySpec")
			if s := prop(r.Properties, "keySpec"); !s.IsNull() {
				spec = s
			}
			if unknown(spec) || (str(spec) != "" && str(spec) != "SYMMETRIC_DEFAULT") {
				return
			}
			v := prop(r.Properties, "enableKeyRotation")
			if unknown(v) || isTrue(v) {
				return
			}
			report("enableKeyRotation is not true; set enableKeyRotation: true")
		})
}
