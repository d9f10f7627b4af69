package preflight

// elb-ssl-policies: HTTPS listeners name one of ELB's predefined security
// policies.
//
// Application Load Balancers support only the predefined policies
// (ELBSecurityPolicy-...; no custom policies), so any other sslPolicy
// fails CreateListener with SSLPolicyNotFound. The list, with the date it
// was checked, is data/elb-ssl-policies.txt.
func elbSSLPolicies() Rule {
	set := loadSet("elb-ssl-policies")
	return Rule{
		Name:    "elb-ssl-policies",
		Doc:     "listener sslPolicy is a predefined ELB security policy (" + set.file + ")",
		Sources: set.sources,
		check: func(g *Graph, rep *report) {
			for _, l := range g.Of(typeListener, "aws:alb/listener:Listener") {
				if p, ok := text(l.Inputs["sslPolicy"]); ok && p != "" && !set.has(p) {
					rep.add(l, "sslPolicy", p, set.source(), "%s", set.refusal("security policy "+p))
				}
			}
		},
	}
}
