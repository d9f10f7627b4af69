package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

func behaviors(d mocks.Resource) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, b := range d.Inputs["orderedCacheBehaviors"].([]any) {
		m := b.(map[string]any)
		out[m["pathPattern"].(string)] = m
	}
	return out
}

// siteDistribution returns a site's distribution and its CDN's resources.
func siteDistribution(t *testing.T, res *mocks.Result, stack, site string) (mocks.Resource, []mocks.Resource) {
	t.Helper()
	cdn := component(t, res, "CDN", stack+"-"+site)
	d := res.Descendants(cdn.URN)
	return onlyOne(t, d, "aws:cloudfront/distribution:Distribution", site), d
}

func TestCDNEverySite(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			provider := onlyOne(t, res.Resources, "pulumi:providers:aws", "the platform's us-east-1 provider")
			assert.Equal(t, "us-east-1", provider.Inputs["region"])
			for _, s := range args.Sites {
				dist, d := siteDistribution(t, res, stack, s.Name)
				in := dist.Inputs
				assert.Equal(t, true, in["enabled"])
				assert.Equal(t, "http2and3", in["httpVersion"])
				assert.Equal(t, true, in["isIpv6Enabled"])
				assert.Equal(t, "PriceClass_200", in["priceClass"], "includes Japan")
				assert.Equal(t, "TLSv1.2_2021", at(in, "viewerCertificate.minimumProtocolVersion"))
				assert.Equal(t, "sni-only", at(in, "viewerCertificate.sslSupportMethod"))
				aliases := make([]any, len(s.Hostnames))
				for i, h := range s.Hostnames {
					aliases[i] = h
				}
				assert.Equal(t, aliases, in["aliases"])
				// The certificate lives in us-east-1 and reuses the ALB certificate's validation records.
				cert := onlyOne(t, d, "aws:acm/certificate:Certificate", s.Name)
				assert.True(t, strings.HasPrefix(cert.Options.Provider, provider.URN+"::"), "CloudFront certificates live in us-east-1")
				assert.Contains(t, cert.Outputs["arn"], "arn:aws:acm:us-east-1:")
				val := onlyOne(t, d, "aws:acm/certificateValidation:CertificateValidation", s.Name)
				assert.Len(t, val.Inputs["validationRecordFqdns"], len(s.Hostnames))
				assert.Equal(t, val.ID, at(in, "viewerCertificate.acmCertificateArn"))
				// Origins: the ALB over TLS with the secret header, the bucket through OAC.
				var alb, uploads map[string]any
				for _, o := range in["origins"].([]any) {
					if at(o, "originId") == "alb" {
						alb = o.(map[string]any)
					} else {
						uploads = o.(map[string]any)
					}
				}
				lb := onlyOne(t, res.Resources, "aws:lb/loadBalancer:LoadBalancer", stack)
				assert.Equal(t, lb.Outputs["dnsName"], alb["domainName"])
				assert.Equal(t, "https-only", at(alb, "customOriginConfig.originProtocolPolicy"))
				assert.Equal(t, []any{"TLSv1.2"}, at(alb, "customOriginConfig.originSslProtocols"))
				assert.Equal(t, components.OriginHeaderName, at(alb, "customHeaders.0.name"))
				assert.Equal(t, mocks.SecretPlaceholder, at(alb, "customHeaders.0.value"), "the origin secret stays a secret")
				oac := onlyOne(t, d, "aws:cloudfront/originAccessControl:OriginAccessControl", s.Name)
				assert.Equal(t, oac.ID, uploads["originAccessControlId"])
				assert.Equal(t, "always", oac.Inputs["signingBehavior"])
				assert.Equal(t, "sigv4", oac.Inputs["signingProtocol"])
				assert.Equal(t, "s3", oac.Inputs["originAccessControlOriginType"])
				bucket := onlyOne(t, res.Descendants(component(t, res, "UploadsBucket", stack+"-"+s.Name).URN), "aws:s3/bucketV2:BucketV2", s.Name)
				assert.Equal(t, bucket.Outputs["bucketRegionalDomainName"], uploads["domainName"])
				// A and AAAA aliases to the distribution.
				site := component(t, res, "WordPressSite", stack+"-"+s.Name)
				for _, rec := range ofType(res.Children(site.URN), "aws:route53/record:Record") {
					assert.Equal(t, components.CloudFrontZoneID, at(rec.Inputs, "aliases.0.zoneId"), rec.Name)
					assert.Equal(t, dist.Outputs["domainName"], at(rec.Inputs, "aliases.0.name"), rec.Name)
					assert.Equal(t, false, at(rec.Inputs, "aliases.0.evaluateTargetHealth"))
				}
			}
		})
	}
}

