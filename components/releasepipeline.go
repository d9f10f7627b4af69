package components

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/codebuild"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ReleaseImage is the CodeBuild image the release job runs in.
const ReleaseImage = "aws/codebuild/amazonlinux-x86_64-standard:5.0"

// GitHub Actions' OIDC issuer.
const githubOIDCHost = "token.actions.githubusercontent.com"

var (
	githubRepoRe   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	uuidRe         = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	secretArnRe    = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$`)
	connectionRe   = regexp.MustCompile(`^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]+$`)
	oidcProviderRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/.+$`)
)

// GitHubRelease lets one GitHub repository start releases from some branches.
type GitHubRelease struct {
	// Repository is "owner/name".
	Repository string `json:"repository"`
	// Branches may start releases (workflow runs on refs/heads/<branch>).
	Branches []string `json:"branches"`
}

// CircleCIRelease lets CircleCI projects of one organisation start releases.
type CircleCIRelease struct {
	// OrgID is the CircleCI organisation ID (a UUID).
	OrgID string
	// ProjectIDs are the CircleCI project IDs (UUIDs) allowed.
	ProjectIDs []string
}

// ReleasePipelineArgs configures ReleasePipeline.
type ReleasePipelineArgs struct {
	// Environment names the project ("<env>-wordpress-release") and secrets. Required.
	Environment string
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// Account is where the job runs. Defaults to looking it up.
	Account *Account
	// Sites the job may release. Required.
	Sites []string
	// RepoURLTemplate is each site's git URL with {site} in it, e.g.
	// "https://github.com/acme/wp-{site}.git". Required.
	RepoURLTemplate string
	// SiteRepoURLs overrides the template for some sites. Defaults to none.
	SiteRepoURLs map[string]string
	// GitCredentialsSecretArn is a Secrets Manager secret {"username","token"}
	// for private https remotes. Defaults to none.
	GitCredentialsSecretArn string
	// ConnectionArn is a CodeConnections connection the job may use for git
	// instead of a token. Defaults to none.
	ConnectionArn string
	// KeepReleases is how many releases each site keeps on EFS (2-50). Defaults to 5.
	KeepReleases int
	// VpcId, SubnetIds and SecurityGroupId place the job in the private
	// subnets; the group must be admitted by EFS and the database. Required.
	VpcId           pulumi.StringInput
	SubnetIds       pulumi.StringArrayInput
	SecurityGroupId pulumi.StringInput
	// FileSystemId/Arn and AccessPointId/Arn are the shared EFS and its
	// release access point (root /sites). Required.
	FileSystemId, FileSystemArn   pulumi.StringInput
	AccessPointId, AccessPointArn pulumi.StringInput
	// DatabaseHost is the Aurora writer; MasterSecretArn the RDS-managed
	// master secret only this job reads. Required.
	DatabaseHost    pulumi.StringInput
	MasterSecretArn pulumi.StringInput
	// Buildspec is the buildspec (release/buildspec.yml) and Files the
	// scripts it runs, by name. Required.
	Buildspec string
	Files     map[string]string
	// AlarmTopicArn is told about failed, stopped and timed-out releases. Required.
	AlarmTopicArn pulumi.StringInput
	// LogRetentionDays keeps the job's logs. Defaults to 30.
	LogRetentionDays int
	// TimeoutMinutes bounds one release. Defaults to 30.
	TimeoutMinutes int
	// GitHub lets GitHub Actions start releases through OIDC. Defaults to none.
	GitHub []GitHubRelease
	// GitHubOIDCProviderArn reuses the account's GitHub OIDC provider (there
	// can be one per account). Defaults to creating it when GitHub is set.
	GitHubOIDCProviderArn string
	// CircleCI lets CircleCI projects start releases through OIDC. Defaults to none.
	CircleCI *CircleCIRelease
	// CircleCIOIDCProviderArn reuses an existing CircleCI OIDC provider.
	// Defaults to creating it when CircleCI is set.
	CircleCIOIDCProviderArn string
}

