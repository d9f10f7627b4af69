package policy

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Violation is one policy violation found by Check.
type Violation struct {
	// Policy is the policy's name, Level its enforcement level.
	Policy string
	Level  policyx.EnforcementLevel
	// URN is the resource the violation is about ("" for the stack as a whole).
	URN string
	// Message is the policy's description and the violation's detail, as
	// the engine would print them.
	Message string
}

// Mandatory reports whether the violation would stop a deployment.
func (v Violation) Mandatory() bool { return v.Level == policyx.EnforcementLevelMandatory }

func (v Violation) String() string {
	return fmt.Sprintf("[%s] %s: %s", LevelName(v.Level), v.Policy, strings.ReplaceAll(v.Message, "\n", " — "))
}

// LevelName is an enforcement level as the Pulumi CLI spells it.
func LevelName(l policyx.EnforcementLevel) string {
	switch l {
	case policyx.EnforcementLevelAdvisory:
		return "advisory"
	case policyx.EnforcementLevelMandatory:
		return "mandatory"
	case policyx.EnforcementLevelDisabled:
		return "disabled"
	case policyx.EnforcementLevelRemediate:
		return "remediate"
	}
	return fmt.Sprintf("level(%d)", l)
}

// Check runs a pack offline the way the engine runs it: every resource
// validation policy on every resource, then every stack validation policy
// once on all resources. levels overrides policies' enforcement levels by
// name, as policy config does (nil for none); disabled policies do not run.
// Violations are returned sorted by policy, URN and message. A policy that
// returns an error or panics (which would crash the served pack: policyx
// installs no recover) makes Check return an error.
func Check(pack policyx.PolicyPack, resources []policyx.AnalyzerResource, levels map[string]policyx.EnforcementLevel) ([]Violation, error) {
	ctx := context.Background()
	var out []Violation
	for _, p := range pack.Policies() {
		level := p.EnforcementLevel()
		if l, ok := levels[p.Name()]; ok {
			level = l
		}
		if level == policyx.EnforcementLevelDisabled {
			continue
		}
		mgr := &collector{policy: p, level: level}
		switch p := p.(type) {
		case policyx.ResourceValidationPolicy:
			for _, r := range resources {
				mgr.defaultURN = r.URN
				err := guard(p.Name(), r.URN, func() error {
					return p.Validate(ctx, policyx.ResourceValidationArgs{Manager: mgr, Resource: r})
				})
				if err != nil {
					return nil, err
				}
			}
		case policyx.StackValidationPolicy:
			mgr.defaultURN = ""
			if err := guard(p.Name(), "", func() error {
				return p.Validate(ctx, policyx.StackValidationArgs{Manager: mgr, Resources: resources})
			}); err != nil {
				return nil, err
			}
		}
		out = append(out, mgr.found...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		if a.URN != b.URN {
			return a.URN < b.URN
		}
		return a.Message < b.Message
	})
	return out, nil
}

// Mandatory returns the mandatory violations.
func Mandatory(vs []Violation) []Violation {
	var out []Violation
	for _, v := range vs {
		if v.Mandatory() {
			out = append(out, v)
		}
	}
	return out
}

type collector struct {
	policy     policyx.Policy
	level      policyx.EnforcementLevel
	defaultURN string
	found      []Violation
}

func (c *collector) ReportViolation(message, urn string) {
	if urn == "" {
		urn = c.defaultURN
	}
	msg := c.policy.Description()
	if message != "" {
		msg += "\n" + message
	}
	c.found = append(c.found, Violation{Policy: c.policy.Name(), Level: c.level, URN: urn, Message: msg})
}

func guard(policy, urn string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("policy %s panicked on %q: %v\n%s", policy, urn, r, debug.Stack())
		}
	}()
	if err := f(); err != nil {
		return fmt.Errorf("policy %s on %q: %w", policy, urn, err)
	}
	return nil
}
