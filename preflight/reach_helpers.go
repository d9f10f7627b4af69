package preflight

import (
	"fmt"
	"strings"
)

// whyNot explains why a workload does not reach an AWS service's API.
func (n *netView) whyNot(w workload, service string) string {
	region := n.g.RegionOf(w.r)
	var why []string
	route, _ := n.internet(w.subnets, w.publicIP)
	switch {
	case !route:
		why = append(why, "its subnets have no route to the internet (no NAT gateway, or a public subnet without a public IP)")
	case !n.egress(w.groups, 443, dest{internet: true}):
		why = append(why, fmt.Sprintf("its security groups %v allow no TCP 443 to 0.0.0.0/0 (pulumi-aws removes a new group's allow-all egress)", w.groups))
	}
	why = append(why, fmt.Sprintf("no interface endpoint com.amazonaws.%s.%s with private DNS admits it on 443", region, service))
	return strings.Join(why, ", and ")
}

// checkAWSReach reports a workload that cannot reach the given services.
func checkAWSReach(rep *report, n *netView, w workload, need, src string, services ...string) {
	for _, svc := range services {
		ok, known := n.reachAWS(w, svc)
		if known && !ok {
			rep.add(w.r, w.field, map[string]any{"securityGroups": w.groups, "subnets": w.subnets}, src,
				"%s needs %s (%s), but %s", w.what, need, "com.amazonaws."+n.g.RegionOf(w.r)+"."+svc, n.whyNot(w, svc))
		}
	}
}
