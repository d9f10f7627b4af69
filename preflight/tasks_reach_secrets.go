package preflight

import (
	"strings"
)

// tasks-reach-secrets: every task with ECS secrets (and every CodeBuild
// project that reads a secret) reaches Secrets Manager or SSM.
//
// ECS fetches a container's secrets (valueFrom a Secrets Manager or SSM
// Parameter Store ARN) from the task's network interface before the
// containers start, through NAT or an interface endpoint
// com.amazonaws.<region>.secretsmanager / ssm (Pass sensitive data to an
// Amazon ECS container: "the task ... must have network access to ...").
// A CodeBuild project reads SECRETS_MANAGER variables, and the release
// script the secret ARNs it is handed, the same way.
func tasksReachSecrets() Rule {
	const (
		ecsSecrets = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html"
		smVPC      = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html"
	)
	return Rule{
		Name:    "tasks-reach-secrets",
		Doc:     "tasks with secrets and CodeBuild projects reading secrets reach Secrets Manager / SSM (endpoint or NAT)",
		Sources: []string{ecsSecrets, smVPC},
		check: func(g *Graph, rep *report) {
			n := g.net()
			for _, w := range workloads(g) {
				sm, ssm := false, false
				mark := func(ref string) {
					sm = sm || strings.HasPrefix(ref, "arn:aws:secretsmanager:")
					ssm = ssm || strings.HasPrefix(ref, "arn:aws:ssm:")
				}
				if w.td != nil {
					for _, c := range containers(g, w.td) {
						for _, s := range items(c.def["secrets"]) {
							mark(str(at(s, "valueFrom")))
						}
						mark(str(at(c.def, "repositoryCredentials.credentialsParameter")))
					}
				} else {
					for _, e := range items(at(w.r.Inputs, "environment.environmentVariables")) {
						if t := str(at(e, "type")); t == "SECRETS_MANAGER" {
							sm = true
						}
						mark(str(at(e, "value")))
					}
				}
				if sm {
					checkAWSReach(rep, n, w, "Secrets Manager for its secrets", ecsSecrets, "secretsmanager")
				}
				if ssm {
					checkAWSReach(rep, n, w, "SSM Parameter Store for its secrets", ecsSecrets, "ssm")
				}
			}
		},
	}
}
