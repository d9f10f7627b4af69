package components

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CloudFrontZoneID is the hosted zone of every CloudFront distribution (alias target).
const CloudFrontZoneID = "Z2FDTNDATAQYW2"

// NeverCachedPaths go to WordPress on every request with every header, cookie
// and query string: the admin, login, REST API, XML-RPC and cron endpoints.
var NeverCachedPaths = []string{"/wp-admin/*", "/wp-login.php", "/wp-json/*", "/xmlrpc.php", "/wp-cron.php"}

// StaticPathPatterns are cached long, keyed by the query string so that
// WordPress's ?ver= changes with every release.
var StaticPathPatterns = []string{"*.css", "*.js", "*.woff2", "*.woff", "*.svg", "*.png", "*.jpg", "*.webp", "*.gif", "*.ico"}

// UploadsPathPattern is served from the site's uploads bucket.
const UploadsPathPattern = "/wp-content/uploads/*"

var priceClassRe = regexp.MustCompile(`^PriceClass_(100|200|All)$`)
var webACLRe = regexp.MustCompile(`^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/[A-Za-z0-9_-]+/[0-9a-f-]+$`)

// WordPressCookieHash is COOKIEHASH for a site URL: md5 of the siteurl
// option, which wpfleet sets to the home URL ("https://" + first hostname).
func WordPressCookieHash(siteURL string) string {
	sum := md5.Sum([]byte(siteURL))
	return hex.EncodeToString(sum[:])
}

// PageCacheCookies are the cookies a cached page varies by: WordPress's
// logged-in, post-password and commenter cookies. A visitor who has one gets
// pages of their own (WordPress also marks those responses no-cache), every
// other visitor shares the cached page.
func PageCacheCookies(siteURL string) []string {
	h := WordPressCookieHash(siteURL)
	return []string{"wordpress_logged_in_" + h, "wp-postpass_" + h, "comment_author_" + h}
}

// CDNArgs configures CDN.
type CDNArgs struct {
	// Site and Environment name the distribution. Required.
	Site, Environment string
	// Tags for every resource. Required: at least the environment and site tags.
	Tags map[string]string
	// Hostnames are the distribution's aliases; the first is the home URL. Required.
	Hostnames []Hostname
	// ValidationRecordFqdns are the ACM DNS validation records of the
	// hostnames (ACM uses the same record in every region, so the ALB
	// certificate's records validate this us-east-1 certificate too). Required.
	ValidationRecordFqdns pulumi.StringArrayInput
	// AlbDnsName is the origin for pages. Required.
	AlbDnsName pulumi.StringInput
	// OriginSecret is sent as X-Origin-Verify to the ALB: the site's own
	// secret, which its listener rules require. Required.
	OriginSecret pulumi.StringInput
	// BucketRegionalDomainName is the uploads bucket's endpoint; the
	// distribution reads /wp-content/uploads/* from it through origin
	// access control (object keys equal the URL path). Required.
	BucketRegionalDomainName pulumi.StringInput
	// UsEast1 is a provider for us-east-1, where CloudFront certificates
	// live. Defaults to one created for this component.
	UsEast1 *aws.Provider
	// StaticCachePolicyId is a shared static-asset cache policy. Defaults to
	// one created for this site.
	StaticCachePolicyId pulumi.StringInput
	// PageCaching caches anonymous pages for PageTTLSeconds. Without it
	// pages always go to WordPress (uploads and static files are still
	// cached). Defaults to false.
	PageCaching bool
	// PageTTLSeconds is how long an anonymous page is cached (0-86400; 0
	// keeps pages only while they are being fetched). Defaults to 300 when
	// PageCaching is on.
	PageTTLSeconds *int
	// PriceClass is "PriceClass_100", "PriceClass_200" (includes Japan) or
	// "PriceClass_All". Defaults to "PriceClass_200".
	PriceClass string
	// WebACLArn attaches a WAF web ACL (global, us-east-1). Defaults to none.
	WebACLArn pulumi.StringInput
	// AllowedViewerCidrs, when set, lets only viewers from these IPv4 networks
	// in (a CloudFront Function answers everyone else 403): for staging.
	// Defaults to none (public).
	AllowedViewerCidrs []string
	// OriginReadTimeoutSeconds is how long CloudFront waits for the ALB
	// (1-60). Defaults to 60.
	OriginReadTimeoutSeconds int
}

