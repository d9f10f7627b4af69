package components

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DefaultSSLPolicy negotiates TLS 1.3 and TLS 1.2 with forward-secret ciphers only.
const DefaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// DefaultMaxNamesPerCertificate is ACM's default quota of domain names per
// certificate.
const DefaultMaxNamesPerCertificate = 10

// Hostname is a DNS name served by the fleet and the Route 53 hosted zone it
// belongs to.
type Hostname struct {
	Name   string
	ZoneId string
}

// SiteHostnames are one site's hostnames; a site's names always share a
// certificate.
type SiteHostnames struct {
	Site      string
	Hostnames []Hostname
}

// LoadBalancerArgs configures LoadBalancer.
type LoadBalancerArgs struct {
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// Account is where the ALB lives (its region picks the log delivery
	// principal). Defaults to looking it up.
	Account *Account
	// VpcId is the VPC. Required.
	VpcId pulumi.StringInput
	// VpcCidr bounds the ALB's egress: it only talks to targets in the VPC. Required.
	VpcCidr pulumi.StringInput
	// PublicSubnetIds are at least two public subnets in different AZs. Required.
	PublicSubnetIds pulumi.StringArrayInput
	// Sites are the hostnames the HTTPS listener's certificates cover,
	// grouped by site (a site's names share a certificate). A site whose
	// names are not here attaches a certificate of its own. Required unless
	// DefaultCertificateArn is set.
	Sites []SiteHostnames
	// DefaultCertificateArn is the HTTPS listener's default certificate when
	// Sites is empty. Defaults to the first certificate made for Sites.
	DefaultCertificateArn string
	// TargetPort is the port targets listen on. Defaults to 8080.
	TargetPort int
	// SSLPolicy is the HTTPS listener's security policy; it must refuse
	// anything older than TLS 1.2. Defaults to DefaultSSLPolicy.
	SSLPolicy string
	// MaxNamesPerCertificate is how many hostnames go in one ACM certificate
	// (ACM's quota, 10 unless raised). Defaults to 10.
	MaxNamesPerCertificate int
	// DeletionProtection stops the ALB from being deleted. Defaults to true.
	DeletionProtection *bool
	// IdleTimeoutSeconds is the connection idle timeout. Defaults to 60.
	IdleTimeoutSeconds int
	// AllowedCidrs may reach the HTTPS listener directly besides CloudFront's
	// origin-facing addresses (the AWS-managed prefix list, always admitted).
	// Every site rule still requires its secret origin header. Defaults to none.
	AllowedCidrs []string
	// AccessLogs writes the ALB's access logs to a private, encrypted bucket
	// made for them (FSBP ELB.5). Defaults to true.
	AccessLogs *bool
	// AccessLogDays keeps access logs this many days (1-3650). Defaults to 90.
	AccessLogDays int
	// ForceDestroyLogs lets `pulumi destroy` delete the log bucket with its
	// logs. Defaults to false.
	ForceDestroyLogs bool
}

// CloudFrontPrefixList is the AWS-managed prefix list of CloudFront's
// origin-facing addresses.
const CloudFrontPrefixList = "com.amazonaws.global.cloudfront.origin-facing"

func (a LoadBalancerArgs) withDefaults() LoadBalancerArgs {
	if a.TargetPort == 0 {
		a.TargetPort = 8080
	}
	if a.SSLPolicy == "" {
		a.SSLPolicy = DefaultSSLPolicy
	}
	if a.MaxNamesPerCertificate == 0 {
		a.MaxNamesPerCertificate = DefaultMaxNamesPerCertificate
	}
	if a.IdleTimeoutSeconds == 0 {
		a.IdleTimeoutSeconds = 60
	}
	a.DeletionProtection = boolOr(a.DeletionProtection, true)
	a.AccessLogs = boolOr(a.AccessLogs, true)
	if a.AccessLogDays == 0 {
		a.AccessLogDays = 90
	}
	return a
}

