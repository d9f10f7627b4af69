package components

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CI identities of the release job: one IAM role per GitHub repository and per CircleCI
// project, each allowed to start builds of the release project for its own site only, with
// no override but RELEASE_PATH (pinned to the site), BRANCH and ACTION.
//
// The condition keys are CodeBuild's for StartBuild (Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodebuild.html,
// and https://docs.aws.amazon.com/codebuild/latest/userguide/action-context-keys.html):
// codebuild:environment.environmentVariables.name (the names of the overridden variables),
// codebuild:environment.environmentVariables/${name}.value, and Bool keys present when an
// override of that part of the project is in the request (checked with the Null operator;
// codebuild:source.buildspec supports only Null). IAM has no key for an override's variable
// type or for sourceVersion: BRANCH values with ':' (the SECRETS_MANAGER reference syntax)
// are refused, the job never prints a refused value, and the buildspec pins the source by
// its digest.

// ciOverrideKeys are the StartBuild overrides no CI identity may make (one Deny each: a Null
// block with several keys would deny only requests that set all of them).
var ciOverrideKeys = []string{
	"codebuild:source", "codebuild:source.buildspec", "codebuild:source.location", "codebuild:source.auth.type",
	"codebuild:source.auth.resource", "codebuild:source.insecureSsl", "codebuild:secondarySources",
	"codebuild:artifacts", "codebuild:secondaryArtifacts", "codebuild:cache", "codebuild:logsConfig",
	"codebuild:serviceRole", "codebuild:encryptionKey", "codebuild:autoRetryLimit",
	"codebuild:environment.image", "codebuild:environment.type", "codebuild:environment.computeType",
	"codebuild:environment.privilegedMode", "codebuild:environment.certificate",
	"codebuild:environment.registryCredential", "codebuild:environment.imagePullCredentialsType",
	"codebuild:environment.fleet.fleetArn",
}

// CIOverridableVariables are the only build variables CI may set.
var CIOverridableVariables = []string{"RELEASE_PATH", "BRANCH", "ACTION"}

// CIReleasePolicy is what one CI identity may do: start builds of the project for site only
// (nothing when site is ""), and watch the project's builds.
func CIReleasePolicy(projectArn, site string) PolicyDocument {
	st := []PolicyStatement{{Sid: "WatchReleases", Effect: "Allow", Action: []string{"codebuild:BatchGetBuilds"}, Resource: []string{projectArn}}}
	if site == "" {
		return Policy(st...)
	}
	st = append(st, PolicyStatement{Sid: "StartReleasesOfItsSite", Effect: "Allow", Action: []string{"codebuild:StartBuild"},
		Resource: []string{projectArn}, Condition: map[string]map[string]any{
			"StringEquals":              {"codebuild:environment.environmentVariables/RELEASE_PATH.value": site},
			"ForAllValues:StringEquals": {"codebuild:environment.environmentVariables.name": CIOverridableVariables},
			"StringEqualsIfExists":      {"codebuild:environment.environmentVariables/ACTION.value": []string{"release", "rollback"}},
		}},
		PolicyStatement{Sid: "DenyRefsThatAreNotRefs", Effect: "Deny", Action: []string{"codebuild:StartBuild"},
			Resource: []string{projectArn}, Condition: map[string]map[string]any{
				"StringLike": {"codebuild:environment.environmentVariables/BRANCH.value": "*:*"}}})
	for i, k := range ciOverrideKeys {
		st = append(st, PolicyStatement{Sid: fmt.Sprintf("DenyOverride%d", i), Effect: "Deny", Action: []string{"codebuild:StartBuild"},
			Resource: []string{projectArn}, Condition: map[string]map[string]any{"Null": {k: "false"}}})
	}
	return Policy(st...)
}

// ciIdentity is one CI role to make.
type ciIdentity struct {
	key, name, site string
	provider        string // "github" or "circleci"
	subjects        []string
}

