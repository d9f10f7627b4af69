package components

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// originSecretSlots are the two generations of a site's origin secret: slot
// v%2 holds generation v, so raising the version regenerates one slot and
// leaves the previous generation in the other.
func originSecretSlot(version, slot int) int {
	if version%2 == slot {
		return version
	}
	return version - 1
}

// edge creates the site's origin secret, certificate (unless the platform's
// cover its names), uploads bucket, CloudFront distribution and DNS records.
func (s *WordPressSite) edge(ctx *pulumi.Context, name string, a WordPressSiteArgs, parent pulumi.ResourceOption) error {
	current, previous, err := s.originSecrets(ctx, name, a, parent)
	if err != nil {
		return err
	}
	accepted := pulumi.StringArray{current}
	if a.OriginSecretRotating && a.OriginSecretVersion > 1 {
		accepted = append(accepted, previous)
	}
	s.OriginSecrets = pulumi.ToSecret(accepted.ToStringArrayOutput()).(pulumi.StringArrayOutput)
	fqdns, err := s.validationRecords(ctx, name, a, parent)
	if err != nil {
		return err
	}

	// The bucket policy names the distribution, which reads the bucket: the
	// policy waits for the distribution's ARN.
	distArn, resolve := pulumi.DeferredOutput[string](ctx.Context())
	s.Uploads, err = NewUploadsBucket(ctx, name, &UploadsBucketArgs{
		Site: a.Name, Tags: s.tags(), NoncurrentVersionDays: a.UploadsNoncurrentDays, Protect: a.Protect,
		CloudFrontDistributionArn: pulumi.StringOutput{OutputState: distArn.OutputState},
	}, parent)
	if err != nil {
		resolve(failedOutput(err))
		return err
	}
	p := s.Platform
	s.CDN, err = NewCDN(ctx, name, &CDNArgs{
		Site: a.Name, Environment: p.Environment, Tags: s.tags(), Hostnames: a.Hostnames,
		ValidationRecordFqdns: fqdns, AlbDnsName: p.AlbDnsName, OriginSecret: current,
		BucketRegionalDomainName: s.Uploads.RegionalDomainName, UsEast1: p.UsEast1, StaticCachePolicyId: p.StaticCachePolicyId,
		PageCaching: a.PageCaching, PageTTLSeconds: a.PageTTLSeconds, PriceClass: a.PriceClass, WebACLArn: a.WebACLArn,
		AllowedViewerCidrs: a.AllowedViewerCidrs,
	}, parent)
	if err != nil {
		resolve(failedOutput(err))
		return err
	}
	resolve(s.CDN.Arn)
	for _, h := range a.Hostnames {
		for _, typ := range []string{"A", "AAAA"} {
			if _, err := route53.NewRecord(ctx, name+"--"+h.Name+"-"+typ, &route53.RecordArgs{
				ZoneId: pulumi.String(h.ZoneId),
				Name:   pulumi.String(h.Name),
				Type:   pulumi.String(typ),
				Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
					Name: s.CDN.DomainName, ZoneId: pulumi.String(CloudFrontZoneID), EvaluateTargetHealth: pulumi.Bool(false),
				}},
			}, parent); err != nil {
				return err
			}
		}
	}
	return nil
}

func failedOutput(cause error) pulumi.StringOutput {
	return pulumi.String("").ToStringOutput().ApplyT(func(string) (string, error) { return "", cause }).(pulumi.StringOutput)
}

// originSecrets returns the current and previous generation of the site's
// origin secret (40 letters and digits each).
func (s *WordPressSite) originSecrets(ctx *pulumi.Context, name string, a WordPressSiteArgs, parent pulumi.ResourceOption) (current, previous pulumi.StringOutput, err error) {
	var slots [2]pulumi.StringOutput
	for slot := 0; slot < 2; slot++ {
		pw, err := random.NewRandomPassword(ctx, fmt.Sprintf("%s--origin-%d", name, slot), &random.RandomPasswordArgs{
			Length: pulumi.Int(40), Special: pulumi.Bool(false),
			Keepers: pulumi.StringMap{"generation": pulumi.String(strconv.Itoa(originSecretSlot(a.OriginSecretVersion, slot)))},
		}, parent)
		if err != nil {
			return current, previous, err
		}
		slots[slot] = pw.Result
	}
	return slots[a.OriginSecretVersion%2], slots[(a.OriginSecretVersion+1)%2], nil
}

