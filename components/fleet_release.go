package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/release"
)

// releaseArgs maps the release settings onto ReleasePipelineArgs; p and the
// release job's security group are nil while validating.
func (f FleetArgs) releaseArgs(p *Platform, sg pulumi.StringInput) ReleasePipelineArgs {
	repos := map[string]string{}
	var names []string
	for _, s := range f.Sites {
		names = append(names, s.Name)
		if s.Repository != "" {
			repos[s.Name] = s.Repository
		}
	}
	a := ReleasePipelineArgs{
		Environment: f.Environment, Tags: Tags(f.Environment, "", f.Tags), Sites: names,
		RepoURLTemplate: f.ReleaseRepoUrlTemplate, SiteRepoURLs: repos,
		GitCredentialsSecretArn: f.ReleaseGitCredentialsSecretArn, ConnectionArn: f.ReleaseConnectionArn,
		KeepReleases: f.ReleaseKeep, Buildspec: release.Buildspec(), Files: release.Files(),
		LogRetentionDays: f.LogRetentionDays,
		GitHub:           f.CiGithub, GitHubOIDCProviderArn: f.CiGithubOidcProviderArn,
		CircleCIOIDCProviderArn: f.CiCircleciOidcProviderArn,
	}
	if f.CiCircleciOrgId != "" {
		a.CircleCI = &CircleCIRelease{OrgID: f.CiCircleciOrgId, ProjectIDs: f.CiCircleciProjectIds}
	}
	if p == nil {
		x := pulumi.String("pending")
		a.VpcId, a.SubnetIds, a.SecurityGroupId = x, pulumi.StringArray{x}, x
		a.FileSystemId, a.FileSystemArn, a.AccessPointId, a.AccessPointArn = x, x, x, x
		a.DatabaseHost, a.MasterSecretArn, a.AlarmTopicArn = x, x, x
		return a
	}
	a.Account = &p.Account
	a.VpcId, a.SubnetIds, a.SecurityGroupId = p.VpcId, p.PrivateSubnetIds, sg
	a.FileSystemId, a.FileSystemArn = p.FileSystemId, p.FileSystemArn
	a.AccessPointId, a.AccessPointArn = p.ReleaseAccessPointId, p.ReleaseAccessPointArn
	a.DatabaseHost, a.MasterSecretArn, a.AlarmTopicArn = p.DatabaseEndpoint, p.MasterSecretArn, p.AlarmTopicArn
	return a
}

// newRelease creates the release job: its security group is a workload of
// the platform (out to HTTPS for git and AWS APIs, EFS and Aurora).
func (f FleetArgs) newRelease(ctx *pulumi.Context, p *Platform, sites map[string]*WordPressSite, parent pulumi.ResourceOption) (*ReleasePipeline, error) {
	sg, err := p.NewWorkloadGroup(ctx, f.Environment+"-release", "wpfleet release job: out to HTTPS (git, AWS APIs), EFS and Aurora",
		Workload{FileSystem: true, Database: true, Internet: []int{443}})
	if err != nil {
		return nil, err
	}
	ra := f.releaseArgs(p, sg.ID().ToStringOutput())
	return NewReleasePipeline(ctx, f.Environment+"-release", &ra, parent)
}
