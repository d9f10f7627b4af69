package preflight

import (
	"regexp"
)

// secret-names: Secrets Manager secret names and settings fit CreateSecret.
//
// A secret name is 1-512 characters of ASCII letters, digits and /_+=.@-
// (CreateSecret Name); it should not end with a hyphen followed by six
// characters, because Secrets Manager appends exactly that to the ARN and
// a partial ARN would then be ambiguous (the API reference's warning); a
// description is at most 2048 characters; recoveryWindowInDays is 7-30
// (0 in pulumi-aws means delete without recovery).
func secretNames() Rule {
	const src = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"
	spec := textSpec{min: 1, max: 512, allowed: secretNameRe, describe: "characters of ASCII letters, digits and /_+=.@-"}
	return Rule{
		Name:    "secret-names",
		Doc:     "secret names 1-512 of [A-Za-z0-9/_+=.@-], not ending in -XXXXXX; descriptions 2048; recovery window 0 or 7-30",
		Sources: []string{src},
		check: func(g *Graph, rep *report) {
			for _, s := range g.Of(typeSecret) {
				if name, ok := physical(s, "name"); ok {
					checkText(rep, s, "name", name, spec, src)
					if secretSuffixRe.MatchString(name) {
						rep.add(s, "name", name, src, "a secret name should not end with a hyphen and six characters (Secrets Manager appends those to the ARN)")
					}
				}
				checkText(rep, s, "description", s.Inputs["description"], textSpec{max: 2048}, src)
				if d, ok := num(s.Inputs["recoveryWindowInDays"]); ok && d != 0 && (d < 7 || d > 30) {
					rep.add(s, "recoveryWindowInDays", d, src, "a recovery window is 7-30 days (0: delete at once)")
				}
			}
		},
	}
}

var (
	secretNameRe   = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@-]*$`)
	secretSuffixRe = regexp.MustCompile(`-[a-zA-Z0-9]{6}$`)
)
