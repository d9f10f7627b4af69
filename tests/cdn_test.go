package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

// Every prod site is behind its own CloudFront distribution, stg has none.
func TestCDNOnlyWhereConfigured(t *testing.T) {
	prod, stg := shippedStack(t, "prod"), shippedStack(t, "stg")
	assert.Len(t, prod.ByType("aws:cloudfront/distribution:Distribution"), len(siteNames(t, stackConfig(t, "prod").Config)))
	assert.Empty(t, stg.ByType("aws:cloudfront/distribution:Distribution"))
	assert.Empty(t, stg.ByType("pulumi:providers:aws"), "no us-east-1 provider without CloudFront")
}

func behaviors(d mocks.Resource) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, b := range d.Inputs["orderedCacheBehaviors"].([]any) {
		m := b.(map[string]any)
		out[m["pathPattern"].(string)] = m
	}
	return out
}

func TestCDNCacheRules(t *testing.T) {
	res := shippedStack(t, "prod")
	cfg := stackConfig(t, "prod").Config
	pagePolicies := map[string]mocks.Resource{}
	for _, p := range res.ByType("aws:cloudfront/cachePolicy:CachePolicy") {
		pagePolicies[p.ID] = p
	}
	for _, s := range sitesOf(t, cfg) {
		site := s["name"].(string)
		home := "https://" + s["hostnames"].([]any)[0].(string)
		comp := component(t, res, "CDN", "prod-"+site)
		d := ofType(res.Descendants(comp.URN), "aws:cloudfront/distribution:Distribution")
		require.Len(t, d, 1)
		dist := d[0]
		in := dist.Inputs
		assert.Equal(t, "http2and3", in["httpVersion"])
		assert.Equal(t, true, in["isIpv6Enabled"])
		assert.Equal(t, "TLSv1.2_2021", at(in, "viewerCertificate.minimumProtocolVersion"))
		assert.Equal(t, "sni-only", at(in, "viewerCertificate.sslSupportMethod"))
		assert.ElementsMatch(t, s["hostnames"], in["aliases"])

		// Pages: the site's own policy, keyed by WordPress's cookies for this URL only.
		def := in["defaultCacheBehavior"].(map[string]any)
		assert.Equal(t, "alb", def["targetOriginId"])
		assert.Equal(t, true, def["compress"])
		assert.Equal(t, "redirect-to-https", def["viewerProtocolPolicy"])
		page := pagePolicies[str(def["cachePolicyId"])]
		require.NotEmptyf(t, page.Name, "%s: page cache policy", site)
		hash := components.WordPressCookieHash(home)
		assert.Equal(t, "whitelist", at(page.Inputs, "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookieBehavior"))
		assert.ElementsMatch(t, []any{"wordpress_logged_in_" + hash, "wp-postpass_" + hash, "comment_author_" + hash},
			at(page.Inputs, "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookies.items"))
		assert.Equal(t, "all", at(page.Inputs, "parametersInCacheKeyAndForwardedToOrigin.queryStringsConfig.queryStringBehavior"))
		assert.EqualValues(t, 0, page.Inputs["minTtl"], "WordPress's no-cache for logged-in users is honoured")
		wantTTL := 300
		if site == "news" {
			wantTTL = 60
		}
		assert.EqualValues(t, wantTTL, page.Inputs["defaultTtl"], site)

		b := behaviors(dist)
		disabled := str(b["/wp-admin/*"]["cachePolicyId"])
		for _, p := range components.NeverCachedPaths {
			require.Containsf(t, b, p, "%s: %s", site, p)
			assert.Equal(t, disabled, b[p]["cachePolicyId"], p+" is never cached")
			assert.Equal(t, "alb", b[p]["targetOriginId"])
			assert.Len(t, b[p]["allowedMethods"], 7, p+" accepts every method")
		}
		assert.NotEqual(t, str(def["cachePolicyId"]), disabled)
		up := b[components.UploadsPathPattern]
		assert.Equal(t, "uploads", up["targetOriginId"])
		for _, p := range components.StaticPathPatterns {
			static := pagePolicies[str(b[p]["cachePolicyId"])]
			assert.Equalf(t, "prod-static", static.Name, "%s is cached with the static policy", p)
			assert.EqualValues(t, 365*86400, static.Inputs["maxTtl"])
			assert.Equal(t, "all", at(static.Inputs, "parametersInCacheKeyAndForwardedToOrigin.queryStringsConfig.queryStringBehavior"), "keyed by ?ver=")
		}
		// The never-cached paths come before every cached pattern (CloudFront takes the first match).
		var order []string
		for _, x := range in["orderedCacheBehaviors"].([]any) {
			order = append(order, x.(map[string]any)["pathPattern"].(string))
		}
		assert.Equal(t, components.NeverCachedPaths, order[:len(components.NeverCachedPaths)])

		// Origins: the ALB over TLS with the secret header, the bucket through OAC.
		var alb, uploads map[string]any
		for _, o := range in["origins"].([]any) {
			m := o.(map[string]any)
			if m["originId"] == "alb" {
				alb = m
			} else {
				uploads = m
			}
		}
		assert.Equal(t, "https-only", at(alb, "customOriginConfig.originProtocolPolicy"))
		assert.Equal(t, []any{"TLSv1.2"}, at(alb, "customOriginConfig.originSslProtocols"))
		assert.Equal(t, components.OriginHeaderName, at(alb, "customHeaders.0.name"))
		assert.Equal(t, mocks.SecretPlaceholder, at(alb, "customHeaders.0.value"), "the origin secret stays a secret")
		assert.NotEmpty(t, uploads["originAccessControlId"])
		assert.True(t, strings.HasSuffix(str(uploads["domainName"]), ".s3.ap-northeast-1.amazonaws.com"))

		// The certificate lives in us-east-1, through the explicit provider.
		certs := ofType(res.Descendants(comp.URN), "aws:acm/certificate:Certificate")
		require.Len(t, certs, 1)
		assert.Contains(t, certs[0].Options.Provider, "pulumi:providers:aws::prod-us-east-1")
		assert.Contains(t, certs[0].Outputs["arn"], "arn:aws:acm:us-east-1:", "CloudFront certificates live in us-east-1")
	}
	var provider mocks.Resource
	for _, p := range res.ByType("pulumi:providers:aws") {
		provider = p
	}
	assert.Equal(t, "us-east-1", provider.Inputs["region"])
}

