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

	"github.com/wpfleet/wpfleet/release"
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

// GitHubRelease lets one GitHub repository start releases of one site from some branches.
type GitHubRelease struct {
	// Repository is "owner/name".
	Repository string `json:"repository"`
	// Branches may start releases (workflow runs on refs/heads/<branch>).
	Branches []string `json:"branches"`
	// Site is the one site this repository may release. Defaults to the site whose git URL
	// (its SiteRepoURLs entry, or RepoURLTemplate with {site}) is this repository on
	// github.com, when exactly one site's is.
	Site string `json:"site,omitempty"`
}

// CircleCIRelease lets CircleCI projects of one organisation start releases, each of one site.
type CircleCIRelease struct {
	// OrgID is the CircleCI organisation ID (a UUID).
	OrgID string
	// ProjectIDs are the CircleCI project IDs (UUIDs) allowed.
	ProjectIDs []string
	// ProjectSites maps a project ID to the one site it may release (a project listed only
	// here is allowed too). With a single site in the environment it defaults to that site;
	// otherwise a project without a site gets a role that may watch builds but start none.
	ProjectSites map[string]string
}

// ReleasePipelineArgs configures ReleasePipeline.
type ReleasePipelineArgs struct {
	// Platform the job releases onto: its VPC, EFS (the release access
	// point), database, alarm topic and account fill the fields below that
	// are left unset, and the job's security group is made as a workload of
	// the platform (HTTPS out, EFS, Aurora). Defaults to nil: then every ID
	// field below is required.
	Platform *Platform
	// WordPressSites the job releases: their names (Sites) and distributions
	// (CDNDistributions) unless those are set. Defaults to none.
	WordPressSites []*WordPressSite
	// Environment names the project ("<env>-wordpress-release") and secrets.
	// Required (defaults to the platform's).
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
	// CDNDistributions maps a site to its CloudFront distribution (ID or ARN): after a
	// release or a rollback of the site the job invalidates /* there, and the job's role may
	// create invalidations on these distributions only. Defaults to none.
	CDNDistributions map[string]pulumi.StringInput
}

