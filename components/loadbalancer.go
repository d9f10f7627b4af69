package components

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DefaultSSLPolicy negotiates TLS 1.3 and TLS 1.2 with forward-secret ciphers only.
const DefaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// DefaultMaxNamesPerCertificate is ACM's default quota of domain names per
// certificate.
const DefaultMaxNamesPerCertificate = 10

var tls12PolicyRe = regexp.MustCompile(`^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-[A-Za-z0-9-]+$`)

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
	// VpcId is the VPC. Required.
	VpcId pulumi.StringInput
	// VpcCidr bounds the ALB's egress: it only talks to targets in the VPC. Required.
	VpcCidr pulumi.StringInput
	// PublicSubnetIds are at least two public subnets in different AZs. Required.
	PublicSubnetIds pulumi.StringArrayInput
	// Sites are the hostnames the HTTPS listener's certificates must cover,
	// grouped by site. Required: at least one site with one hostname.
	Sites []SiteHostnames
	// TargetPort is the port targets listen on. Defaults to 8080.
	TargetPort int
	// SSLPolicy is the HTTPS listener's security policy; it must refuse
	// anything older than TLS 1.2. Defaults to DefaultSSLPolicy.
	SSLPolicy string
	// MaxNamesPerCertificate is how many hostnames go in one ACM certificate
	// (ACM's quota, 10 unless raised). Defaults to 10.
	MaxNamesPerCertificate int
	// DeletionProtection stops the ALB from being deleted. Defaults to false.
	DeletionProtection bool
	// IdleTimeoutSeconds is the connection idle timeout. Defaults to 60.
	IdleTimeoutSeconds int
	// CloudFrontOnly admits HTTPS only from CloudFront's origin-facing
	// addresses (the AWS-managed prefix list), drops the port-80 listener and
	// answers requests no site rule matches (such as those without the secret
	// origin header) with a fixed 403. Use it when every site is behind CDN.
	// Defaults to false (open to the internet on 80 and 443).
	CloudFrontOnly bool
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
	return a
}