// Uploads are readable by the site's own distribution, through OAC, and by
// nobody else.
func TestUploadsReadThroughOAC(t *testing.T) {
	res := shippedStack(t, "prod")
	for _, b := range res.ByType("wpfleet:components:UploadsBucket") {
		site := strings.TrimPrefix(b.Name, "prod-")
		dist := ofType(res.Descendants(component(t, res, "CDN", b.Name).URN), "aws:cloudfront/distribution:Distribution")[0]
		pol := ofType(res.Descendants(b.URN), "aws:s3/bucketPolicy:BucketPolicy")[0]
		var oac map[string]any
		for _, st := range statements(jsonInput(t, pol, "policy")) {
			if st["Effect"] == "Allow" {
				require.Nil(t, oac, "%s: one Allow statement only", site)
				oac = st
			}
		}
		require.NotNil(t, oac, site)
		assert.Equal(t, "cloudfront.amazonaws.com", at(oac, "Principal.Service"))
		assert.Equal(t, []any{"s3:GetObject"}, oac["Action"])
		assert.Equal(t, dist.Outputs["arn"], at(oac, "Condition.StringEquals.AWS:SourceArn"))
		pab := ofType(res.Descendants(b.URN), "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]
		assert.Equal(t, true, pab.Inputs["restrictPublicBuckets"], "OAC needs no public access")
	}
}

// Behind CloudFront, the ALB forwards a site's requests only with the secret
// origin header, and the site's names point at the distribution.
func TestALBLockedToCloudFront(t *testing.T) {
	res := shippedStack(t, "prod")
	for _, r := range res.ByType("aws:lb/listenerRule:ListenerRule") {
		conds := r.Inputs["conditions"].([]any)
		require.Len(t, conds, 2, r.Name)
		assert.Equal(t, components.OriginHeaderName, at(conds[1], "httpHeader.httpHeaderName"))
		assert.Equal(t, []any{mocks.SecretPlaceholder}, at(conds[1], "httpHeader.values"))
		values := len(at(conds[0], "hostHeader.values").([]any)) + 1
		assert.LessOrEqual(t, values, 5, "ALB rules take at most 5 condition values")
	}
	for _, rec := range res.ByType("aws:route53/record:Record") {
		if rec.Inputs["type"] != "A" {
			continue
		}
		assert.Equal(t, components.CloudFrontZoneID, at(rec.Inputs, "aliases.0.zoneId"), rec.Name)
		assert.True(t, strings.HasSuffix(str(at(rec.Inputs, "aliases.0.name")), ".cloudfront.net"), rec.Name)
		assert.Equal(t, false, at(rec.Inputs, "aliases.0.evaluateTargetHealth"))
	}
	stg := shippedStack(t, "stg")
	for _, r := range stg.ByType("aws:lb/listenerRule:ListenerRule") {
		assert.Len(t, r.Inputs["conditions"], 1, "no origin header without CloudFront")
	}
}

// A fleet where only some sites use CloudFront keeps the ALB open for the others.
func TestMixedCDNKeepsALBOpen(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	sites := sitesOf(t, cfg)
	sites[0]["cdn"] = true
	setSites(t, cfg, sites)
	res, _, err := runConfig("stg", cfg)
	require.NoError(t, err)
	assert.Len(t, res.ByType("aws:cloudfront/distribution:Distribution"), 1)
	var open int
	for _, r := range res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
		if r.Inputs["cidrIpv4"] == "0.0.0.0/0" {
			open++
		}
	}
	assert.Equal(t, 2, open, "80 and 443 stay open for the sites without CloudFront")
	rules := 0
	for _, r := range res.ByType("aws:lb/listenerRule:ListenerRule") {
		if len(r.Inputs["conditions"].([]any)) == 2 {
			rules++
		}
	}
	assert.Equal(t, 1, rules, "only the CDN site's rule requires the origin header")
}