func (a CDNArgs) withDefaults() CDNArgs {
	if a.PageTTLSeconds == nil {
		ttl := 300
		a.PageTTLSeconds = &ttl
	}
	if a.PriceClass == "" {
		a.PriceClass = "PriceClass_200"
	}
	if a.OriginReadTimeoutSeconds == 0 {
		a.OriginReadTimeoutSeconds = 60
	}
	return a
}

// CheckWebACLArn accepts a global (CloudFront) WAFv2 web ACL ARN.
func CheckWebACLArn(arn string) error {
	if arn == "" || webACLRe.MatchString(arn) {
		return nil
	}
	return fmt.Errorf("the ARN of a global WAFv2 web ACL (us-east-1, scope CLOUDFRONT), e.g. arn:aws:wafv2:us-east-1:123456789012:global/webacl/name/id")
}

// Validate checks the arguments (after defaults) without registering anything.
func (a CDNArgs) Validate() error {
	a = a.withDefaults()
	var c check
	k := func(f string) string { return "CDNArgs." + f }
	c.keyed(k("Site"), a.Site, CheckSiteName(a.Site))
	c.keyed(k("Environment"), a.Environment, CheckEnvironmentName(a.Environment))
	if len(a.Hostnames) == 0 {
		c.add(invalid(k("Hostnames"), nil, "at least one hostname"))
	}
	for _, h := range a.Hostnames {
		c.keyed(k("Hostnames"), h.Name, CheckHostname(h.Name))
	}
	c.required("CDNArgs.", map[string]any{"ValidationRecordFqdns": a.ValidationRecordFqdns, "AlbDnsName": a.AlbDnsName,
		"OriginSecret": a.OriginSecret, "BucketRegionalDomainName": a.BucketRegionalDomainName})
	if *a.PageTTLSeconds < 0 || *a.PageTTLSeconds > 86400 {
		c.add(invalid(k("PageTTLSeconds"), *a.PageTTLSeconds, "0 to 86400 seconds"))
	}
	if !priceClassRe.MatchString(a.PriceClass) {
		c.add(invalid(k("PriceClass"), a.PriceClass, `"PriceClass_100", "PriceClass_200" or "PriceClass_All"`))
	}
	c.keyed(k("AllowedViewerCidrs"), a.AllowedViewerCidrs, CheckViewerCidrs(a.AllowedViewerCidrs))
	if a.OriginReadTimeoutSeconds < 1 || a.OriginReadTimeoutSeconds > 60 {
		c.add(invalid(k("OriginReadTimeoutSeconds"), a.OriginReadTimeoutSeconds, "1 to 60 seconds (more needs a quota increase)"))
	}
	return c.err()
}

// maxViewerCidrs bounds the allow-list so the function stays within
// CloudFront Functions' 10 KB code limit.
const maxViewerCidrs = 100

// CheckViewerCidrs accepts up to 100 IPv4 networks in CIDR notation.
func CheckViewerCidrs(cidrs []string) error {
	if len(cidrs) > maxViewerCidrs {
		return fmt.Errorf("at most %d networks", maxViewerCidrs)
	}
	for _, cidr := range cidrs {
		if p, err := netip.ParsePrefix(cidr); err != nil || !p.Addr().Is4() || p.Masked() != p {
			return fmt.Errorf("IPv4 networks in CIDR notation such as 203.0.113.0/24 (%q is not one)", cidr)
		}
	}
	return nil
}