func (a ReleasePipelineArgs) withDefaults() ReleasePipelineArgs {
	if p := a.Platform; p != nil {
		a = a.fromPlatform(p)
	}
	if len(a.Sites) == 0 {
		for _, s := range a.WordPressSites {
			a.Sites = append(a.Sites, s.Name)
		}
	}
	if a.CDNDistributions == nil && len(a.WordPressSites) > 0 {
		a.CDNDistributions = map[string]pulumi.StringInput{}
		for _, s := range a.WordPressSites {
			if s.CDN != nil {
				a.CDNDistributions[s.Name] = s.CDN.Id
			}
		}
	}
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

// fromPlatform fills the fields left unset from the platform's handles.
func (a ReleasePipelineArgs) fromPlatform(p *Platform) ReleasePipelineArgs {
	str := func(dst *pulumi.StringInput, v pulumi.StringOutput) {
		if *dst == nil {
			*dst = v
		}
	}
	if a.Environment == "" {
		a.Environment = p.Environment
	}
	if a.Tags == nil {
		a.Tags = p.Tags
	}
	if a.Account == nil {
		a.Account = &p.Account
	}
	if a.SubnetIds == nil {
		a.SubnetIds = p.PrivateSubnetIds
	}
	str(&a.VpcId, p.VpcId)
	str(&a.FileSystemId, p.FileSystemId)
	str(&a.FileSystemArn, p.FileSystemArn)
	str(&a.AccessPointId, p.ReleaseAccessPointId)
	str(&a.AccessPointArn, p.ReleaseAccessPointArn)
	str(&a.DatabaseHost, p.DatabaseEndpoint)
	str(&a.MasterSecretArn, p.MasterSecretArn)
	str(&a.AlarmTopicArn, p.AlarmTopicArn)
	if a.SecurityGroupId == nil {
		a.SecurityGroupId = pulumi.String("made by the platform") // NewReleasePipeline asks the platform for it
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = p.LogRetentionDays
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
	if !strings.Contains(a.Buildspec, release.DigestPlaceholder) || len(a.Files) == 0 {
		c.add(invalid(k("Buildspec"), len(a.Buildspec), "the buildspec (with %s) and the source it builds (release.Buildspec, release.Files)", release.DigestPlaceholder))
	}
	c.keyed(k("LogRetentionDays"), a.LogRetentionDays, CheckLogRetention(a.LogRetentionDays))
	if a.TimeoutMinutes < 5 || a.TimeoutMinutes > 480 {
		c.add(invalid(k("TimeoutMinutes"), a.TimeoutMinutes, "5 to 480 minutes"))
	}
	a.validateCI(&c)
	if a.GitHubOIDCProviderArn != "" && !oidcProviderRe.MatchString(a.GitHubOIDCProviderArn) {
		c.add(invalid(k("GitHubOIDCProviderArn"), a.GitHubOIDCProviderArn, "an IAM OIDC provider ARN"))
	}
	for _, s := range sortedKeys(a.CDNDistributions) {
		if !contains(a.Sites, s) {
			c.add(invalid(k("CDNDistributions["+s+"]"), s, "one of the sites (%s)", strings.Join(a.Sites, ", ")))
		}
		if isNilInput(a.CDNDistributions[s]) {
			c.add(invalid(k("CDNDistributions["+s+"]"), nil, "a CloudFront distribution ID or ARN"))
		}
	}
	if a.CircleCIOIDCProviderArn != "" && !oidcProviderRe.MatchString(a.CircleCIOIDCProviderArn) {
		c.add(invalid(k("CircleCIOIDCProviderArn"), a.CircleCIOIDCProviderArn, "an IAM OIDC provider ARN"))
	}
	return c.err()
}

// ReleasePipeline is the one CodeBuild project that releases any site of an
// environment from git onto EFS (release/): CI starts it with RELEASE_PATH and BRANCH (and
// ACTION) overrides through OIDC roles that may do nothing else, each for its own site.
type ReleasePipeline struct {
	pulumi.ResourceState

	Project *codebuild.Project
	Role    *iam.Role
	// CIRoles are the CI identities' roles by key ("github:owner/name", "circleci:<project>").
	CIRoles map[string]*iam.Role
	// ProjectName identifies the project; StartCommand is the exact CLI call
	// that releases a site.
	ProjectName  pulumi.StringOutput
	ProjectArn   pulumi.StringOutput
	StartCommand pulumi.StringOutput
	// CIRoleArns are the CI roles' ARNs by key; CIRoleArn is the ARN when there is exactly
	// one CI role ("" otherwise).
	CIRoleArns pulumi.StringMapOutput
	CIRoleArn  pulumi.StringOutput
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

// ReleaseSitesRoot is where the buildspec mounts the release access point (root /sites).
const ReleaseSitesRoot = "/mnt/sites"

// ReleaseCAFile is where the buildspec puts the RDS CA bundle.
const ReleaseCAFile = "/etc/pki/wpfleet/rds-global-bundle.pem"

// Settings are the job's settings.json (docs/release.md, "Input"): every setting but
// RELEASE_PATH, BRANCH and ACTION, so that overriding a variable when starting a build changes
// nothing else. out holds the resolved DB_HOST, DB_MASTER_SECRET_ARN, EFS_FILE_SYSTEM_ID and
// EFS_ACCESS_POINT_ID; cdn the CloudFront distribution (ID or ARN) by site.
func (a ReleasePipelineArgs) Settings(out, cdn map[string]string) map[string]string {
	a = a.withDefaults()
	s := map[string]string{
		"WPFLEET_ENV": a.Environment, "WPFLEET_SITES": strings.Join(a.Sites, " "), "WPFLEET_SITES_ROOT": ReleaseSitesRoot,
		"KEEP_RELEASES": fmt.Sprint(a.KeepReleases), "REPO_URL_TEMPLATE": a.RepoURLTemplate,
		"SITE_SECRET_PREFIX": NamesFor(a.Environment).SecretPrefix(), "DB_TLS_CA": ReleaseCAFile,
		// The CodeBuild image's PHP runtime (phpenv) lives there; the sandbox sees it read-only.
		"WPFLEET_SANDBOX_PATHS": "/root/.phpenv",
	}
	for _, k := range []string{"DB_HOST", "DB_MASTER_SECRET_ARN", "EFS_FILE_SYSTEM_ID", "EFS_ACCESS_POINT_ID"} {
		s[k] = out[k]
	}
	var pairs []string
	for _, site := range sortedKeys(cdn) {
		pairs = append(pairs, site+"="+distributionID(cdn[site]))
	}
	if len(pairs) > 0 {
		s["WPFLEET_CDN_DISTRIBUTIONS"] = strings.Join(pairs, " ")
	}
	if a.GitCredentialsSecretArn != "" {
		s["GIT_CREDENTIALS_SECRET_ARN"] = a.GitCredentialsSecretArn
	}
	for _, site := range sortedKeys(a.SiteRepoURLs) {
		s["REPO_URL_"+strings.ToUpper(strings.ReplaceAll(site, "-", "_"))] = a.SiteRepoURLs[site]
	}
	return s
}

// SettingsJSON renders settings as the settings.json file.
func SettingsJSON(settings map[string]string) string {
	b, _ := json.MarshalIndent(settings, "", "  ")
	return string(b) + "\n"
}

// distributionID accepts a CloudFront distribution ID or ARN.
func distributionID(v string) string {
	if i := strings.LastIndex(v, "distribution/"); i >= 0 {
		return v[i+len("distribution/"):]
	}
	return v
}

// settingsOf renders settings.json from releaseOutputs' values.
func (a ReleasePipelineArgs) settingsOf(v map[string]string) string {
	cdn := map[string]string{}
	for k, x := range v {
		if site, ok := strings.CutPrefix(k, "cdn:"); ok {
			cdn[site] = x
		}
	}
	return SettingsJSON(a.Settings(v, cdn))
}

// releaseOutputs resolves the outputs the settings need ("cdn:<site>" for distributions).
func (a ReleasePipelineArgs) releaseOutputs() pulumi.StringMapOutput {
	in := pulumi.StringMap{"DB_HOST": a.DatabaseHost, "DB_MASTER_SECRET_ARN": a.MasterSecretArn,
		"EFS_FILE_SYSTEM_ID": a.FileSystemId, "EFS_ACCESS_POINT_ID": a.AccessPointId}
	for _, s := range sortedKeys(a.CDNDistributions) {
		in["cdn:"+s] = a.CDNDistributions[s]
	}
	return in.ToStringMapOutput()
}

// NewReleasePipeline creates the project, its versioned source, role, logs, failure
// notification and the CI identities.
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
	if args.Platform != nil && args.SecurityGroupId == nil {
		// A workload of the platform: out to HTTPS (git, AWS APIs), and SSH
		// when a remote is ssh://; EFS and Aurora.
		ports := []int{443}
		if a.usesSSH() {
			ports = append(ports, 22)
		}
		sg, err := args.Platform.NewWorkloadGroup(ctx, name, "wpfleet release job: out to git and AWS APIs, EFS and Aurora",
			Workload{FileSystem: true, Database: true, Internet: ports})
		if err != nil {
			return nil, err
		}
		a.SecurityGroupId = sg.ID().ToStringOutput()
	}
	tags := tagInput(a.Tags)
	names := NamesFor(a.Environment)
	projectName := names.ReleaseProject()
	projectArn := acct.ARN("codebuild", acct.Region, "project/"+projectName)
	logGroupName := names.ReleaseLogGroup()

	source, object, buildspec, err := newReleaseSource(ctx, name, a, parent)
	if err != nil {
		return nil, err
	}
	logs, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name: pulumi.String(logGroupName), RetentionInDays: pulumi.Int(a.LogRetentionDays), Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	rp, err := newReleaseRole(ctx, name, a, acct, source.Arn, p, parent)
	if err != nil {
		return nil, err
	}
	var vars codebuild.ProjectEnvironmentEnvironmentVariableArray
	for _, e := range [][2]string{{"RELEASE_PATH", ""}, {"BRANCH", "main"}, {"ACTION", "release"}} {
		vars = append(vars, codebuild.ProjectEnvironmentEnvironmentVariableArgs{Name: pulumi.String(e[0]), Value: pulumi.String(e[1]), Type: pulumi.String("PLAINTEXT")})
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
			Buildspec: buildspec,
		},
		Artifacts: codebuild.ProjectArtifactsArgs{Type: pulumi.String("NO_ARTIFACTS")},
		Environment: codebuild.ProjectEnvironmentArgs{
			Type:        pulumi.String("LINUX_CONTAINER"),
			ComputeType: pulumi.String("BUILD_GENERAL1_SMALL"),
			Image:       pulumi.String(ReleaseImage),
			// To mount EFS with TLS and IAM (amazon-efs-utils), and for bubblewrap's namespaces.
			PrivilegedMode:       pulumi.Bool(true),
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
	if err := newReleaseFailures(ctx, name, a, projectName, logGroupName, tags, parent); err != nil {
		return nil, err
	}
	if p.CIRoles, err = newCIRoles(ctx, name, a, projectArn, tags, parent); err != nil {
		return nil, err
	}
	p.setCIRoleArns()
	if err := ctx.RegisterResourceOutputs(p, pulumi.Map{
		"projectName":  p.ProjectName,
		"startCommand": p.StartCommand,
		"ciRoleArns":   p.CIRoleArns,
	}); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *ReleasePipeline) setCIRoleArns() {
	arns := pulumi.StringMap{}
	for k, r := range p.CIRoles {
		arns[k] = r.Arn
	}
	p.CIRoleArns = arns.ToStringMapOutput()
	p.CIRoleArn = pulumi.String("").ToStringOutput()
	for _, r := range p.CIRoles {
		if len(p.CIRoles) == 1 {
			p.CIRoleArn = r.Arn
		}
	}
}

// newReleaseSource makes the project's versioned source bucket and its one object: the job's
// source, settings.json and SHA256SUMS; and returns the buildspec pinned to that source.
func newReleaseSource(ctx *pulumi.Context, name string, a ReleasePipelineArgs, parent pulumi.ResourceOption) (*s3.BucketV2, *s3.BucketObjectv2, pulumi.StringOutput, error) {
	var none pulumi.StringOutput
	source, err := newPrivateBucket(ctx, name+"-source", a.Tags, parent)
	if err != nil {
		return nil, nil, none, err
	}
	if _, err := s3.NewBucketVersioningV2(ctx, name+"-source", &s3.BucketVersioningV2Args{
		Bucket:                  source.ID(),
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent); err != nil {
		return nil, nil, none, err
	}
	sourceOf := func(v map[string]string) (map[string]string, string) {
		return release.Source(a.Files, a.settingsOf(v))
	}
	archive := a.releaseOutputs().ApplyT(func(v map[string]string) pulumi.AssetOrArchive {
		files, _ := sourceOf(v)
		assets := map[string]any{}
		for n, content := range files {
			assets[n] = pulumi.NewStringAsset(content)
		}
		return pulumi.NewAssetArchive(assets)
	}).(pulumi.AssetOrArchiveOutput)
	object, err := s3.NewBucketObjectv2(ctx, name+"-source", &s3.BucketObjectv2Args{
		Bucket: source.ID(),
		Key:    pulumi.String("release.zip"),
		Source: archive,
		Tags:   tagInput(a.Tags),
	}, parent)
	if err != nil {
		return nil, nil, none, err
	}
	// The same settings, readable on their own (for people, tools and tests; the job reads
	// the copy inside release.zip, which the buildspec's digest pins).
	settings := a.releaseOutputs().ApplyT(a.settingsOf).(pulumi.StringOutput)
	if _, err := s3.NewBucketObjectv2(ctx, name+"-settings", &s3.BucketObjectv2Args{
		Bucket: source.ID(), Key: pulumi.String(release.SettingsName), Content: settings,
		ContentType: pulumi.String("application/json"), Tags: tagInput(a.Tags),
	}, parent); err != nil {
		return nil, nil, none, err
	}
	buildspec := a.releaseOutputs().ApplyT(func(v map[string]string) string {
		_, digest := sourceOf(v)
		return release.BuildspecFor(a.Buildspec, digest)
	}).(pulumi.StringOutput)
	return source, object, buildspec, nil
}

// newReleaseRole makes the job's role: its logs, its source, the database secrets, the release
// access point, the VPC's network interfaces, CloudFront invalidations on the sites'
// distributions only, and the git connection if any.
func newReleaseRole(ctx *pulumi.Context, name string, a ReleasePipelineArgs, acct Account, bucketArn pulumi.StringInput, p *ReleasePipeline, parent pulumi.ResourceOption) (*iam.RolePolicy, error) {
	tags := tagInput(a.Tags)
	logGroupArn := acct.ARN("logs", acct.Region, "log-group:"+NamesFor(a.Environment).ReleaseLogGroup())
	siteSecretPrefix := NamesFor(a.Environment).SecretPrefix()
	var err error
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
		var distributions []string
		for _, id := range v[4:] {
			distributions = append(distributions, acct.ARN("cloudfront", "", "distribution/"+distributionID(id)))
		}
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
		// CreateInvalidation's resource type is the distribution (Service Authorization
		// Reference, list_amazoncloudfront): the sites' own, nothing else.
		if len(distributions) > 0 {
			st = append(st, PolicyStatement{Sid: "InvalidateSiteDistributions", Effect: "Allow",
				Action: []string{"cloudfront:CreateInvalidation"}, Resource: distributions})
		}
		if connection != "" {
			st = append(st, PolicyStatement{Sid: "UseGitConnection", Effect: "Allow",
				Action:   []string{"codeconnections:UseConnection", "codestar-connections:UseConnection", "codeconnections:GetConnectionToken"},
				Resource: []string{connection}})
		}
		return Policy(st...)
	}, append([]pulumi.StringInput{a.FileSystemArn, a.AccessPointArn, a.MasterSecretArn, bucketArn}, cdnInputs(a)...)...)
	return iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: p.Role.ID(), Policy: rolePolicy}, parent)
}

