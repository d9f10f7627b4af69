package tests

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

// Every resource hangs under the Fleet component, every parent exists and is
// a component; the Fleet's direct children are components only (it owns no
// resource of its own).
func TestParentage(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			index := byURN(res)
			fleet := component(t, res, "Fleet", stack)
			require.Equal(t, mocks.New(res.Project, res.Stack, "").StackURN(), fleet.Parent)
			for _, r := range res.Resources {
				if r.URN == fleet.URN {
					continue
				}
				p, ok := index[r.Parent]
				require.Truef(t, ok, "%s has parent %s, which is not in the graph", r.URN, r.Parent)
				assert.Falsef(t, p.Custom, "%s is parented to a custom resource %s", r.URN, p.URN)
			}
			assert.Len(t, res.Descendants(fleet.URN), len(res.Resources)-1, "every resource is below the Fleet")
			for _, c := range res.Children(fleet.URN) {
				assert.Falsef(t, c.Custom, "the Fleet owns %s %s itself", c.Type, c.Name)
				assert.Truef(t, strings.HasPrefix(c.Type, "wpfleet:components:"), "%s below the Fleet", c.Type)
			}
		})
	}
}

// A site's resources sit below its WordPressSite, a pool's below its
// SitePool: everything tagged with a site is below that site, and the
// listener rules a pool creates for its sites belong to the sites.
func TestSiteAndPoolChildren(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			index := byURN(res)
			names := components.NamesFor(stack)
			sited := 0
			for _, r := range res.Resources {
				tags, _ := r.Inputs["tags"].(map[string]any)
				site := str(tags[components.TagSite])
				if site == "" {
					continue
				}
				sited++
				owner, ok := ancestorOfType(index, r, "wpfleet:components:WordPressSite")
				require.Truef(t, ok, "%s %s is tagged site=%s but is not below a site", r.Type, r.Name, site)
				assert.Equalf(t, stack+"-"+site, owner.Name, "%s %s is below the wrong site", r.Type, r.Name)
			}
			assert.Greater(t, sited, 10*len(siteNames(t, stackConfig(t, stack).Config)))
			for _, rule := range res.ByType("aws:lb/listenerRule:ListenerRule") {
				p := index[rule.Parent]
				assert.Equalf(t, "wpfleet:components:WordPressSite", p.Type, "rule %s belongs to its site", rule.Name)
			}
			for pool := range poolSites(t, stack) {
				sp := component(t, res, "SitePool", stack+"-"+pool)
				d := res.Descendants(sp.URN)
				td := onlyOne(t, d, "aws:ecs/taskDefinition:TaskDefinition", pool)
				assert.Equal(t, names.PoolFamily(pool), td.Inputs["family"])
				lg := onlyOne(t, d, "aws:cloudwatch/logGroup:LogGroup", pool)
				assert.Equal(t, names.PoolLogGroup(pool), lg.Inputs["name"])
				onlyOne(t, d, "aws:ecs/service:Service", pool)
				onlyOne(t, d, "aws:lb/targetGroup:TargetGroup", pool)
			}
		})
	}
}

// siteResources counts what a WordPressSite owns: the same set for every
// site, plus two DNS records per hostname, a rule per 3 hostnames and the
// batch jobs.
type siteShape struct {
	hosts, rules, jobs int
	pagePolicy         bool // cdn: true
	viewerFunction     bool // allowedViewerCidrs set
}

func (s siteShape) resources() int {
	n := 3 + 1 + 2 + 2 + 4 // alarms, access point, secrets, secret versions, random passwords
	n += 1 + 4             // CDN: component, certificate, validation, distribution, OAC
	n += 1 + 7             // UploadsBucket: component and its seven resources
	n += s.rules + 2*s.hosts
	if s.pagePolicy {
		n++
	}
	if s.viewerFunction {
		n++
	}
	if s.jobs > 0 {
		n += 1 + 4 // log group, execution and task roles with their policies
		n += s.jobs * (1 + 5)
	}
	return n
}

