package preflight

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// Violation is one value AWS would refuse (or a deployment that would not
// work), found in the recorded graph.
type Violation struct {
	// Rule is the name of the rule that found it.
	Rule string
	// URN, Type and Name identify the resource.
	URN, Type, Name string
	// Field is the input (a path such as "ingress[0].description" or
	// "tags.aws:owner"), Value what it holds.
	Field, Value string
	// Constraint is what AWS requires, Source where that is written down.
	Constraint, Source string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s\n    %s = %s: %s\n    [%s; %s]", v.URN, v.Field, v.Value, v.Constraint, v.Rule, v.Source)
}

// Rule is one constraint check over the whole graph.
type Rule struct {
	// Name is the rule's name (kebab-case, the file's name with hyphens).
	Name string
	// Doc says in one line what the rule checks.
	Doc string
	// Sources are the documents the constraints come from.
	Sources []string
	check   func(g *Graph, r *report)
}

// Run checks one rule against a graph.
func (rule Rule) Run(g *Graph) []Violation {
	rep := &report{rule: rule.Name}
	rule.check(g, rep)
	sortViolations(rep.found)
	return rep.found
}

// report collects a rule's violations.
type report struct {
	rule  string
	found []Violation
}

// add records a violation of res's field holding value.
func (r *report) add(res *mocks.Resource, field string, value any, source, constraint string, args ...any) {
	if len(args) > 0 {
		constraint = fmt.Sprintf(constraint, args...)
	}
	r.found = append(r.found, Violation{
		Rule: r.rule, URN: res.URN, Type: res.Type, Name: res.Name,
		Field: field, Value: showValue(value), Constraint: constraint, Source: source,
	})
}

// showValue renders a value for a message: strings quoted, other values as
// JSON, long ones shortened.
func showValue(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = fmt.Sprintf("%q", x)
	case nil:
		s = "(unset)"
	default:
		b, err := json.Marshal(x)
		if err != nil {
			s = fmt.Sprint(x)
		} else {
			s = string(b)
		}
	}
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// Rules returns every rule, in the order they are reported.
func Rules() []Rule {
	return []Rule{
		// Names, descriptions and tags.
		ec2SecurityGroupText(),
		tagLimits(),
		iamNames(),
		lbNames(),
		logGroupNames(),
		secretNames(),
		s3BucketNames(),
		cloudwatchAlarms(),
		eventbridgeRules(),
		ecsNames(),
		ecsTaskDefinitionLimits(),
		cloudfrontText(),
		acmCertificates(),
		kmsText(),
		codebuildProject(),
		rdsNames(),
		efsSettings(),
		logMetricFilters(),
		vpcEndpoints(),
		wafCloudFormation(),
		// Closed sets.
		regionNames(),
		elbSSLPolicies(),
		auroraMySQL(),
		cloudfrontPriceClass(),
		fargateCPUMemory(),
		logRetentionValues(),
		// Quotas.
		albQuotas(),
		securityGroupRuleQuotas(),
		cloudfrontQuotas(),
		// Across resources.
		physicalNamesUnique(),
		kmsKeyPublishers(),
		s3OwnershipACLs(),
		albAccessLogBucket(),
		cloudfrontUSEast1(),
		ecsCapacityProviders(),
		tasksReachImageRegistry(),
		tasksReachLogs(),
		tasksReachSecrets(),
		tasksReachEFS(),
		tasksReachDatabase(),
		albReachesTargets(),
	}
}

// Check runs every rule over a recorded graph and returns the violations,
// sorted by resource, rule and field.
func Check(res *mocks.Result) []Violation {
	g := NewGraph(res)
	var out []Violation
	for _, rule := range Rules() {
		out = append(out, rule.Run(g)...)
	}
	sortViolations(out)
	return out
}

func sortViolations(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if a.URN != b.URN {
			return a.URN < b.URN
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Constraint < b.Constraint
	})
}

// Error is the error a preview fails with: every violation found.
type Error struct {
	Violations []Violation
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "preflight: %d value(s) AWS would refuse (or that would not work once deployed):", len(e.Violations))
	for _, v := range e.Violations {
		b.WriteString("\n  ")
		b.WriteString(strings.ReplaceAll(v.String(), "\n", "\n  "))
	}
	return b.String()
}

// Err returns an *Error for the violations, or nil when there are none.
func Err(vs []Violation) error {
	if len(vs) == 0 {
		return nil
	}
	return &Error{Violations: vs}
}
