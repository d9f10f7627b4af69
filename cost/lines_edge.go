package cost

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wpfleet/wpfleet/mocks"
)

func (b *builder) edge() {
	dists := b.g.of("aws:cloudfront/distribution:Distribution")
	if len(dists) > 0 {
		region := b.u.EdgeRegion
		gb, req := b.p("cloudfront."+region+".gb"), b.p("cloudfront."+region+".https10k")
		t := b.traffic
		b.add("edge", "CloudFront data transfer out", t.CDNGiB*gb, true,
			"%.0f GB to viewers in %s x $%.3f (%d distributions; %.0f%% of traffic; usage pageViewsPerMonth x kbPerPageView)",
			t.CDNGiB, region, gb, len(dists), b.cdnShare*100)
		b.add("edge", "CloudFront HTTPS requests", PerUnit(t.CDNRequests, req, 1e4), true,
			"%.1f M requests x $%.4f per 10,000 (%.0f page views x %.0f requests)", t.CDNRequests/1e6, req,
			b.u.PageViewsPerMonth*b.cdnShare, b.u.RequestsPerPageView)
		b.functions(dists)
	}
	b.waf()
}

// functions prices CloudFront Functions: every viewer request of a
// distribution with a function association runs it once per association.
func (b *builder) functions(dists []*mocks.Resource) {
	assoc := 0
	for _, d := range dists {
		behaviors := append([]any{d.Inputs["defaultCacheBehavior"]}, list(d.Inputs["orderedCacheBehaviors"])...)
		if n := 0; true {
			for _, bh := range behaviors {
				if m, ok := bh.(map[string]any); ok && len(list(m["functionAssociations"])) > 0 {
					n = max(n, len(list(m["functionAssociations"])))
				}
			}
			assoc += n
		}
	}
	if assoc == 0 {
		return
	}
	perM := b.p("cloudfront.functions.million")
	invocations := b.traffic.CDNRequests * float64(assoc) / float64(len(dists))
	b.add("edge", "CloudFront Functions invocations", PerUnit(invocations, perM, 1e6), true,
		"%.1f M viewer requests run a function (%d of %d distributions) x $%.2f per million", invocations/1e6, assoc, len(dists), perM)
}

// webACL is a WAF web ACL found in the graph: natively or inside a
// CloudFormation stack's template.
type webACL struct {
	Scope string
	Rules int
}

func (b *builder) webACLs() []webACL {
	var out []webACL
	for _, a := range b.g.of("aws:wafv2/webAcl:WebAcl") {
		out = append(out, webACL{Scope: str(a.Inputs["scope"]), Rules: len(list(a.Inputs["rules"]))})
	}
	for _, s := range b.g.of("aws:cloudformation/stack:Stack") {
		body := str(s.Inputs["templateBody"])
		if body == "" || body == mocks.UnknownPlaceholder {
			b.notes = append(b.notes, fmt.Sprintf("CloudFormation stack %s: its template body is not known before deployment (or given by URL); not priced", s.Name))
			continue
		}
		acls, others, err := templateWebACLs(body)
		if err != nil {
			b.notes = append(b.notes, fmt.Sprintf("CloudFormation stack %s: %v; not priced", s.Name, err))
			continue
		}
		out = append(out, acls...)
		for _, t := range others {
			b.notes = append(b.notes, fmt.Sprintf("CloudFormation stack %s holds %s: not priced", s.Name, t))
		}
	}
	return out
}

// templateWebACLs reads a CloudFormation template (JSON or YAML) and
// returns its AWS::WAFv2::WebACL resources and the types of its other
// resources that carry a charge of their own.
func templateWebACLs(body string) ([]webACL, []string, error) {
	var tpl struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(body), &tpl); err != nil {
		return nil, nil, fmt.Errorf("template is neither JSON nor YAML: %w", err)
	}
	var acls []webACL
	var others []string
	for _, r := range tpl.Resources {
		switch {
		case r.Type == "AWS::WAFv2::WebACL":
			rules, _ := r.Properties["Rules"].([]any)
			scope, _ := r.Properties["Scope"].(string)
			acls = append(acls, webACL{Scope: scope, Rules: len(rules)})
		case strings.HasPrefix(r.Type, "AWS::WAFv2::WebACLAssociation"), r.Type == "AWS::WAFv2::IPSet",
			r.Type == "AWS::WAFv2::RegexPatternSet":
		default:
			others = append(others, r.Type)
		}
	}
	return acls, others, nil
}

func (b *builder) waf() {
	acls := b.webACLs()
	if len(acls) == 0 {
		return
	}
	rules, requests := 0, 0.0
	scopes := map[string]bool{}
	for _, a := range acls {
		rules += a.Rules
		scopes[a.Scope] = true
	}
	if scopes["CLOUDFRONT"] {
		requests += b.traffic.CDNRequests
	}
	if scopes["REGIONAL"] {
		requests += b.traffic.ALBRequests
	}
	acl, rule, req := b.p("waf.webAclMonth"), b.p("waf.ruleMonth"), b.p("waf.requestsMillion")
	usd := float64(len(acls))*acl + float64(rules)*rule + requests/1e6*req
	b.add("edge", "WAF web ACLs, rules and requests", usd, true,
		"%d web ACL(s) x $%.2f + %d rules x $%.2f + %.1f M requests x $%.2f per million (CloudFront-scope ACLs see every viewer request, regional ones the ALB's)",
		len(acls), acl, rules, rule, requests/1e6, req)
}

func (b *builder) objectStorage() {
	buckets := b.g.of("aws:s3/bucketV2:BucketV2")
	buckets = append(buckets, b.g.of("aws:s3/bucket:Bucket")...)
	if len(buckets) == 0 {
		return
	}
	st, put, get := b.p("s3.storageGBMonth"), b.p("s3.put1k"), b.p("s3.get1k")
	logGB, logPuts := b.albAccessLogs()
	b.add("object-storage", "S3 storage", (b.u.UploadsGB+logGB)*st, true,
		"%.0f GB x $%.3f: uploads %.0f GB (usage uploadsGB), ALB access logs kept %.0f GB; %d buckets",
		b.u.UploadsGB+logGB, st, b.u.UploadsGB, logGB, len(buckets))
	puts := b.u.UploadsPutsPerMonth + logPuts
	b.add("object-storage", "S3 requests", PerUnit(puts, put, 1e3)+PerUnit(b.traffic.S3Gets, get, 1e3), true,
		"%.0f PUT x $%.4f per 1,000 (uploads, access logs) + %.0f GET x $%.5f per 1,000 (upload requests not answered by a CDN)",
		puts, put, b.traffic.S3Gets, get)
}

// albAccessLogs is the access-log storage kept (GB) and PUTs a month of the
// ALBs that log to S3, kept as long as the bucket's expiration rule says
// (a year if none).
func (b *builder) albAccessLogs() (float64, float64) {
	var gb, puts float64
	for _, a := range b.net.ALBs {
		if a.LogBucket == "" {
			continue
		}
		days := 365.0
		for _, lc := range b.g.of("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2") {
			if str(lc.Inputs["bucket"]) != a.LogBucket {
				continue
			}
			for _, r := range list(lc.Inputs["rules"]) {
				if d := num(obj(obj(r)["expiration"])["days"]); d > 0 {
					days = d
				}
			}
		}
		monthly := b.traffic.ALBRequests / float64(len(b.net.ALBs)) * b.u.ALBAccessLogBytesPerReq / GiB
		gb += monthly * days / DaysPerMonth
		puts += float64(a.Nodes) * 12 * 24 * DaysPerMonth // one file per node every 5 minutes
	}
	return gb, puts
}
