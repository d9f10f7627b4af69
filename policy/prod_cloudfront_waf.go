package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// prod-cloudfront-waf: in production, every CloudFront distribution has a
// web ACL.
//
// Checks: aws:cloudfront/distribution:Distribution of a production
// environment (see doc.go) has a non-empty webAclId (wpfleet's WebFirewall:
// AWS managed rule groups and login rate limits, or an existing ACL).
// Why: every viewer request of a site reaches WordPress through its
// distribution; without a WAF, password guessing on wp-login.php and
// xmlrpc.php, known bad inputs and scanners from bad-reputation addresses
// all reach PHP. (FSBP CloudFront.6.)
// Level: mandatory.
// Not applicable: non-production environments (staging keeps the WAF
// optional: its viewers are allow-listed). Unknown values (preview): not judged.
func prodCloudFrontWAF(s settings) policyx.Policy {
	return resourceRule("prod-cloudfront-waf",
		"In production, CloudFront distributions have a WAF web ACL (FSBP CloudFront.6).",
		policyx.EnforcementLevelMandatory,
		[]string{typeCloudFrontDistrib},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			if !s.isProd(environmentOf(r)) {
				return
			}
			if v := prop(r.Properties, "webAclId"); !unknown(v) && str(v) == "" {
				report("no webAclId: the distribution has no WAF (environment %s)", environmentOf(r))
			}
		})
}
