package preflight

import (
	"fmt"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// alb-quotas: Application Load Balancers stay within ELB's quotas and rule
// constraints.
//
// Per load balancer (Quotas for your Application Load Balancers): at most
// 100 rules not counting the listeners' default rules, 100 target groups,
// 25 certificates not counting each listener's default certificate. Per
// rule: at most 5 condition values, 5 wildcards and 5 match evaluations
// (a host-header value, a path, an HTTP header value each count); a
// priority of 1-50000, distinct on its listener (CreateRule Priority;
// PriorityInUse).
// Not checked offline: raised quotas of the account.
func albQuotas() Rule {
	const (
		limits = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
		rule   = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html"
	)
	return Rule{
		Name:    "alb-quotas",
		Doc:     "per ALB 100 rules, 100 target groups, 25 extra certificates; per rule 5 condition values and wildcards; priorities 1-50000 distinct per listener",
		Sources: []string{limits, rule},
		check: func(g *Graph, rep *report) {
			type lbCount struct {
				rules, certs int
				groups       map[string]bool
			}
			counts := map[string]*lbCount{}
			count := func(lb *mocks.Resource) *lbCount {
				if counts[lb.URN] == nil {
					counts[lb.URN] = &lbCount{groups: map[string]bool{}}
				}
				return counts[lb.URN]
			}
			listenerLB := map[string]*mocks.Resource{}
			for _, l := range g.Of(typeListener) {
				lb := g.RefOf(str(l.Inputs["loadBalancerArn"]), typeLB, typeALB)
				if lb == nil {
					continue
				}
				listenerLB[str(l.Outputs["arn"])] = lb
				for _, tg := range forwardTargets(l.Inputs["defaultActions"]) {
					count(lb).groups[tg] = true
				}
			}
			priorities := map[string]map[float64]string{}
			for _, r := range g.Of(typeListenerRule) {
				listener := str(r.Inputs["listenerArn"])
				checkRuleConditions(rep, r, rule, limits)
				if p, ok := num(r.Inputs["priority"]); ok {
					if p < 1 || p > 50000 {
						rep.add(r, "priority", p, rule, "a rule priority is 1-50000")
					}
					if priorities[listener] == nil {
						priorities[listener] = map[float64]string{}
					}
					if other, dup := priorities[listener][p]; dup {
						rep.add(r, "priority", p, rule, "priorities are distinct on a listener; rule %s has %g too", other, p)
					}
					priorities[listener][p] = r.Name
				}
				if lb := listenerLB[listener]; lb != nil {
					c := count(lb)
					c.rules++
					for _, tg := range forwardTargets(r.Inputs["actions"]) {
						c.groups[tg] = true
					}
				}
			}
			for _, lc := range g.Of(typeListenerCertificate) {
				if lb := listenerLB[str(lc.Inputs["listenerArn"])]; lb != nil {
					count(lb).certs++
				}
			}
			for _, lb := range g.Of(typeLB, typeALB) {
				c := counts[lb.URN]
				if c == nil {
					continue
				}
				if c.rules > 100 {
					rep.add(lb, "rules", c.rules, limits, "at most 100 rules per Application Load Balancer (default rules not counted); %d", c.rules)
				}
				if n := len(c.groups); n > 100 {
					rep.add(lb, "targetGroups", n, limits, "at most 100 target groups per Application Load Balancer; %d", n)
				}
				if c.certs > 25 {
					rep.add(lb, "certificates", c.certs, limits, "at most 25 certificates per Application Load Balancer besides the default ones; %d", c.certs)
				}
			}
		},
	}
}

// forwardTargets returns the target group ARNs a list of actions forwards to.
func forwardTargets(actions any) []string {
	var out []string
	for _, a := range items(actions) {
		if tg, ok := text(at(a, "targetGroupArn")); ok && tg != "" {
			out = append(out, tg)
		}
		for _, t := range items(at(a, "forward.targetGroups")) {
			if tg, ok := text(at(t, "arn")); ok {
				out = append(out, tg)
			}
		}
	}
	return out
}

// checkRuleConditions counts a rule's condition values and wildcards.
func checkRuleConditions(rep *report, r *mocks.Resource, rule, limits string) {
	values, wildcards := 0, 0
	for _, c := range items(r.Inputs["conditions"]) {
		for _, key := range []string{"hostHeader.values", "pathPattern.values", "httpHeader.values", "httpRequestMethod.values", "sourceIp.values"} {
			for _, v := range items(at(c, key)) {
				values++
				if s := str(v); strings.ContainsAny(s, "*?") {
					wildcards++
				}
			}
		}
		for _, q := range items(at(c, "queryStrings")) {
			values++
			if strings.ContainsAny(str(at(q, "key"))+str(at(q, "value")), "*?") {
				wildcards++
			}
		}
	}
	if values > 5 {
		rep.add(r, "conditions", fmt.Sprintf("%d values", values), limits, "at most 5 condition values per rule (each host, path, header value counts)")
	}
	if wildcards > 5 {
		rep.add(r, "conditions", fmt.Sprintf("%d wildcards", wildcards), limits, "at most 5 wildcards per rule")
	}
}