// ciIdentities lists the roles, sorted by key ("github:owner/name", "circleci:<project>").
func (a ReleasePipelineArgs) ciIdentities() []ciIdentity {
	var out []ciIdentity
	for _, g := range a.GitHub {
		site, _ := a.githubSite(g)
		var subs []string
		for _, b := range g.Branches {
			subs = append(subs, "repo:"+g.Repository+":ref:refs/heads/"+b)
		}
		sort.Strings(subs)
		out = append(out, ciIdentity{key: "github:" + g.Repository, name: "gh-" + logicalName(g.Repository), site: site,
			provider: "github", subjects: subs})
	}
	if a.CircleCI != nil {
		for _, p := range a.circleProjects() {
			out = append(out, ciIdentity{key: "circleci:" + p, name: "cc-" + p[:8], site: a.circleSite(p), provider: "circleci",
				subjects: []string{"org/" + a.CircleCI.OrgID + "/project/" + p + "/user/*"}})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

func logicalName(s string) string {
	return strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// githubSite is the site a GitHub repository releases: its Site, or the one site whose git URL
// is that repository on github.com. A repository that matches no site, or several, gets a
// role that may watch builds but start none (and a warning), like a CircleCI project
// without a site.
func (a ReleasePipelineArgs) githubSite(g GitHubRelease) (string, error) {
	if g.Site != "" {
		for _, s := range a.Sites {
			if s == g.Site {
				return s, nil
			}
		}
		return "", fmt.Errorf("one of the sites (%s)", strings.Join(a.Sites, ", "))
	}
	var match []string
	for _, s := range a.Sites {
		if strings.EqualFold(repoOnGitHub(a.siteURL(s)), g.Repository) {
			match = append(match, s)
		}
	}
	if len(match) != 1 {
		return "", fmt.Errorf("the site the repository releases: set Site (%d sites have github.com/%s as their git URL)", len(match), g.Repository)
	}
	return match[0], nil
}

func (a ReleasePipelineArgs) siteURL(site string) string {
	if u, ok := a.SiteRepoURLs[site]; ok {
		return u
	}
	return strings.ReplaceAll(a.RepoURLTemplate, "{site}", site)
}

// repoOnGitHub returns "owner/name" of a github.com git URL, "" for any other.
func repoOnGitHub(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Hostname(), "github.com") {
		return ""
	}
	p := strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
	if !githubRepoRe.MatchString(p) {
		return ""
	}
	return p
}

// circleProjects are the CircleCI projects of ProjectIDs and ProjectSites, sorted.
func (a ReleasePipelineArgs) circleProjects() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range append(append([]string(nil), a.CircleCI.ProjectIDs...), sortedKeys(a.CircleCI.ProjectSites)...) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// circleSite is the site a CircleCI project releases, "" for none.
func (a ReleasePipelineArgs) circleSite(p string) string {
	if s, ok := a.CircleCI.ProjectSites[p]; ok {
		return s
	}
	if len(a.Sites) == 1 {
		return a.Sites[0]
	}
	return ""
}

// validateCI checks the CI identities' settings.
func (a ReleasePipelineArgs) validateCI(c *check) {
	k := func(f string) string { return "ReleasePipelineArgs." + f }
	for i, g := range a.GitHub {
		if !githubRepoRe.MatchString(g.Repository) {
			c.add(invalid(k(fmt.Sprintf("GitHub[%d].Repository", i)), g.Repository, `"owner/name"`))
		} else if _, err := a.githubSite(g); err != nil && g.Site != "" {
			c.add(invalid(k(fmt.Sprintf("GitHub[%d].Site", i)), g.Site, "%s", err.Error()))
		}
		if len(g.Branches) == 0 {
			c.add(invalid(k(fmt.Sprintf("GitHub[%d].Branches", i)), g.Branches, "at least one branch allowed to release"))
		}
		for _, b := range g.Branches {
			if b == "" || strings.ContainsAny(b, " *?[\\:") {
				c.add(invalid(k(fmt.Sprintf("GitHub[%d].Branches", i)), b, "branch names without wildcards"))
			}
		}
	}
	if a.CircleCI == nil {
		return
	}
	if !uuidRe.MatchString(a.CircleCI.OrgID) {
		c.add(invalid(k("CircleCI.OrgID"), a.CircleCI.OrgID, "the CircleCI organisation ID, a UUID"))
	}
	if len(a.circleProjects()) == 0 {
		c.add(invalid(k("CircleCI.ProjectIDs"), nil, "at least one CircleCI project ID"))
	}
	for _, p := range a.circleProjects() {
		if !uuidRe.MatchString(p) {
			c.add(invalid(k("CircleCI.ProjectIDs"), p, "CircleCI project IDs, UUIDs"))
		}
	}
	for _, p := range sortedKeys(a.CircleCI.ProjectSites) {
		if s := a.CircleCI.ProjectSites[p]; !contains(a.Sites, s) {
			c.add(invalid(k("CircleCI.ProjectSites["+p+"]"), s, "one of the sites (%s)", strings.Join(a.Sites, ", ")))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newCIRoles makes the OIDC providers (unless given) and one role per CI identity.
func newCIRoles(ctx *pulumi.Context, name string, a ReleasePipelineArgs, projectArn string, tags pulumi.StringMap,
	parent pulumi.ResourceOption) (map[string]*iam.Role, error) {
	ids := a.ciIdentities()
	if len(ids) == 0 {
		return nil, nil
	}
	providers, err := ciProviders(ctx, name, a, tags, parent)
	if err != nil {
		return nil, err
	}
	roles := map[string]*iam.Role{}
	for _, id := range ids {
		if id.site == "" {
			_ = ctx.Log.Warn(fmt.Sprintf("%s has no site: its role may watch release builds but start none (set its site)", id.key), nil)
		}
		host := githubOIDCHost
		aud := "sts.amazonaws.com"
		if id.provider == "circleci" {
			host, aud = "oidc.circleci.com/org/"+a.CircleCI.OrgID, a.CircleCI.OrgID
		}
		subs := id.subjects
		trust := providers[id.provider].ToStringOutput().ApplyT(func(arn string) string {
			return Policy(PolicyStatement{Sid: "TrustCI", Effect: "Allow", Principal: map[string]any{"Federated": arn},
				Action: []string{"sts:AssumeRoleWithWebIdentity"},
				Condition: map[string]map[string]any{
					"StringEquals": {host + ":aud": aud},
					"StringLike":   {host + ":sub": subs},
				}}).JSON()
		}).(pulumi.StringOutput)
		role, err := iam.NewRole(ctx, name+"-ci-"+id.name, &iam.RoleArgs{
			Description:        pulumi.String(fmt.Sprintf("%s may start wpfleet %s releases of site %q and watch them, nothing else", id.key, a.Environment, id.site)),
			AssumeRolePolicy:   trust,
			MaxSessionDuration: pulumi.Int(3600),
			Tags:               tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err = iam.NewRolePolicy(ctx, name+"-ci-"+id.name, &iam.RolePolicyArgs{
			Role: role.ID(), Policy: pulumi.String(CIReleasePolicy(projectArn, id.site).JSON()),
		}, parent); err != nil {
			return nil, err
		}
		roles[id.key] = role
	}
	return roles, nil
}

// ciProviders returns the OIDC provider ARN for each CI service in use, creating them unless given.
func ciProviders(ctx *pulumi.Context, name string, a ReleasePipelineArgs, tags pulumi.StringMap, parent pulumi.ResourceOption) (map[string]pulumi.StringInput, error) {
	out := map[string]pulumi.StringInput{}
	if len(a.GitHub) > 0 {
		out["github"] = pulumi.String(a.GitHubOIDCProviderArn)
		if a.GitHubOIDCProviderArn == "" {
			gh, err := iam.NewOpenIdConnectProvider(ctx, name+"-github", &iam.OpenIdConnectProviderArgs{
				Url:           pulumi.String("https://" + githubOIDCHost),
				ClientIdLists: pulumi.StringArray{pulumi.String("sts.amazonaws.com")},
				// IAM trusts GitHub's issuer through its own CA list; the thumbprint is required by the API only.
				ThumbprintLists: pulumi.StringArray{pulumi.String("6938fd4d98bab03faadb97b34396831e3780aea1"), pulumi.String("1c58a3a8518e8759bf075b76b750d4f2df264fcd")},
				Tags:            tags,
			}, parent)
			if err != nil {
				return nil, err
			}
			out["github"] = gh.Arn
		}
	}
	if a.CircleCI != nil {
		out["circleci"] = pulumi.String(a.CircleCIOIDCProviderArn)
		if a.CircleCIOIDCProviderArn == "" {
			cc, err := iam.NewOpenIdConnectProvider(ctx, name+"-circleci", &iam.OpenIdConnectProviderArgs{
				Url:             pulumi.String("https://oidc.circleci.com/org/" + a.CircleCI.OrgID),
				ClientIdLists:   pulumi.StringArray{pulumi.String(a.CircleCI.OrgID)},
				ThumbprintLists: pulumi.StringArray{pulumi.String("9e99a48a9960b14926bb7f3b02e22da2b0ab7280")},
				Tags:            tags,
			}, parent)
			if err != nil {
				return nil, err
			}
			out["circleci"] = cc.Arn
		}
	}
	return out, nil
}
