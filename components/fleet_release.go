package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/release"
)

// releaseArgs maps the release settings onto ReleasePipelineArgs; p and
// sites are nil while validating (placeholders stand for the platform's IDs).
func (f FleetArgs) releaseArgs(p *Platform, sites map[string]*WordPressSite) ReleasePipelineArgs {
	repos := map[string]string{}
	var names []string
	var handles []*WordPressSite
	for _, s := range f.Sites {
		names = append(names, s.Name)
		if s.Repository != "" {
			repos[s.Name] = s.Repository
		}
		if site := sites[s.Name]; site != nil {
			handles = append(handles, site)
		}
	}
	a := ReleasePipelineArgs{
		Platform: p, WordPressSites: handles, Environment: f.Environment, Tags: Tags(f.Environment, "", f.Tags), Sites: names,
		RepoURLTemplate: f.ReleaseRepoUrlTemplate, SiteRepoURLs: repos,
		GitCredentialsSecretArn: f.ReleaseGitCredentialsSecretArn, ConnectionArn: f.ReleaseConnectionArn,
		KeepReleases: f.ReleaseKeep, Buildspec: release.Buildspec(), Files: release.Files(),
		LogRetentionDays: f.LogRetentionDays,
		GitHub:           f.CiGithub, GitHubOIDCProviderArn: f.CiGithubOidcProviderArn,
		CircleCIOIDCProviderArn: f.CiCircleciOidcProviderArn,
	}
	if f.CiCircleciOrgId != "" {
		a.CircleCI = &CircleCIRelease{OrgID: f.CiCircleciOrgId, ProjectIDs: f.CiCircleciProjectIds, ProjectSites: f.CiCircleciProjectSites}
	}
	if p == nil {
		x := pulumi.String("pending")
		a.VpcId, a.SubnetIds, a.SecurityGroupId = x, pulumi.StringArray{x}, x
		a.FileSystemId, a.FileSystemArn, a.AccessPointId, a.AccessPointArn = x, x, x, x
		a.DatabaseHost, a.MasterSecretArn, a.AlarmTopicArn = x, x, x
	}
	return a
}

// newRelease creates the release job on the platform, for every site.
func (f FleetArgs) newRelease(ctx *pulumi.Context, p *Platform, sites map[string]*WordPressSite, parent pulumi.ResourceOption) (*ReleasePipeline, error) {
	ra := f.releaseArgs(p, sites)
	return NewReleasePipeline(ctx, f.Environment+"-release", &ra, parent)
}
