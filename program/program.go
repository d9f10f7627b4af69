// Package program is the wpfleet Pulumi program: it loads the stack's
// configuration, builds the environment and exports its outputs. main.go runs
// it under the Pulumi engine; cmd/preview and the tests run the very same
// function under recording mocks.
package program

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/preflight"
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
	p := fleet.Platform
	ctx.Export("siteUrls", fleet.SiteURLs())
	ctx.Export("albDnsName", p.AlbDnsName)
	ctx.Export("efsId", p.FileSystemId)
	ctx.Export("bucketNames", fleet.BucketNames())
	ctx.Export("clusterName", p.ClusterName)
	ctx.Export("databaseEndpoint", p.DatabaseEndpoint)
	ctx.Export("alarmTopicArn", p.AlarmTopicArn)
	ctx.Export("cdnDomains", fleet.CDNDomains())
	ctx.Export("dashboardName", pulumi.String(fleet.Dashboard.Name))
	ctx.Export("releaseProjectName", fleet.Release.ProjectName)
	ctx.Export("releaseCiRoleArn", fleet.Release.CIRoleArn)
	ctx.Export("releaseCiRoleArns", fleet.Release.CIRoleArns)
	ctx.Export("releaseStartCommand", fleet.Release.StartCommand)
	return nil
}

// Preview runs Run offline under a recording mock, as `pulumi preview` would
// run it under the engine: config keys are checked first (an unknown key is
// an error, as under the engine), then the very same program runs, then
// preflight checks the whole graph against the AWS API constraints mocks
// cannot see. A preflight violation fails the preview with a
// *preflight.Error (every violation: resource, field, value, constraint,
// source); the recorded graph is returned with it, so callers can inspect
// it. The recorder is returned too, so callers can see that a failed run
// registered nothing.
func Preview(project, stack string, config map[string]string, secretKeys []string) (*mocks.Result, *mocks.Recorder, error) {
	rec := mocks.New(project, stack, config[fleetconfig.RegionKey])
	if err := fleetconfig.CheckKeys(config); err != nil {
		return nil, rec, err
	}
	res, err := rec.Run(config, secretKeys, Run)
	if err != nil {
		return res, rec, err
	}
	return res, rec, preflight.Err(preflight.Check(res))
}
