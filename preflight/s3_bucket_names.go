package preflight

import (
	"net/netip"
	"regexp"
	"strings"
)

// s3-bucket-names: general purpose bucket names follow S3's naming rules.
//
// 3-63 characters of lowercase letters, digits, dots and hyphens, beginning
// and ending with a letter or digit; no two adjacent dots; not an IP
// address; not beginning with xn--, sthree- or amzn-s3-demo-; not ending
// with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3 (S3 bucket naming
// rules). Auto-names count (the logical name plus 8 characters). Dots are
// allowed but break virtual-hosted HTTPS, which the rules do not judge.
// Object keys are at most 1,024 bytes (UTF-8).
// Not checked offline: names are global across all AWS accounts, so a name
// someone else owns fails with BucketAlreadyExists.
func s3BucketNames() Rule {
	const (
		naming = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
		keys   = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html"
	)
	spec := textSpec{min: 3, max: 63, allowed: bucketRe, describe: "characters of lowercase letters, digits, dots and hyphens"}
	return Rule{
		Name:    "s3-bucket-names",
		Doc:     "bucket names: 3-63 of [a-z0-9.-], letter or digit at both ends, no .., not an IP, no reserved prefix or suffix; object keys 1,024 bytes",
		Sources: []string{naming, keys},
		check: func(g *Graph, rep *report) {
			for _, b := range g.Of(typeBucket, typeBucketLegacy) {
				name, ok := physical(b, "bucket")
				if !ok {
					continue
				}
				checkText(rep, b, "bucket", name, spec, naming)
				if p := bucketNameProblem(name); p != "" {
					rep.add(b, "bucket", name, naming, "%s", p)
				}
			}
			for _, o := range g.Of(typeBucketObjectV2, typeBucketObject) {
				checkText(rep, o, "key", o.Inputs["key"], textSpec{min: 1, max: 1024, bytes: true}, keys)
			}
		},
	}
}

var bucketRe = regexp.MustCompile(`^[a-z0-9.-]*$`)

func bucketNameProblem(name string) string {
	alnum := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }
	switch {
	case name == "":
		return ""
	case !alnum(name[0]) || !alnum(name[len(name)-1]):
		return "a bucket name begins and ends with a lowercase letter or digit"
	case strings.Contains(name, ".."):
		return "a bucket name has no two adjacent periods"
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return "a bucket name is not formatted as an IP address"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return "a bucket name cannot begin with " + p
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return "a bucket name cannot end with " + s
		}
	}
	return ""
}
