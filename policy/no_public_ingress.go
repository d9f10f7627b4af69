package policy

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// no-public-ingress: only the edge accepts connections from the internet,
// and only on 80 and 443.
//
// Checks every security group ingress rule of the stack
// (aws:vpc/securityGroupIngressRule, aws:ec2/securityGroupRule of type
// ingress, and inline `ingress` blocks of aws:ec2/securityGroup). A rule is
// internet-facing when its source is a public CIDR (anything outside the
// private, shared, loopback and link-local ranges, so 0.0.0.0/0 and ::/0
// and any office /32 alike) or a managed prefix list (such as CloudFront's
// origin-facing list). Internet-facing rules are allowed only on the
// security groups of internet-facing load balancers (matched through the
// load balancer's `securityGroups`), only for TCP 80 or 443, one port at a
// time.
// Why: AWS FSBP EC2.19 / EC2.18 (no unrestricted access to high-risk or
// unauthorized ports) and EC2.53/EC2.54. In wpfleet the ALB is the only
// entry; tasks, EFS and Aurora admit security groups only. Once CloudFront
// is in front, the ALB group admits the CloudFront prefix list, which this
// rule accepts on 80/443 of the ALB group.
// Level: mandatory.
// Not applicable: rules between security groups. Unknown sources, ports or
// groups (preview) are not judged; rules whose group is unknown are matched
// through the engine's dependency record.
func noPublicIngress(settings) policyx.Policy {
	return stackRule("no-public-ingress",
		"Only internet-facing load balancers admit internet traffic, on TCP 80/443 only (FSBP EC2.19, EC2.18).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			var edges []policyx.AnalyzerResource
			for _, lb := range v.of(typeLB, typeALB) {
				if isTrue(prop(lb.Properties, "internal")) {
					continue
				}
				for _, sg := range v.of(typeSecurityGroup) {
					if refersTo(lb, "securityGroups", sg) {
						edges = append(edges, sg)
					}
				}
			}
			isEdge := func(sg policyx.AnalyzerResource) bool {
				for _, e := range edges {
					if e.URN == sg.URN {
						return true
					}
				}
				return false
			}
			groupOf := func(rule policyx.AnalyzerResource) (policyx.AnalyzerResource, bool) {
				for _, sg := range v.of(typeSecurityGroup) {
					if refersTo(rule, "securityGroupId", sg) {
						return sg, true
					}
				}
				return policyx.AnalyzerResource{}, false
			}
			judge := func(where policyx.AnalyzerResource, edge bool, groupName string, in ingress) {
				if in.unknown || in.source == "" {
					return
				}
				if !edge {
					report(where, "admits %s into %s, which is not an internet-facing load balancer's security group", in.source, groupName)
					return
				}
				if !in.webPort() {
					report(where, "admits %s on %s; the edge admits the internet on TCP 80 and 443 only", in.source, in.ports())
				}
			}

			for _, rule := range v.of(typeSGIngressRule) {
				in := ingressFrom(rule.Properties, "cidrIpv4", "cidrIpv6", "prefixListId", "ipProtocol")
				sg, found := groupOf(rule)
				if !found {
					// A group created elsewhere: it is no load balancer's group here.
					judge(rule, false, "security group "+str(prop(rule.Properties, "securityGroupId")), in)
					continue
				}
				judge(rule, isEdge(sg), sg.Name, in)
			}
			for _, rule := range v.of(typeSecurityGroupRule) {
				if t := prop(rule.Properties, "type"); unknown(t) || str(t) != "ingress" {
					continue
				}
				in := ingressFrom(rule.Properties, "cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "protocol")
				sg, found := groupOf(rule)
				if !found {
					judge(rule, false, "security group "+str(prop(rule.Properties, "securityGroupId")), in)
					continue
				}
				judge(rule, isEdge(sg), sg.Name, in)
			}
			for _, sg := range v.of(typeSecurityGroup) {
				for _, block := range items(prop(sg.Properties, "ingress")) {
					if !block.IsMap() {
						continue
					}
					judge(sg, isEdge(sg), sg.Name, ingressFrom(block.AsMap(), "cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "protocol"))
				}
			}
		})
}

// ingress is what one rule admits: its first internet source (CIDR or
// prefix list), protocol and port range.
type ingress struct {
	source   string
	protocol string
	from, to float64
	unknown  bool
}

func ingressFrom(m property.Map, v4Key, v6Key, prefixKey, protocolKey string) ingress {
	in := ingress{}
	for _, k := range []string{v4Key, v6Key, prefixKey, protocolKey, "fromPort", "toPort"} {
		if hasUnknown(prop(m, k)) {
			in.unknown = true
			return in
		}
	}
	for _, c := range append(strs(prop(m, v4Key)), strs(prop(m, v6Key))...) {
		if publicCIDR(c) {
			in.source = c
			break
		}
	}
	if in.source == "" {
		if pl := strs(prop(m, prefixKey)); len(pl) > 0 {
			in.source = "prefix list " + pl[0]
		}
	}
	in.protocol = strings.ToLower(str(prop(m, protocolKey)))
	if n, ok := num(prop(m, protocolKey)); ok {
		in.protocol = fmt.Sprint(n)
	}
	in.from, _ = num(prop(m, "fromPort"))
	in.to, _ = num(prop(m, "toPort"))
	return in
}

func (in ingress) webPort() bool {
	tcp := in.protocol == "tcp" || in.protocol == "6"
	return tcp && in.from == in.to && (in.from == 80 || in.from == 443)
}

func (in ingress) ports() string {
	switch {
	case in.protocol == "-1" || in.protocol == "all":
		return "all protocols and ports"
	case in.from == in.to:
		return fmt.Sprintf("%s %g", in.protocol, in.from)
	}
	return fmt.Sprintf("%s %g-%g", in.protocol, in.from, in.to)
}

// publicCIDR reports whether a CIDR includes addresses routable on the
// internet. Unparseable values count as public: they cannot be shown to be
// private.
func publicCIDR(cidr string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return true
	}
	a := p.Masked().Addr()
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		// A private base address with a short prefix (10.0.0.0/1) still
		// spans public space.
		return p.Bits() < privateBits(a)
	}
	if a.Is4() && netip.MustParsePrefix("100.64.0.0/10").Contains(a) {
		return p.Bits() < 10
	}
	return true
}

// privateBits is the prefix length of the private range holding a.
func privateBits(a netip.Addr) int {
	for _, r := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "::1/128", "fe80::/10"} {
		p := netip.MustParsePrefix(r)
		if p.Contains(a) {
			return p.Bits()
		}
	}
	return 128
}
