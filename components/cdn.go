package components

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// OriginHeaderName is the header CloudFront adds to every request to the ALB;
// the ALB forwards a CDN site's requests only when it carries the secret value.
const OriginHeaderName = "X-Origin-Verify"

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
	// OriginSecret is sent as X-Origin-Verify to the ALB. Required.
	OriginSecret pulumi.StringInput
	// BucketRegionalDomainName is the uploads bucket's endpoint. Required.
	BucketRegionalDomainName pulumi.StringInput
	// UsEast1 is a provider for us-east-1, where CloudFront certificates
	// live. Defaults to one created for this component.
	UsEast1 *aws.Provider
	// StaticCachePolicyId is a shared static-asset cache policy. Defaults to
	// one created for this site.
	StaticCachePolicyId pulumi.StringInput
	// PageTTLSeconds is how long an anonymous page is cached (0-86400).
	// Defaults to 300.
	PageTTLSeconds int
	// PriceClass is "PriceClass_100", "PriceClass_200" (includes Japan) or
	// "PriceClass_All". Defaults to "PriceClass_200".
	PriceClass string
	// WebACLArn attaches an existing WAF web ACL (global, us-east-1).
	// Defaults to none.
	WebACLArn string
	// OriginReadTimeoutSeconds is how long CloudFront waits for the ALB
	// (1-60). Defaults to 60.
	OriginReadTimeoutSeconds int
}

