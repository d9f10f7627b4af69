package preflight

import (
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// s3-ownership-acls: whatever writes to a bucket with ACLs disabled
// (Object Ownership BucketOwnerEnforced, also the default of every new
// bucket since April 2023) writes no ACL other than
// bucket-owner-full-control.
//
// With BucketOwnerEnforced, S3 refuses a PUT that carries any other ACL
// (AccessControlListNotSupported) (Controlling ownership of objects). The
// rule finds ACLs the graph shows: objects created by the program (acl),
// an ACL the app is configured with in its task definition (a container
// environment variable whose name contains ACL, such as
// S3_UPLOADS_OBJECT_ACL, in a task that also names the bucket), and
// CloudFront standard (legacy) logging into the bucket, which needs ACLs
// enabled.
// Not checked offline: ACLs chosen in application code without a setting
// in the task definition (the image tests check what S3-Uploads sends).
func s3OwnershipACLs() Rule {
	const (
		ownership = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html"
		cfLogs    = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html"
	)
	return Rule{
		Name:    "s3-ownership-acls",
		Doc:     "no ACL other than bucket-owner-full-control written to a BucketOwnerEnforced bucket (objects, app ACL settings, CloudFront legacy logs)",
		Sources: []string{ownership, cfLogs},
		check: func(g *Graph, rep *report) {
			enforced := enforcedBuckets(g)
			for _, o := range g.Of(typeBucketObjectV2, typeBucketObject) {
				if b := str(o.Inputs["bucket"]); enforced[b] != nil {
					if acl, ok := text(o.Inputs["acl"]); ok && acl != "" && acl != "bucket-owner-full-control" {
						rep.add(o, "acl", acl, ownership, "bucket %s has ACLs disabled (BucketOwnerEnforced): only bucket-owner-full-control is accepted", b)
					}
				}
			}
			for _, td := range g.Of(typeTaskDefinition) {
				for _, c := range containers(g, td) {
					checkAppACL(rep, td, c, enforced, ownership)
				}
			}
			for _, d := range g.Of(typeDistribution) {
				host := str(at(d.Inputs["loggingConfig"], "bucket"))
				b := strings.TrimSuffix(host, ".s3.amazonaws.com")
				if i := strings.Index(b, ".s3."); i > 0 {
					b = b[:i]
				}
				if enforced[b] != nil {
					rep.add(d, "loggingConfig.bucket", host, cfLogs, "CloudFront standard logging writes with ACLs; bucket %s has them disabled (BucketOwnerEnforced)", b)
				}
			}
		},
	}
}

// enforcedBuckets maps bucket names to buckets whose ACLs are disabled:
// BucketOwnerEnforced ownership controls, or none (the S3 default).
func enforcedBuckets(g *Graph) map[string]*mocks.Resource {
	setting := map[string]string{}
	for _, oc := range g.Of(typeBucketOwnership) {
		setting[str(oc.Inputs["bucket"])] = str(at(oc.Inputs["rule"], "objectOwnership"))
	}
	out := map[string]*mocks.Resource{}
	for _, b := range g.Of(typeBucket, typeBucketLegacy) {
		name, ok := physical(b, "bucket")
		if !ok {
			continue
		}
		if s, set := setting[name]; !set || s == "BucketOwnerEnforced" {
			out[name] = b
		}
	}
	return out
}

func checkAppACL(rep *report, td *mocks.Resource, c container, enforced map[string]*mocks.Resource, src string) {
	env := envOf(c)
	var bucket string
	for _, v := range env {
		if enforced[v] != nil {
			bucket = v
		}
	}
	if bucket == "" {
		return
	}
	for k, v := range env {
		if strings.Contains(strings.ToUpper(k), "ACL") && v != "" && v != "bucket-owner-full-control" {
			rep.add(td, c.field+".environment."+k, v, src, "the task writes to bucket %s, which has ACLs disabled (BucketOwnerEnforced): an ACL other than bucket-owner-full-control is refused", bucket)
		}
	}
}