// Validate checks the arguments (after defaults) without registering anything.
func (a LoadBalancerArgs) Validate() error {
	a = a.withDefaults()
	var c check
	if a.VpcId == nil {
		c.add(invalid("LoadBalancerArgs.VpcId", nil, "the VPC ID is required"))
	}
	if a.VpcCidr == nil {
		c.add(invalid("LoadBalancerArgs.VpcCidr", nil, "the VPC CIDR is required"))
	}
	if a.PublicSubnetIds == nil {
		c.add(invalid("LoadBalancerArgs.PublicSubnetIds", nil, "at least two public subnets are required"))
	}
	if !tls12PolicyRe.MatchString(a.SSLPolicy) {
		c.add(invalid("LoadBalancerArgs.SSLPolicy", a.SSLPolicy,
			"an ELB security policy allowing only TLS 1.2 and later, e.g. %s", DefaultSSLPolicy))
	}
	if a.MaxNamesPerCertificate < 1 || a.MaxNamesPerCertificate > 100 {
		c.add(invalid("LoadBalancerArgs.MaxNamesPerCertificate", a.MaxNamesPerCertificate, "1 to 100 (ACM's hard limit)"))
	}
	if a.TargetPort < 1 || a.TargetPort > 65535 {
		c.add(invalid("LoadBalancerArgs.TargetPort", a.TargetPort, "a TCP port 1-65535"))
	}
	if a.IdleTimeoutSeconds < 1 || a.IdleTimeoutSeconds > 4000 {
		c.add(invalid("LoadBalancerArgs.IdleTimeoutSeconds", a.IdleTimeoutSeconds, "1 to 4000 seconds"))
	}
	if len(a.Sites) == 0 {
		c.add(invalid("LoadBalancerArgs.Sites", nil, "at least one site with a hostname"))
	}
	seen := map[string]string{}
	for _, s := range a.Sites {
		if len(s.Hostnames) == 0 {
			c.add(invalid("LoadBalancerArgs.Sites["+s.Site+"].Hostnames", nil, "at least one hostname"))
		}
		if len(s.Hostnames) > a.MaxNamesPerCertificate {
			c.add(invalid("LoadBalancerArgs.Sites["+s.Site+"].Hostnames", len(s.Hostnames),
				"at most MaxNamesPerCertificate (%d) hostnames per site", a.MaxNamesPerCertificate))
		}
		for _, h := range s.Hostnames {
			c.keyed("LoadBalancerArgs.Sites["+s.Site+"].Hostnames", h.Name, CheckHostname(h.Name))
			if h.ZoneId == "" {
				c.add(invalid("LoadBalancerArgs.Sites["+s.Site+"].Hostnames["+h.Name+"].ZoneId", "", "the Route 53 zone ID that holds the name"))
			}
			if other, dup := seen[h.Name]; dup {
				c.add(invalid("LoadBalancerArgs.Sites["+s.Site+"].Hostnames", h.Name, "a hostname belongs to one site; it is already used by %s", other))
			}
			seen[h.Name] = s.Site
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

// LoadBalancer is the environment's internet-facing ALB: HTTPS with DNS-validated
// ACM certificates for every site hostname, HTTP redirected to HTTPS, invalid
// header fields dropped. Sites add their own target groups and listener rules.
type LoadBalancer struct {
	pulumi.ResourceState

	SecurityGroup *ec2.SecurityGroup
	Alb           *lb.LoadBalancer
	HttpsListener *lb.Listener
	HttpListener  *lb.Listener // nil with CloudFrontOnly
	Certificates  []*acm.Certificate

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

// NewLoadBalancer creates the ALB, its security group, certificates and listeners.
func NewLoadBalancer(ctx *pulumi.Context, name string, args *LoadBalancerArgs, opts ...pulumi.ResourceOption) (*LoadBalancer, error) {
	if args == nil {
		args = &LoadBalancerArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	var prefixListID string
	if a.CloudFrontOnly {
		pl, err := ec2.LookupManagedPrefixList(ctx, &ec2.LookupManagedPrefixListArgs{Name: pulumi.StringRef(CloudFrontPrefixList)})
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", CloudFrontPrefixList, err)
		}
		prefixListID = pl.Id
	}
	l := &LoadBalancer{ValidationFqdns: map[string]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource(typePrefix+"LoadBalancer", name, l, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(l)
	tags := tagInput(a.Tags)
	var err error

	l.SecurityGroup, err = ec2.NewSecurityGroup(ctx, name+"-alb", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet ALB: HTTPS and HTTP from the internet, to targets in the VPC"),
		VpcId:       a.VpcId,
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	if a.CloudFrontOnly {
		if _, err = vpc.NewSecurityGroupIngressRule(ctx, name+"-alb-in-cloudfront", &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId: l.SecurityGroup.ID(),
			Description:     pulumi.String("HTTPS from CloudFront's origin-facing addresses only"),
			IpProtocol:      pulumi.String("tcp"),
			FromPort:        pulumi.Int(443),
			ToPort:          pulumi.Int(443),
			PrefixListId:    pulumi.String(prefixListID),
			Tags:            tags,
		}, parent); err != nil {
			return nil, err
		}
	} else {
		for _, port := range []int{443, 80} {
			if _, err = vpc.NewSecurityGroupIngressRule(ctx, name+"-alb-in-"+strconv.Itoa(port), &vpc.SecurityGroupIngressRuleArgs{
				SecurityGroupId: l.SecurityGroup.ID(),
				Description:     pulumi.String(fmt.Sprintf("port %d from the internet", port)),
				IpProtocol:      pulumi.String("tcp"),
				FromPort:        pulumi.Int(port),
				ToPort:          pulumi.Int(port),
				CidrIpv4:        pulumi.String("0.0.0.0/0"),
				Tags:            tags,
			}, parent); err != nil {
				return nil, err
			}
		}
	}
	if _, err = vpc.NewSecurityGroupEgressRule(ctx, name+"-alb-out-targets", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: l.SecurityGroup.ID(),
		Description:     pulumi.String("to targets in the VPC"),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(a.TargetPort),
		ToPort:          pulumi.Int(a.TargetPort),
		CidrIpv4:        a.VpcCidr,
		Tags:            tags,
	}, parent); err != nil {
		return nil, err
	}

	l.Alb, err = lb.NewLoadBalancer(ctx, name, &lb.LoadBalancerArgs{
		LoadBalancerType:         pulumi.String("application"),
		Internal:                 pulumi.Bool(false),
		SecurityGroups:           pulumi.StringArray{l.SecurityGroup.ID()},
		Subnets:                  a.PublicSubnetIds,
		DropInvalidHeaderFields:  pulumi.Bool(true),
		DesyncMitigationMode:     pulumi.String("defensive"),
		EnableDeletionProtection: pulumi.Bool(a.DeletionProtection),
		EnableHttp2:              pulumi.Bool(true),
		IdleTimeout:              pulumi.Int(a.IdleTimeoutSeconds),
		Tags:                     tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	// Certificates, validated through DNS in each hostname's zone.
	var validated []pulumi.StringOutput
	for i, names := range PackCertificates(a.Sites, a.MaxNamesPerCertificate) {
		certName := fmt.Sprintf("%s-%d", name, i+1)
		sans := make(pulumi.StringArray, 0, len(names)-1)
		for _, h := range names[1:] {
			sans = append(sans, pulumi.String(h.Name))
		}
		cert, err := acm.NewCertificate(ctx, certName, &acm.CertificateArgs{
			DomainName:              pulumi.String(names[0].Name),
			SubjectAlternativeNames: sans,
			ValidationMethod:        pulumi.String("DNS"),
			KeyAlgorithm:            pulumi.String("EC_prime256v1"),
			Tags:                    tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		l.Certificates = append(l.Certificates, cert)
		var fqdns pulumi.StringArray
		for _, h := range names {
			rec, err := ValidationRecord(ctx, name+"-validation-"+h.Name, cert, h, parent)
			if err != nil {
				return nil, err
			}
			fqdns = append(fqdns, rec.Fqdn)
			l.ValidationFqdns[h.Name] = rec.Fqdn
		}
		v, err := acm.NewCertificateValidation(ctx, certName, &acm.CertificateValidationArgs{
			CertificateArn:        cert.Arn,
			ValidationRecordFqdns: fqdns,
		}, parent)
		if err != nil {
			return nil, err
		}
		validated = append(validated, v.CertificateArn)
	}

	defaultStatus, defaultBody := "404", "No site is served at this address.\n"
	if a.CloudFrontOnly {
		defaultStatus, defaultBody = "403", "Forbidden.\n"
	}
	l.HttpsListener, err = lb.NewListener(ctx, name+"-https", &lb.ListenerArgs{
		LoadBalancerArn: l.Alb.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(a.SSLPolicy),
		CertificateArn:  validated[0],
		DefaultActions: lb.ListenerDefaultActionArray{
			lb.ListenerDefaultActionArgs{
				Type: pulumi.String("fixed-response"),
				FixedResponse: lb.ListenerDefaultActionFixedResponseArgs{
					ContentType: pulumi.String("text/plain"),
					MessageBody: pulumi.String(defaultBody),
					StatusCode:  pulumi.String(defaultStatus),
				},
			},
		},
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	for i, arn := range validated[1:] {
		if _, err = lb.NewListenerCertificate(ctx, fmt.Sprintf("%s-%d", name, i+2), &lb.ListenerCertificateArgs{
			ListenerArn:    l.HttpsListener.Arn,
			CertificateArn: arn,
		}, parent); err != nil {
			return nil, err
		}
	}
	if !a.CloudFrontOnly {
		if l.HttpListener, err = newRedirectListener(ctx, name, l.Alb, tags, parent); err != nil {
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

// newRedirectListener answers plain HTTP with a permanent redirect to HTTPS.
func newRedirectListener(ctx *pulumi.Context, name string, alb *lb.LoadBalancer, tags pulumi.StringMap, parent pulumi.ResourceOption) (*lb.Listener, error) {
	return lb.NewListener(ctx, name+"-http", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(80),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions: lb.ListenerDefaultActionArray{
			lb.ListenerDefaultActionArgs{
				Type: pulumi.String("redirect"),
				Redirect: lb.ListenerDefaultActionRedirectArgs{
					Protocol:   pulumi.String("HTTPS"),
					Port:       pulumi.String("443"),
					StatusCode: pulumi.String("HTTP_301"),
				},
			},
		},
		Tags: tags,
	}, parent)
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