func (a ReleasePipelineArgs) withDefaults() ReleasePipelineArgs {
	if a.KeepReleases == 0 {
		a.KeepReleases = 5
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	if a.TimeoutMinutes == 0 {
		a.TimeoutMinutes = 30
	}
	return a
}

// CheckRepoURLTemplate accepts an https, ssh or file git URL containing {site}.
func CheckRepoURLTemplate(t string) error {
	if !strings.Contains(t, "{site}") {
		return fmt.Errorf("a git URL containing {site}, e.g. https://github.com/acme/wp-{site}.git")
	}
	return checkRepoURL(strings.ReplaceAll(t, "{site}", "site"))
}

// RedactURL hides credentials embedded in a URL, so errors never echo them.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	p.User = nil
	return strings.Replace(p.String(), "://", "://***@", 1)
}

func checkRepoURL(u string) error {
	p, err := url.Parse(u)
	if err == nil && (p.Scheme == "https" || p.Scheme == "ssh") && p.Host != "" && p.User == nil {
		return nil
	}
	return fmt.Errorf("an https:// or ssh:// git URL without credentials in it (use the git credentials secret)")
}

// Validate checks the arguments (after defaults) without registering anything.
func (a ReleasePipelineArgs) Validate() error {
	a = a.withDefaults()
	var c check
	k := func(f string) string { return "ReleasePipelineArgs." + f }
	c.keyed(k("Environment"), a.Environment, CheckEnvironmentName(a.Environment))
	if len(a.Sites) == 0 {
		c.add(invalid(k("Sites"), nil, "at least one site"))
	}
	c.keyed(k("RepoURLTemplate"), RedactURL(a.RepoURLTemplate), CheckRepoURLTemplate(a.RepoURLTemplate))
	for _, s := range sortedKeys(a.SiteRepoURLs) {
		c.keyed(k("SiteRepoURLs["+s+"]"), RedactURL(a.SiteRepoURLs[s]), checkRepoURL(a.SiteRepoURLs[s]))
	}
	if a.GitCredentialsSecretArn != "" && !secretArnRe.MatchString(a.GitCredentialsSecretArn) {
		c.add(invalid(k("GitCredentialsSecretArn"), a.GitCredentialsSecretArn, "a Secrets Manager secret ARN"))
	}
	if a.ConnectionArn != "" && !connectionRe.MatchString(a.ConnectionArn) {
		c.add(invalid(k("ConnectionArn"), a.ConnectionArn, "a CodeConnections connection ARN"))
	}
	if a.KeepReleases < 2 || a.KeepReleases > 50 {
		c.add(invalid(k("KeepReleases"), a.KeepReleases, "2 to 50 releases (the live one and the one before it are always kept)"))
	}
	c.required("ReleasePipelineArgs.", map[string]any{"VpcId": a.VpcId, "SubnetIds": a.SubnetIds, "SecurityGroupId": a.SecurityGroupId,
		"FileSystemId": a.FileSystemId, "FileSystemArn": a.FileSystemArn, "AccessPointId": a.AccessPointId,
		"AccessPointArn": a.AccessPointArn, "DatabaseHost": a.DatabaseHost, "MasterSecretArn": a.MasterSecretArn,
		"AlarmTopicArn": a.AlarmTopicArn})
	if strings.TrimSpace(a.Buildspec) == "" || len(a.Files) == 0 {
		c.add(invalid(k("Buildspec"), len(a.Buildspec), "the buildspec and the files it runs (release.Buildspec, release.Files)"))
	}
	c.keyed(k("LogRetentionDays"), a.LogRetentionDays, CheckLogRetention(a.LogRetentionDays))
	if a.TimeoutMinutes < 5 || a.TimeoutMinutes > 480 {
		c.add(invalid(k("TimeoutMinutes"), a.TimeoutMinutes, "5 to 480 minutes"))
	}
	for i, g := range a.GitHub {
		if !githubRepoRe.MatchString(g.Repository) {
			c.add(invalid(k(fmt.Sprintf("GitHub[%d].Repository", i)), g.Repository, `"owner/name"`))
		}
		if len(g.Branches) == 0 {
			c.add(invalid(k(fmt.Sprintf("GitHub[%d].Branches", i)), g.Branches, "at least one branch allowed to release"))
		}
		for _, b := range g.Branches {
			if b == "" || strings.ContainsAny(b, " *?[\\") {
				c.add(invalid(k(fmt.Sprintf("GitHub[%d].Branches", i)), b, "branch names without wildcards"))
			}
		}
	}
	if a.GitHubOIDCProviderArn != "" && !oidcProviderRe.MatchString(a.GitHubOIDCProviderArn) {
		c.add(invalid(k("GitHubOIDCProviderArn"), a.GitHubOIDCProviderArn, "an IAM OIDC provider ARN"))
	}
	if a.CircleCI != nil {
		if !uuidRe.MatchString(a.CircleCI.OrgID) {
			c.add(invalid(k("CircleCI.OrgID"), a.CircleCI.OrgID, "the CircleCI organisation ID, a UUID"))
		}
		if len(a.CircleCI.ProjectIDs) == 0 {
			c.add(invalid(k("CircleCI.ProjectIDs"), nil, "at least one CircleCI project ID"))
		}
		for _, p := range a.CircleCI.ProjectIDs {
			if !uuidRe.MatchString(p) {
				c.add(invalid(k("CircleCI.ProjectIDs"), p, "CircleCI project IDs, UUIDs"))
			}
		}
	}
	if a.CircleCIOIDCProviderArn != "" && !oidcProviderRe.MatchString(a.CircleCIOIDCProviderArn) {
		c.add(invalid(k("CircleCIOIDCProviderArn"), a.CircleCIOIDCProviderArn, "an IAM OIDC provider ARN"))
	}
	return c.err()
}

