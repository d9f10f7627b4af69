package preflight

import (
	"fmt"
	"regexp"
	"strings"
)

// ec2-security-group-text: security group names and descriptions, and the
// descriptions of their rules, use the characters EC2 accepts.
//
// EC2 accepts up to 255 characters of a-z, A-Z, 0-9, spaces and
// ._-:/()#,@[]+=&;{}!$* in a VPC security group's name and description
// (CreateSecurityGroup; a name cannot start with "sg-") and in a rule's
// description (IpRange, Ipv6Range, PrefixListId, UserIdGroupPair: "Up to
// 255 characters in length. Allowed characters are ..."). An apostrophe or
// any non-ASCII letter makes CreateSecurityGroup or
// AuthorizeSecurityGroupIngress/Egress fail, so the whole stack stops there.
// Checked: aws:ec2/securityGroup (name, auto-name included, description,
// inline ingress/egress descriptions), aws:vpc/securityGroupIngressRule and
// EgressRule, aws:ec2/securityGroupRule.
func ec2SecurityGroupText() Rule {
	const (
		createSG = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
		ipRange  = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html"
	)
	spec := textSpec{min: 0, max: 255, allowed: ec2TextRe,
		describe: "characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"}
	return Rule{
		Name:    "ec2-security-group-text",
		Doc:     "security group names, descriptions and rule descriptions: 255 characters of EC2's allowed set",
		Sources: []string{createSG, ipRange},
		check: func(g *Graph, rep *report) {
			for _, sg := range g.Of(typeSecurityGroup) {
				if name, ok := physical(sg, "name"); ok {
					checkText(rep, sg, "name", name, textSpec{min: 1, max: 255, allowed: ec2TextRe, describe: spec.describe}, createSG)
					if strings.HasPrefix(strings.ToLower(name), "sg-") {
						rep.add(sg, "name", name, createSG, "a security group name cannot start with sg-")
					}
				}
				checkText(rep, sg, "description", sg.Inputs["description"], spec, createSG)
				for _, dir := range []string{"ingress", "egress"} {
					for i, block := range items(sg.Inputs[dir]) {
						checkText(rep, sg, fmt.Sprintf("%s[%d].description", dir, i), at(block, "description"), spec, ipRange)
					}
				}
			}
			for _, r := range g.Of(typeSGIngress, typeSGEgress, typeSGRule) {
				checkText(rep, r, "description", r.Inputs["description"], spec, ipRange)
			}
		},
	}
}

var ec2TextRe = regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$`)