// Pages are cached only where cdn is on (prod); the admin, login, API and
// cron never; static files always, with the platform's shared policy;
// uploads straight from the bucket.
func TestCDNCacheRules(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			policies := map[string]mocks.Resource{}
			for _, p := range res.ByType("aws:cloudfront/cachePolicy:CachePolicy") {
				policies[p.ID] = p
			}
			static, ok := res.Find("aws:cloudfront/cachePolicy:CachePolicy", stack+"-static")
			require.True(t, ok)
			assert.Equal(t, components.NamesFor(stack).StaticCachePolicy(), static.Inputs["name"])
			assert.EqualValues(t, 365*86400, static.Inputs["maxTtl"])
			assert.Equal(t, "all", at(static.Inputs, "parametersInCacheKeyAndForwardedToOrigin.queryStringsConfig.queryStringBehavior"), "keyed by ?ver=")
			assert.Equal(t, "none", at(static.Inputs, "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookieBehavior"))
			for _, s := range args.Sites {
				dist, d := siteDistribution(t, res, stack, s.Name)
				def := dist.Inputs["defaultCacheBehavior"].(map[string]any)
				b := behaviors(dist)
				disabled := str(b["/wp-admin/*"]["cachePolicyId"])
				assert.Equal(t, "alb", def["targetOriginId"])
				assert.Equal(t, true, def["compress"])
				assert.Equal(t, "redirect-to-https", def["viewerProtocolPolicy"])
				pages := ofType(d, "aws:cloudfront/cachePolicy:CachePolicy")
				if stack == "stg" {
					assert.Empty(t, pages, "stg caches no pages")
					assert.Equal(t, disabled, def["cachePolicyId"], "pages always go to WordPress")
				} else {
					require.Len(t, pages, 1)
					page := pages[0]
					assert.Equal(t, page.ID, def["cachePolicyId"])
					assert.Equal(t, components.NamesFor(stack).PageCachePolicy(s.Name), page.Inputs["name"])
					hash := components.WordPressCookieHash("https://" + s.Hostnames[0])
					assert.Equal(t, "whitelist", at(page.Inputs, "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookieBehavior"))
					assert.ElementsMatch(t, []any{"wordpress_logged_in_" + hash, "wp-postpass_" + hash, "comment_author_" + hash},
						at(page.Inputs, "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookies.items"))
					assert.EqualValues(t, 0, page.Inputs["minTtl"], "WordPress's no-cache for logged-in users is honoured")
					wantTTL := 300
					if s.Name == "news" {
						wantTTL = 60
					}
					assert.EqualValues(t, wantTTL, page.Inputs["defaultTtl"], s.Name)
				}
				for _, p := range components.NeverCachedPaths {
					require.Containsf(t, b, p, "%s: %s", s.Name, p)
					assert.Equal(t, disabled, b[p]["cachePolicyId"], p+" is never cached")
					assert.Equal(t, "alb", b[p]["targetOriginId"])
					assert.Len(t, b[p]["allowedMethods"], 7, p+" accepts every method")
				}
				assert.NotEqual(t, static.ID, disabled)
				assert.Empty(t, policies[disabled].Name, "the managed CachingDisabled policy, not one of ours")
				up := b[components.UploadsPathPattern]
				assert.Equal(t, "uploads", up["targetOriginId"])
				assert.Equal(t, []any{"GET", "HEAD", "OPTIONS"}, up["allowedMethods"], "uploads are read-only through CloudFront (OPTIONS for CORS)")
				for _, p := range components.StaticPathPatterns {
					assert.Equalf(t, static.ID, b[p]["cachePolicyId"], "%s is cached with the shared static policy", p)
				}
				var order []string
				for _, x := range dist.Inputs["orderedCacheBehaviors"].([]any) {
					order = append(order, str(at(x, "pathPattern")))
				}
				assert.Equal(t, components.NeverCachedPaths, order[:len(components.NeverCachedPaths)],
					"the never-cached paths come first (CloudFront takes the first match)")
			}
			assert.Len(t, res.ByType("aws:cloudfront/cachePolicy:CachePolicy"), map[string]int{"prod": 13, "stg": 1}[stack],
				"one shared static policy and a page policy per caching site (20 per account)")
		})
	}
}