func TestPerSiteResources(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			names := components.NamesFor(stack)
			require.GreaterOrEqual(t, len(args.Sites), 10, "the shipped stacks run a fleet of 10+ sites")
			assert.Len(t, res.ByType("wpfleet:components:WordPressSite"), len(args.Sites))
			for _, s := range args.Sites {
				site := component(t, res, "WordPressSite", stack+"-"+s.Name)
				d := res.Descendants(site.URN)
				count := func(tok string) int { return len(ofType(d, tok)) }
				shape := siteShape{hosts: len(s.Hostnames), rules: (len(s.Hostnames) + 2) / 3, jobs: len(s.Jobs),
					pagePolicy: s.Cdn == nil && args.Cdn || s.Cdn != nil && *s.Cdn, viewerFunction: len(args.AllowedViewerCidrs) > 0}
				assert.Equalf(t, shape.resources(), len(d), "%s: resources below the site", s.Name)

				secrets := map[string]bool{}
				for _, sec := range ofType(d, "aws:secretsmanager/secret:Secret") {
					secrets[str(sec.Inputs["name"])] = true
				}
				assert.Equal(t, map[string]bool{names.SiteDBSecret(s.Name): true, names.SiteSaltsSecret(s.Name): true}, secrets, s.Name)
				assert.Equal(t, 1, count("wpfleet:components:UploadsBucket"), s.Name)
				assert.Equal(t, 1, count("aws:cloudfront/distribution:Distribution"), s.Name+": every site is behind CloudFront")
				ap := onlyOne(t, d, "aws:efs/accessPoint:AccessPoint", s.Name)
				assert.Equal(t, components.SiteRoot(s.Name), at(ap.Inputs, "rootDirectory.path"))

				records := map[string]bool{}
				for _, r := range ofType(d, "aws:route53/record:Record") {
					records[str(r.Inputs["name"])+" "+str(r.Inputs["type"])] = true
				}
				want := map[string]bool{}
				for _, h := range s.Hostnames {
					want[h+" A"], want[h+" AAAA"] = true, true
				}
				assert.Equal(t, want, records, s.Name+": an A and an AAAA alias per hostname")

				rules := ofType(d, "aws:lb/listenerRule:ListenerRule")
				require.Len(t, rules, shape.rules, s.Name)
				var routed []string
				for _, r := range rules {
					routed = append(routed, strList(at(r.Inputs, "conditions.0.hostHeader.values"))...)
					assert.Equal(t, components.OriginHeaderName, at(r.Inputs, "conditions.1.httpHeader.httpHeaderName"), r.Name)
				}
				assert.ElementsMatch(t, s.Hostnames, routed, s.Name+": each hostname routed once")

				alarms := map[string]bool{}
				for _, a := range ofType(d, "aws:cloudwatch/metricAlarm:MetricAlarm") {
					alarms[str(a.Inputs["name"])] = true
				}
				assert.Equal(t, map[string]bool{names.SiteAlarm(s.Name, "5xx"): true, names.SiteAlarm(s.Name, "cron-failed"): true,
					names.SiteAlarm(s.Name, "cron-silent"): true}, alarms, s.Name)
				assert.Equal(t, len(s.Jobs), count("wpfleet:components:CronTask"), s.Name+": one scheduled task per job, none for wp-cron")
				assert.Zero(t, count("aws:ecs/service:Service"), s.Name+": sites have no service of their own")
			}
		})
	}
}