// ReleasePipeline is the one CodeBuild project that releases any site of an
// environment from git onto EFS (release/): CI starts it with RELEASE_PATH
// and BRANCH overrides through an OIDC role that may do nothing else.
type ReleasePipeline struct {
	pulumi.ResourceState

	Project *codebuild.Project
	Role    *iam.Role
	// CIRole is what GitHub Actions and CircleCI assume (nil without either).
	CIRole *iam.Role
	// ProjectName identifies the project; StartCommand is the exact CLI call
	// that releases a site.
	ProjectName  pulumi.StringOutput
	ProjectArn   pulumi.StringOutput
	StartCommand pulumi.StringOutput
	CIRoleArn    pulumi.StringOutput
}

// StartBuildCommand is the CLI call that releases site at ref.
func StartBuildCommand(project, site, ref string) string {
	return fmt.Sprintf("aws codebuild start-build --project-name %s --environment-variables-override "+
		"name=RELEASE_PATH,value=%s,type=PLAINTEXT name=BRANCH,value=%s,type=PLAINTEXT", project, site, ref)
}

// GitHubSubjects are the OIDC subjects of workflow runs on the allowed branches.
func GitHubSubjects(repos []GitHubRelease) []string {
	var out []string
	for _, r := range repos {
		for _, b := range r.Branches {
			out = append(out, "repo:"+r.Repository+":ref:refs/heads/"+b)
		}
	}
	sort.Strings(out)
	return out
}

