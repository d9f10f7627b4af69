package policy

import (
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// s3OriginRe matches S3 REST endpoints (not website endpoints, which are
// custom origins).
var s3OriginRe = regexp.MustCompile(`\.s3(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$`)

// cloudfront-s3-origin-oac: CloudFront reads S3 origins through Origin
// Access Control.
//
// Checks: every origin of an aws:cloudfront/distribution:Distribution that
// is an S3 bucket (an s3OriginConfig, or a domain name of an S3 REST
// endpoint) has an `originAccessControlId`, and no legacy origin access
// identity.
// Why: AWS FSBP CloudFront.13 (CloudFront distributions should use origin
// access control). OAC signs requests with SigV4, works with SSE-KMS and all
// regions, and is what s3-no-public-access-except-oac accepts in the bucket
// policy; without it the bucket would have to be public.
// Level: mandatory.
// Not applicable: custom origins (the ALB), other types. Unknown values
// (preview): not judged.
func cloudfrontS3OriginOAC(settings) policyx.Policy {
	return resourceRule("cloudfront-s3-origin-oac",
		"CloudFront S3 origins use origin access control (FSBP CloudFront.13).",
		policyx.EnforcementLevelMandatory,
		[]string{typeCloudFrontDistrib},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			for _, o := range items(prop(r.Properties, "origins")) {
				domain := at(o, "domainName")
				s3cfg := at(o, "s3OriginConfig")
				if unknown(domain) && s3cfg.IsNull() {
					continue
				}
				if s3cfg.IsNull() && !s3OriginRe.MatchString(str(domain)) {
					continue
				}
				id := str(at(o, "originId"))
				if oai := at(s3cfg, "originAccessIdentity"); str(oai) != "" {
					report("origin %s uses a legacy origin access identity; use origin access control", id)
				}
				if oac := at(o, "originAccessControlId"); !unknown(oac) && str(oac) == "" {
					report("S3 origin %s has no originAccessControlId", id)
				}
			}
		})
}