// Uploads are readable by the site's own distribution through OAC, under
// wp-content/uploads/* only, and by nobody else.
func TestUploadsReadThroughOAC(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, s := range fleetArgs(t, stack).Sites {
				dist, _ := siteDistribution(t, res, stack, s.Name)
				ub := component(t, res, "UploadsBucket", stack+"-"+s.Name)
				d := res.Descendants(ub.URN)
				bucket := onlyOne(t, d, "aws:s3/bucketV2:BucketV2", s.Name)
				pol := onlyOne(t, d, "aws:s3/bucketPolicy:BucketPolicy", s.Name)
				var allows []map[string]any
				for _, st := range statements(jsonInput(t, pol, "policy")) {
					if st["Effect"] == "Allow" {
						allows = append(allows, st)
					}
				}
				require.Len(t, allows, 1, "%s: one Allow statement only", s.Name)
				oac := allows[0]
				assert.Equal(t, "cloudfront.amazonaws.com", at(oac, "Principal.Service"))
				assert.Equal(t, []any{"s3:GetObject"}, oac["Action"])
				assert.Equal(t, []any{str(bucket.Outputs["arn"]) + "/wp-content/uploads/*"}, oac["Resource"],
					"the key the /wp-content/uploads/* behaviour asks for, nothing else in the bucket")
				assert.Equal(t, dist.Outputs["arn"], at(oac, "Condition.StringEquals.AWS:SourceArn"), "this site's distribution only")
			}
		})
	}
}

// stg is visible only from the allowed networks: a viewer function on every
// behaviour; prod has none.
func TestViewerAllowList(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, s := range fleetArgs(t, stack).Sites {
				dist, d := siteDistribution(t, res, stack, s.Name)
				fns := ofType(d, "aws:cloudfront/function:Function")
				all := append([]any{dist.Inputs["defaultCacheBehavior"]}, dist.Inputs["orderedCacheBehaviors"].([]any)...)
				if stack == "prod" {
					assert.Empty(t, fns)
					for _, b := range all {
						assert.Nil(t, at(b, "functionAssociations"))
					}
					continue
				}
				require.Len(t, fns, 1)
				fn := fns[0]
				assert.Equal(t, components.NamesFor(stack).ViewerFunction(s.Name), fn.Inputs["name"])
				assert.Equal(t, "cloudfront-js-2.0", fn.Inputs["runtime"])
				assert.Equal(t, true, fn.Inputs["publish"])
				assert.Equal(t, components.ViewerAllowListFunction([]string{"203.0.113.0/24"}), fn.Inputs["code"])
				for _, b := range all {
					assert.Equalf(t, []any{map[string]any{"eventType": "viewer-request", "functionArn": fn.Outputs["arn"]}},
						at(b, "functionAssociations"), "%s: %v", s.Name, at(b, "pathPattern"))
				}
			}
		})
	}
}

// The allow-list function, run as CloudFront would run it (node runs the
// cloudfront-js-2.0 subset): allowed networks pass, everyone else gets 403.
func TestViewerAllowListFunctionRuns(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
			t.Fatal("node is required (Debian package nodejs in .ci/apt-packages)")
		}
		t.Skip("node is not installed (Debian package nodejs): the allow-list function is not run")
	}
	code := components.ViewerAllowListFunction([]string{"203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8"})
	cases := map[string]bool{
		"203.0.113.0": true, "203.0.113.255": true, "203.0.114.0": false, "203.0.112.255": false,
		"198.51.100.7": true, "198.51.100.8": false, "10.255.0.1": true, "11.0.0.0": false,
		"2001:db8::1": false, "": false, "999.1.1.1": false,
	}
	ips, _ := json.Marshal(keys(cases))
	script := code + `
var ips = ` + string(ips) + `;
var out = {};
for (var i = 0; i < ips.length; i++) {
  var r = handler({viewer: {ip: ips[i]}, request: {uri: "/"}});
  out[ips[i]] = r.uri === "/" ? "allowed" : String(r.statusCode);
}
console.log(JSON.stringify(out));
`
	file := filepath.Join(t.TempDir(), "fn.js")
	require.NoError(t, os.WriteFile(file, []byte(script), 0o600))
	out, err := exec.Command(node, file).CombinedOutput()
	require.NoError(t, err, string(out))
	var got map[string]string
	require.NoError(t, json.Unmarshal(out, &got))
	for ip, allowed := range cases {
		want := "403"
		if allowed {
			want = "allowed"
		}
		assert.Equalf(t, want, got[ip], "viewer %q", ip)
	}
}

