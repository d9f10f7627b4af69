package preflight

// alb-reaches-targets: the load balancer can reach the tasks it forwards
// to, and the tasks admit it.
//
// For IP targets (Fargate tasks) the load balancer's security groups must
// allow outbound traffic to the targets on the container port (and the
// health check port), and the tasks' groups must allow it in from the
// load balancer's groups (Security groups for your Application Load
// Balancer: "recommended rules"). A service's loadBalancers block names the
// target group and container port; the target group's load balancer is
// found through the listener rules and default actions that forward to it.
func albReachesTargets() Rule {
	const src = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html"
	return Rule{
		Name:    "alb-reaches-targets",
		Doc:     "ALB groups allow egress to each service's container port and the service's groups admit the ALB",
		Sources: []string{src},
		check: func(g *Graph, rep *report) {
			n := g.net()
			lbGroupsOf := targetGroupLBGroups(g)
			for _, w := range workloads(g) {
				for i, lbc := range items(w.r.Inputs["loadBalancers"]) {
					tg := str(at(lbc, "targetGroupArn"))
					port, ok := num(at(lbc, "containerPort"))
					lbGroups := lbGroupsOf[tg]
					if !ok || len(lbGroups) == 0 {
						continue
					}
					field := "loadBalancers[" + itoa(int64(i)) + "]"
					if !n.egress(lbGroups, port, dest{groups: w.groups}) {
						rep.add(w.r, field, lbc, src, "the load balancer's groups %v allow no TCP %g out to %s's groups %v", lbGroups, port, w.what, w.groups)
					}
					if !n.ingress(w.groups, lbGroups, port) {
						rep.add(w.r, field, lbc, src, "%s's groups %v admit no TCP %g from the load balancer's groups %v", w.what, w.groups, port, lbGroups)
					}
				}
			}
		},
	}
}

// targetGroupLBGroups maps target group ARNs to the security groups of the
// load balancers that forward to them.
func targetGroupLBGroups(g *Graph) map[string][]string {
	listenerGroups := map[string][]string{}
	out := map[string][]string{}
	for _, l := range g.Of(typeListener) {
		lb := g.RefOf(str(l.Inputs["loadBalancerArn"]), typeLB, typeALB)
		if lb == nil {
			continue
		}
		groups := strs(lb.Inputs["securityGroups"])
		listenerGroups[str(l.Outputs["arn"])] = groups
		for _, tg := range forwardTargets(l.Inputs["defaultActions"]) {
			out[tg] = append(out[tg], groups...)
		}
	}
	for _, r := range g.Of(typeListenerRule) {
		for _, tg := range forwardTargets(r.Inputs["actions"]) {
			out[tg] = append(out[tg], listenerGroups[str(r.Inputs["listenerArn"])]...)
		}
	}
	return out
}
