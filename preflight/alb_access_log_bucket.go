package preflight

import (
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// alb-access-log-bucket: an ALB's access-log bucket can receive its logs.
//
// The bucket is in the load balancer's Region, encrypted with SSE-S3 only
// (access logs support no SSE-KMS), and its policy lets Elastic Load
// Balancing write: s3:PutObject on <bucket>/<prefix>/AWSLogs/<account>/*
// for the log delivery service principal
// logdelivery.elasticloadbalancing.amazonaws.com (Regions opened since
// August 2022) or the Region's Elastic Load Balancing account (older
// Regions); the prefix does not contain AWSLogs and does not start with a
// slash (Enable access logs for your Application Load Balancer).
// Not checked offline: buckets created outside the graph, and the ELB
// account of a Region missing from elbAccounts (any account root is
// accepted there).
func albAccessLogBucket() Rule {
	const src = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html"
	return Rule{
		Name:    "alb-access-log-bucket",
		Doc:     "ALB access-log buckets: same Region, SSE-S3 only, a policy letting ELB log delivery put AWSLogs/<account>/*, a prefix without AWSLogs",
		Sources: []string{src},
		check: func(g *Graph, rep *report) {
			for _, lb := range g.Of(typeLB, typeALB) {
				logs := asMap(lb.Inputs["accessLogs"])
				if logs == nil || logs["enabled"] == false {
					continue
				}
				name := str(logs["bucket"])
				prefix := str(logs["prefix"])
				if strings.Contains(prefix, "AWSLogs") || strings.HasPrefix(prefix, "/") {
					rep.add(lb, "accessLogs.prefix", prefix, src, "the prefix cannot contain AWSLogs or start with /")
				}
				bucket := bucketNamed(g, name)
				if bucket == nil {
					continue
				}
				if br, lr := g.RegionOf(bucket), g.RegionOf(lb); br != lr {
					rep.add(lb, "accessLogs.bucket", name, src, "the bucket is in %s; access logs go to a bucket in the load balancer's Region %s", br, lr)
				}
				checkLogBucketSSE(g, rep, name, src)
				checkLogBucketPolicy(g, rep, lb, name, prefix, src)
			}
		},
	}
}

func bucketNamed(g *Graph, name string) *mocks.Resource {
	for _, b := range g.Of(typeBucket, typeBucketLegacy) {
		if n, _ := physical(b, "bucket"); n == name {
			return b
		}
	}
	return nil
}

func checkLogBucketSSE(g *Graph, rep *report, bucket, src string) {
	for _, s := range g.Of(typeBucketSSE, typeBucketSSELegacy) {
		if str(s.Inputs["bucket"]) != bucket {
			continue
		}
		for i, r := range items(s.Inputs["rules"]) {
			if alg := str(at(r, "applyServerSideEncryptionByDefault.sseAlgorithm")); alg != "" && alg != "AES256" {
				rep.add(s, "rules["+itoa(int64(i))+"].applyServerSideEncryptionByDefault.sseAlgorithm", alg, src, "ALB access logs are written only to buckets encrypted with SSE-S3 (AES256)")
			}
		}
	}
}

func checkLogBucketPolicy(g *Graph, rep *report, lb *mocks.Resource, bucket, prefix, src string) {
	object := "arn:aws:s3:::" + bucket + "/"
	if prefix != "" {
		object += strings.Trim(prefix, "/") + "/"
	}
	object += "AWSLogs/" + g.Account + "/x"
	region := g.RegionOf(lb)
	for _, p := range g.Of(typeBucketPolicy) {
		if str(p.Inputs["bucket"]) != bucket {
			continue
		}
		for _, s := range statements(g.JSON(p, "policy")) {
			if s.effect == "Allow" && s.allowsAction("s3:PutObject") && s.coversResource(object) && elbMayWrite(s, region) {
				return
			}
		}
	}
	rep.add(lb, "accessLogs.bucket", bucket, src, "no bucket policy of %s lets Elastic Load Balancing (logdelivery.elasticloadbalancing.amazonaws.com or the %s ELB account) s3:PutObject on %s", bucket, region, strings.TrimSuffix(object, "x")+"*")
}

// elbAccounts are Elastic Load Balancing's accounts of the Regions opened
// before August 2022 that are most used here (from the access-log page).
var elbAccounts = map[string]string{
	"us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
	"ap-northeast-1": "582318560864", "ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331",
	"ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266", "ap-south-1": "718504428378",
	"eu-central-1": "054676820928", "eu-west-1": "156460612806", "eu-west-2": "652711504416",
	"eu-west-3": "009996457667", "eu-north-1": "897822967062", "ca-central-1": "985666609251", "sa-east-1": "507241528517",
}

func elbMayWrite(s statement, region string) bool {
	if contains(s.principals["Service"], "logdelivery.elasticloadbalancing.amazonaws.com") {
		return true
	}
	for _, p := range s.principals["AWS"] {
		acct, known := elbAccounts[region]
		if !known && strings.HasSuffix(p, ":root") || known && (p == acct || strings.Contains(p, "::"+acct+":")) {
			return true
		}
	}
	return false
}