// Each pool is one service with the same resources, whatever its size.
func TestPerPoolResources(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			pools := poolSites(t, stack)
			assert.Len(t, res.ByType("wpfleet:components:SitePool"), len(pools))
			assert.Len(t, res.ByType("aws:ecs/service:Service"), len(pools), "one service per pool")
			served := map[string]string{}
			for pool, sites := range pools {
				d := res.Descendants(component(t, res, "SitePool", stack+"-"+pool).URN)
				count := map[string]int{}
				for _, r := range d {
					count[r.Type]++
				}
				assert.Equal(t, map[string]int{
					"aws:appautoscaling/policy:Policy": 2, "aws:appautoscaling/target:Target": 1,
					"aws:cloudwatch/logGroup:LogGroup": 1, "aws:cloudwatch/logMetricFilter:LogMetricFilter": 5,
					"aws:cloudwatch/metricAlarm:MetricAlarm": 3, "aws:ecs/service:Service": 1,
					"aws:ecs/taskDefinition:TaskDefinition": 1, "aws:iam/role:Role": 2, "aws:iam/rolePolicy:RolePolicy": 2,
					"aws:lb/targetGroup:TargetGroup": 1,
				}, count, pool)
				for _, s := range sites {
					_, dup := served[s]
					assert.Falsef(t, dup, "%s is served by two pools", s)
					served[s] = pool
				}
			}
			assert.ElementsMatch(t, siteNames(t, stackConfig(t, stack).Config), keys(served), "every site is in one pool")
		})
	}
}

// prod's pools are the ones its stack file declares: corporate alone, the
// other eleven sites shared; stg serves every site from the default pool.
func TestShippedPools(t *testing.T) {
	prod := poolSites(t, "prod")
	assert.Equal(t, []string{"corporate"}, prod["corporate"])
	assert.Len(t, prod["shared"], 11)
	assert.Len(t, prod, 2)
	stg := poolSites(t, "stg")
	assert.Equal(t, []string{components.DefaultPoolName}, keys(stg))
	assert.Equal(t, fleetArgs(t, "stg").Sites[0].Name, stg[components.DefaultPoolName][0], "the default pool serves the sites in their order")
	assert.Len(t, stg[components.DefaultPoolName], 12)
}

func TestOutputs(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			assert.ElementsMatch(t, []string{"siteUrls", "albDnsName", "efsId", "bucketNames", "clusterName", "databaseEndpoint",
				"alarmTopicArn", "cdnDomains", "dashboardName", "releaseProjectName", "releaseCiRoleArn", "releaseCiRoleArns", "releaseStartCommand"},
				keys(res.Outputs))
			urls := res.Outputs["siteUrls"].(map[string]any)
			buckets := res.Outputs["bucketNames"].(map[string]any)
			cdn := res.Outputs["cdnDomains"].(map[string]any)
			names := siteNames(t, stackConfig(t, stack).Config)
			assert.Equal(t, names, keys(urls))
			assert.Equal(t, names, keys(buckets))
			assert.Equal(t, names, keys(cdn))
			for _, s := range args.Sites {
				assert.Equal(t, "https://"+s.Hostnames[0], urls[s.Name], "the first hostname is the home URL")
				site := component(t, res, "WordPressSite", stack+"-"+s.Name)
				bucket := onlyOne(t, res.Descendants(site.URN), "aws:s3/bucketV2:BucketV2", s.Name)
				assert.Equal(t, bucket.Outputs["bucket"], buckets[s.Name])
				dist := onlyOne(t, res.Descendants(site.URN), "aws:cloudfront/distribution:Distribution", s.Name)
				assert.Equal(t, dist.Outputs["domainName"], cdn[s.Name])
			}
			db := res.ByType("aws:rds/cluster:Cluster")[0]
			assert.Equal(t, db.Outputs["endpoint"], res.Outputs["databaseEndpoint"])
			assert.Equal(t, res.ByType("aws:efs/fileSystem:FileSystem")[0].ID, res.Outputs["efsId"])
			assert.Equal(t, components.NamesFor(stack).DashboardName(), res.Outputs["dashboardName"])
			for k, v := range res.Outputs {
				assert.NotEqualf(t, mocks.SecretPlaceholder, v, "output %s is a secret: outputs carry no secrets", k)
			}
			sorted := append([]string(nil), names...)
			sort.Strings(sorted)
			assert.Equal(t, sorted, names)
		})
	}
}
