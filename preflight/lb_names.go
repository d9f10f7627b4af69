package preflight

import (
	"regexp"
	"strings"
)

// lb-names: load balancer and target group names fit ELB's rules.
//
// A load balancer name is at most 32 alphanumeric characters or hyphens,
// does not begin or end with a hyphen and does not begin with "internal-"
// (CreateLoadBalancer Name); a target group name likewise 1-32 alphanumeric
// characters or hyphens, not beginning or ending with a hyphen
// (CreateTargetGroup Name). Auto-names count: Pulumi appends a hyphen and 7
// characters to the logical name, and pulumi-aws does not shorten a long
// one (its bridge fails with "plus 7 random chars is longer than maximum
// length 32"), so a 25-character logical name is the longest that works.
func lbNames() Rule {
	const (
		createLB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
		createTG = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"
	)
	spec := textSpec{min: 1, max: 32, allowed: lbNameRe, describe: "alphanumeric characters or hyphens"}
	return Rule{
		Name:    "lb-names",
		Doc:     "load balancer and target group names: 1-32 alphanumerics or hyphens, no hyphen at either end, no internal- prefix",
		Sources: []string{createLB, createTG},
		check: func(g *Graph, rep *report) {
			check := func(types []string, src string, lb bool) {
				for _, r := range g.Of(types...) {
					name, ok := physical(r, "name")
					if !ok {
						continue
					}
					checkText(rep, r, "name", name, spec, src)
					if strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") {
						rep.add(r, "name", name, src, "a name cannot begin or end with a hyphen")
					}
					if lb && strings.HasPrefix(name, "internal-") {
						rep.add(r, "name", name, src, "a load balancer name cannot begin with internal-")
					}
				}
			}
			check([]string{typeLB, typeALB}, createLB, true)
			check([]string{typeTargetGroup, "aws:alb/targetGroup:TargetGroup"}, createTG, false)
		},
	}
}

var lbNameRe = regexp.MustCompile(`^[a-zA-Z0-9-]*$`)
