package preflight

import (
	"fmt"

	"github.com/wpfleet/wpfleet/mocks"
)

func albQuotasCase() ruleCase {
	lb := res(typeLB, "alb", "arn:lb", obj{"securityGroups": list{"sg-alb"}})
	l := res(typeListener, "https", "arn:l", obj{"loadBalancerArn": "arn:lb"}, obj{"arn": "arn:l"})
	rule := func(i int, hosts ...any) mocks.Resource {
		return res(typeListenerRule, fmt.Sprintf("r%d", i), "arn:r", obj{"listenerArn": "arn:l", "priority": int64(10 * (i + 1)),
			"actions":    list{obj{"type": "forward", "targetGroupArn": fmt.Sprintf("arn:tg%d", i)}},
			"conditions": list{obj{"hostHeader": obj{"values": list(hosts)}}, obj{"httpHeader": obj{"httpHeaderName": "X-Origin-Verify", "values": list{"[secret]"}}}}})
	}
	ok := []mocks.Resource{lb, l, rule(0, "a.example.com", "b.example.com", "c.example.com", "d.example.com")}
	many := with(ok)
	for i := 1; i <= 100; i++ {
		many = append(many, rule(i, "x.example.com"))
	}
	certs := with(ok)
	for i := 0; i < 26; i++ {
		certs = append(certs, res(typeListenerCertificate, fmt.Sprintf("c%d", i), "c", obj{"listenerArn": "arn:l"}))
	}
	dup := rule(1, "e.example.com")
	dup = set(dup, "priority", int64(10))
	return ruleCase{ok: ok, bad: []bad{
		{"101 rules", many, "at most 100 rules", "alb", "rules"},
		{"101 target groups", many, "at most 100 target groups", "alb", "targetGroups"},
		{"26 certificates", certs, "at most 25 certificates", "alb", "certificates"},
		{"five hosts and a header", replace(ok, rule(0, "a", "b", "c", "d", "e")), "at most 5 condition values", "r0", "conditions"},
		{"duplicate priority", with(ok, dup), "distinct on a listener", "r1", "priority"},
		{"priority 0", replace(ok, set(rule(0, "a"), "priority", int64(0))), "1-50000", "r0", "priority"},
	}}
}

func securityGroupRuleQuotasCase() ruleCase {
	alb := res(typeSecurityGroup, "alb", "sg-alb", obj{"vpcId": "vpc-1"})
	cf := res(typeSGIngress, "alb-in-cloudfront", "sgr-1", obj{"securityGroupId": "sg-alb", "prefixListId": "pl-cf", "ipProtocol": "tcp", "fromPort": int64(443), "toPort": int64(443)})
	ok := []mocks.Resource{alb, cf}
	lookup := mocks.Lookup{Token: "aws:ec2/getManagedPrefixList:getManagedPrefixList",
		Args: obj{"name": "com.amazonaws.global.cloudfront.origin-facing"}, Result: obj{"id": "pl-cf", "maxEntries": int64(55)}}
	extra := with(ok)
	for i := 0; i < 6; i++ {
		extra = append(extra, res(typeSGIngress, fmt.Sprintf("in-%d", i), "sgr", obj{"securityGroupId": "sg-alb", "cidrIpv4": fmt.Sprintf("10.0.%d.0/24", i)}))
	}
	listed := res(typeManagedPrefixList, "offices", "pl-office", obj{"maxEntries": int64(61)})
	svc := res(typeECSService, "svc", "svc", obj{"networkConfiguration": obj{"securityGroups": list{"a", "b", "c", "d", "e", "f"}}})
	inline := res(typeSecurityGroup, "inline", "sg-inline", obj{"egress": list{obj{"cidrBlocks": list{}, "prefixListIds": list{"pl-office"}}}})
	return ruleCase{ok: ok, bad: []bad{
		{"CloudFront's list (55) and 6 CIDRs", with(extra, lookedUp(lookup)), "at most 60 inbound rules", "alb", "ingress"},
		{"a created list of 55 and 6 CIDRs", withPrefixWeight(extra, "pl-cf", 55), "this group has 61", "alb", "ingress"},
		{"a created prefix list of 61", with(ok, listed, inline), "at most 60 outbound rules", "inline", "egress"},
		{"six groups on a task", with(ok, svc), "at most 5 security groups", "svc", "networkConfiguration.securityGroups"},
	}}
}

// withPrefixWeight adds a managed prefix list of the given weight to the
// graph, as if the program had created it.
func withPrefixWeight(rs []mocks.Resource, id string, entries int) []mocks.Resource {
	return with(rs, res(typeManagedPrefixList, "list-"+id, id, obj{"maxEntries": int64(entries)}))
}

func cloudfrontQuotasCase() ruleCase {
	d := res(typeDistribution, "news", "E1", obj{"aliases": list{"news.example.com"}, "defaultCacheBehavior": obj{"cachePolicyId": "cp-0"}})
	cp := res(typeCachePolicy, "p0", "cp-0", obj{"parametersInCacheKeyAndForwardedToOrigin": obj{"cookiesConfig": obj{"cookies": obj{"items": list{"wordpress_logged_in_x"}}}}})
	ok := []mocks.Resource{d, cp}
	policies := with(ok)
	for i := 1; i <= 20; i++ {
		policies = append(policies, res(typeCachePolicy, fmt.Sprintf("p%d", i), fmt.Sprintf("cp-%d", i), obj{}))
	}
	cookies := list{}
	for i := 0; i < 11; i++ {
		cookies = append(cookies, fmt.Sprintf("c%d", i))
	}
	aliases := list{}
	for i := 0; i < 101; i++ {
		aliases = append(aliases, fmt.Sprintf("h%d.example.com", i))
	}
	dists := with(ok)
	for i := 0; i < 100; i++ {
		dists = append(dists, res(typeDistribution, fmt.Sprintf("d%d", i), "E", obj{"defaultCacheBehavior": obj{"cachePolicyId": "cp-0"}}))
	}
	return ruleCase{ok: ok, bad: []bad{
		{"21 cache policies", policies, "at most 20 cache policies", "p20", "cachePolicies"},
		{"11 cookies", replace(ok, set(cp, "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookies.items", cookies)), "at most 10", "p0", "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig"},
		{"101 aliases", replace(ok, set(d, "aliases", aliases)), "at most 100 alternate domain names", "news", "aliases"},
		{"101 distributions on one policy", dists, "at most 100 distributions per cache policy", "p0", "distributions"},
	}}
}