func cdnInputs(a ReleasePipelineArgs) []pulumi.StringInput {
	var out []pulumi.StringInput
	for _, s := range sortedKeys(a.CDNDistributions) {
		out = append(out, a.CDNDistributions[s])
	}
	return out
}

// newReleaseFailures tells the alarm topic about failed, stopped and timed-out releases.
func newReleaseFailures(ctx *pulumi.Context, name string, a ReleasePipelineArgs, projectName, logGroupName string, tags pulumi.StringMap, parent pulumi.ResourceOption) error {
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
		return err
	}
	if _, err = cloudwatch.NewEventTarget(ctx, name+"-failures", &cloudwatch.EventTargetArgs{
		Rule: failures.Name,
		Arn:  a.AlarmTopicArn,
		InputTransformer: cloudwatch.EventTargetInputTransformerArgs{
			InputPaths:    pulumi.StringMap{"status": pulumi.String("$.detail.build-status"), "build": pulumi.String("$.detail.build-id")},
			InputTemplate: pulumi.String(`"wpfleet ` + a.Environment + ` release <build> ended <status>. Logs: ` + logGroupName + `"`),
		},
	}, parent); err != nil {
		return err
	}

	return nil
}

// usesSSH reports whether any site's remote is an ssh:// URL.
func (a ReleasePipelineArgs) usesSSH() bool {
	if strings.HasPrefix(a.RepoURLTemplate, "ssh://") {
		return true
	}
	for _, u := range a.SiteRepoURLs {
		if strings.HasPrefix(u, "ssh://") {
			return true
		}
	}
	return false
}
