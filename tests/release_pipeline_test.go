package tests

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// One CodeBuild project releases every site of an environment.
func TestReleasePipelineGraph(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			projects := res.ByType("aws:codebuild/project:Project")
			require.Len(t, projects, 1, "one project for all sites")
			p := projects[0]
			assert.Equal(t, stack+"-wordpress-release", p.Inputs["name"])
			env := projectEnv(p)
			assert.Equal(t, strings.Join(siteNames(t, stackConfig(t, stack).Config), " "), sortedWords(env["WPFLEET_SITES"]))
			for _, k := range []string{"RELEASE_PATH", "BRANCH", "ACTION", "EFS_FILE_SYSTEM_ID", "EFS_ACCESS_POINT_ID", "DB_HOST",
				"DB_MASTER_SECRET_ARN", "SITE_SECRET_PREFIX", "REPO_URL_TEMPLATE", "KEEP_RELEASES", "WPFLEET_ENV"} {
				assert.Containsf(t, env, k, "the project sets %s", k)
			}
			assert.Equal(t, "release", env["ACTION"])
			assert.Equal(t, "wpfleet/"+stack+"/", env["SITE_SECRET_PREFIX"])
			for k, v := range env {
				assert.Falsef(t, secretLike.MatchString(k) && !strings.HasSuffix(k, "_ARN") && k != "SITE_SECRET_PREFIX", "%s=%s looks secret", k, v)
			}
			// The release access point (root /sites), not a site's.
			ap := res.ByType("aws:efs/accessPoint:AccessPoint")
			var releaseAP mocks.Resource
			for _, a := range ap {
				if at(a.Inputs, "rootDirectory.path") == "/sites" {
					releaseAP = a
				}
			}
			assert.Equal(t, releaseAP.ID, env["EFS_ACCESS_POINT_ID"])
			assert.Equal(t, release.Buildspec(), at(p.Inputs, "source.buildspec"), "the buildspec is release/buildspec.yml")
			assert.Equal(t, "S3", at(p.Inputs, "source.type"))
			assert.Equal(t, true, at(p.Inputs, "environment.privilegedMode"), "to mount EFS with TLS and IAM")
			// In the VPC's private subnets, with the release security group.
			vpc := onlyOne(t, res.Resources, "awsx:ec2:Vpc", stack)
			assert.Equal(t, vpc.Outputs["privateSubnetIds"], at(p.Inputs, "vpcConfig.subnets"))
			sg, _ := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-release")
			assert.Equal(t, []any{sg.ID}, at(p.Inputs, "vpcConfig.securityGroupIds"))
			assert.Equal(t, "/wpfleet/"+stack+"/release", at(p.Inputs, "logsConfig.cloudwatchLogs.groupName"))

			// Its role: this file system through the release access point, the
			// master and site secrets, its logs; nothing more.
			comp := component(t, res, "ReleasePipeline", stack+"-release")
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

func sortedWords(s string) string {
	w := strings.Fields(s)
	for i := range w {
		for j := i + 1; j < len(w); j++ {
			if w[j] < w[i] {
				w[i], w[j] = w[j], w[i]
			}
		}
	}
	return strings.Join(w, " ")
}

// The CI role trusts only the configured repositories and branches (GitHub)
// or organisation and projects (CircleCI), and may only start and watch
// this project.
func TestCIRoleTrust(t *testing.T) {
	stg := shippedStack(t, "stg")
	ci, ok := stg.Find("aws:iam/role:Role", "stg-release-ci")
	require.True(t, ok)
	sts := statements(jsonInput(t, ci, "assumeRolePolicy"))
	require.Len(t, sts, 1)
	gh := sts[0]
	cond := func(st map[string]any, op, key string) any {
		return st["Condition"].(map[string]any)[op].(map[string]any)[key]
	}
	assert.Equal(t, "sts.amazonaws.com", cond(gh, "StringEquals", "token.actions.githubusercontent.com:aud"))
	assert.ElementsMatch(t, []any{
		"repo:example-corp/wp-corporate:ref:refs/heads/develop", "repo:example-corp/wp-corporate:ref:refs/heads/staging",
		"repo:example-corp/wp-engineerblog:ref:refs/heads/develop", "repo:example-corp/wp-news:ref:refs/heads/develop",
	}, cond(gh, "StringLike", "token.actions.githubusercontent.com:sub"))
	provider := stg.ByType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
	require.Len(t, provider, 1)
	assert.Equal(t, "https://token.actions.githubusercontent.com", provider[0].Inputs["url"])
	assert.Equal(t, provider[0].Outputs["arn"], at(gh, "Principal.Federated"))

	prod := shippedStack(t, "prod")
	ci, ok = prod.Find("aws:iam/role:Role", "prod-release-ci")
	require.True(t, ok)
	sts = statements(jsonInput(t, ci, "assumeRolePolicy"))
	require.Len(t, sts, 1)
	cc := sts[0]
	org := "3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44"
	assert.Equal(t, org, cond(cc, "StringEquals", "oidc.circleci.com/org/"+org+":aud"))
	assert.ElementsMatch(t, []any{
		"org/" + org + "/project/7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6/user/*",
		"org/" + org + "/project/0b1c2d3e-4f50-4617-8899-aabbccddeeff/user/*",
	}, cond(cc, "StringLike", "oidc.circleci.com/org/"+org+":sub"))

	for _, res := range []*mocks.Result{prod, stg} {
		for _, rp := range res.ByType("aws:iam/rolePolicy:RolePolicy") {
			if !strings.HasSuffix(rp.Name, "-release-ci") {
				continue
			}
			sts := statements(jsonInput(t, rp, "policy"))
			require.Len(t, sts, 1)
			assert.ElementsMatch(t, []any{"codebuild:StartBuild", "codebuild:BatchGetBuilds"}, sts[0]["Action"])
			assert.Equal(t, []any{"arn:aws:codebuild:ap-northeast-1:123456789012:project/" + res.Stack + "-wordpress-release"}, sts[0]["Resource"])
		}
		assert.Regexp(t, `^arn:aws:iam::123456789012:role/`, res.Outputs["releaseCiRoleArn"])
	}
}

func releaseRequired() *components.ReleasePipelineArgs {
	p := func(s string) pulumi.String { return pulumi.String(s) }
	return &components.ReleasePipelineArgs{Environment: "test", Tags: tags, Sites: []string{"blog", "news"},
		RepoURLTemplate: "https://github.com/acme/wp-{site}.git", VpcId: vpcID, SubnetIds: subnets, SecurityGroupId: p("sg-release"),
		FileSystemId: p("fs-1"), FileSystemArn: p("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-1"),
		AccessPointId: p("fsap-r"), AccessPointArn: p("arn:aws:elasticfilesystem:ap-northeast-1:123456789012:access-point/fsap-r"),
		DatabaseHost: p("db"), MasterSecretArn: p("arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-x"),
		Buildspec: release.Buildspec(), Files: release.Files(), AlarmTopicArn: p("arn:aws:sns:ap-northeast-1:123456789012:t")}
}

func TestReleasePipelineComponent(t *testing.T) {
	t.Run("required args only", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			_, err := components.NewReleasePipeline(ctx, "rel", releaseRequired())
			return err
		})
		assert.Empty(t, res.ByType("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), "no CI identity unless asked")
		_, hasCI := res.Find("aws:iam/role:Role", "rel-ci")
		assert.False(t, hasCI)
		env := projectEnv(one(t, res, "aws:codebuild/project:Project"))
		assert.Equal(t, "5", env["KEEP_RELEASES"])
		assert.NotContains(t, env, "GIT_CREDENTIALS_SECRET_ARN")
		obj := one(t, res, "aws:s3/bucketObjectv2:BucketObjectv2")
		assert.Equal(t, "release.zip", obj.Inputs["key"])
		assert.Contains(t, release.Files(), "wpfleet-release.sh", "the script ships with the buildspec")
	})
	t.Run("all args", func(t *testing.T) {
		res := mustRun(t, func(ctx *pulumi.Context) error {
			a := releaseRequired()
			a.SiteRepoURLs = map[string]string{"news": "https://git.example.com/newsroom.git"}
			a.GitCredentialsSecretArn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:git-Ab12Cd"
			a.ConnectionArn = "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
			a.KeepReleases, a.LogRetentionDays, a.TimeoutMinutes = 10, 90, 60
			a.GitHub = []components.GitHubRelease{{Repository: "acme/wp-blog", Branches: []string{"main"}}}
			a.CircleCI = &components.CircleCIRelease{OrgID: "3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44", ProjectIDs: []string{"7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6"}}
			a.GitHubOIDCProviderArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
			_, err := components.NewReleasePipeline(ctx, "rel", a)
			return err
		})
		p := one(t, res, "aws:codebuild/project:Project")
		env := projectEnv(p)
		assert.Equal(t, "https://git.example.com/newsroom.git", env["REPO_URL_NEWS"])
		assert.Equal(t, "10", env["KEEP_RELEASES"])
		assert.EqualValues(t, 60, p.Inputs["buildTimeout"])
		providers := res.ByType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
		require.Len(t, providers, 1, "GitHub's provider is reused, CircleCI's created")
		assert.Equal(t, "https://oidc.circleci.com/org/3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44", providers[0].Inputs["url"])
		ci, _ := res.Find("aws:iam/role:Role", "rel-ci")
		assert.Len(t, statements(jsonInput(t, ci, "assumeRolePolicy")), 2)
		role, _ := res.Find("aws:iam/rolePolicy:RolePolicy", "rel")
		assert.Contains(t, role.Inputs["policy"], "codeconnections:UseConnection")
		assert.Contains(t, role.Inputs["policy"], "secret:git-Ab12Cd")
	})
	t.Run("invalid", func(t *testing.T) {
		_, rec, err := runProgram(t, func(ctx *pulumi.Context) error {
			a := releaseRequired()
			a.RepoURLTemplate = "https://user:token@github.com/acme/wp.git"
			a.GitHub = []components.GitHubRelease{{Repository: "acme/*", Branches: []string{"*"}}}
			_, err := components.NewReleasePipeline(ctx, "rel", a)
			return err
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ReleasePipelineArgs.RepoURLTemplate")
		assert.Contains(t, err.Error(), `ReleasePipelineArgs.GitHub[0].Repository: "acme/*" is not valid`)
		assert.Contains(t, err.Error(), "branch names without wildcards")
		assert.NotContains(t, err.Error(), "token", "a credential in a URL is never echoed")
		assert.Contains(t, err.Error(), "https://***@github.com/acme/wp.git")
		assert.Empty(t, rec.Resources())
	})
}
