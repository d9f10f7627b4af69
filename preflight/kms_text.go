package preflight

import (
	"regexp"
	"strings"
)

// kms-text: KMS aliases, key descriptions and key policies fit the API.
//
// An alias name is alias/ followed by letters, digits, / _ and -, at most
// 256 characters, and cannot begin with alias/aws/ (reserved for AWS
// managed keys) (CreateAlias AliasName); a key description is at most 8,192
// characters and a key policy at most 32 KB (32,768 bytes) (CreateKey).
func kmsText() Rule {
	const (
		alias  = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"
		create = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"
	)
	return Rule{
		Name:    "kms-text",
		Doc:     "KMS alias names alias/[a-zA-Z0-9/_-]+ (256, not alias/aws/), key descriptions 8,192, key policies 32 KB",
		Sources: []string{alias, create},
		check: func(g *Graph, rep *report) {
			for _, a := range g.Of(typeKMSAlias) {
				name, ok := physical(a, "name")
				if !ok {
					continue
				}
				if !aliasRe.MatchString(name) || len(name) > 256 {
					rep.add(a, "name", name, alias, "an alias name is alias/ followed by letters, digits, /, _ and -, at most 256 characters")
				}
				if strings.HasPrefix(name, "alias/aws/") {
					rep.add(a, "name", name, alias, "alias/aws/ is reserved for AWS managed keys")
				}
			}
			for _, k := range g.Of(typeKMSKey) {
				checkText(rep, k, "description", k.Inputs["description"], textSpec{max: 8192}, create)
				checkText(rep, k, "policy", k.Inputs["policy"], textSpec{min: 1, max: 32768, bytes: true}, create)
			}
		},
	}
}

var aliasRe = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)
