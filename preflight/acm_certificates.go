package preflight

import (
	"fmt"
	"strings"
)

// acm-certificates: ACM certificate requests fit RequestCertificate and the
// default quota on names per certificate.
//
// A certificate covers at most 10 domain names (the domain name plus its
// subject alternative names; ACM's default quota "Domain names per ACM
// certificate", raisable to 100 on request); each name is 1-253 characters
// with labels of at most 63, and a wildcard only as the whole leftmost
// label (RequestCertificate DomainName: "the first octet can be at most 64
// characters", a total of 253).
// Not checked offline: a raised quota of the account.
func acmCertificates() Rule {
	const (
		request = "https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html"
		quotas  = "https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html"
	)
	return Rule{
		Name:    "acm-certificates",
		Doc:     "ACM certificates: at most 10 names (default quota), names 253 characters, labels 63, wildcards leftmost",
		Sources: []string{request, quotas},
		check: func(g *Graph, rep *report) {
			for _, c := range g.Of(typeCertificate) {
				names := strs(c.Inputs["domainName"])
				for i, san := range strs(c.Inputs["subjectAlternativeNames"]) {
					if len(names) == 0 || san != names[0] {
						names = append(names, san)
					}
					if p := domainProblem(san); p != "" {
						rep.add(c, fmt.Sprintf("subjectAlternativeNames[%d]", i), san, request, "%s", p)
					}
				}
				if d, ok := text(c.Inputs["domainName"]); ok {
					if p := domainProblem(d); p != "" {
						rep.add(c, "domainName", d, request, "%s", p)
					}
				}
				if len(names) > 10 {
					rep.add(c, "subjectAlternativeNames", names, quotas, "a certificate covers at most 10 domain names by default (ACM quota); this one has %d", len(names))
				}
			}
		},
	}
}

func domainProblem(d string) string {
	if len(d) < 1 || len(d) > 253 {
		return fmt.Sprintf("a domain name is 1-253 characters; it has %d", len(d))
	}
	for i, l := range strings.Split(d, ".") {
		if len(l) > 63 {
			return fmt.Sprintf("a domain label is at most 63 characters; %q has %d", l, len(l))
		}
		if strings.Contains(l, "*") && (i > 0 || l != "*") {
			return "a wildcard is the whole leftmost label (*.example.com)"
		}
	}
	return ""
}
