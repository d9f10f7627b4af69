package policy

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// readOnlyOrUnscopable are the only actions an Allow may grant on every
// resource ("*"): read-only calls, and calls for which AWS offers no
// resource-level permission, so "*" is the only form IAM accepts. Every
// entry says which it is. Add an action only with that reason (the Service
// Authorization Reference lists "Resource types" per action; an empty
// column means unscopable).
var readOnlyOrUnscopable = map[string]string{
	// Image pulls by the task execution role.
	"ecr:GetAuthorizationToken":       "no resource-level permissions (account-wide registry token)",
	"ecr:BatchCheckLayerAvailability": "read-only; image pulls from any repository the execution role is given",
	"ecr:GetDownloadUrlForLayer":      "read-only",
	"ecr:BatchGetImage":               "read-only",
	// ECS Exec: the SSM agent in the task opens its channels.
	"ssmmessages:CreateControlChannel": "no resource-level permissions",
	"ssmmessages:CreateDataChannel":    "no resource-level permissions",
	"ssmmessages:OpenControlChannel":   "no resource-level permissions",
	"ssmmessages:OpenDataChannel":      "no resource-level permissions",
	// ECS Exec session logging looks its log group up.
	"logs:DescribeLogGroups": "read-only, no resource-level permissions",
	// CodeBuild builds inside the VPC (the release pipeline) describe the
	// network they attach to: the exact list of AWS's CodeBuild VPC policy.
	"ec2:DescribeDhcpOptions":       "read-only, no resource-level permissions",
	"ec2:DescribeNetworkInterfaces": "read-only, no resource-level permissions",
	"ec2:DescribeSecurityGroups":    "read-only, no resource-level permissions",
	"ec2:DescribeSubnets":           "read-only, no resource-level permissions",
	"ec2:DescribeVpcs":              "read-only, no resource-level permissions",
}

// adminManagedPolicyRe matches AWS managed policies that grant whole
// services or everything.
var adminManagedPolicyRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|PowerUserAccess|IAMFullAccess|[A-Za-z0-9]*FullAccess(V[0-9]+)?)$`)

// iam-least-privilege: identity policies grant named actions on named
// resources.
//
// Checks every identity policy of the stack (aws:iam/rolePolicy, policy,
// userPolicy, groupPolicy and the inline policies of aws:iam/role), Allow
// statements only:
//   - no "*" or "<service>:*" action (FSBP IAM.1, IAM.21) and no NotAction;
//   - Resource "*" (or an ARN whose resource part is "*", such as
//     arn:aws:s3:::*) or NotResource only when every action of the
//     statement is in readOnlyOrUnscopable, the commented allow-list above;
//   - no attachment of AWS managed policies that grant whole services
//     (AdministratorAccess, PowerUserAccess, IAMFullAccess, *FullAccess),
//     via managedPolicyArns or *PolicyAttachment resources.
//
// Resource policies are not identity policies and are not checked here.
// In particular a KMS key policy statement granting kms:* on "*" to the
// account root (arn:aws:iam::<account>:root) is the standard administrator
// statement: it delegates the key to the account's IAM, where these rules
// apply, and without it the key becomes unmanageable. Bucket and topic
// policies are checked by the S3 rules.
// Why: least privilege (FSBP IAM.1: no full "*:*" administrative
// privileges; IAM.21: no wildcard service actions); a task or build that is
// compromised can do only what its site needs.
// Level: mandatory.
// Not applicable: Deny statements, other types. Policies unknown during
// preview are not judged.
func iamLeastPrivilege(settings) policyx.Policy {
	return resourceRule("iam-least-privilege",
		"IAM identity policies: no wildcard actions, \"*\" resources only for read-only or unscopable actions, no full-access managed policies (FSBP IAM.1, IAM.21).",
		policyx.EnforcementLevelMandatory,
		[]string{typeIAMRolePolicy, typeIAMPolicy, typeIAMUserPolicy, typeIAMGroupPolicy, typeIAMRole,
			typeIAMRoleAttachment, typeIAMUserAttachment, typeIAMGroupAttachment, typeIAMPolicyAttachment},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			checkDoc := func(where string, doc any) {
				for i, st := range statements(doc) {
					if !st.allow() {
						continue
					}
					name := st.Sid
					if name == "" {
						name = "#" + strconv.Itoa(i)
					}
					if len(st.NotAction) > 0 {
						report("%sstatement %s allows NotAction %v, i.e. every other action", where, name, st.NotAction)
					}
					for _, a := range st.Action {
						if a == "*" || strings.HasSuffix(a, ":*") {
							report("%sstatement %s allows the wildcard action %q; name the actions", where, name, a)
						}
					}
					everything := len(st.NotResource) > 0
					for _, res := range st.Resource {
						if allResources(res) {
							everything = true
						}
					}
					if !everything {
						continue
					}
					for _, a := range st.Action {
						if a == "*" || strings.HasSuffix(a, ":*") {
							continue // reported above
						}
						if _, ok := readOnlyOrUnscopable[a]; !ok {
							report("%sstatement %s allows %s on every resource; scope it to the resources it needs (or, if AWS offers no resource-level permission for it, add it to readOnlyOrUnscopable with that reason)", where, name, a)
						}
					}
				}
			}
			checkArn := func(arn string) {
				if adminManagedPolicyRe.MatchString(arn) {
					report("attaches %s, which grants whole services; write a scoped policy", arn)
				}
			}
			switch r.Type {
			case typeIAMRole:
				for i, p := range items(prop(r.Properties, "inlinePolicies")) {
					doc, state := jsonDoc(at(p, "policy"))
					if state == jsonOK {
						n := str(at(p, "name"))
						if n == "" {
							n = "#" + strconv.Itoa(i)
						}
						checkDoc("inline policy "+n+": ", doc)
					}
				}
				for _, arn := range strs(prop(r.Properties, "managedPolicyArns")) {
					checkArn(arn)
				}
			case typeIAMRoleAttachment, typeIAMUserAttachment, typeIAMGroupAttachment, typeIAMPolicyAttachment:
				checkArn(str(prop(r.Properties, "policyArn")))
			default:
				doc, state := jsonDoc(prop(r.Properties, "policy"))
				if state == jsonInvalid {
					report("policy is not a JSON policy document")
				}
				if state == jsonOK {
					checkDoc("", doc)
				}
			}
		})
}

// allResources reports whether a Resource element means every resource of
// its service: "*" itself or an ARN whose resource part is "*" or "*/*"
// (e.g. arn:aws:s3:::*).
func allResources(res string) bool {
	if res == "*" {
		return true
	}
	parts := strings.SplitN(res, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return false
	}
	return parts[5] == "*" || parts[5] == "*/*"
}
