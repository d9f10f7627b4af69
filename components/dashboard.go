package components

import (
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DashboardArgs configures Dashboard.
type DashboardArgs struct {
	// Platform is the environment. Required.
	Platform *Platform
	// Pools are shown with their sites. Required: at least one.
	Pools []*SitePool
}

// Validate checks the arguments without registering anything.
func (a DashboardArgs) Validate() error {
	var c check
	if a.Platform == nil {
		c.add(invalid("DashboardArgs.Platform", nil, "the platform (NewPlatform)"))
	}
	if len(a.Pools) == 0 {
		c.add(invalid("DashboardArgs.Pools", nil, "at least one pool"))
	}
	return c.err()
}

// Dashboard is the environment's CloudWatch dashboard (Names.DashboardName):
// requests and 5xx per site, running tasks and response time per pool, EFS
// and Aurora.
type Dashboard struct {
	pulumi.ResourceState

	Dashboard *cloudwatch.Dashboard
	Name      string
}

// NewDashboard creates the dashboard.
func NewDashboard(ctx *pulumi.Context, name string, args *DashboardArgs, opts ...pulumi.ResourceOption) (*Dashboard, error) {
	if args == nil {
		args = &DashboardArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	p := args.Platform
	d := &Dashboard{Name: p.Names.DashboardName()}
	if err := ctx.RegisterComponentResource(typePrefix+"Dashboard", name, d, opts...); err != nil {
		return nil, err
	}
	inputs := []any{p.AlbSuffix, p.ClusterName, p.FileSystemId, p.DatabaseClusterId}
	for _, sp := range args.Pools {
		inputs = append(inputs, sp.TargetGroupArnSuffix, sp.ServiceName)
	}
	pools := args.Pools
	body := pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		return dashboardBody(p, pools, v)
	}).(pulumi.StringOutput)
	var err error
	d.Dashboard, err = cloudwatch.NewDashboard(ctx, name, &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(d.Name), DashboardBody: body,
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{"dashboardName": pulumi.String(d.Name)}); err != nil {
		return nil, err
	}
	return d, nil
}

func dashboardBody(p *Platform, pools []*SitePool, v []any) (string, error) {
	str := func(i int) string { s, _ := v[i].(string); return s }
	alb, cluster, fs, db := str(0), str(1), str(2), str(3)
	ns := p.Names.MetricNamespace()
	var requests, errors, latency, tasks []any
	for i, sp := range pools {
		tg, svc := str(4+2*i), str(5+2*i)
		for _, s := range sp.Sites {
			requests = append(requests, []any{ns, MetricRequests, "Site", s.Name, map[string]any{"stat": "Sum", "label": s.Name}})
			errors = append(errors, []any{ns, MetricServerErrors, "Site", s.Name, map[string]any{"stat": "Sum", "label": s.Name}})
		}
		latency = append(latency, []any{"AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", alb, "TargetGroup", tg, map[string]any{"stat": "p90", "label": sp.Name}})
		tasks = append(tasks, []any{"ECS/ContainerInsights", "RunningTaskCount", "ClusterName", cluster, "ServiceName", svc, map[string]any{"stat": "Average", "label": sp.Name}})
	}
	widget := func(x, y int, title string, metrics []any) map[string]any {
		return map[string]any{"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": map[string]any{
			"title": title, "region": p.Account.Region, "view": "timeSeries", "period": 60, "metrics": metrics}}
	}
	widgets := []any{
		widget(0, 0, "Requests per site", requests),
		widget(12, 0, "5xx per site", errors),
		widget(0, 6, "Response time p90 per pool (s)", latency),
		widget(12, 6, "Running tasks per pool", tasks),
	}
	if fs != "" {
		widgets = append(widgets, widget(0, 12, "EFS MeteredIOBytes", []any{[]any{"AWS/EFS", "MeteredIOBytes", "FileSystemId", fs}}))
	}
	if db != "" {
		widgets = append(widgets, widget(12, 12, "Aurora", []any{
			[]any{"AWS/RDS", "CPUUtilization", "DBClusterIdentifier", db},
			[]any{"AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", db, map[string]any{"yAxis": "right"}},
		}))
	}
	b, err := json.Marshal(map[string]any{"widgets": widgets})
	return string(b), err
}
