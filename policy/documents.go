package policy

import (
	"strings"
)

// statement is one statement of an IAM identity or resource policy, with
// the string-or-list fields normalised to lists.
type statement struct {
	Sid          string
	Effect       string
	Principal    any // "*", or {"AWS"|"Service"|"Federated"|"CanonicalUser": string or list}
	NotPrincipal any
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    map[string]any // operator -> {key: value or list}
}

// statements returns the statements of a decoded policy document (a single
// statement object or a list).
func statements(doc any) []statement {
	var raw []any
	switch s := jget(doc, "Statement").(type) {
	case []any:
		raw = s
	case map[string]any:
		raw = []any{s}
	}
	out := make([]statement, 0, len(raw))
	for _, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		out = append(out, statement{
			Sid:          jstr(m["Sid"]),
			Effect:       jstr(m["Effect"]),
			Principal:    m["Principal"],
			NotPrincipal: m["NotPrincipal"],
			Action:       jlist(m["Action"]),
			NotAction:    jlist(m["NotAction"]),
			Resource:     jlist(m["Resource"]),
			NotResource:  jlist(m["NotResource"]),
			Condition:    cond,
		})
	}
	return out
}

func (s statement) allow() bool { return s.Effect == "Allow" }
func (s statement) deny() bool  { return s.Effect == "Deny" }

// principals returns the principals of one kind ("AWS", "Service",
// "Federated", "CanonicalUser"); a bare "*" principal counts as AWS "*".
func (s statement) principals(kind string) []string {
	if p, ok := s.Principal.(string); ok {
		if kind == "AWS" {
			return []string{p}
		}
		return nil
	}
	return jlist(jget(s.Principal, kind))
}

// everyone reports whether the statement's principal is anybody at all:
// "*" or {"AWS": "*"} (or a list containing "*").
func (s statement) everyone() bool {
	for _, p := range s.principals("AWS") {
		if p == "*" {
			return true
		}
	}
	return false
}

// conditionValues returns the values a condition key is tested against
// under any operator whose name contains one of ops (e.g. "StringEquals"
// matches "StringEquals" and "ForAnyValue:StringEquals"); key compares
// case-insensitively, as IAM does for condition keys.
func (s statement) conditionValues(key string, ops ...string) []string {
	var out []string
	for op, kv := range s.Condition {
		if len(ops) > 0 && !containsAny(op, ops) {
			continue
		}
		m, ok := kv.(map[string]any)
		if !ok {
			continue
		}
		for k, v := range m {
			if strings.EqualFold(k, key) {
				out = append(out, jlist(v)...)
				if b, ok := v.(bool); ok {
					if b {
						out = append(out, "true")
					} else {
						out = append(out, "false")
					}
				}
			}
		}
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// tlsDeniedResources returns the resources (as written in the document) on
// which the document denies requests made without TLS: a Deny to everyone,
// for every action, on condition Bool aws:SecureTransport = false.
func tlsDeniedResources(doc any) []string {
	var out []string
	for _, st := range statements(doc) {
		if !st.deny() || !st.everyone() || !allActions(st.Action) {
			continue
		}
		if !contains(st.conditionValues("aws:SecureTransport", "Bool"), "false") {
			continue
		}
		out = append(out, st.Resource...)
	}
	return out
}

// allActions reports whether an action list covers every action of the
// resource's service ("*" or "<service>:*").
func allActions(actions []string) bool {
	for _, a := range actions {
		if a == "*" || strings.HasSuffix(a, ":*") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
