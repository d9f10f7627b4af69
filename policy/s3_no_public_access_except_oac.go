package policy

import (
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// distributionArnRe is one CloudFront distribution of one account, no
// wildcards.
var distributionArnRe = regexp.MustCompile(`^arn:aws[a-z-]*:cloudfront::[0-9]{12}:distribution/[A-Za-z0-9]+$`)

// nonPublicConditionKeys restrict an Allow-to-everyone statement to fixed
// networks, organizations, accounts or sources; S3 itself treats such a
// statement as not public.
var nonPublicConditionKeys = []string{
	"aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp", "aws:PrincipalOrgID", "aws:PrincipalAccount",
	"aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner", "aws:PrincipalArn", "aws:userid",
}

// s3-no-public-access-except-oac: no bucket is public; CloudFront reads
// through Origin Access Control only.
//
// Checks each S3 bucket:
//   - an aws:s3/bucketPublicAccessBlock (matched by `bucket`) sets all four
//     of blockPublicAcls, ignorePublicAcls, blockPublicPolicy and
//     restrictPublicBuckets (FSBP S3.8; account-level blocks, S3.1, are
//     outside a stack);
//   - no bucket policy statement allows everyone ("*") without a condition
//     on a fixed source (VPC endpoint, organization, account, ...), and none
//     uses NotPrincipal (S3.2/S3.3);
//   - a statement for the CloudFront service principal (OAC) names the
//     distribution: condition AWS:SourceArn equal to one distribution ARN
//     of one account, without wildcards, or any distribution anywhere could
//     read the bucket;
//   - no public ACL (public-read, public-read-write, authenticated-read, or
//     grants to the AllUsers/AuthenticatedUsers groups);
//   - no S3 static website hosting: website endpoints are HTTP-only and
//     need public read.
//
// Why: the uploads buckets are private; with CloudFront in front, reading
// through OAC (service principal cloudfront.amazonaws.com limited to the
// distribution by AWS:SourceArn) is the one allowed way in, and it keeps
// working with all four public access blocks on.
// Level: mandatory. The `uploadsWebsite: true` site option (the seed's
// public website hosting, documented as not recommended) violates this rule
// by design; a stack that opts in must lower this policy to advisory in its
// policy config (see policy/README.md), which makes the exception explicit
// and reviewed.
// Not applicable: stacks without buckets. Unknown policies or settings
// (preview): not judged.
func s3NoPublicAccessExceptOAC(settings) policyx.Policy {
	return stackRule("s3-no-public-access-except-oac",
		"S3 buckets are private: all public access blocks on, no public policy or ACL, no website hosting; CloudFront reads via OAC (FSBP S3.8, S3.2, S3.3).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			for _, b := range v.of(typeS3BucketV2, typeS3Bucket) {
				// Public access block.
				pabs := v.referrers(b, "bucket", typeS3PublicAccessBlock)
				if len(pabs) == 0 {
					report(b, "no public access block; add an aws:s3/bucketPublicAccessBlock with all four settings true")
				}
				for _, pab := range pabs {
					for _, k := range []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"} {
						if val := prop(pab.Properties, k); !unknown(val) && !isTrue(val) {
							report(b, "public access block %s: %s is not true", pab.Name, k)
						}
					}
				}
				// Policies.
				docs, _ := bucketPolicies(v, b)
				for _, doc := range docs {
					for _, st := range statements(doc) {
						if !st.allow() {
							continue
						}
						if st.NotPrincipal != nil {
							report(b, "bucket policy statement %q allows NotPrincipal, i.e. everyone else", st.Sid)
							continue
						}
						if st.everyone() && !restrictsSource(st) {
							report(b, "bucket policy statement %q allows everyone (%s); serve uploads through CloudFront with origin access control",
								st.Sid, strings.Join(st.Action, ", "))
						}
						for _, svc := range st.principals("Service") {
							if svc != "cloudfront.amazonaws.com" {
								continue
							}
							arns := st.conditionValues("AWS:SourceArn", "StringEquals", "ArnEquals", "ArnLike", "StringLike")
							if len(arns) == 0 {
								report(b, "bucket policy statement %q lets CloudFront read without an AWS:SourceArn condition: any distribution in any account could read the bucket", st.Sid)
							}
							for _, a := range arns {
								if !distributionArnRe.MatchString(a) {
									report(b, "bucket policy statement %q: AWS:SourceArn %q is not one distribution of one account", st.Sid, a)
								}
							}
						}
					}
				}
				// ACLs.
				acls := []string{str(prop(b.Properties, "acl"))}
				for _, a := range v.referrers(b, "bucket", typeS3AclV2, typeS3Acl) {
					acls = append(acls, str(prop(a.Properties, "acl")))
					for _, g := range items(prop(a.Properties, "accessControlPolicy", "grants")) {
						if publicGrantee(str(at(g, "grantee", "uri"))) {
							report(b, "ACL %s grants %s to %s", a.Name, str(at(g, "permission")), str(at(g, "grantee", "uri")))
						}
					}
				}
				for _, g := range items(prop(b.Properties, "grants")) {
					if publicGrantee(str(at(g, "uri"))) {
						report(b, "inline grant to %s", str(at(g, "uri")))
					}
				}
				for _, acl := range acls {
					if acl == "public-read" || acl == "public-read-write" || acl == "authenticated-read" {
						report(b, "canned ACL %s makes the bucket public", acl)
					}
				}
				// Website hosting.
				web := v.referrers(b, "bucket", typeS3WebsiteV2, typeS3Website)
				if len(web) > 0 || !prop(b.Properties, "website").IsNull() {
					report(b, "S3 static website hosting is on (HTTP only, public read); serve uploads through CloudFront with origin access control instead")
				}
			}
		})
}

// restrictsSource reports whether an Allow-to-everyone statement is limited
// to fixed sources by a condition S3 considers non-public.
func restrictsSource(st statement) bool {
	for _, k := range nonPublicConditionKeys {
		for _, val := range st.conditionValues(k) {
			if val != "" && val != "*" {
				return true
			}
		}
	}
	return false
}

func publicGrantee(uri string) bool {
	return strings.HasSuffix(uri, "/global/AllUsers") || strings.HasSuffix(uri, "/global/AuthenticatedUsers")
}
