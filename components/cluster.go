package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ClusterArgs configures Cluster.
type ClusterArgs struct {
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// ContainerInsights is "enhanced", "enabled" or "disabled". Defaults to
	// "enhanced" (per-task and per-container metrics).
	ContainerInsights string
}

// Validate checks the arguments without registering anything.
func (a ClusterArgs) Validate() error {
	switch a.ContainerInsights {
	case "", "enhanced", "enabled", "disabled":
		return nil
	}
	return invalid("ClusterArgs.ContainerInsights", a.ContainerInsights, `"enhanced", "enabled" or "disabled"`)
}

// Cluster is the ECS cluster every site's service and cron task runs in, with
// the FARGATE and FARGATE_SPOT capacity providers.
type Cluster struct {
	pulumi.ResourceState

	Cluster *ecs.Cluster
	// Arn and Name identify the cluster.
	Arn  pulumi.StringOutput
	Name pulumi.StringOutput
}

// NewCluster creates the cluster and attaches both Fargate capacity providers.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		args = &ClusterArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	insights := args.ContainerInsights
	if insights == "" {
		insights = "enhanced"
	}
	c := &Cluster{}
	if err := ctx.RegisterComponentResource(typePrefix+"Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	var err error
	c.Cluster, err = ecs.NewCluster(ctx, name, &ecs.ClusterArgs{
		Settings: ecs.ClusterSettingArray{
			ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String(insights)},
		},
		Tags: tagInput(args.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err = ecs.NewClusterCapacityProviders(ctx, name, &ecs.ClusterCapacityProvidersArgs{
		ClusterName:       c.Cluster.Name,
		CapacityProviders: pulumi.StringArray{pulumi.String(CapacityFargate), pulumi.String(CapacityFargateSpot)},
		DefaultCapacityProviderStrategies: ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArray{
			ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String(CapacityFargate), Base: pulumi.Int(0), Weight: pulumi.Int(1),
			},
		},
	}, parent); err != nil {
		return nil, err
	}
	c.Arn = c.Cluster.Arn
	c.Name = c.Cluster.Name
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": c.Arn, "name": c.Name}); err != nil {
		return nil, err
	}
	return c, nil
}
