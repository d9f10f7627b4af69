// Command existing-infrastructure builds a wpfleet platform around
// infrastructure an organisation already runs: its VPC, its ALB (and HTTPS
// listener), its EFS file system and its Aurora MySQL cluster are adopted by
// ID; the platform adds an ECS cluster with logged ECS Exec, the alarm topic,
// a managed WAF web ACL and every security group rule between the parts.
// Two sites share one pool; a release job releases them.
package main

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/release"
)

// infrastructure is the `infrastructure` setting: what already exists, by ID.
type infrastructure struct {
	VpcID            string   `json:"vpcId"`
	PublicSubnetIDs  []string `json:"publicSubnetIds"`
	PrivateSubnetIDs []string `json:"privateSubnetIds"`
	ListenerArn      string   `json:"albHttpsListenerArn"`
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
	DBRequiresTLS    bool     `json:"databaseRequiresTls"`
}

type site struct {
	Name      string   `json:"name"`
	Hostnames []string `json:"hostnames"`
	ZoneID    string   `json:"zoneId"`
}

type settings struct {
	env, repo, email string
	infra            infrastructure
	sites            []site
	images           map[string]string
}

func load(ctx *pulumi.Context) (settings, error) {
	var s settings
	for key, v := range map[string]any{"environment": &s.env, "repoUrlTemplate": &s.repo, "infrastructure": &s.infra,
		"sites": &s.sites, "images": &s.images} {
		raw, ok := ctx.GetConfig(ctx.Project() + ":" + key)
		if !ok {
			return s, fmt.Errorf("%s:%s is required (README.md)", ctx.Project(), key)
		}
		if p, isString := v.(*string); isString {
			*p = raw
		} else if err := json.Unmarshal([]byte(raw), v); err != nil {
			return s, fmt.Errorf("%s:%s: %w", ctx.Project(), key, err)
		}
	}
	s.email, _ = ctx.GetConfig(ctx.Project() + ":alarmEmail")
	return s, nil
}

// platformArgs adopts the VPC, ALB, EFS and Aurora; the platform creates the
// cluster, alarm topic and web ACL.
func platformArgs(s settings) *components.PlatformArgs {
	i := s.infra
	return &components.PlatformArgs{
		Environment: s.env, AlarmEmail: s.email,
		Runtime: components.RuntimeDefaults{NginxImage: s.images["nginx"], PhpImage: s.images["php"], CPUArchitecture: "ARM64"},
		Network: components.NetworkArgs{ExistingVpcId: i.VpcID, ExistingPublicSubnetIds: i.PublicSubnetIDs,
			ExistingPrivateSubnetIds: i.PrivateSubnetIDs},
		Existing: components.ExistingParts{
			LoadBalancer: &components.LoadBalancerRef{HttpsListenerArn: i.ListenerArn, SecurityGroupId: i.AlbGroup,
				DnsName: i.AlbDNSName, ZoneId: i.AlbZoneID, ArnSuffix: i.AlbArnSuffix},
			FileSystem: &components.FileSystemRef{Id: i.FileSystemID, Arn: i.FileSystemArn, SecurityGroupId: i.FileSystemGroup},
			Database: &components.DatabaseRef{Endpoint: i.DBEndpoint, SecurityGroupId: i.DBGroup, MasterSecretArn: i.DBMasterSecret,
				ClusterIdentifier: i.DBCluster, ClusterArn: i.DBClusterArn, RequireTLS: i.DBRequiresTLS},
		},
	}
}

func run(ctx *pulumi.Context) error {
	s, err := load(ctx)
	if err != nil {
		return err
	}
	platform, err := components.NewPlatform(ctx, s.env, platformArgs(s))
	if err != nil {
		return err
	}
	var members []*components.WordPressSite
	urls := pulumi.StringMap{}
	for i, c := range s.sites {
		var hosts []components.Hostname
		for _, h := range c.Hostnames {
			hosts = append(hosts, components.Hostname{Name: h, ZoneId: c.ZoneID})
		}
		// The existing ALB's certificates are not the platform's: each site
		// brings one of its own and attaches it to the listener.
		ws, err := components.NewWordPressSite(ctx, s.env+"-"+c.Name, &components.WordPressSiteArgs{
			Platform: platform, Name: c.Name, Hostnames: hosts, ListenerPriority: 500 + 10*i, PageCaching: true,
		})
		if err != nil {
			return err
		}
		members = append(members, ws)
		urls[c.Name] = ws.URL
	}
	pool, err := components.NewSitePool(ctx, s.env+"-web", &components.SitePoolArgs{
		Platform: platform, Name: "web", Sites: members, CPU: 512, Memory: 1024, MinTasks: 2, MaxTasks: 6,
		Capacity: components.CapacityStrategy{OnDemandBase: 1, SpotWeight: 1}, ExecuteCommand: true,
	})
	if err != nil {
		return err
	}
	rel, err := components.NewReleasePipeline(ctx, s.env+"-release", &components.ReleasePipelineArgs{
		Platform: platform, WordPressSites: members, RepoURLTemplate: s.repo,
		Buildspec: release.Buildspec(), Files: release.Files(),
	})
	if err != nil {
		return err
	}
	ctx.Export("siteUrls", urls)
	ctx.Export("clusterName", platform.ClusterName)
	ctx.Export("serviceName", pool.ServiceName)
	ctx.Export("alarmTopicArn", platform.AlarmTopicArn)
	ctx.Export("releaseStartCommand", rel.StartCommand)
	return nil
}

func main() {
	pulumi.Run(run)
}
