package components

import (
	"encoding/json"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PolicyDocument is an IAM (or resource) policy document.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of a PolicyDocument.
type PolicyStatement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// Policy builds a 2012-10-17 policy document.
func Policy(statements ...PolicyStatement) PolicyDocument {
	return PolicyDocument{Version: "2012-10-17", Statement: statements}
}

// JSON renders the document.
func (d PolicyDocument) JSON() string {
	// Only strings, slices and maps of them go in, so Marshal cannot fail.
	b, _ := json.Marshal(d)
	return string(b)
}

// servicePrincipalPolicy is a trust policy letting an AWS service assume a
// role, optionally only on behalf of this account (confused-deputy guard).
func servicePrincipalPolicy(service, accountID string) string {
	st := PolicyStatement{
		Effect:    "Allow",
		Principal: map[string]any{"Service": service},
		Action:    []string{"sts:AssumeRole"},
	}
	if accountID != "" {
		st.Condition = map[string]map[string]any{
			"StringEquals": {"aws:SourceAccount": accountID},
		}
	}
	return Policy(st).JSON()
}

// policyOutput builds a policy document from resolved string inputs: build
// receives the inputs' values in order.
func policyOutput(build func(v []string) PolicyDocument, inputs ...pulumi.StringInput) pulumi.StringOutput {
	args := make([]any, len(inputs))
	for i, in := range inputs {
		args[i] = in
	}
	return pulumi.All(args...).ApplyT(func(vals []any) string {
		s := make([]string, len(vals))
		for i, v := range vals {
			s[i], _ = v.(string)
		}
		return build(s).JSON()
	}).(pulumi.StringOutput)
}

// denyInsecureTransport is the statement every resource policy carries:
// nothing reaches the resource over plain HTTP/NFS.
func denyInsecureTransport(resources ...string) PolicyStatement {
	return PolicyStatement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: map[string]any{"AWS": "*"},
		Action:    []string{"*"},
		Resource:  resources,
		Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
	}
}
