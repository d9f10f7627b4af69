package policy

import (
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// viewerTLSRe matches CloudFront's viewer security policies; the year tells
// the cipher suite generation.
var viewerTLSRe = regexp.MustCompile(`^TLSv1\.([0-9])_([0-9]{4})$`)

// cloudfront-tls: CloudFront speaks TLS 1.2+ to viewers and TLS to origins.
//
// Checks, on aws:cloudfront/distribution:Distribution:
//   - viewerCertificate uses a certificate of our own (not
//     cloudfrontDefaultCertificate, which pins the minimum to TLSv1) with
//     minimumProtocolVersion TLSv1.2_2021 or newer (TLSv1.2_2025,
//     TLSv1.3_*);
//   - the default and every ordered cache behavior has viewerProtocolPolicy
//     https-only or redirect-to-https (FSBP CloudFront.3);
//   - custom origins (the ALB) use originProtocolPolicy https-only or
//     match-viewer, never http-only (CloudFront.9), and originSslProtocols
//     without SSLv3, TLSv1 or TLSv1.1 (CloudFront.10).
//
// Why: encryption in transit end to end once CloudFront is the edge;
// TLSv1.2_2021 is the oldest CloudFront policy without CBC-SHA1 ciphers.
// Level: mandatory.
// Not applicable: other types. Unknown values (preview): not judged.
func cloudfrontTLS(settings) policyx.Policy {
	return resourceRule("cloudfront-tls",
		"CloudFront requires TLS 1.2+ from viewers and TLS to custom origins (FSBP CloudFront.3, .9, .10).",
		policyx.EnforcementLevelMandatory,
		[]string{typeCloudFrontDistrib},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			vc := prop(r.Properties, "viewerCertificate")
			if !unknown(vc) {
				if isTrue(at(vc, "cloudfrontDefaultCertificate")) {
					report("uses the default *.cloudfront.net certificate, whose minimum protocol is TLSv1; use an ACM certificate with minimumProtocolVersion TLSv1.2_2021")
				} else if mp := at(vc, "minimumProtocolVersion"); !unknown(mp) && !viewerTLSOK(str(mp)) {
					report("viewerCertificate.minimumProtocolVersion is %q; use TLSv1.2_2021 or newer", str(mp))
				}
			}
			checkVPP := func(where string, v property.Value) {
				if !unknown(v) && str(v) != "https-only" && str(v) != "redirect-to-https" {
					report("%s.viewerProtocolPolicy is %q; use redirect-to-https or https-only", where, str(v))
				}
			}
			checkVPP("defaultCacheBehavior", prop(r.Properties, "defaultCacheBehavior", "viewerProtocolPolicy"))
			for i, b := range items(prop(r.Properties, "orderedCacheBehaviors")) {
				where := "orderedCacheBehaviors[" + strconv.Itoa(i) + "]"
				if p := str(at(b, "pathPattern")); p != "" {
					where += " (" + p + ")"
				}
				checkVPP(where, at(b, "viewerProtocolPolicy"))
			}
			for _, o := range items(prop(r.Properties, "origins")) {
				coc := at(o, "customOriginConfig")
				if coc.IsNull() || unknown(coc) {
					continue
				}
				id := str(at(o, "originId"))
				if opp := at(coc, "originProtocolPolicy"); !unknown(opp) && str(opp) == "http-only" {
					report("origin %s: originProtocolPolicy is http-only; use https-only", id)
				}
				for _, p := range strs(at(coc, "originSslProtocols")) {
					if p == "SSLv3" || p == "TLSv1" || p == "TLSv1.1" {
						report("origin %s: originSslProtocols allows %s; allow TLSv1.2 only", id, p)
					}
				}
			}
		})
}

// viewerTLSOK accepts TLSv1.2 policies from 2021 on and any TLSv1.3 policy.
func viewerTLSOK(v string) bool {
	m := viewerTLSRe.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	minor, _ := strconv.Atoi(m[1])
	year, _ := strconv.Atoi(m[2])
	return minor >= 3 || (minor == 2 && year >= 2021)
}