// Validate checks the arguments (after defaults) without registering anything.
func (a LoadBalancerArgs) Validate() error {
	a = a.withDefaults()
	var c check
	c.required("LoadBalancerArgs.", map[string]any{"VpcId": a.VpcId, "VpcCidr": a.VpcCidr, "PublicSubnetIds": a.PublicSubnetIds})
	c.keyed("LoadBalancerArgs.SSLPolicy", a.SSLPolicy, CheckSSLPolicy(a.SSLPolicy))
	if a.MaxNamesPerCertificate < 1 || a.MaxNamesPerCertificate > 100 {
		c.add(invalid("LoadBalancerArgs.MaxNamesPerCertificate", a.MaxNamesPerCertificate, "1 to 100 (ACM's hard limit)"))
	}
	if a.TargetPort < 1 || a.TargetPort > 65535 {
		c.add(invalid("LoadBalancerArgs.TargetPort", a.TargetPort, "a TCP port 1-65535"))
	}
	if a.IdleTimeoutSeconds < 1 || a.IdleTimeoutSeconds > 4000 {
		c.add(invalid("LoadBalancerArgs.IdleTimeoutSeconds", a.IdleTimeoutSeconds, "1 to 4000 seconds"))
	}
	if a.AccessLogDays < 1 || a.AccessLogDays > 3650 {
		c.add(invalid("LoadBalancerArgs.AccessLogDays", a.AccessLogDays, "1 to 3650 days"))
	}
	for _, cidr := range a.AllowedCidrs {
		if p, err := netip.ParsePrefix(cidr); err != nil || !p.Addr().Is4() || p.Masked() != p {
			c.add(invalid("LoadBalancerArgs.AllowedCidrs", cidr, "IPv4 networks in CIDR notation such as 203.0.113.0/24"))
		}
	}
	// The CloudFront prefix list counts as its maximum size (55) against the
	// 60 inbound rules of a security group (VPC quotas).
	if len(a.AllowedCidrs) > 60-cloudFrontPrefixListWeight {
		c.add(invalid("LoadBalancerArgs.AllowedCidrs", len(a.AllowedCidrs), "at most %d (CloudFront's prefix list counts as %d of a security group's 60 inbound rules)",
			60-cloudFrontPrefixListWeight, cloudFrontPrefixListWeight))
	}
	if len(a.Sites) == 0 && a.DefaultCertificateArn == "" {
		c.add(invalid("LoadBalancerArgs.Sites", nil, "at least one site with a hostname, or a DefaultCertificateArn"))
	}
	if a.DefaultCertificateArn != "" && !certificateArnRe.MatchString(a.DefaultCertificateArn) {
		c.add(invalid("LoadBalancerArgs.DefaultCertificateArn", a.DefaultCertificateArn, "an ACM certificate ARN"))
	}
	seen := map[string]string{}
	for _, s := range a.Sites {
		c.add(checkSiteHostnames("LoadBalancerArgs.Sites["+s.Site+"]", s.Hostnames, a.MaxNamesPerCertificate))
		for _, h := range s.Hostnames {
			if other, dup := seen[h.Name]; dup {
				c.add(invalid("LoadBalancerArgs.Sites["+s.Site+"].Hostnames", h.Name, "a hostname belongs to one site; it is already used by %s", other))
			}
			seen[h.Name] = s.Site
		}
	}
	if n := len(PackCertificates(a.Sites, a.MaxNamesPerCertificate)); n > MaxCertificatesPerListener+1 {
		c.add(invalid("LoadBalancerArgs.Sites", n, "at most %d certificates on one HTTPS listener (ELB quota: %d besides the default)", MaxCertificatesPerListener+1, MaxCertificatesPerListener))
	}
	return c.err()
}

// MaxCertificatesPerListener is ELB's default quota of certificates per
// listener, not counting the default certificate (ELB quotas, "Certificates
// per Application Load Balancer").
const MaxCertificatesPerListener = 25

// cloudFrontPrefixListWeight is the maximum size of CloudFront's
// origin-facing prefix list, which is what a rule referencing it counts for.
const cloudFrontPrefixListWeight = 55

