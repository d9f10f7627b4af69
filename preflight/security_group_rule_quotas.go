package preflight

// security-group-rule-quotas: security groups stay within the VPC quotas on
// rules, counting a prefix list by its maximum entries.
//
// A security group has at most 60 inbound and 60 outbound rules (Amazon
// VPC quotas, "Inbound or outbound rules per security group"); a rule with
// several CIDRs counts once per CIDR, and a rule that references a prefix
// list counts as many rules as the list's maximum entries (its weight:
// CloudFront's com.amazonaws.global.cloudfront.origin-facing list weighs
// 55, AWS-managed prefix lists). A network interface (a task, the ALB, an
// endpoint, a mount target, a database) has at most 5 security groups.
// Not checked offline: prefix lists the program neither created nor looked
// up (counted as 1), and quotas raised for the account.
func securityGroupRuleQuotas() Rule {
	const (
		quotas  = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups"
		weights = "https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html"
	)
	return Rule{
		Name:    "security-group-rule-quotas",
		Doc:     "60 inbound and 60 outbound rules per security group, a prefix list counted by its max entries (CloudFront's: 55); 5 security groups per interface",
		Sources: []string{quotas, weights},
		check: func(g *Graph, rep *report) {
			weight := prefixListWeights(g)
			in, out := map[string]int{}, map[string]int{}
			add := func(sg string, ingress bool, n int) {
				if ingress {
					in[sg] += n
				} else {
					out[sg] += n
				}
			}
			for _, sg := range g.Of(typeSecurityGroup) {
				for _, dir := range []string{"ingress", "egress"} {
					for _, b := range items(sg.Inputs[dir]) {
						add(sg.ID, dir == "ingress", ruleWeight(b, weight, "cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups"))
					}
				}
			}
			for _, r := range g.Of(typeSGIngress, typeSGEgress) {
				add(str(r.Inputs["securityGroupId"]), r.Type == typeSGIngress, ruleWeight(r.Inputs, weight, "cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"))
			}
			for _, r := range g.Of(typeSGRule) {
				add(str(r.Inputs["securityGroupId"]), str(r.Inputs["type"]) == "ingress", ruleWeight(r.Inputs, weight, "cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "sourceSecurityGroupId"))
			}
			for _, sg := range g.Of(typeSecurityGroup) {
				if n := in[sg.ID]; n > 60 {
					rep.add(sg, "ingress", n, quotas, "at most 60 inbound rules per security group (a prefix list counts its max entries); this group has %d", n)
				}
				if n := out[sg.ID]; n > 60 {
					rep.add(sg, "egress", n, quotas, "at most 60 outbound rules per security group (a prefix list counts its max entries); this group has %d", n)
				}
			}
			for _, ref := range interfaceGroupFields {
				for _, r := range g.Of(ref.typ) {
					if n := len(items(at(r.Inputs, ref.path))); n > 5 {
						rep.add(r, ref.path, n, quotas, "at most 5 security groups per network interface")
					}
				}
			}
		},
	}
}

var interfaceGroupFields = []struct{ typ, path string }{
	{typeLB, "securityGroups"}, {typeECSService, "networkConfiguration.securityGroups"},
	{typeCodeBuild, "vpcConfig.securityGroupIds"}, {typeVpcEndpoint, "securityGroupIds"},
	{typeEFSMountTarget, "securityGroups"}, {typeRDSCluster, "vpcSecurityGroupIds"},
}

// prefixListWeights maps prefix list IDs to their maximum entries: lists
// created in the graph and lists the program looked up.
func prefixListWeights(g *Graph) map[string]int {
	out := map[string]int{}
	for _, l := range g.Lookups("aws:ec2/getManagedPrefixList:getManagedPrefixList") {
		if n, ok := num(l.Result["maxEntries"]); ok {
			out[str(l.Result["id"])] = int(n)
		}
	}
	for _, pl := range g.Of(typeManagedPrefixList) {
		if n, ok := num(pl.Inputs["maxEntries"]); ok {
			out[pl.ID] = int(n)
		}
	}
	return out
}

// ruleWeight is how many rules one rule block counts as.
func ruleWeight(block any, weight map[string]int, v4, v6, pl, sg string) int {
	n := len(strs(at(block, v4))) + len(strs(at(block, v6))) + len(strs(at(block, sg)))
	for _, id := range strs(at(block, pl)) {
		if w, ok := weight[id]; ok {
			n += w
		} else {
			n++
		}
	}
	if truthy(at(block, "self")) {
		n++
	}
	return max(n, 1)
}