// prod's distributions are behind the stack's web ACL: a CloudFormation
// stack in us-east-1 with the managed rule groups, login rate limits and
// logging; stg has none.
func TestWebFirewall(t *testing.T) {
	prod := shippedStack(t, "prod")
	fw := onlyOne(t, prod.Resources, "aws:cloudformation/stack:Stack", "the WAF stack")
	provider := onlyOne(t, prod.Resources, "pulumi:providers:aws", "us-east-1")
	assert.True(t, strings.HasPrefix(fw.Options.Provider, provider.URN+"::"), "CloudFront-scope web ACLs live in us-east-1")
	assert.Equal(t, "wpfleet-prod-waf", fw.Inputs["name"])
	for _, d := range prod.ByType("aws:cloudfront/distribution:Distribution") {
		assert.Contains(t, d.PropertyDependencies["webAclId"], fw.URN, "%s: the web ACL is the WAF stack's output", d.Name)
	}
	tmpl := jsonInput(t, fw, "templateBody")
	acl := at(tmpl, "Resources.WebACL")
	assert.Equal(t, "AWS::WAFv2::WebACL", at(acl, "Type"))
	assert.Equal(t, "CLOUDFRONT", at(acl, "Properties.Scope"))
	assert.NotNil(t, at(acl, "Properties.DefaultAction.Allow"))
	var groups []string
	var rates []map[string]any
	priorities := map[any]bool{}
	for _, r := range at(acl, "Properties.Rules").([]any) {
		assert.False(t, priorities[at(r, "Priority")], "rule priorities are unique")
		priorities[at(r, "Priority")] = true
		if g := at(r, "Statement.ManagedRuleGroupStatement.Name"); g != nil {
			groups = append(groups, str(g))
			assert.Equal(t, "AWS", at(r, "Statement.ManagedRuleGroupStatement.VendorName"))
		}
		if rb := at(r, "Statement.RateBasedStatement"); rb != nil {
			rates = append(rates, rb.(map[string]any))
			assert.NotNil(t, at(r, "Action.Block"))
		}
	}
	assert.Equal(t, []string{"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
		"AWSManagedRulesPHPRuleSet", "AWSManagedRulesWordPressRuleSet"}, groups)
	require.Len(t, rates, 2)
	var paths []any
	for _, rb := range rates {
		assert.EqualValues(t, 100, rb["Limit"])
		assert.Equal(t, "IP", rb["AggregateKeyType"])
		paths = append(paths, at(rb, "ScopeDownStatement.ByteMatchStatement.SearchString"))
	}
	assert.ElementsMatch(t, []any{"/wp-login.php", "/xmlrpc.php"}, paths)
	logs := at(tmpl, "Resources.LogGroup.Properties")
	assert.True(t, strings.HasPrefix(str(at(logs, "LogGroupName")), "aws-waf-logs-"), "WAF logs only to aws-waf-logs-* groups")
	assert.EqualValues(t, 90, at(logs, "RetentionInDays"))
	assert.Equal(t, "AWS::WAFv2::LoggingConfiguration", at(tmpl, "Resources.Logging.Type"))
	assert.Equal(t, []any{"WebACL", "Arn"}, at(tmpl, "Outputs.WebACLArn.Value.Fn::GetAtt"))

	stg := shippedStack(t, "stg")
	assert.Empty(t, stg.ByType("aws:cloudformation/stack:Stack"))
	assert.Empty(t, stg.ByType("wpfleet:components:WebFirewall"))
	for _, d := range stg.ByType("aws:cloudfront/distribution:Distribution") {
		assert.Nil(t, d.Inputs["webAclId"], d.Name)
	}
}

// An existing web ACL replaces the stack's own on every distribution.
func TestExistingWebACL(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "prod").Config)
	arn := "arn:aws:wafv2:us-east-1:123456789012:global/webacl/wpfleet/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	cfg["wpfleet:wafWebAclArn"] = arn
	res, _, err := runConfig("prod", cfg)
	require.NoError(t, err)
	assert.Empty(t, res.ByType("aws:cloudformation/stack:Stack"), "no web ACL of the stack's own")
	for _, d := range res.ByType("aws:cloudfront/distribution:Distribution") {
		assert.Equal(t, arn, d.Inputs["webAclId"])
	}
	cfg["wpfleet:wafWebAclArn"] = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/x/y"
	_, rec, err := runConfig("prod", cfg)
	require.ErrorContains(t, err, `wpfleet:wafWebAclArn: "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/x/y" is not valid; the ARN of a global WAFv2 web ACL`)
	assert.Empty(t, rec.Resources())
}

func TestWordPressCookieHash(t *testing.T) {
	// md5("https://example.com"), what WordPress computes as COOKIEHASH for that siteurl.
	assert.Equal(t, "c984d06aafbecf6bc55569f964148ea3", components.WordPressCookieHash("https://example.com"))
}