func (a CDNArgs) withDefaults() CDNArgs {
	if a.PageTTLSeconds == 0 {
		a.PageTTLSeconds = 300
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
	if a.PageTTLSeconds < 0 || a.PageTTLSeconds > 86400 {
		c.add(invalid(k("PageTTLSeconds"), a.PageTTLSeconds, "0 to 86400 seconds"))
	}
	if !priceClassRe.MatchString(a.PriceClass) {
		c.add(invalid(k("PriceClass"), a.PriceClass, `"PriceClass_100", "PriceClass_200" or "PriceClass_All"`))
	}
	c.keyed(k("WebACLArn"), a.WebACLArn, CheckWebACLArn(a.WebACLArn))
	if a.OriginReadTimeoutSeconds < 1 || a.OriginReadTimeoutSeconds > 60 {
		c.add(invalid(k("OriginReadTimeoutSeconds"), a.OriginReadTimeoutSeconds, "1 to 60 seconds (more needs a quota increase)"))
	}
	return c.err()
}

// CDN puts CloudFront in front of one site: anonymous pages cached for a
// short TTL with a cache key of only the cookies that change a page, the
// admin, login, API and cron never cached, static assets cached long,
// uploads straight from the site's bucket through origin access control.
type CDN struct {
	pulumi.ResourceState

	Certificate  *acm.Certificate
	Distribution *cloudfront.Distribution
	PagePolicy   *cloudfront.CachePolicy
	// Arn, DomainName and HostedZoneId identify the distribution (alias target).
	Arn          pulumi.StringOutput
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

// NewStaticCachePolicy is the cache policy for static assets: cached a week
// by default and up to a year, keyed by the query string (?ver=) only.
func NewStaticCachePolicy(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) (*cloudfront.CachePolicy, error) {
	return cloudfront.NewCachePolicy(ctx, name, &cloudfront.CachePolicyArgs{
		Name:       pulumi.String(name),
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
	tags := tagInput(a.Tags)
	home := "https://" + a.Hostnames[0].Name

	usEast1 := a.UsEast1
	if usEast1 == nil {
		if usEast1, err = aws.NewProvider(ctx, name+"-us-east-1", &aws.ProviderArgs{Region: pulumi.String("us-east-1")}, parent); err != nil {
			return nil, err
		}
	}
	var sans pulumi.StringArray
	for _, h := range a.Hostnames[1:] {
		sans = append(sans, pulumi.String(h.Name))
	}
	c.Certificate, err = acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName:              pulumi.String(a.Hostnames[0].Name),
		SubjectAlternativeNames: sans,
		ValidationMethod:        pulumi.String("DNS"),
		KeyAlgorithm:            pulumi.String("EC_prime256v1"),
		Tags:                    tags,
	}, parent, pulumi.Provider(usEast1))
	if err != nil {
		return nil, err
	}
	validated, err := acm.NewCertificateValidation(ctx, name, &acm.CertificateValidationArgs{
		CertificateArn:        c.Certificate.Arn,
		ValidationRecordFqdns: a.ValidationRecordFqdns,
	}, parent, pulumi.Provider(usEast1))
	if err != nil {
		return nil, err
	}

	c.PagePolicy, err = cloudfront.NewCachePolicy(ctx, name+"-pages", &cloudfront.CachePolicyArgs{
		Name:       pulumi.String(name + "-pages"),
		Comment:    pulumi.String("wpfleet pages of " + a.Site + ": anonymous pages shared, logged-in users and commenters keyed by their cookie"),
		MinTtl:     pulumi.Int(0),
		DefaultTtl: pulumi.Int(a.PageTTLSeconds),
		MaxTtl:     pulumi.Int(max(a.PageTTLSeconds, 3600)),
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
	if err != nil {
		return nil, err
	}
	staticPolicy := a.StaticCachePolicyId
	if staticPolicy == nil {
		p, err := NewStaticCachePolicy(ctx, name+"-static", parent)
		if err != nil {
			return nil, err
		}
		staticPolicy = p.ID()
	}
	oac, err := cloudfront.NewOriginAccessControl(ctx, name+"-uploads", &cloudfront.OriginAccessControlArgs{
		Name:                          pulumi.String(name + "-uploads"),
		Description:                   pulumi.String("CloudFront reads the uploads of " + a.Site),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, parent)
	if err != nil {
		return nil, err
	}

	allMethods := pulumi.ToStringArray([]string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"})
	readMethods := pulumi.ToStringArray([]string{"GET", "HEAD", "OPTIONS"})
	cached := pulumi.ToStringArray([]string{"GET", "HEAD"})
	var behaviors cloudfront.DistributionOrderedCacheBehaviorArray
	for _, p := range NeverCachedPaths {
		behaviors = append(behaviors, cloudfront.DistributionOrderedCacheBehaviorArgs{
			PathPattern: pulumi.String(p), TargetOriginId: pulumi.String("alb"), ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
			AllowedMethods: allMethods, CachedMethods: cached, Compress: pulumi.Bool(true),
			CachePolicyId: pulumi.String(managed.cachingDisabled), OriginRequestPolicyId: pulumi.String(managed.allViewer),
		})
	}
	behaviors = append(behaviors, cloudfront.DistributionOrderedCacheBehaviorArgs{
		PathPattern: pulumi.String(UploadsPathPattern), TargetOriginId: pulumi.String("uploads"), ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
		AllowedMethods: readMethods, CachedMethods: cached, Compress: pulumi.Bool(true),
		CachePolicyId: pulumi.String(managed.cachingOptimized), OriginRequestPolicyId: pulumi.String(managed.corsS3),
		ResponseHeadersPolicyId: pulumi.String(managed.securityHeaders),
	})
	for _, p := range StaticPathPatterns {
		behaviors = append(behaviors, cloudfront.DistributionOrderedCacheBehaviorArgs{
			PathPattern: pulumi.String(p), TargetOriginId: pulumi.String("alb"), ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
			AllowedMethods: readMethods, CachedMethods: cached, Compress: pulumi.Bool(true),
			CachePolicyId: staticPolicy, OriginRequestPolicyId: pulumi.String(managed.allViewer),
			ResponseHeadersPolicyId: pulumi.String(managed.securityHeaders),
		})
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
	distArgs := &cloudfront.DistributionArgs{
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
				OriginAccessControlId: oac.ID(),
			},
		},
		DefaultCacheBehavior: cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId: pulumi.String("alb"), ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
			AllowedMethods: allMethods, CachedMethods: cached, Compress: pulumi.Bool(true),
			CachePolicyId: c.PagePolicy.ID(), OriginRequestPolicyId: pulumi.String(managed.allViewer),
			ResponseHeadersPolicyId: pulumi.String(managed.securityHeaders),
		},
		OrderedCacheBehaviors: behaviors,
		CustomErrorResponses:  errorResponses,
		Restrictions: cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: cloudfront.DistributionRestrictionsGeoRestrictionArgs{RestrictionType: pulumi.String("none")},
		},
		ViewerCertificate: cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn:      validated.CertificateArn,
			SslSupportMethod:       pulumi.String("sni-only"),
			MinimumProtocolVersion: pulumi.String("TLSv1.2_2021"),
		},
		Tags: tags,
	}
	if a.WebACLArn != "" {
		distArgs.WebAclId = pulumi.String(a.WebACLArn)
	}
	c.Distribution, err = cloudfront.NewDistribution(ctx, name, distArgs, parent)
	if err != nil {
		return nil, err
	}
	c.Arn = c.Distribution.Arn
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
