// Package program is the wpfleet Pulumi program: it loads the stack's
// configuration, builds the environment and exports its outputs. main.go runs
// it under the Pulumi engine; cmd/preview and the tests run the very same
// function under recording mocks.
package program

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/fleetconfig"
)

// Run builds the stack's fleet from its configuration.
func Run(ctx *pulumi.Context) error {
	args, err := fleetconfig.Load(ctx)
	if err != nil {
		return err
	}
	fleet, err := components.NewFleet(ctx, args.Environment, &args)
	if err != nil {
		return err
	}
	ctx.Export("siteUrls", fleet.SiteURLs())
	ctx.Export("albDnsName", fleet.LoadBalancer.DnsName)
	ctx.Export("efsId", fleet.FileSystem.FileSystemId)
	ctx.Export("bucketNames", fleet.BucketNames())
	ctx.Export("clusterName", fleet.Cluster.Name)
	ctx.Export("databaseEndpoint", fleet.Database.Endpoint)
	ctx.Export("alarmTopicArn", fleet.Alarms.Arn)
	return nil
}
