package policy

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// s3-tls-only: every bucket refuses requests made without TLS.
//
// Checks: each S3 bucket has a bucket policy (an aws:s3/bucketPolicy
// resource whose `bucket` is the bucket, or the bucket's inline `policy`)
// with a Deny to everyone for all actions when aws:SecureTransport is false,
// covering both the bucket ARN and its objects (".../*").
// Why: AWS FSBP S3.5 (S3 general purpose buckets should require requests to
// use SSL). Uploads are served to visitors and written by WordPress; neither
// needs plain HTTP, and the deny also covers presigned URLs.
// Level: mandatory.
// Not applicable: stacks without buckets. A policy unknown during preview is
// not judged.
func s3TLSOnly(settings) policyx.Policy {
	return stackRule("s3-tls-only",
		"S3 bucket policies deny requests without TLS (FSBP S3.5).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			for _, b := range v.of(typeS3BucketV2, typeS3Bucket) {
				docs, unknownDoc := bucketPolicies(v, b)
				if unknownDoc {
					continue
				}
				if len(docs) == 0 {
					report(b, "no bucket policy; add one denying all actions when aws:SecureTransport is false")
					continue
				}
				bucketLevel, objectLevel := false, false
				for _, doc := range docs {
					for _, r := range tlsDeniedResources(doc) {
						switch {
						case r == "*":
							bucketLevel, objectLevel = true, true
						case strings.HasSuffix(r, "/*"):
							objectLevel = true
						case !strings.Contains(r, "/"):
							bucketLevel = true
						}
					}
				}
				if !bucketLevel || !objectLevel {
					report(b, "the bucket policy does not deny requests without TLS (aws:SecureTransport false) on both the bucket and its objects")
				}
			}
		})
}

// bucketPolicies returns the decoded policy documents that apply to a
// bucket: its BucketPolicy resources and its inline policy. unknownDoc is
// true when any of them is not known yet (preview).
func bucketPolicies(v *stackView, b policyx.AnalyzerResource) (docs []any, unknownDoc bool) {
	add := func(p policyx.AnalyzerResource) {
		doc, state := jsonDoc(prop(p.Properties, "policy"))
		switch state {
		case jsonUnknown:
			unknownDoc = true
		case jsonOK:
			docs = append(docs, doc)
		}
	}
	add(b)
	for _, p := range v.referrers(b, "bucket", typeS3BucketPolicy) {
		add(p)
	}
	return docs, unknownDoc
}
