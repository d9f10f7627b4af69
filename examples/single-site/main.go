// Command single-site runs one WordPress site on a wpfleet platform that
// another stack made: the VPC, ECS cluster, ALB, EFS, Aurora, alarm topic and
// web ACL are adopted by ID, and this stack adds what the site needs: its
// WordPressSite (secrets, uploads bucket, CloudFront, certificate, DNS,
// alarms), a SitePool of its own that serves it, and a release job.
package main

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/release"
)

// siteConfig is the stack's `site` setting.
type siteConfig struct {
	Name             string   `json:"name"`
	Hostnames        []string `json:"hostnames"`
	ZoneID           string   `json:"zoneId"`
	ListenerPriority int      `json:"listenerPriority"`
	RepoURLTemplate  string   `json:"repoUrlTemplate"`
}

// platformConfig is the `platform` setting: the parts another stack made,
// by ID (its outputs, README.md).
type platformConfig struct {
	VpcID            string   `json:"vpcId"`
	PublicSubnetIDs  []string `json:"publicSubnetIds"`
	PrivateSubnetIDs []string `json:"privateSubnetIds"`
	ClusterArn       string   `json:"clusterArn"`
	ClusterName      string   `json:"clusterName"`
	ListenerArn      string   `json:"httpsListenerArn"`
	AlbGroup         string   `json:"albSecurityGroupId"`
	AlbDNSName       string   `json:"albDnsName"`
	AlbZoneID        string   `json:"albZoneId"`
	AlbArnSuffix     string   `json:"albArnSuffix"`
	FileSystemID     string   `json:"fileSystemId"`
	FileSystemArn    string   `json:"fileSystemArn"`
	FileSystemGroup  string   `json:"fileSystemSecurityGroupId"`
	DBEndpoint       string   `json:"databaseEndpoint"`
	DBGroup          string   `json:"databaseSecurityGroupId"`
	DBMasterSecret   string   `json:"databaseMasterSecretArn"`
	DBCluster        string   `json:"databaseClusterIdentifier"`
	DBClusterArn     string   `json:"databaseClusterArn"`
	AlarmTopicArn    string   `json:"alarmTopicArn"`
	WebACLArn        string   `json:"webAclArn"`
}

// platformArgs adopts every part of the platform; nothing shared is created.
func platformArgs(env string, p platformConfig, images map[string]string) *components.PlatformArgs {
	return &components.PlatformArgs{
		Environment: env,
		Runtime:     components.RuntimeDefaults{NginxImage: images["nginx"], PhpImage: images["php"], CPUArchitecture: "ARM64"},
		Network: components.NetworkArgs{ExistingVpcId: p.VpcID, ExistingPublicSubnetIds: p.PublicSubnetIDs,
			ExistingPrivateSubnetIds: p.PrivateSubnetIDs},
		Existing: components.ExistingParts{
			Cluster: &components.ClusterRef{Arn: p.ClusterArn, Name: p.ClusterName},
			LoadBalancer: &components.LoadBalancerRef{HttpsListenerArn: p.ListenerArn, SecurityGroupId: p.AlbGroup,
				DnsName: p.AlbDNSName, ZoneId: p.AlbZoneID, ArnSuffix: p.AlbArnSuffix},
			FileSystem: &components.FileSystemRef{Id: p.FileSystemID, Arn: p.FileSystemArn, SecurityGroupId: p.FileSystemGroup},
			Database: &components.DatabaseRef{Endpoint: p.DBEndpoint, SecurityGroupId: p.DBGroup, MasterSecretArn: p.DBMasterSecret,
				ClusterIdentifier: p.DBCluster, ClusterArn: p.DBClusterArn, RequireTLS: true},
			AlarmTopicArn: p.AlarmTopicArn,
			WebACLArn:     p.WebACLArn,
		},
	}
}

// setting reads one of the project's settings (text, or JSON for objects) into v.
func setting(ctx *pulumi.Context, key string, v any) error {
	raw, ok := ctx.GetConfig(ctx.Project() + ":" + key)
	if !ok {
		return fmt.Errorf("%s:%s is required (README.md)", ctx.Project(), key)
	}
	if s, isString := v.(*string); isString {
		*s = raw
		return nil
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("%s:%s: %w", ctx.Project(), key, err)
	}
	return nil
}

func run(ctx *pulumi.Context) error {
	var env string
	var s siteConfig
	var p platformConfig
	var images map[string]string
	for key, v := range map[string]any{"environment": &env, "site": &s, "platform": &p, "images": &images} {
		if err := setting(ctx, key, v); err != nil {
			return err
		}
	}

	platform, err := components.NewPlatform(ctx, env, platformArgs(env, p, images))
	if err != nil {
		return err
	}
	var hosts []components.Hostname
	for _, h := range s.Hostnames {
		hosts = append(hosts, components.Hostname{Name: h, ZoneId: s.ZoneID})
	}
	// The platform's certificates do not cover these names: the site brings
	// its own and attaches it to the shared listener.
	site, err := components.NewWordPressSite(ctx, env+"-"+s.Name, &components.WordPressSiteArgs{
		Platform: platform, Name: s.Name, Hostnames: hosts, ListenerPriority: s.ListenerPriority, PageCaching: true,
	})
	if err != nil {
		return err
	}
	// Two small tasks, one in each AZ: one on demand, the other on Spot.
	pool, err := components.NewSitePool(ctx, env+"-"+s.Name, &components.SitePoolArgs{
		Platform: platform, Name: s.Name, Sites: []*components.WordPressSite{site},
		CPU: 512, Memory: 1024, MinTasks: 2, MaxTasks: 4,
		Capacity: components.CapacityStrategy{OnDemandBase: 1, SpotWeight: 1},
	})
	if err != nil {
		return err
	}
	rel, err := newRelease(ctx, env, platform, site, s)
	if err != nil {
		return err
	}
	ctx.Export("url", site.URL)
	ctx.Export("cdnDomainName", site.CDN.DomainName)
	ctx.Export("bucketName", site.Uploads.BucketName)
	ctx.Export("serviceName", pool.ServiceName)
	ctx.Export("releaseStartCommand", rel.StartCommand)
	return nil
}

// newRelease is the site's release job: it clones the repository, builds the
// release onto the shared file system through the platform's release access
// point and creates the site's database user with the master secret.
func newRelease(ctx *pulumi.Context, env string, p *components.Platform, site *components.WordPressSite, s siteConfig) (*components.ReleasePipeline, error) {
	return components.NewReleasePipeline(ctx, env+"-release", &components.ReleasePipelineArgs{
		Platform: p, WordPressSites: []*components.WordPressSite{site}, RepoURLTemplate: s.RepoURLTemplate,
		Buildspec: release.Buildspec(), Files: release.Files(),
	})
}

func main() {
	pulumi.Run(run)
}
