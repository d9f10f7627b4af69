package policy

import (
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

const typeLambdaFunction = "aws:lambda/function:Function"

// secretNameRe matches variable names that hold credentials. It covers
// ECS.8's list (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// ECS_ENGINE_AUTH_DATA) and WordPress's (DB_PASSWORD, AUTH_KEY ... NONCE_SALT).
var secretNameRe = regexp.MustCompile(`(?i)(passw(or)?d|passwd|secret|token|credential|private_?key|api_?key|access_?key|auth_data|(^|_)salt$|(^|_)key$)`)

// referenceSuffixes mark names that point at a secret rather than hold one
// (DB_SECRET_ARN, TOKEN_PATH, SITE_SECRET_PREFIX, ...). _ID is not one of
// them: AWS_ACCESS_KEY_ID is a credential.
var referenceSuffixes = []string{"_ARN", "_NAME", "_PATH", "_FILE", "_URL", "_REGION", "_PREFIX"}

// credentialValueRe matches values that are credentials whatever their
// variable is called: AWS access key IDs and PEM private keys.
var credentialValueRe = regexp.MustCompile(`(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)|-----BEGIN [A-Z ]*PRIVATE KEY-----`)

func secretName(name string) bool {
	up := strings.ToUpper(name)
	for _, s := range referenceSuffixes {
		if strings.HasSuffix(up, s) {
			return false
		}
	}
	return secretNameRe.MatchString(name)
}

// secrets-not-in-plain-environment: secrets reach containers and builds only
// by reference.
//
// Checks:
//   - aws:ecs/taskDefinition:TaskDefinition: no container's `environment`
//     has a credential-like name (password, secret, token, *_KEY, *_SALT,
//     AWS_ACCESS_KEY_ID, ...) or a credential-like value (an AWS access key
//     ID, a PEM private key); every `secrets[].valueFrom` is a Secrets
//     Manager secret or SSM parameter (ARN or parameter name); and the
//     container definitions are not a Pulumi secret, which would mean a
//     secret value was written into them;
//   - aws:codebuild/project:Project: no PLAINTEXT environment variable with
//     a credential-like name or value (FSBP CodeBuild.2);
//   - aws:lambda/function:Function: no such environment variable.
//
// Why: AWS FSBP ECS.8 (Secrets should not be passed as container
// environment variables). Plain environment values are readable by anyone
// with ecs:DescribeTaskDefinition (or codebuild:BatchGetProjects) and sit in
// every task definition revision forever; ECS `secrets` are fetched by the
// execution role at start and never stored in the definition. wpfleet's
// database passwords and WordPress salts arrive this way.
// Level: mandatory.
// Not applicable: other types. Definitions unknown during preview are not
// judged (they are when `pulumi up` registers them).
func secretsNotInPlainEnvironment(settings) policyx.Policy {
	return resourceRule("secrets-not-in-plain-environment",
		"Secrets reach tasks and builds only through Secrets Manager/SSM references, never plain environment variables (FSBP ECS.8, CodeBuild.2).",
		policyx.EnforcementLevelMandatory,
		[]string{typeECSTaskDefinition, typeCodeBuildProject, typeLambdaFunction},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			checkVar := func(where, name, value string) {
				if secretName(name) {
					report("%s: environment variable %s looks like a credential; pass it by reference (ECS secrets / CodeBuild SECRETS_MANAGER or PARAMETER_STORE)", where, name)
				} else if credentialValueRe.MatchString(value) {
					report("%s: the value of environment variable %s is a credential", where, name)
				}
			}
			switch r.Type {
			case typeECSTaskDefinition:
				v := prop(r.Properties, "containerDefinitions")
				if v.Secret() {
					report("containerDefinitions is a secret value: a secret was written into the container definitions, where DescribeTaskDefinition shows it; use the container's secrets with valueFrom")
					return
				}
				doc, state := jsonDoc(v)
				if state != jsonOK {
					return
				}
				for _, c := range jarr(doc) {
					cname := "container " + jstr(jget(c, "name"))
					for _, e := range jarr(jget(c, "environment")) {
						checkVar(cname, jstr(jget(e, "name")), jstr(jget(e, "value")))
					}
					for _, s := range jarr(jget(c, "secrets")) {
						from := jstr(jget(s, "valueFrom"))
						if !secretReference(from) {
							report("%s: secret %s has valueFrom %q, not a Secrets Manager secret or SSM parameter", cname, jstr(jget(s, "name")), from)
						}
					}
				}
			case typeCodeBuildProject:
				for _, e := range items(prop(r.Properties, "environment", "environmentVariables")) {
					t := at(e, "type")
					if unknown(t) || (str(t) != "" && str(t) != "PLAINTEXT") {
						continue
					}
					checkVar("build environment", str(at(e, "name")), str(at(e, "value")))
				}
			case typeLambdaFunction:
				vars := prop(r.Properties, "environment", "variables")
				if vars.IsMap() {
					for _, k := range sortedKeys(vars.AsMap().AsMap()) {
						checkVar("function environment", k, str(vars.AsMap().Get(k)))
					}
				}
			}
		})
}

// secretReference accepts what ECS accepts as valueFrom: a Secrets Manager
// secret ARN (optionally with a JSON key, version stage and version id), an
// SSM parameter ARN, or an SSM parameter name of the same region.
func secretReference(from string) bool {
	if from == "" {
		return false
	}
	if !strings.HasPrefix(from, "arn:") {
		return !strings.ContainsAny(from, " \t\n")
	}
	parts := strings.SplitN(from, ":", 6)
	if len(parts) < 6 {
		return false
	}
	switch parts[2] {
	case "secretsmanager":
		return strings.HasPrefix(parts[5], "secret:")
	case "ssm":
		return strings.HasPrefix(parts[5], "parameter/")
	}
	return false
}