var certificateArnRe = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$`)

// checkSiteHostnames checks one site's hostnames: at least one, each a DNS
// name in a zone, at most max of them (they share a certificate).
func checkSiteHostnames(key string, hosts []Hostname, max int) error {
	var c check
	if len(hosts) == 0 {
		c.add(invalid(key+".Hostnames", nil, "at least one hostname"))
	}
	if len(hosts) > max {
		c.add(invalid(key+".Hostnames", len(hosts), "at most %d hostnames per site (they share one certificate)", max))
	}
	for _, h := range hosts {
		c.keyed(key+".Hostnames", h.Name, CheckHostname(h.Name))
		if !validZoneID(h.ZoneId) {
			c.add(invalid(key+".Hostnames["+h.Name+"].ZoneId", h.ZoneId, "the Route 53 hosted zone ID that holds the name, such as Z0123456789ABCDEFGHIJ"))
		}
	}
	return c.err()
}

// PackCertificates groups hostnames into certificates of at most max names,
// keeping each site's names together and the sites in order, so that adding a
// site at the end never touches existing certificates.
func PackCertificates(sites []SiteHostnames, max int) [][]Hostname {
	var certs [][]Hostname
	var cur []Hostname
	for _, s := range sites {
		if len(cur)+len(s.Hostnames) > max && len(cur) > 0 {
			certs = append(certs, cur)
			cur = nil
		}
		cur = append(cur, s.Hostnames...)
	}
	if len(cur) > 0 {
		certs = append(certs, cur)
	}
	return certs
}

// LoadBalancer is the environment's internet-facing ALB: HTTPS only, from
// CloudFront's origin-facing addresses (and AllowedCidrs), with
// DNS-validated ACM certificates for the sites' hostnames, invalid header
// fields dropped and access logs kept. Requests no site rule matches (such as
// those without a site's secret origin header) get a fixed 403. Sites add
// their listener rules into their pool's target group.
type LoadBalancer struct {
	pulumi.ResourceState

	SecurityGroup *ec2.SecurityGroup
	Alb           *lb.LoadBalancer
	HttpsListener *lb.Listener
	Certificates  []*acm.Certificate
	// LogBucket holds the access logs (nil without AccessLogs).
	LogBucket *s3.BucketV2

	// Arn, ArnSuffix, DnsName and ZoneId identify the ALB (ArnSuffix is the
	// CloudWatch dimension, ZoneId the alias target zone).
	Arn       pulumi.StringOutput
	ArnSuffix pulumi.StringOutput
	DnsName   pulumi.StringOutput
	ZoneId    pulumi.StringOutput
	// SecurityGroupId is the ALB's security group (targets admit it).
	SecurityGroupId pulumi.StringOutput
	// HttpsListenerArn is where sites add their host-header rules.
	HttpsListenerArn pulumi.StringOutput
	// ValidationFqdns maps each hostname to its ACM DNS validation record,
	// which certificates for the same name in other regions reuse.
	ValidationFqdns map[string]pulumi.StringOutput
}

// Covers reports whether the listener's certificates cover hostname h.
func (l *LoadBalancer) Covers(h string) bool {
	_, ok := l.ValidationFqdns[h]
	return ok
}

// NewLoadBalancer creates the ALB, its security group, certificates, listener
// and log bucket.
func NewLoadBalancer(ctx *pulumi.Context, name string, args *LoadBalancerArgs, opts ...pulumi.ResourceOption) (*LoadBalancer, error) {
	if args == nil {
		args = &LoadBalancerArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	pl, err := ec2.LookupManagedPrefixList(ctx, &ec2.LookupManagedPrefixListArgs{Name: pulumi.StringRef(CloudFrontPrefixList)})
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", CloudFrontPrefixList, err)
	}
	l := &LoadBalancer{ValidationFqdns: map[string]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource(typePrefix+"LoadBalancer", name, l, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(l)
	tags := tagInput(a.Tags)

	if err := l.securityGroup(ctx, name, a, pl.Id, parent); err != nil {
		return nil, err
	}
	albArgs := &lb.LoadBalancerArgs{
		LoadBalancerType:         pulumi.String("application"),
		Internal:                 pulumi.Bool(false),
		SecurityGroups:           pulumi.StringArray{l.SecurityGroup.ID()},
		Subnets:                  a.PublicSubnetIds,
		DropInvalidHeaderFields:  pulumi.Bool(true),
		DesyncMitigationMode:     pulumi.String("defensive"),
		EnableDeletionProtection: pulumi.Bool(*a.DeletionProtection),
		EnableHttp2:              pulumi.Bool(true),
		IdleTimeout:              pulumi.Int(a.IdleTimeoutSeconds),
		Tags:                     tags,
	}
	var albOpts []pulumi.ResourceOption
	if *a.AccessLogs {
		logPolicy, err := l.logBucket(ctx, name, a, acct, parent)
		if err != nil {
			return nil, err
		}
		albArgs.AccessLogs = lb.LoadBalancerAccessLogsArgs{Bucket: l.LogBucket.ID(), Prefix: pulumi.String("alb"), Enabled: pulumi.Bool(true)}
		// ELB checks that it may write to the bucket when logging is turned on.
		albOpts = append(albOpts, pulumi.DependsOn([]pulumi.Resource{logPolicy}))
	}
	l.Alb, err = lb.NewLoadBalancer(ctx, name, albArgs, append(albOpts, parent)...)
	if err != nil {
		return nil, err
	}

	defaultCert := pulumi.StringInput(pulumi.String(a.DefaultCertificateArn))
	var validated []pulumi.StringOutput
	for i, names := range PackCertificates(a.Sites, a.MaxNamesPerCertificate) {
		arn, err := l.certificate(ctx, fmt.Sprintf("%s-%d", name, i+1), names, tags, parent)
		if err != nil {
			return nil, err
		}
		validated = append(validated, arn)
	}
	if a.DefaultCertificateArn == "" {
		defaultCert, validated = validated[0], validated[1:]
	}
	l.HttpsListener, err = lb.NewListener(ctx, name+"-https", &lb.ListenerArgs{
		LoadBalancerArn: l.Alb.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(a.SSLPolicy),
		CertificateArn:  defaultCert,
		DefaultActions: lb.ListenerDefaultActionArray{
			lb.ListenerDefaultActionArgs{
				Type: pulumi.String("fixed-response"),
				FixedResponse: lb.ListenerDefaultActionFixedResponseArgs{
					ContentType: pulumi.String("text/plain"),
					MessageBody: pulumi.String("Forbidden.\n"),
					StatusCode:  pulumi.String("403"),
				},
			},
		},
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	for i, arn := range validated {
		if _, err = lb.NewListenerCertificate(ctx, fmt.Sprintf("%s-%d", name, i+2), &lb.ListenerCertificateArgs{
			ListenerArn:    l.HttpsListener.Arn,
			CertificateArn: arn,
		}, parent); err != nil {
			return nil, err
		}
	}

	l.Arn = l.Alb.Arn
	l.ArnSuffix = l.Alb.ArnSuffix
	l.DnsName = l.Alb.DnsName
	l.ZoneId = l.Alb.ZoneId
	l.SecurityGroupId = l.SecurityGroup.ID().ToStringOutput()
	l.HttpsListenerArn = l.HttpsListener.Arn
	if err := ctx.RegisterResourceOutputs(l, pulumi.Map{
		"arn":              l.Arn,
		"dnsName":          l.DnsName,
		"zoneId":           l.ZoneId,
		"securityGroupId":  l.SecurityGroupId,
		"httpsListenerArn": l.HttpsListenerArn,
	}); err != nil {
		return nil, err
	}
	return l, nil
}

// securityGroup admits HTTPS from CloudFront's origin-facing addresses (and
// AllowedCidrs) and lets the ALB reach targets in the VPC only.
func (l *LoadBalancer) securityGroup(ctx *pulumi.Context, name string, a LoadBalancerArgs, prefixListID string, parent pulumi.ResourceOption) error {
	tags := tagInput(a.Tags)
	var err error
	l.SecurityGroup, err = ec2.NewSecurityGroup(ctx, name+"-alb", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet ALB: HTTPS from CloudFront only, to targets in the VPC"),
		VpcId:       a.VpcId,
		Tags:        tags,
	}, parent)
	if err != nil {
		return err
	}
	in := func(rule string, desc string, cidr, prefixList pulumi.StringPtrInput) error {
		_, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-alb-in-"+rule, &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId: l.SecurityGroup.ID(), Description: pulumi.String(desc),
			IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrIpv4: cidr, PrefixListId: prefixList, Tags: tags,
		}, parent)
		return err
	}
	if err := in("cloudfront", "HTTPS from CloudFront origin-facing addresses", nil, pulumi.String(prefixListID)); err != nil {
		return err
	}
	for i, cidr := range a.AllowedCidrs {
		if err := in(strconv.Itoa(i+1), "HTTPS from an allowed network", pulumi.String(cidr), nil); err != nil {
			return err
		}
	}
	_, err = vpc.NewSecurityGroupEgressRule(ctx, name+"-alb-out-targets", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: l.SecurityGroup.ID(),
		Description:     pulumi.String("to targets in the VPC"),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(a.TargetPort),
		ToPort:          pulumi.Int(a.TargetPort),
		CidrIpv4:        a.VpcCidr,
		Tags:            tags,
	}, parent)
	return err
}

// certificate requests one ACM certificate for names, validated through DNS
// in each name's zone, and returns its ARN once validated.
func (l *LoadBalancer) certificate(ctx *pulumi.Context, name string, names []Hostname, tags pulumi.StringMap, parent pulumi.ResourceOption) (pulumi.StringOutput, error) {
	sans := make(pulumi.StringArray, 0, len(names)-1)
	for _, h := range names[1:] {
		sans = append(sans, pulumi.String(h.Name))
	}
	cert, err := acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName:              pulumi.String(names[0].Name),
		SubjectAlternativeNames: sans,
		ValidationMethod:        pulumi.String("DNS"),
		KeyAlgorithm:            pulumi.String("EC_prime256v1"),
		Tags:                    tags,
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	l.Certificates = append(l.Certificates, cert)
	var fqdns pulumi.StringArray
	for _, h := range names {
		rec, err := ValidationRecord(ctx, name+"-validation-"+h.Name, cert, h, parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		fqdns = append(fqdns, rec.Fqdn)
		l.ValidationFqdns[h.Name] = rec.Fqdn
	}
	v, err := acm.NewCertificateValidation(ctx, name, &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: fqdns,
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return v.CertificateArn, nil
}

// elbLogAccounts are the Elastic Load Balancing accounts that deliver access
// logs in the regions available before August 2022; newer regions deliver as
// the service principal logdelivery.elasticloadbalancing.amazonaws.com.
// Source: Elastic Load Balancing, "Enable access logs for your Application
// Load Balancer", step 2 (bucket policy).
var elbLogAccounts = map[string]string{
	"us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
	"af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-southeast-3": "589379963580", "ap-south-1": "718504428378",
	"ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450",
	"ap-southeast-2": "783225319266", "ap-northeast-1": "582318560864", "ca-central-1": "985666609251",
	"eu-central-1": "054676820928", "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
	"eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225", "sa-east-1": "507241528517",
}

// ELBLogDeliveryPrincipal is who writes ALB access logs in region.
func ELBLogDeliveryPrincipal(partition, region string) map[string]any {
	if id, ok := elbLogAccounts[region]; ok {
		return map[string]any{"AWS": "arn:" + partition + ":iam::" + id + ":root"}
	}
	return map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
}

// logBucket creates the private, encrypted (SSE-S3: the only encryption ALB
// log delivery supports), lifecycle-managed access log bucket and its policy.
func (l *LoadBalancer) logBucket(ctx *pulumi.Context, name string, a LoadBalancerArgs, acct Account, parent pulumi.ResourceOption) (*s3.BucketPolicy, error) {
	bucket, policy, err := newPrivateBucketWith(ctx, name+"-logs", a.Tags, a.ForceDestroyLogs, func(arn string) []PolicyStatement {
		return []PolicyStatement{{
			Sid: "ElbWritesAccessLogs", Effect: "Allow", Principal: ELBLogDeliveryPrincipal(acct.Partition, acct.Region),
			Action: []string{"s3:PutObject"}, Resource: []string{arn + "/alb/AWSLogs/" + acct.ID + "/*"},
		}}
	}, parent)
	if err != nil {
		return nil, err
	}
	l.LogBucket = bucket
	if _, err = s3.NewBucketLifecycleConfigurationV2(ctx, name+"-logs", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: l.LogBucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id: pulumi.String("expire-access-logs"), Status: pulumi.String("Enabled"),
			Filter:     s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.AccessLogDays)},
		}},
	}, parent); err != nil {
		return nil, err
	}
	return policy, nil
}

// ValidationRecord creates the DNS record that proves control of one of
// cert's names to ACM.
func ValidationRecord(ctx *pulumi.Context, name string, cert *acm.Certificate, h Hostname, opts ...pulumi.ResourceOption) (*route53.Record, error) {
	opt := cert.DomainValidationOptions.ApplyT(func(all []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
		for _, o := range all {
			if o.DomainName != nil && *o.DomainName == h.Name {
				return o, nil
			}
		}
		return acm.CertificateDomainValidationOption{}, fmt.Errorf("ACM returned no validation option for %s", h.Name)
	}).(acm.CertificateDomainValidationOptionOutput)
	return route53.NewRecord(ctx, name, &route53.RecordArgs{
		ZoneId:         pulumi.String(h.ZoneId),
		Name:           opt.ResourceRecordName().Elem(),
		Type:           opt.ResourceRecordType().Elem(),
		Records:        pulumi.StringArray{opt.ResourceRecordValue().Elem()},
		Ttl:            pulumi.Int(300),
		AllowOverwrite: pulumi.Bool(true),
	}, opts...)
}
