// Command shared-pool builds a new wpfleet platform (VPC, ECS cluster, ALB,
// EFS, Aurora, alarm topic, web ACL, backups) with three sites: www and blog
// share one pool (one service, one task role, the seed's layout), shop has a
// pool of its own (its availability and its secrets depend on no other
// site). A release job releases any of them; a dashboard shows them all.
package main

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/release"
)

// pools are the stack's pools and the sites each serves, in listener
// priority order.
var pools = []struct {
	name  string
	sites []string
	cpu   int
	mem   int
}{
	// www and blog are small and alike: one service serves both, each site
	// with its own php-fpm pool, Unix user, secrets file and bucket grant.
	{"shared", []string{"www", "blog"}, 512, 1024},
	// shop keeps customers' sessions and orders: its own service, so that
	// another site's plugin or traffic spike cannot take it down, and its own
	// task role and memory, holding its secrets alone.
	{"shop", []string{"shop"}, 1024, 2048},
}

// jobs are the sites' scheduled commands (wp-cron runs inside the pools).
var jobs = map[string][]components.SiteJob{
	"shop": {{Name: "expired-transients", Schedule: "cron(15 18 * * ? *)", Command: []string{"wp", "transient", "delete", "--expired"}}},
}

type settings struct {
	env, repo, email string
	domain           struct{ Name, ZoneID string }
	images           map[string]string
}

func load(ctx *pulumi.Context) (settings, error) {
	var s settings
	var domain map[string]string
	for key, v := range map[string]any{"environment": &s.env, "repoUrlTemplate": &s.repo, "domain": &domain, "images": &s.images} {
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
	s.domain.Name, s.domain.ZoneID = domain["name"], domain["zoneId"]
	return s, nil
}

func (s settings) hostnames(site string) []components.Hostname {
	return []components.Hostname{{Name: site + "." + s.domain.Name, ZoneId: s.domain.ZoneID}}
}

func run(ctx *pulumi.Context) error {
	s, err := load(ctx)
	if err != nil {
		return err
	}
	var certs []components.SiteHostnames
	for _, p := range pools {
		for _, site := range p.sites {
			certs = append(certs, components.SiteHostnames{Site: site, Hostnames: s.hostnames(site)})
		}
	}
	// Two AZs; one NAT gateway (OnePerAz survives an AZ outage, for about
	// $45 a month more); Aurora Serverless v2 with one instance.
	platform, err := components.NewPlatform(ctx, s.env, &components.PlatformArgs{
		Environment: s.env, AlarmEmail: s.email,
		Network:      components.NetworkArgs{AvailabilityZoneCount: 2, NatGateways: components.NatSingle},
		LoadBalancer: components.LoadBalancerArgs{Sites: certs},
		Database:     components.DatabaseArgs{Instances: 1, MinCapacity: 0.5, MaxCapacity: 4},
		Runtime:      components.RuntimeDefaults{NginxImage: s.images["nginx"], PhpImage: s.images["php"], CPUArchitecture: "ARM64"},
	})
	if err != nil {
		return err
	}
	var names []string
	var all []*components.WordPressSite
	var servers []*components.SitePool
	urls := pulumi.StringMap{}
	for _, p := range pools {
		var members []*components.WordPressSite
		for _, site := range p.sites {
			ws, err := components.NewWordPressSite(ctx, s.env+"-"+site, &components.WordPressSiteArgs{
				Platform: platform, Name: site, Hostnames: s.hostnames(site), ListenerPriority: 100 + 10*len(names),
				PageCaching: site != "shop", Jobs: jobs[site],
			})
			if err != nil {
				return err
			}
			names = append(names, site)
			members = append(members, ws)
			all = append(all, ws)
			urls[site] = ws.URL
		}
		sp, err := components.NewSitePool(ctx, s.env+"-"+p.name, &components.SitePoolArgs{
			Platform: platform, Name: p.name, Sites: members, CPU: p.cpu, Memory: p.mem, MinTasks: 2, MaxTasks: 6,
			Capacity: components.CapacityStrategy{OnDemandBase: 1, SpotWeight: 1}, ExecuteCommand: true,
		})
		if err != nil {
			return err
		}
		servers = append(servers, sp)
	}
	if _, err := components.NewDashboard(ctx, s.env, &components.DashboardArgs{Platform: platform, Pools: servers}); err != nil {
		return err
	}
	rel, err := newRelease(ctx, s, platform, all)
	if err != nil {
		return err
	}
	ctx.Export("siteUrls", urls)
	ctx.Export("albDnsName", platform.AlbDnsName)
	ctx.Export("clusterName", platform.ClusterName)
	ctx.Export("efsId", platform.FileSystemId)
	ctx.Export("databaseEndpoint", platform.DatabaseEndpoint)
	ctx.Export("alarmTopicArn", platform.AlarmTopicArn)
	ctx.Export("releaseStartCommand", rel.StartCommand)
	return nil
}

// newRelease is the one release job of the stack, for every site: the
// platform gives it its network, file system, database and alarm topic.
func newRelease(ctx *pulumi.Context, s settings, p *components.Platform, sites []*components.WordPressSite) (*components.ReleasePipeline, error) {
	return components.NewReleasePipeline(ctx, s.env+"-release", &components.ReleasePipelineArgs{
		Platform: p, WordPressSites: sites, RepoURLTemplate: s.repo,
		Buildspec: release.Buildspec(), Files: release.Files(),
	})
}

func main() {
	pulumi.Run(run)
}
