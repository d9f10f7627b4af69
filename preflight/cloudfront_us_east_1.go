package preflight

import (
	"strings"
)

// cloudfront-us-east-1: what a CloudFront distribution attaches lives in
// us-east-1.
//
// The ACM certificate of a distribution must be requested (or imported) in
// US East (N. Virginia) (Requirements for using SSL/TLS certificates with
// CloudFront); a WAFv2 web ACL attached to a distribution has the
// CLOUDFRONT scope, which exists in us-east-1 only, so its ARN reads
// arn:aws:wafv2:us-east-1:<account>:global/webacl/... (DistributionConfig
// WebACLId).
func cloudfrontUSEast1() Rule {
	const (
		certs = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html"
		dist  = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html"
	)
	return Rule{
		Name:    "cloudfront-us-east-1",
		Doc:     "a distribution's ACM certificate is in us-east-1 and its WAFv2 web ACL is a global (CLOUDFRONT) ACL of us-east-1",
		Sources: []string{certs, dist},
		check: func(g *Graph, rep *report) {
			for _, d := range g.Of(typeDistribution) {
				if arn, ok := text(at(d.Inputs["viewerCertificate"], "acmCertificateArn")); ok && arn != "" {
					if r := arnRegion(arn); r != "us-east-1" {
						rep.add(d, "viewerCertificate.acmCertificateArn", arn, certs, "CloudFront uses ACM certificates of us-east-1 only; this one is in %s", r)
					}
				}
				if acl, ok := text(d.Inputs["webAclId"]); ok && strings.HasPrefix(acl, "arn:") {
					if arnRegion(acl) != "us-east-1" || !strings.Contains(acl, ":global/webacl/") {
						rep.add(d, "webAclId", acl, dist, "a distribution takes a WAFv2 web ACL of scope CLOUDFRONT: arn:aws:wafv2:us-east-1:<account>:global/webacl/...")
					}
				}
			}
		},
	}
}

// arnRegion is the Region field of an ARN.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}
