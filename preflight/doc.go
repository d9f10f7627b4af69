// Package preflight checks a recorded resource graph (mocks.Result) against
// the AWS API constraints that mocks cannot see: the character sets and
// lengths AWS accepts for names, descriptions and tags, values from closed
// sets (regions, SSL policies, Aurora versions and instance classes, Fargate
// sizes, log retention periods), service quotas, and rules that span
// resources (a KMS key that lets each publisher of its topic use it, bucket
// ownership against the ACLs written to it, a network path from every task
// to what it needs, names that must be unique in an account and region).
//
// The mocks accept any value; AWS does not. preflight.Check runs every rule
// over the whole graph after the program ran and returns one Violation per
// problem: resource URN, field, value, the constraint and its source (the
// AWS API reference page, quota page or provider document it comes from).
// program.Preview and cmd/preview fail on any violation; a stack of your own
// uses it like the policy pack:
//
//	res, err := mocks.Run("my-project", "dev", cfg, nil, run)
//	for _, v := range preflight.Check(res) { t.Error(v) }
//
// Layout: one rule per file, named for the rule, with a doc comment that
// says what it checks, where the constraint comes from and what cannot be
// checked offline; closed sets live in data/*.txt, each stamped with the
// date it was checked and its source. Each rule has a test that proves it
// accepts a good graph and catches a violating one (rules_test.go).
//
// Values the graph does not know (mocks.UnknownPlaceholder) and secrets
// (mocks.SecretPlaceholder) are never judged.
package preflight