// CDN puts CloudFront in front of one site: anonymous pages cached for a
// short TTL with a cache key of only the cookies that change a page, the
// admin, login, API and cron never cached, static assets cached long,
// uploads straight from the site's bucket through origin access control.
type CDN struct {
	pulumi.ResourceState

	Certificate  *acm.Certificate
	Distribution *cloudfront.Distribution
	// PagePolicy is the page cache policy (nil without PageCaching).
	PagePolicy *cloudfront.CachePolicy
	// Arn, Id, DomainName and HostedZoneId identify the distribution (alias target).
	Arn          pulumi.StringOutput
	Id           pulumi.StringOutput
	DomainName   pulumi.StringOutput
	HostedZoneId pulumi.StringOutput
}

// managedPolicies are CloudFront's managed policies the CDN uses, looked up by name.
type managedPolicies struct {
	cachingDisabled, cachingOptimized, allViewer, corsS3, securityHeaders string
}

func lookupManagedPolicies(ctx *pulumi.Context) (managedPolicies, error) {
	var m managedPolicies
	for name, dst := range map[string]*string{"Managed-CachingDisabled": &m.cachingDisabled, "Managed-CachingOptimized": &m.cachingOptimized} {
		p, err := cloudfront.LookupCachePolicy(ctx, &cloudfront.LookupCachePolicyArgs{Name: pulumi.StringRef(name)})
		if err != nil {
			return m, fmt.Errorf("looking up CloudFront cache policy %s: %w", name, err)
		}
		*dst = deref(p.Id)
	}
	for name, dst := range map[string]*string{"Managed-AllViewer": &m.allViewer, "Managed-CORS-S3Origin": &m.corsS3} {
		p, err := cloudfront.LookupOriginRequestPolicy(ctx, &cloudfront.LookupOriginRequestPolicyArgs{Name: pulumi.StringRef(name)})
		if err != nil {
			return m, fmt.Errorf("looking up CloudFront origin request policy %s: %w", name, err)
		}
		*dst = deref(p.Id)
	}
	rh, err := cloudfront.LookupResponseHeadersPolicy(ctx, &cloudfront.LookupResponseHeadersPolicyArgs{Name: pulumi.StringRef("Managed-SecurityHeadersPolicy")})
	if err != nil {
		return m, fmt.Errorf("looking up CloudFront response headers policy: %w", err)
	}
	m.securityHeaders = rh.Id
	return m, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// NewStaticCachePolicy is the cache policy for static assets, keyed by the
// query string (?ver=) only: cached as long as the origin's Cache-Control
// says (min TTL 0; nginx gives a year to URLs with the platform's content
// version and ten minutes to others), a week when it says nothing.
// policyName must be unique in the account.
func NewStaticCachePolicy(ctx *pulumi.Context, name, policyName string, opts ...pulumi.ResourceOption) (*cloudfront.CachePolicy, error) {
	return cloudfront.NewCachePolicy(ctx, name, &cloudfront.CachePolicyArgs{
		Name:       pulumi.String(policyName),
		Comment:    pulumi.String("wpfleet static assets: long TTL, keyed by ?ver="),
		MinTtl:     pulumi.Int(0),
		DefaultTtl: pulumi.Int(7 * 86400),
		MaxTtl:     pulumi.Int(365 * 86400),
		ParametersInCacheKeyAndForwardedToOrigin: cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs{
			EnableAcceptEncodingGzip:   pulumi.Bool(true),
			EnableAcceptEncodingBrotli: pulumi.Bool(true),
			CookiesConfig:              cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs{CookieBehavior: pulumi.String("none")},
			HeadersConfig:              cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs{HeaderBehavior: pulumi.String("none")},
			QueryStringsConfig:         cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs{QueryStringBehavior: pulumi.String("all")},
		},
	}, opts...)
}

// NewCDN creates the site's certificate, policies, origin access control and distribution.
func NewCDN(ctx *pulumi.Context, name string, args *CDNArgs, opts ...pulumi.ResourceOption) (*CDN, error) {
	if args == nil {
		args = &CDNArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	managed, err := lookupManagedPolicies(ctx)
	if err != nil {
		return nil, err
	}
	c := &CDN{}
	if err := ctx.RegisterComponentResource(typePrefix+"CDN", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	names := NamesFor(a.Environment)

	usEast1 := a.UsEast1
	if usEast1 == nil {
		if usEast1, err = aws.NewProvider(ctx, name+"-us-east-1", &aws.ProviderArgs{Region: pulumi.String("us-east-1")}, parent); err != nil {
			return nil, err
		}
	}
	certArn, err := c.certificate(ctx, name, a, usEast1, parent)
	if err != nil {
		return nil, err
	}
	pagePolicy := pulumi.StringInput(pulumi.String(managed.cachingDisabled))
	if a.PageCaching {
		c.PagePolicy, err = newPageCachePolicy(ctx, name+"-pages", names.PageCachePolicy(a.Site), a, parent)
		if err != nil {
			return nil, err
		}
		pagePolicy = c.PagePolicy.ID()
	}
	staticPolicy := a.StaticCachePolicyId
	if staticPolicy == nil {
		p, err := NewStaticCachePolicy(ctx, name+"-static", names.StaticCachePolicy()+"-"+a.Site, parent)
		if err != nil {
			return nil, err
		}
		staticPolicy = p.ID()
	}
	oac, err := cloudfront.NewOriginAccessControl(ctx, name+"-uploads", &cloudfront.OriginAccessControlArgs{
		Name:                          pulumi.String(names.OriginAccessControl(a.Site)),
		Description:                   pulumi.String("CloudFront reads the uploads of " + a.Site),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, parent)
	if err != nil {
		return nil, err
	}
	var viewer pulumi.StringInput
	if len(a.AllowedViewerCidrs) > 0 {
		f, err := cloudfront.NewFunction(ctx, name+"-viewer", &cloudfront.FunctionArgs{
			Name:    pulumi.String(names.ViewerFunction(a.Site)),
			Runtime: pulumi.String("cloudfront-js-2.0"),
			Comment: pulumi.String("wpfleet: only allowed networks may view " + a.Site),
			Code:    pulumi.String(ViewerAllowListFunction(a.AllowedViewerCidrs)),
			Publish: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nil, err
		}
		viewer = f.Arn
	}
	distArgs := distributionArgs(a, managed, certArn, pagePolicy, staticPolicy, oac.ID(), viewer)
	c.Distribution, err = cloudfront.NewDistribution(ctx, name, distArgs, parent)
	if err != nil {
		return nil, err
	}
	c.Arn = c.Distribution.Arn
	c.Id = c.Distribution.ID().ToStringOutput()
	c.DomainName = c.Distribution.DomainName
	c.HostedZoneId = c.Distribution.HostedZoneId
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"arn":        c.Arn,
		"domainName": c.DomainName,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// certificate requests the distribution's us-east-1 certificate, validated by
// the records the regional certificate already uses.
func (c *CDN) certificate(ctx *pulumi.Context, name string, a CDNArgs, usEast1 *aws.Provider, parent pulumi.ResourceOption) (pulumi.StringOutput, error) {
	var sans pulumi.StringArray
	for _, h := range a.Hostnames[1:] {
		sans = append(sans, pulumi.String(h.Name))
	}
	var err error
	c.Certificate, err = acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName:              pulumi.String(a.Hostnames[0].Name),
		SubjectAlternativeNames: sans,
		ValidationMethod:        pulumi.String("DNS"),
		KeyAlgorithm:            pulumi.String("EC_prime256v1"),
		Tags:                    tagInput(a.Tags),
	}, parent, pulumi.Provider(usEast1))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	validated, err := acm.NewCertificateValidation(ctx, name, &acm.CertificateValidationArgs{
		CertificateArn:        c.Certificate.Arn,
		ValidationRecordFqdns: a.ValidationRecordFqdns,
	}, parent, pulumi.Provider(usEast1))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return validated.CertificateArn, nil
}

// newPageCachePolicy keys anonymous pages by URL and query string only, and
// gives logged-in users, password-protected posts and commenters pages of
// their own (WordPress marks those no-cache too).
func newPageCachePolicy(ctx *pulumi.Context, name, policyName string, a CDNArgs, parent pulumi.ResourceOption) (*cloudfront.CachePolicy, error) {
	home := "https://" + a.Hostnames[0].Name
	ttl := *a.PageTTLSeconds
	return cloudfront.NewCachePolicy(ctx, name, &cloudfront.CachePolicyArgs{
		Name:       pulumi.String(policyName),
		Comment:    pulumi.String("wpfleet pages of " + a.Site + ": anonymous pages shared, logged-in users and commenters keyed by their cookie"),
		MinTtl:     pulumi.Int(0),
		DefaultTtl: pulumi.Int(ttl),
		MaxTtl:     pulumi.Int(max(ttl, 3600)),
		ParametersInCacheKeyAndForwardedToOrigin: cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs{
			EnableAcceptEncodingGzip:   pulumi.Bool(true),
			EnableAcceptEncodingBrotli: pulumi.Bool(true),
			CookiesConfig: cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs{
				CookieBehavior: pulumi.String("whitelist"),
				Cookies: cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookiesArgs{
					Items: pulumi.ToStringArray(PageCacheCookies(home)),
				},
			},
			HeadersConfig:      cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs{HeaderBehavior: pulumi.String("none")},
			QueryStringsConfig: cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs{QueryStringBehavior: pulumi.String("all")},
		},
	}, parent)
}

// distributionArgs builds the distribution: never-cached admin paths, uploads
// from the bucket through OAC, static assets cached long, pages by pagePolicy.
func distributionArgs(a CDNArgs, managed managedPolicies, certArn pulumi.StringOutput, pagePolicy, staticPolicy, oacID, viewer pulumi.StringInput) *cloudfront.DistributionArgs {
	allMethods := pulumi.ToStringArray([]string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"})
	readMethods := pulumi.ToStringArray([]string{"GET", "HEAD", "OPTIONS"})
	cached := pulumi.ToStringArray([]string{"GET", "HEAD"})
	var functions cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArray
	var defaultFunctions cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray
	if viewer != nil {
		functions = cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArray{
			cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs{EventType: pulumi.String("viewer-request"), FunctionArn: viewer}}
		defaultFunctions = cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray{
			cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs{EventType: pulumi.String("viewer-request"), FunctionArn: viewer}}
	}
	behavior := func(path, origin string, methods pulumi.StringArray, cachePolicy, requestPolicy pulumi.StringInput, headers bool) cloudfront.DistributionOrderedCacheBehaviorArgs {
		b := cloudfront.DistributionOrderedCacheBehaviorArgs{
			PathPattern: pulumi.String(path), TargetOriginId: pulumi.String(origin), ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
			AllowedMethods: methods, CachedMethods: cached, Compress: pulumi.Bool(true),
			CachePolicyId: cachePolicy, OriginRequestPolicyId: requestPolicy, FunctionAssociations: functions,
		}
		if headers {
			b.ResponseHeadersPolicyId = pulumi.String(managed.securityHeaders)
		}
		return b
	}
	var behaviors cloudfront.DistributionOrderedCacheBehaviorArray
	for _, p := range NeverCachedPaths {
		behaviors = append(behaviors, behavior(p, "alb", allMethods, pulumi.String(managed.cachingDisabled), pulumi.String(managed.allViewer), false))
	}
	behaviors = append(behaviors, behavior(UploadsPathPattern, "uploads", readMethods, pulumi.String(managed.cachingOptimized), pulumi.String(managed.corsS3), true))
	for _, p := range StaticPathPatterns {
		behaviors = append(behaviors, behavior(p, "alb", readMethods, staticPolicy, pulumi.String(managed.allViewer), true))
	}
	var aliases pulumi.StringArray
	for _, h := range a.Hostnames {
		aliases = append(aliases, pulumi.String(h.Name))
	}
	var errorResponses cloudfront.DistributionCustomErrorResponseArray
	for _, code := range []int{500, 502, 503, 504} {
		// Never keep a server error cached: the next request tries the origin again.
		errorResponses = append(errorResponses, cloudfront.DistributionCustomErrorResponseArgs{
			ErrorCode: pulumi.Int(code), ErrorCachingMinTtl: pulumi.Int(0),
		})
	}
	d := &cloudfront.DistributionArgs{
		Enabled:       pulumi.Bool(true),
		Comment:       pulumi.String("wpfleet " + a.Environment + " " + a.Site),
		Aliases:       aliases,
		HttpVersion:   pulumi.String("http2and3"),
		IsIpv6Enabled: pulumi.Bool(true),
		PriceClass:    pulumi.String(a.PriceClass),
		Origins: cloudfront.DistributionOriginArray{
			cloudfront.DistributionOriginArgs{
				OriginId:   pulumi.String("alb"),
				DomainName: a.AlbDnsName,
				CustomOriginConfig: cloudfront.DistributionOriginCustomOriginConfigArgs{
					HttpPort: pulumi.Int(80), HttpsPort: pulumi.Int(443),
					OriginProtocolPolicy:   pulumi.String("https-only"),
					OriginSslProtocols:     pulumi.ToStringArray([]string{"TLSv1.2"}),
					OriginReadTimeout:      pulumi.Int(a.OriginReadTimeoutSeconds),
					OriginKeepaliveTimeout: pulumi.Int(5),
				},
				CustomHeaders: cloudfront.DistributionOriginCustomHeaderArray{
					cloudfront.DistributionOriginCustomHeaderArgs{Name: pulumi.String(OriginHeaderName), Value: a.OriginSecret},
				},
			},
			cloudfront.DistributionOriginArgs{
				OriginId:              pulumi.String("uploads"),
				DomainName:            a.BucketRegionalDomainName,
				OriginAccessControlId: oacID,
			},
		},
		DefaultCacheBehavior: cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId: pulumi.String("alb"), ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
			AllowedMethods: allMethods, CachedMethods: cached, Compress: pulumi.Bool(true),
			CachePolicyId: pagePolicy, OriginRequestPolicyId: pulumi.String(managed.allViewer),
			ResponseHeadersPolicyId: pulumi.String(managed.securityHeaders), FunctionAssociations: defaultFunctions,
		},
		OrderedCacheBehaviors: behaviors,
		CustomErrorResponses:  errorResponses,
		Restrictions: cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: cloudfront.DistributionRestrictionsGeoRestrictionArgs{RestrictionType: pulumi.String("none")},
		},
		ViewerCertificate: cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn:      certArn,
			SslSupportMethod:       pulumi.String("sni-only"),
			MinimumProtocolVersion: pulumi.String("TLSv1.2_2021"),
		},
		Tags: tagInput(a.Tags),
	}
	if a.WebACLArn != nil {
		d.WebAclId = a.WebACLArn
	}
	return d
}

// ViewerAllowListFunction is a CloudFront Function (cloudfront-js-2.0) that
// answers 403 to viewers outside cidrs (IPv4; IPv6 viewers are refused).
func ViewerAllowListFunction(cidrs []string) string {
	var ranges []string
	for _, c := range cidrs {
		p := netip.MustParsePrefix(c)
		b := p.Addr().As4()
		n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		ranges = append(ranges, fmt.Sprintf("[%d,%d]", n, p.Bits()))
	}
	return `// wpfleet: only viewers from the allowed networks may see this site.
var allowed = [` + strings.Join(ranges, ",") + `];
function ip4(s) {
  var p = s.split('.');
  if (p.length !== 4) { return -1; }
  var n = 0;
  for (var i = 0; i < 4; i++) {
    var x = parseInt(p[i], 10);
    if (isNaN(x) || x < 0 || x > 255) { return -1; }
    n = n * 256 + x;
  }
  return n;
}
function handler(event) {
  var ip = ip4(event.viewer.ip);
  for (var i = 0; ip >= 0 && i < allowed.length; i++) {
    var bits = allowed[i][1];
    var size = Math.pow(2, 32 - bits);
    if (Math.floor(ip / size) === Math.floor(allowed[i][0] / size)) { return event.request; }
  }
  return { statusCode: 403, statusDescription: 'Forbidden', headers: { 'cache-control': { value: 'no-store' } } };
}
`
}