// nginx behind CloudFront trusts CloudFront's origin-facing ranges besides
// the VPC, so the viewer's address survives two proxies; without CloudFront
// it trusts the VPC (the ALB) only.
func TestRealClientAddressBehindCloudFront(t *testing.T) {
	for stack, want := range map[string]string{
		"prod": "10.0.0.0/16 120.52.22.96/27 205.251.249.0/24 180.163.57.128/26",
		"stg":  "10.0.0.0/16",
	} {
		res := shippedStack(t, stack)
		for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
			for _, c := range jsonInput(t, td, "containerDefinitions").([]any) {
				if at(c, "name") != "nginx" {
					continue
				}
				for _, e := range at(c, "environment").([]any) {
					if at(e, "name") == "WPFLEET_REAL_IP_FROM" {
						assert.Equal(t, want, at(e, "value"), td.Name)
					}
				}
			}
		}
	}
}

func TestWebACLIsAttached(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "prod").Config)
	arn := "arn:aws:wafv2:us-east-1:123456789012:global/webacl/wpfleet/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	cfg["wpfleet:wafWebAclArn"] = arn
	res, _, err := runConfig("prod", cfg)
	require.NoError(t, err)
	for _, d := range res.ByType("aws:cloudfront/distribution:Distribution") {
		assert.Equal(t, arn, d.Inputs["webAclId"])
	}
	cfg["wpfleet:wafWebAclArn"] = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/x/y"
	_, rec, err := runConfig("prod", cfg)
	require.ErrorContains(t, err, "wpfleet:wafWebAclArn")
	assert.Empty(t, rec.Resources())
}

func TestWordPressCookieHash(t *testing.T) {
	// md5("https://example.com"), what WordPress computes as COOKIEHASH for that siteurl.
	assert.Equal(t, "c984d06aafbecf6bc55569f964148ea3", components.WordPressCookieHash("https://example.com"))
}