// validationRecords returns the ACM validation records of the site's
// hostnames: the platform's, when its ALB certificates cover every name, or
// those of a certificate of the site's own, attached to the platform's
// listener.
func (s *WordPressSite) validationRecords(ctx *pulumi.Context, name string, a WordPressSiteArgs, parent pulumi.ResourceOption) (pulumi.StringArray, error) {
	p := s.Platform
	covered := true
	for _, h := range a.Hostnames {
		covered = covered && p.CoversHostname(h.Name)
	}
	var fqdns pulumi.StringArray
	if covered {
		for _, h := range a.Hostnames {
			fqdns = append(fqdns, p.ValidationFqdn(h.Name))
		}
		return fqdns, nil
	}
	var sans pulumi.StringArray
	for _, h := range a.Hostnames[1:] {
		sans = append(sans, pulumi.String(h.Name))
	}
	cert, err := acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName: pulumi.String(a.Hostnames[0].Name), SubjectAlternativeNames: sans,
		ValidationMethod: pulumi.String("DNS"), KeyAlgorithm: pulumi.String("EC_prime256v1"), Tags: tagInput(s.tags()),
	}, parent)
	if err != nil {
		return nil, err
	}
	for _, h := range a.Hostnames {
		rec, err := ValidationRecord(ctx, name+"--validation-"+h.Name, cert, h, parent)
		if err != nil {
			return nil, err
		}
		fqdns = append(fqdns, rec.Fqdn)
	}
	v, err := acm.NewCertificateValidation(ctx, name, &acm.CertificateValidationArgs{CertificateArn: cert.Arn, ValidationRecordFqdns: fqdns}, parent)
	if err != nil {
		return nil, err
	}
	_, err = lb.NewListenerCertificate(ctx, name, &lb.ListenerCertificateArgs{ListenerArn: p.HttpsListenerArn, CertificateArn: v.CertificateArn}, parent)
	return fqdns, err
}

// route sends the site's hostnames, with its origin secret, to a pool's
// target group: one listener rule per 3 hostnames. The pool calls it; the
// rules are the site's (parented to it).
func (s *WordPressSite) route(ctx *pulumi.Context, targetGroupArn pulumi.StringInput) ([]*lb.ListenerRule, error) {
	a := s.Args
	var rules []*lb.ListenerRule
	for i := 0; i*hostsPerRule < len(a.Hostnames); i++ {
		end := min(len(a.Hostnames), (i+1)*hostsPerRule)
		var hosts pulumi.StringArray
		for _, h := range a.Hostnames[i*hostsPerRule : end] {
			hosts = append(hosts, pulumi.String(h.Name))
		}
		rule, err := lb.NewListenerRule(ctx, fmt.Sprintf("%s--rule-%d", s.logicalName(), i+1), &lb.ListenerRuleArgs{
			ListenerArn: s.Platform.HttpsListenerArn,
			Priority:    pulumi.Int(a.ListenerPriority + i),
			Conditions: lb.ListenerRuleConditionArray{
				lb.ListenerRuleConditionArgs{HostHeader: lb.ListenerRuleConditionHostHeaderArgs{Values: hosts}},
				lb.ListenerRuleConditionArgs{HttpHeader: lb.ListenerRuleConditionHttpHeaderArgs{
					HttpHeaderName: pulumi.String(OriginHeaderName), Values: s.OriginSecrets,
				}},
			},
			Actions: lb.ListenerRuleActionArray{
				lb.ListenerRuleActionArgs{Type: pulumi.String("forward"), TargetGroupArn: targetGroupArn},
			},
			Tags: tagInput(s.tags()),
		}, pulumi.Parent(s))
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// logicalName is the site component's name (children are named from it).
func (s *WordPressSite) logicalName() string { return s.resourceName }
