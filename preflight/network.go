package preflight

import (
	"net/netip"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// This file models the network paths the tasks-reach-* rules judge:
// security group rules in both directions (inline blocks,
// aws:vpc/securityGroupIngressRule and EgressRule, aws:ec2/securityGroupRule),
// the subnets a workload runs in and whether they route to the internet
// (awsx VPC private subnets through NAT gateways), and VPC endpoints.
// pulumi-aws removes the allow-all egress rule AWS gives a new group, so a
// group without egress rules in the graph sends nothing.

// sgRule is one rule of a security group, in one direction.
type sgRule struct {
	group, from  string // group ID; the resource that declared it
	ingress      bool
	proto        string
	lo, hi       float64
	cidrs, lists []string
	groups       []string
	self         bool
}

func (r sgRule) port(p float64) bool {
	switch strings.ToLower(r.proto) {
	case "-1", "all":
		return true
	case "tcp", "6":
		return r.lo <= p && p <= r.hi
	}
	return false
}

// netView is the graph's network, built once per graph.
type netView struct {
	g        *Graph
	rules    []sgRule
	vpcCIDR  map[string]netip.Prefix // VPC ID -> CIDR
	subnets  map[string]subnetInfo
	groupVPC map[string]string
}

type subnetInfo struct {
	vpc      string
	internet bool // routes to the internet (NAT for private, IGW for public)
	public   bool
}

func (g *Graph) net() *netView {
	if g.netCache == nil {
		g.netCache = buildNet(g)
	}
	return g.netCache
}

func buildNet(g *Graph) *netView {
	n := &netView{g: g, vpcCIDR: map[string]netip.Prefix{}, subnets: map[string]subnetInfo{}, groupVPC: map[string]string{}}
	for _, v := range g.Of(typeAwsxVpc) {
		id := str(v.Outputs["vpcId"])
		if p, err := netip.ParsePrefix(str(v.Inputs["cidrBlock"])); err == nil {
			n.vpcCIDR[id] = p
		}
		nat := str(at(v.Inputs["natGateways"], "strategy"))
		for _, s := range strs(v.Outputs["privateSubnetIds"]) {
			n.subnets[s] = subnetInfo{vpc: id, internet: nat != "None"}
		}
		for _, s := range strs(v.Outputs["publicSubnetIds"]) {
			n.subnets[s] = subnetInfo{vpc: id, internet: true, public: true}
		}
		for _, s := range strs(v.Outputs["isolatedSubnetIds"]) {
			n.subnets[s] = subnetInfo{vpc: id}
		}
	}
	for _, l := range g.Lookups("aws:ec2/getVpc:getVpc") {
		if p, err := netip.ParsePrefix(str(l.Result["cidrBlock"])); err == nil {
			n.vpcCIDR[str(l.Result["id"])] = p
		}
	}
	for _, sg := range g.Of(typeSecurityGroup) {
		n.groupVPC[sg.ID] = str(sg.Inputs["vpcId"])
		for _, dir := range []string{"ingress", "egress"} {
			for _, b := range items(sg.Inputs[dir]) {
				n.add(sg.ID, sg.URN, dir == "ingress", b, "protocol", "cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups")
			}
		}
	}
	for _, r := range g.Of(typeSGIngress, typeSGEgress) {
		n.add(str(r.Inputs["securityGroupId"]), r.URN, r.Type == typeSGIngress, r.Inputs, "ipProtocol", "cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
	}
	for _, r := range g.Of(typeSGRule) {
		n.add(str(r.Inputs["securityGroupId"]), r.URN, str(r.Inputs["type"]) == "ingress", r.Inputs, "protocol", "cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "sourceSecurityGroupId")
	}
	return n
}

func (n *netView) add(group, from string, ingress bool, b any, proto, v4, v6, pl, sg string) {
	r := sgRule{group: group, from: from, ingress: ingress, proto: str(at(b, proto)),
		cidrs: append(strs(at(b, v4)), strs(at(b, v6))...), lists: strs(at(b, pl)), groups: strs(at(b, sg)),
		self: truthy(at(b, "self"))}
	if p, ok := num(at(b, proto)); ok {
		r.proto = showNumber(p)
	}
	r.lo, _ = num(at(b, "fromPort"))
	r.hi, _ = num(at(b, "toPort"))
	n.rules = append(n.rules, r)
}

// dest is where a workload sends traffic.
type dest struct {
	internet bool     // public addresses (through NAT or an internet gateway)
	groups   []string // network interfaces in these security groups
	list     string   // a prefix list (gateway endpoint)
}

// egress reports whether the groups send TCP port p to d.
func (n *netView) egress(groups []string, p float64, d dest) bool {
	for _, r := range n.rules {
		if r.ingress || !contains(groups, r.group) || !r.port(p) {
			continue
		}
		for _, c := range r.cidrs {
			if anyAddress(c) || !d.internet && n.coversVPC(c, n.groupVPC[r.group]) {
				return true
			}
		}
		for _, gID := range r.groups {
			if contains(d.groups, gID) {
				return true
			}
		}
		if d.list != "" && contains(r.lists, d.list) {
			return true
		}
	}
	return false
}

// ingress reports whether destination groups admit TCP port p from the
// source groups.
func (n *netView) ingress(dst, src []string, p float64) bool {
	for _, r := range n.rules {
		if !r.ingress || !contains(dst, r.group) || !r.port(p) {
			continue
		}
		for _, gID := range r.groups {
			if contains(src, gID) {
				return true
			}
		}
		if r.self && contains(src, r.group) {
			return true
		}
		for _, c := range r.cidrs {
			if anyAddress(c) || n.coversVPC(c, n.groupVPC[r.group]) {
				return true
			}
		}
	}
	return false
}

func anyAddress(c string) bool { return c == "0.0.0.0/0" || c == "::/0" }

// coversVPC reports whether a CIDR holds the whole VPC's range.
func (n *netView) coversVPC(c, vpc string) bool {
	p, err := netip.ParsePrefix(c)
	v, ok := n.vpcCIDR[vpc]
	return err == nil && ok && p.Bits() <= v.Bits() && p.Contains(v.Addr())
}

// internet says whether subnets route to the internet: known reports
// whether the graph knows (subnets of an existing VPC are not judged).
func (n *netView) internet(subnets []string, publicIP bool) (reach, known bool) {
	if len(subnets) == 0 {
		return false, false
	}
	reach = true
	for _, s := range subnets {
		info, ok := n.subnets[s]
		if !ok {
			return false, false
		}
		if !info.internet || info.public && !publicIP {
			reach = false
		}
	}
	return reach, true
}

// workload is something that runs in the VPC: an ECS service, a scheduled
// ECS task or a CodeBuild project in a VPC.
type workload struct {
	r        *mocks.Resource
	field    string // where its network settings are
	what     string
	groups   []string
	subnets  []string
	publicIP bool
	td       *mocks.Resource
}

func workloads(g *Graph) []workload {
	var out []workload
	for _, s := range g.Of(typeECSService) {
		nc := asMap(s.Inputs["networkConfiguration"])
		if nc == nil {
			continue
		}
		out = append(out, workload{r: s, field: "networkConfiguration", what: "service " + s.Name,
			groups: strs(nc["securityGroups"]), subnets: strs(nc["subnets"]), publicIP: truthy(nc["assignPublicIp"]),
			td: taskDefinitionOf(g, str(s.Inputs["taskDefinition"]))})
	}
	for _, t := range g.Of(typeEventTarget) {
		ecs := asMap(t.Inputs["ecsTarget"])
		nc := asMap(ecs["networkConfiguration"])
		if nc == nil {
			continue
		}
		out = append(out, workload{r: t, field: "ecsTarget.networkConfiguration", what: "scheduled task " + t.Name,
			groups: strs(nc["securityGroups"]), subnets: strs(nc["subnets"]), publicIP: truthy(nc["assignPublicIp"]),
			td: taskDefinitionOf(g, str(ecs["taskDefinitionArn"]))})
	}
	for _, p := range g.Of(typeCodeBuild) {
		vc := asMap(p.Inputs["vpcConfig"])
		if vc == nil {
			continue
		}
		out = append(out, workload{r: p, field: "vpcConfig", what: "CodeBuild project " + p.Name,
			groups: strs(vc["securityGroupIds"]), subnets: strs(vc["subnets"])})
	}
	return out
}

// reachAWS reports whether a workload reaches an AWS service's regional
// API over HTTPS: through the internet (a route and egress 443 to any
// address) or through an interface endpoint with private DNS in its VPC
// (egress 443 to the endpoint and the endpoint admitting it). For s3 a
// gateway endpoint with route tables and egress to its prefix list counts.
func (n *netView) reachAWS(w workload, service string) (ok, known bool) {
	region := n.g.RegionOf(w.r)
	for _, e := range n.g.Of(typeVpcEndpoint) {
		if str(e.Inputs["serviceName"]) != "com.amazonaws."+region+"."+service || !n.sameVPC(e, w) {
			continue
		}
		switch endpointType(e) {
		case "Interface":
			sgs := strs(e.Inputs["securityGroupIds"])
			if truthy(e.Inputs["privateDnsEnabled"]) && n.egress(w.groups, 443, dest{groups: sgs}) && n.ingress(sgs, w.groups, 443) {
				return true, true
			}
		case "Gateway":
			if len(items(e.Inputs["routeTableIds"])) > 0 && (n.egress(w.groups, 443, dest{internet: true}) || n.egressToAnyList(w.groups, 443)) {
				return true, true
			}
		}
	}
	route, known := n.internet(w.subnets, w.publicIP)
	if !known {
		return false, false
	}
	return route && n.egress(w.groups, 443, dest{internet: true}), true
}

func (n *netView) egressToAnyList(groups []string, p float64) bool {
	for _, r := range n.rules {
		if !r.ingress && contains(groups, r.group) && r.port(p) && len(r.lists) > 0 {
			return true
		}
	}
	return false
}

func (n *netView) sameVPC(e *mocks.Resource, w workload) bool {
	vpc := str(e.Inputs["vpcId"])
	for _, gID := range w.groups {
		if n.groupVPC[gID] == vpc {
			return true
		}
	}
	return len(w.groups) == 0
}
