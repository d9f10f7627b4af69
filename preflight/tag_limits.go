package preflight

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wpfleet/wpfleet/mocks"
)

// tag-limits: tags fit AWS's tagging rules.
//
// Every AWS resource: at most 50 user tags; a key is 1-128 Unicode
// characters, a value at most 256; the aws: prefix (any case) is reserved
// for AWS, so a key starting with it is refused; keys and values use
// letters, digits, spaces and + - = . _ : / @ (ECS, Secrets Manager, IAM,
// CloudWatch, ... refuse other characters; EC2 accepts any, but its keys
// are limited to 127 characters). S3 objects take at most 10 tags.
// Checked: the tags input of every aws: resource (plus the aws provider's
// defaultTags, which it adds to each), the awsx VPC's tags and its subnets'.
// Not checked offline: tags a service adds itself (aws:*), which do not
// count.
func tagLimits() Rule {
	const (
		general = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html"
		ec2Tag  = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html"
		s3Tags  = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html"
	)
	return Rule{
		Name:    "tag-limits",
		Doc:     "tags: at most 50 (10 on S3 objects), keys 1-128 characters without aws:, values up to 256, AWS's tag characters",
		Sources: []string{general, ec2Tag, s3Tags},
		check: func(g *Graph, rep *report) {
			checkTags := tagChecker{valid: map[string]bool{}}.check
			for i := range g.Result.Resources {
				r := &g.Result.Resources[i]
				switch {
				case r.Type == typeAwsxVpc:
					checkTags(rep, r, "tags", asMap(r.Inputs["tags"]), nil, 50, 127, false, ec2Tag)
					for j, spec := range items(r.Inputs["subnetSpecs"]) {
						checkTags(rep, r, fmt.Sprintf("subnetSpecs[%d].tags", j), asMap(at(spec, "tags")), asMap(r.Inputs["tags"]), 50, 127, false, ec2Tag)
					}
				case r.Custom && strings.HasPrefix(r.Type, "aws:"):
					tags := asMap(r.Inputs["tags"])
					if tags == nil {
						continue
					}
					limit, keyMax, strict, src := 50, 128, true, general
					switch {
					case r.Type == typeBucketObjectV2 || r.Type == typeBucketObject:
						limit, src = 10, s3Tags
					case isEC2Type(r.Type):
						keyMax, strict, src = 127, false, ec2Tag
					}
					checkTags(rep, r, "tags", tags, defaultTags(g, r), limit, keyMax, strict, src)
				}
			}
		},
	}
}

var tagTextRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

func isEC2Type(t string) bool {
	return strings.HasPrefix(t, "aws:ec2/") || strings.HasPrefix(t, "aws:vpc/")
}

// defaultTags are the provider's defaultTags the resource also gets.
func defaultTags(g *Graph, r *mocks.Resource) map[string]any {
	for _, prov := range g.Of(typeAWSProvider) {
		if strings.HasPrefix(r.Options.Provider, prov.URN+"::") {
			return asMap(at(prov.Inputs["defaultTags"], "tags"))
		}
	}
	return nil
}

// tagChecker remembers the tag texts it found valid: most resources carry
// the same tags.
type tagChecker struct{ valid map[string]bool }

func (c tagChecker) ok(s string) bool {
	if v, seen := c.valid[s]; seen {
		return v
	}
	v := tagTextRe.MatchString(s)
	c.valid[s] = v
	return v
}

func (c tagChecker) check(rep *report, r *mocks.Resource, field string, tags, extra map[string]any, limit, keyMax int, strict bool, src string) {
	all := map[string]bool{}
	for k := range tags {
		all[k] = true
	}
	for k := range extra {
		all[k] = true
	}
	if len(all) > limit {
		rep.add(r, field, len(all), src, "at most %d tags per resource (provider default tags included); there are %d", limit, len(all))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := field + "." + k
		if n := utf8.RuneCountInString(k); n < 1 || n > keyMax {
			rep.add(r, f, k, src, "a tag key is 1-%d characters; it has %d", keyMax, n)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			rep.add(r, f, k, src, "the aws: prefix is reserved for AWS: a tag key cannot start with it")
		}
		if strict && !c.ok(k) {
			rep.add(r, f, k, src, "a tag key uses letters, digits, spaces and + - = . _ : / @; %s", firstBad(k, tagTextRe))
		}
		v, ok := text(tags[k])
		if !ok {
			continue
		}
		if n := utf8.RuneCountInString(v); n > 256 {
			rep.add(r, f, v, src, "a tag value is at most 256 characters; it has %d", n)
		}
		if strict && !c.ok(v) {
			rep.add(r, f, v, src, "a tag value uses letters, digits, spaces and + - = . _ : / @; %s", firstBad(v, tagTextRe))
		}
	}
}
