package preflight

import (
	"fmt"
	"path"
	"strings"
)

// statement is one IAM policy statement, normalised.
type statement struct {
	sid        string
	effect     string
	principals map[string][]string // "Service", "AWS", "*"
	actions    []string
	resources  []string
	condition  map[string]any
}

// statements decodes a policy document's statements.
func statements(doc any) []statement {
	var raw []any
	switch s := at(doc, "Statement").(type) {
	case []any:
		raw = s
	case map[string]any:
		raw = []any{s}
	}
	var out []statement
	for _, r := range raw {
		m := asMap(r)
		st := statement{sid: str(m["Sid"]), effect: str(m["Effect"]), principals: map[string][]string{},
			actions: listOf(m["Action"]), resources: listOf(m["Resource"]), condition: asMap(m["Condition"])}
		switch p := m["Principal"].(type) {
		case string:
			st.principals["*"] = []string{p}
		case map[string]any:
			for k, v := range p {
				st.principals[k] = listOf(v)
			}
		}
		out = append(out, st)
	}
	return out
}

func listOf(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range items(v) {
		out = append(out, str(x))
	}
	return out
}

// allowsService reports whether the statement allows the service
// principal (or everyone).
func (s statement) allowsService(service string) bool {
	if s.effect != "Allow" {
		return false
	}
	if contains(s.principals["*"], "*") || contains(s.principals["AWS"], "*") {
		return true
	}
	return contains(s.principals["Service"], service)
}

// allowsAction reports whether the statement's actions cover action
// (IAM wildcards, case-insensitive).
func (s statement) allowsAction(action string) bool {
	for _, a := range s.actions {
		if ok, _ := path.Match(strings.ToLower(a), strings.ToLower(action)); ok {
			return true
		}
	}
	return false
}

// conditionKeys returns the condition keys the statement tests, lowercased.
func (s statement) conditionKeys() []string {
	var out []string
	for _, op := range s.condition {
		for k := range asMap(op) {
			out = append(out, strings.ToLower(k))
		}
	}
	return out
}

// coversResource reports whether the statement applies to arn.
func (s statement) coversResource(arn string) bool {
	for _, r := range s.resources {
		if ok, _ := path.Match(r, arn); ok || r == "*" {
			return true
		}
	}
	return false
}

// label names a statement by its Sid, or its index.
func (s statement) label(i int) string {
	if s.sid != "" {
		return s.sid
	}
	return fmt.Sprint(i)
}
