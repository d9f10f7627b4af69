package policy

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// githubSubjectRe is a GitHub Actions OIDC subject naming one repository
// (any ref, environment or event after it).
var githubSubjectRe = regexp.MustCompile(`^repo:[^*/:]+/[^*/:]+(:.*)?$`)

// iam-trust-scoped: roles can be assumed only by the principals they are
// for.
//
// Checks the trust policy (`assumeRolePolicy`) of every aws:iam/role:Role,
// Allow statements:
//   - no principal "*" (or AWS "*") unless a condition pins the source
//     (organization, account, source ARN, VPC endpoint, ...);
//   - a federated (web identity / OIDC) principal must be limited by a
//     condition on the token's subject (`<issuer>:sub`, StringEquals or
//     StringLike) that is not a wildcard; for GitHub Actions
//     (token.actions.githubusercontent.com) the subject must name one
//     repository: "repo:<owner>/<repo>:..." without wildcards in owner or
//     repository.
//
// Why: least privilege on the other side of the role (FSBP IAM.1 concerns
// what a role may do; this is who may become it). An OIDC role without a
// subject condition can be assumed by any workflow of any repository on
// GitHub, which is how CI roles get taken over.
// Level: mandatory.
// Not applicable: Deny statements, other types. Trust policies unknown
// during preview are not judged.
func iamTrustScoped(settings) policyx.Policy {
	return resourceRule("iam-trust-scoped",
		"IAM role trust policies name their principals; OIDC (CI) roles are limited to one repository by the token subject.",
		policyx.EnforcementLevelMandatory,
		[]string{typeIAMRole},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			doc, state := jsonDoc(prop(r.Properties, "assumeRolePolicy"))
			if state != jsonOK {
				return
			}
			for i, st := range statements(doc) {
				if !st.allow() {
					continue
				}
				name := st.Sid
				if name == "" {
					name = "#" + strconv.Itoa(i)
				}
				if st.everyone() && !restrictsSource(st) {
					report("trust statement %s lets anyone assume the role", name)
				}
				for _, fed := range st.principals("Federated") {
					subs := subjectConditions(st)
					if len(subs) == 0 {
						report("trust statement %s lets %s assume the role without a condition on the token subject (:sub)", name, fed)
						continue
					}
					github := strings.Contains(fed, "token.actions.githubusercontent.com")
					for _, sub := range subs {
						switch {
						case sub == "*" || sub == "":
							report("trust statement %s: the subject condition %q admits every identity of %s", name, sub, fed)
						case github && !githubSubjectRe.MatchString(sub):
							report("trust statement %s: GitHub subject %q does not name one repository (repo:<owner>/<repo>:...)", name, sub)
						}
					}
				}
			}
		})
}

// subjectConditions returns the values a statement requires of a web
// identity token's subject (condition keys ending in ":sub").
func subjectConditions(st statement) []string {
	var out []string
	for op, kv := range st.Condition {
		if !containsAny(op, []string{"StringEquals", "StringLike"}) || strings.Contains(op, "IfExists") {
			continue
		}
		m, ok := kv.(map[string]any)
		if !ok {
			continue
		}
		for k, v := range m {
			if strings.HasSuffix(strings.ToLower(k), ":sub") {
				out = append(out, jlist(v)...)
			}
		}
	}
	return out
}