// NewReleasePipeline creates the project, its source, role, logs, failure
// notification and the CI identity.
func NewReleasePipeline(ctx *pulumi.Context, name string, args *ReleasePipelineArgs, opts ...pulumi.ResourceOption) (*ReleasePipeline, error) {
	if args == nil {
		args = &ReleasePipelineArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	acct, err := resolveAccount(ctx, a.Account)
	if err != nil {
		return nil, err
	}
	p := &ReleasePipeline{}
	if err := ctx.RegisterComponentResource(typePrefix+"ReleasePipeline", name, p, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(p)
	tags := tagInput(a.Tags)
	projectName := a.Environment + "-wordpress-release"
	projectArn := acct.ARN("codebuild", acct.Region, "project/"+projectName)
	logGroupName := fmt.Sprintf("/wpfleet/%s/release", a.Environment)
	logGroupArn := acct.ARN("logs", acct.Region, "log-group:"+logGroupName)
	siteSecretPrefix := "wpfleet/" + a.Environment + "/"

	// The job's scripts, as the project's S3 source.
	source, err := newPrivateBucket(ctx, name+"-source", a.Tags, parent)
	if err != nil {
		return nil, err
	}
	assets := map[string]any{}
	for n, content := range a.Files {
		assets[n] = pulumi.NewStringAsset(content)
	}
	object, err := s3.NewBucketObjectv2(ctx, name+"-source", &s3.BucketObjectv2Args{
		Bucket: source.ID(),
		Key:    pulumi.String("release.zip"),
		Source: pulumi.NewAssetArchive(assets),
		Tags:   tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	logs, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name: pulumi.String(logGroupName), RetentionInDays: pulumi.Int(a.LogRetentionDays), Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	p.Role, err = iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:      pulumi.String("The wpfleet " + a.Environment + " release job: its EFS access point, its secrets, its logs"),
		AssumeRolePolicy: pulumi.String(servicePrincipalPolicy("codebuild.amazonaws.com", acct.ID)),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	secretArn := func(name string) string { return acct.ARN("secretsmanager", acct.Region, "secret:"+name) }
	gitSecret, connection := a.GitCredentialsSecretArn, a.ConnectionArn
	rolePolicy := policyOutput(func(v []string) PolicyDocument {
		fsArn, apArn, master, bucketArn, subnetScope := v[0], v[1], v[2], v[3], acct.ARN("ec2", acct.Region, "")
		secrets := []string{master, secretArn(siteSecretPrefix + "*/db-??????")}
		if gitSecret != "" {
			secrets = append(secrets, gitSecret)
		}
		st := []PolicyStatement{
			{Sid: "WriteReleaseLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"},
				Resource: []string{logGroupArn + ":*"}},
			{Sid: "ReadTheScripts", Effect: "Allow", Action: []string{"s3:GetObject", "s3:GetObjectVersion"},
				Resource: []string{bucketArn + "/*"}},
			{Sid: "ReadDatabaseSecrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: secrets},
			{Sid: "MountSitesReadWrite", Effect: "Allow",
				Action:    []string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"},
				Resource:  []string{fsArn},
				Condition: map[string]map[string]any{"StringEquals": {"elasticfilesystem:AccessPointArn": apArn}}},
			// CodeBuild in a VPC creates and removes its own network interface.
			{Sid: "VpcNetworkInterfaces", Effect: "Allow",
				Action:   []string{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"},
				Resource: []string{subnetScope + "network-interface/*", subnetScope + "subnet/*", subnetScope + "security-group/*"}},
			{Sid: "VpcNetworkInterfacePermission", Effect: "Allow", Action: []string{"ec2:CreateNetworkInterfacePermission"},
				Resource:  []string{subnetScope + "network-interface/*"},
				Condition: map[string]map[string]any{"StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"}}},
			{Sid: "VpcDescribe", Effect: "Allow", Action: []string{"ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
				"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"}, Resource: []string{"*"}},
		}
		if connection != "" {
			st = append(st, PolicyStatement{Sid: "UseGitConnection", Effect: "Allow",
				Action:   []string{"codeconnections:UseConnection", "codestar-connections:UseConnection", "codeconnections:GetConnectionToken"},
				Resource: []string{connection}})
		}
		return Policy(st...)
	}, a.FileSystemArn, a.AccessPointArn, a.MasterSecretArn, source.Arn)
	rp, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: p.Role.ID(), Policy: rolePolicy}, parent)
	if err != nil {
		return nil, err
	}

	env := []struct {
		name  string
		value pulumi.StringInput
	}{
		{"RELEASE_PATH", pulumi.String("")},
		{"BRANCH", pulumi.String("main")},
		{"ACTION", pulumi.String("release")},
		{"WPFLEET_ENV", pulumi.String(a.Environment)},
		{"WPFLEET_SITES", pulumi.String(strings.Join(a.Sites, " "))},
		{"KEEP_RELEASES", pulumi.String(fmt.Sprint(a.KeepReleases))},
		{"REPO_URL_TEMPLATE", pulumi.String(a.RepoURLTemplate)},
		{"EFS_FILE_SYSTEM_ID", a.FileSystemId},
		{"EFS_ACCESS_POINT_ID", a.AccessPointId},
		{"DB_HOST", a.DatabaseHost},
		{"DB_MASTER_SECRET_ARN", a.MasterSecretArn},
		{"SITE_SECRET_PREFIX", pulumi.String(siteSecretPrefix)},
	}
	if a.GitCredentialsSecretArn != "" {
		env = append(env, struct {
			name  string
			value pulumi.StringInput
		}{"GIT_CREDENTIALS_SECRET_ARN", pulumi.String(a.GitCredentialsSecretArn)})
	}
	for _, s := range sortedKeys(a.SiteRepoURLs) {
		env = append(env, struct {
			name  string
			value pulumi.StringInput
		}{"REPO_URL_" + strings.ToUpper(strings.ReplaceAll(s, "-", "_")), pulumi.String(a.SiteRepoURLs[s])})
	}
	var vars codebuild.ProjectEnvironmentEnvironmentVariableArray
	for _, e := range env {
		vars = append(vars, codebuild.ProjectEnvironmentEnvironmentVariableArgs{Name: pulumi.String(e.name), Value: e.value, Type: pulumi.String("PLAINTEXT")})
	}
	p.Project, err = codebuild.NewProject(ctx, name, &codebuild.ProjectArgs{
		Name:          pulumi.String(projectName),
		Description:   pulumi.String("Releases a wpfleet " + a.Environment + " site from git onto EFS (RELEASE_PATH=site, BRANCH=ref, ACTION=release|rollback)"),
		ServiceRole:   p.Role.Arn,
		BuildTimeout:  pulumi.Int(a.TimeoutMinutes),
		QueuedTimeout: pulumi.Int(60),
		Source: codebuild.ProjectSourceArgs{
			Type:      pulumi.String("S3"),
			Location:  pulumi.Sprintf("%s/%s", source.ID(), object.Key),
			Buildspec: pulumi.String(a.Buildspec),
		},
		Artifacts: codebuild.ProjectArtifactsArgs{Type: pulumi.String("NO_ARTIFACTS")},
		Environment: codebuild.ProjectEnvironmentArgs{
			Type:                 pulumi.String("LINUX_CONTAINER"),
			ComputeType:          pulumi.String("BUILD_GENERAL1_SMALL"),
			Image:                pulumi.String(ReleaseImage),
			PrivilegedMode:       pulumi.Bool(true), // to mount EFS with TLS and IAM (amazon-efs-utils)
			EnvironmentVariables: vars,
		},
		VpcConfig: codebuild.ProjectVpcConfigArgs{
			VpcId:            a.VpcId,
			Subnets:          a.SubnetIds,
			SecurityGroupIds: pulumi.StringArray{a.SecurityGroupId},
		},
		LogsConfig: codebuild.ProjectLogsConfigArgs{
			CloudwatchLogs: codebuild.ProjectLogsConfigCloudwatchLogsArgs{Status: pulumi.String("ENABLED"), GroupName: logs.Name},
		},
		Tags: tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{rp}))
	if err != nil {
		return nil, err
	}
	p.ProjectName = p.Project.Name
	p.ProjectArn = p.Project.Arn
	p.StartCommand = p.Project.Name.ApplyT(func(n string) string { return StartBuildCommand(n, "<site>", "<branch|tag|commit>") }).(pulumi.StringOutput)

	// Failed releases reach the alarm topic.
	pattern, _ := json.Marshal(map[string]any{
		"source":      []string{"aws.codebuild"},
		"detail-type": []string{"CodeBuild Build State Change"},
		"detail": map[string]any{
			"project-name": []string{projectName},
			"build-status": []string{"FAILED", "STOPPED", "TIMED_OUT", "FAULT"},
		},
	})
	failures, err := cloudwatch.NewEventRule(ctx, name+"-failures", &cloudwatch.EventRuleArgs{
		Description:  pulumi.String("wpfleet " + a.Environment + ": a release failed"),
		EventPattern: pulumi.String(string(pattern)),
		Tags:         tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err = cloudwatch.NewEventTarget(ctx, name+"-failures", &cloudwatch.EventTargetArgs{
		Rule: failures.Name,
		Arn:  a.AlarmTopicArn,
		InputTransformer: cloudwatch.EventTargetInputTransformerArgs{
			InputPaths:    pulumi.StringMap{"status": pulumi.String("$.detail.build-status"), "build": pulumi.String("$.detail.build-id")},
			InputTemplate: pulumi.String(`"wpfleet ` + a.Environment + ` release <build> ended <status>. Logs: ` + logGroupName + `"`),
		},
	}, parent); err != nil {
		return nil, err
	}

	// CI identity: may start this project and read its builds, nothing else.
	providers := map[string]pulumi.StringInput{}
	if len(a.GitHub) > 0 {
		arn := pulumi.StringInput(pulumi.String(a.GitHubOIDCProviderArn))
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
			arn = gh.Arn
		}
		providers["github"] = arn
	}
	var circleHost string
	if a.CircleCI != nil {
		circleHost = "oidc.circleci.com/org/" + a.CircleCI.OrgID
		arn := pulumi.StringInput(pulumi.String(a.CircleCIOIDCProviderArn))
		if a.CircleCIOIDCProviderArn == "" {
			cc, err := iam.NewOpenIdConnectProvider(ctx, name+"-circleci", &iam.OpenIdConnectProviderArgs{
				Url:             pulumi.String("https://" + circleHost),
				ClientIdLists:   pulumi.StringArray{pulumi.String(a.CircleCI.OrgID)},
				ThumbprintLists: pulumi.StringArray{pulumi.String("9e99a48a9960b14926bb7f3b02e22da2b0ab7280")},
				Tags:            tags,
			}, parent)
			if err != nil {
				return nil, err
			}
			arn = cc.Arn
		}
		providers["circleci"] = arn
	}
	p.CIRoleArn = pulumi.String("").ToStringOutput()
	if len(providers) > 0 {
		gh, cc := providers["github"], providers["circleci"]
		if gh == nil {
			gh = pulumi.String("")
		}
		if cc == nil {
			cc = pulumi.String("")
		}
		ghSubjects := GitHubSubjects(a.GitHub)
		circle := a.CircleCI
		trustPolicy := policyOutput(func(v []string) PolicyDocument {
			var trust []PolicyStatement
			if v[0] != "" {
				trust = append(trust, PolicyStatement{Sid: "GitHubActions", Effect: "Allow",
					Principal: map[string]any{"Federated": v[0]}, Action: []string{"sts:AssumeRoleWithWebIdentity"},
					Condition: map[string]map[string]any{
						"StringEquals": {githubOIDCHost + ":aud": "sts.amazonaws.com"},
						"StringLike":   {githubOIDCHost + ":sub": ghSubjects},
					}})
			}
			if v[1] != "" {
				var subs []string
				for _, id := range circle.ProjectIDs {
					subs = append(subs, "org/"+circle.OrgID+"/project/"+id+"/user/*")
				}
				trust = append(trust, PolicyStatement{Sid: "CircleCI", Effect: "Allow",
					Principal: map[string]any{"Federated": v[1]}, Action: []string{"sts:AssumeRoleWithWebIdentity"},
					Condition: map[string]map[string]any{
						"StringEquals": {circleHost + ":aud": circle.OrgID},
						"StringLike":   {circleHost + ":sub": subs},
					}})
			}
			return Policy(trust...)
		}, gh, cc)
		p.CIRole, err = iam.NewRole(ctx, name+"-ci", &iam.RoleArgs{
			Description:        pulumi.String("CI may start wpfleet " + a.Environment + " releases and watch them, nothing else"),
			AssumeRolePolicy:   trustPolicy,
			MaxSessionDuration: pulumi.Int(3600),
			Tags:               tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err = iam.NewRolePolicy(ctx, name+"-ci", &iam.RolePolicyArgs{
			Role: p.CIRole.ID(),
			Policy: pulumi.String(Policy(PolicyStatement{Sid: "StartAndWatchReleases", Effect: "Allow",
				Action: []string{"codebuild:StartBuild", "codebuild:BatchGetBuilds"}, Resource: []string{projectArn}}).JSON()),
		}, parent); err != nil {
			return nil, err
		}
		p.CIRoleArn = p.CIRole.Arn
	}

	if err := ctx.RegisterResourceOutputs(p, pulumi.Map{
		"projectName":  p.ProjectName,
		"startCommand": p.StartCommand,
		"ciRoleArn":    p.CIRoleArn,
	}); err != nil {
		return nil, err
	}
	return p, nil
}
