// Command custom-stack shows how another Pulumi program uses wpfleet's
// components directly: two sites that share one VPC, cluster, ALB, EFS file
// system and Aurora cluster, with one batch job on top of wp-cron. It is a
// complete Pulumi Go program (`pulumi up` in this folder); its test runs it
// offline under wpfleet's recording mocks.
package main

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/components"
)

const env = "team"

// sites are this stack's WordPress sites and their hostnames.
var sites = []struct {
	name  string
	hosts []string
}{
	{"docs", []string{"docs.example.net"}},
	{"status", []string{"status.example.net", "www.status.example.net"}},
}

const zoneID = "Z0EXAMPLE0NET000000001"

func run(ctx *pulumi.Context) error {
	tags := components.Tags(env, "", map[string]string{"team": "platform"})
	acct, err := components.LookupAccount(ctx)
	if err != nil {
		return err
	}
	net, err := components.NewNetwork(ctx, env, &components.NetworkArgs{Tags: tags, AvailabilityZoneCount: 2, NatGateways: components.NatSingle})
	if err != nil {
		return err
	}
	alarms, err := components.NewAlarmTopic(ctx, env, &components.AlarmTopicArgs{Tags: tags, Account: &acct})
	if err != nil {
		return err
	}
	cluster, err := components.NewCluster(ctx, env, &components.ClusterArgs{Tags: tags})
	if err != nil {
		return err
	}
	// The tasks' security group is this stack's own; the components admit it.
	tasks, err := ec2.NewSecurityGroup(ctx, env+"-tasks", &ec2.SecurityGroupArgs{
		VpcId: net.VpcId, Description: pulumi.String("WordPress tasks"), Tags: pulumi.ToStringMap(tags),
	})
	if err != nil {
		return err
	}
	clients := []pulumi.StringInput{tasks.ID()}
	var names []string
	var groups []components.SiteHostnames
	for _, s := range sites {
		names = append(names, s.name)
		g := components.SiteHostnames{Site: s.name}
		for _, h := range s.hosts {
			g.Hostnames = append(g.Hostnames, components.Hostname{Name: h, ZoneId: zoneID})
		}
		groups = append(groups, g)
	}
	fs, err := components.NewSharedEFS(ctx, env, &components.SharedEFSArgs{
		Tags: tags, VpcId: net.VpcId, SubnetIds: net.PrivateSubnetIds, SubnetCount: net.PrivateSubnetCount,
		ClientSecurityGroupIds: clients, Sites: names, ThroughputMode: components.ThroughputBursting,
		AlarmTopicArn: alarms.Arn, Account: &acct,
	})
	if err != nil {
		return err
	}
	db, err := components.NewDatabase(ctx, env, &components.DatabaseArgs{
		Environment: env, Tags: tags, VpcId: net.VpcId, SubnetIds: net.PrivateSubnetIds,
		AvailabilityZones: net.AvailabilityZones, ClientSecurityGroupIds: clients, Sites: names,
		MinCapacity: 0, MaxCapacity: 2, RequireTLS: true,
	})
	if err != nil {
		return err
	}
	lb, err := components.NewLoadBalancer(ctx, env, &components.LoadBalancerArgs{
		Tags: tags, VpcId: net.VpcId, VpcCidr: net.CidrBlock, PublicSubnetIds: net.PublicSubnetIds, Sites: groups,
	})
	if err != nil {
		return err
	}
	urls := pulumi.StringMap{}
	for i, s := range sites {
		siteTags := components.Tags(env, s.name, map[string]string{"team": "platform"})
		bucket, err := components.NewUploadsBucket(ctx, env+"-"+s.name, &components.UploadsBucketArgs{Site: s.name, Tags: siteTags})
		if err != nil {
			return err
		}
		site, err := components.NewWordPressSite(ctx, env+"-"+s.name, &components.WordPressSiteArgs{
			Site: s.name, Environment: env, Tags: siteTags, Hostnames: groups[i].Hostnames, Account: &acct,
			VpcId: net.VpcId, VpcCidr: net.CidrBlock, SubnetIds: net.PrivateSubnetIds, SecurityGroupIds: pulumi.StringArray{tasks.ID()},
			ClusterArn: cluster.Arn, ClusterName: cluster.Name,
			ListenerArn: lb.HttpsListenerArn, AlbArnSuffix: lb.ArnSuffix, AlbDnsName: lb.DnsName, AlbZoneId: lb.ZoneId,
			ListenerPriority: 10 * (i + 1),
			FileSystemId:     fs.FileSystemId, FileSystemArn: fs.FileSystemArn,
			AccessPointId: fs.AccessPoints[s.name].ID(), AccessPointArn: fs.AccessPoints[s.name].Arn,
			DatabaseHost: db.Endpoint, DatabaseSecretArn: db.SiteSecrets[s.name].Arn, DatabaseTLS: true,
			UploadsBucketName: bucket.BucketName, UploadsPolicy: bucket.ReadWritePolicy,
			NginxImage: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wpfleet/nginx:1.0.0",
			PhpImage:   "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wpfleet/php:1.0.0",
			MinTasks:   1, MaxTasks: 4, Capacity: components.CapacityStrategy{OnDemandBase: 1, SpotWeight: 1},
		})
		if err != nil {
			return err
		}
		urls[s.name] = site.URL
		jobs := map[string][]string{"cron": {"wp", "cron", "event", "run", "--due-now"}}
		if s.name == "status" {
			jobs["purge"] = []string{"wp", "transient", "delete", "--expired"}
		}
		for _, job := range []string{"cron", "purge"} {
			cmd, ok := jobs[job]
			if !ok {
				continue
			}
			if _, err := components.NewCronTask(ctx, env+"-"+s.name+"-"+job, &components.CronTaskArgs{
				Tags: siteTags, ClusterArn: cluster.Arn, TaskDefinitionArn: site.CronTaskDefinition.Arn,
				ContainerName: site.CronContainer, Command: cmd, SubnetIds: net.PrivateSubnetIds,
				SecurityGroupIds: pulumi.StringArray{tasks.ID()},
				PassRoleArns:     []pulumi.StringInput{site.ExecutionRole.Arn, site.TaskRole.Arn}, Account: &acct,
			}, pulumi.Parent(site)); err != nil {
				return err
			}
		}
	}
	ctx.Export("urls", urls)
	ctx.Export("albDnsName", lb.DnsName)
	return nil
}

func main() {
	pulumi.Run(run)
}
