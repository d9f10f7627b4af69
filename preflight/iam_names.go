package preflight

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/wpfleet/wpfleet/mocks"
)

// iam-names: IAM role names, descriptions and policies fit IAM's limits.
//
// A role name is 1-64 characters of letters, digits and +=,.@_- (CreateRole
// RoleName, pattern [\w+=,.@-]+), auto-names included (the logical name plus
// 8 characters); a description at most 1000 characters of tab, newline and
// printable Latin-1; an inline policy name 1-128 characters of the same set
// as role names (PutRolePolicy). Quotas (IAM and AWS STS quotas): a role's
// inline policies together at most 10,240 characters and its trust policy
// at most 2,048 (whitespace not counted; the trust policy limit can be
// raised to 4,096 on request), at most 10 managed policies attached (the
// default quota). A managed policy's name follows the inline policy rules,
// its description the role's, and its document is at most 6,144
// characters. An OIDC provider's URL starts with https://, it has at
// most 5 thumbprints of 40 hex characters and at most 100 client IDs of
// 1-255 characters.
// Not checked offline: raised quotas of the account.
func iamNames() Rule {
	const (
		createRole   = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"
		putPolicy    = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html"
		quotas       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
		oidc         = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html"
		createPolicy = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html"
	)
	nameSpec := textSpec{min: 1, max: 64, allowed: iamNameRe, describe: "characters of letters, digits and +=,.@_-"}
	policyName := textSpec{min: 1, max: 128, allowed: iamNameRe, describe: nameSpec.describe}
	descSpec := textSpec{max: 1000, allowed: iamDescRe, describe: "characters of tab, newline and printable Latin-1"}
	return Rule{
		Name:    "iam-names",
		Doc:     "IAM role names 1-64 [\\w+=,.@-], descriptions 1000, inline policies 10,240 per role, trust policy 2,048, 10 managed policies, OIDC provider limits",
		Sources: []string{createRole, putPolicy, quotas, oidc, createPolicy},
		check: func(g *Graph, rep *report) {
			inline := map[string][]*mocks.Resource{}
			for _, p := range g.Of(typeIAMRolePolicy) {
				if name, ok := physical(p, "name"); ok {
					checkText(rep, p, "name", name, policyName, putPolicy)
				}
				if role, ok := text(p.Inputs["role"]); ok {
					inline[role] = append(inline[role], p)
				}
			}
			attached := map[string]int{}
			for _, a := range g.Of(typeIAMRolePolicyAttach) {
				if role, ok := text(a.Inputs["role"]); ok {
					attached[role]++
				}
			}
			for _, role := range g.Of(typeIAMRole) {
				name, ok := physical(role, "name")
				if !ok {
					continue
				}
				checkText(rep, role, "name", name, nameSpec, createRole)
				checkText(rep, role, "description", role.Inputs["description"], descSpec, createRole)
				if doc, ok := text(role.Inputs["assumeRolePolicy"]); ok {
					if n := policyLength(doc); n > 2048 {
						rep.add(role, "assumeRolePolicy", doc, quotas, "a role trust policy is at most 2,048 characters (whitespace not counted; 4,096 on request); it has %d", n)
					}
				}
				total := 0
				for i, p := range items(role.Inputs["inlinePolicies"]) {
					checkText(rep, role, fmt.Sprintf("inlinePolicies[%d].name", i), at(p, "name"), policyName, putPolicy)
					total += policyLength(str(at(p, "policy")))
				}
				for _, p := range inline[name] {
					total += policyLength(str(p.Inputs["policy"]))
				}
				if total > 10240 {
					rep.add(role, "policies", total, quotas, "a role's inline policies together are at most 10,240 characters (whitespace not counted); role %s has %d", name, total)
				}
				n := attached[name] + len(items(role.Inputs["managedPolicyArns"]))
				if n > 10 {
					rep.add(role, "managedPolicyArns", n, quotas, "at most 10 managed policies per role (default quota); role %s has %d", name, n)
				}
			}
			for _, p := range g.Of(typeIAMPolicy) {
				if name, ok := physical(p, "name"); ok {
					checkText(rep, p, "name", name, policyName, createPolicy)
				}
				checkText(rep, p, "description", p.Inputs["description"], descSpec, createPolicy)
				if doc, ok := text(p.Inputs["policy"]); ok {
					if n := policyLength(doc); n > 6144 {
						rep.add(p, "policy", n, quotas, "a managed policy is at most 6,144 characters (whitespace not counted); it has %d", n)
					}
				}
			}
			for _, p := range g.Of(typeOIDCProvider) {
				checkOIDCProvider(rep, p, oidc)
			}
		},
	}
}

var (
	iamNameRe = regexp.MustCompile(`^[\w+=,.@-]*$`)
	iamDescRe = regexp.MustCompile("^[\t\n\r\x20-\x7e\u00a1-\u00ff]*$")
	thumbRe   = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
)

// policyLength counts a policy the way IAM's quotas do: without whitespace.
func policyLength(doc string) int {
	if !known(doc) {
		return 0
	}
	n := 0
	for _, c := range doc {
		if !unicode.IsSpace(c) {
			n++
		}
	}
	return n
}

func checkOIDCProvider(rep *report, p *mocks.Resource, src string) {
	if u, ok := text(p.Inputs["url"]); ok && !strings.HasPrefix(u, "https://") {
		rep.add(p, "url", u, src, "an OIDC provider URL begins with https://")
	}
	thumbs := items(p.Inputs["thumbprintLists"])
	if len(thumbs) > 5 {
		rep.add(p, "thumbprintLists", len(thumbs), src, "at most 5 thumbprints")
	}
	for i, t := range thumbs {
		if s, ok := text(t); ok && !thumbRe.MatchString(s) {
			rep.add(p, fmt.Sprintf("thumbprintLists[%d]", i), s, src, "a thumbprint is 40 hexadecimal characters")
		}
	}
	ids := items(p.Inputs["clientIdLists"])
	if len(ids) > 100 {
		rep.add(p, "clientIdLists", len(ids), src, "at most 100 client IDs")
	}
	for i, id := range ids {
		checkText(rep, p, fmt.Sprintf("clientIdLists[%d]", i), id, textSpec{min: 1, max: 255}, src)
	}
}
