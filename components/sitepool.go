package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/internal/contract"
)

// SitePoolArgs configures SitePool.
type SitePoolArgs struct {
	// Platform the pool runs on. Required.
	Platform *Platform
	// Name of the pool, like a site name (1-14 lowercase letters, digits and
	// single hyphens). Required.
	Name string
	// Sites the pool serves: nginx has a server and php-fpm a pool (its own
	// user, environment and secrets) per site. A site is served by one pool.
	// Required: 1 to 25.
	Sites []*WordPressSite

	// CPU (units) and Memory (MiB) size each task; the pair must be a valid
	// Fargate size. Default to 1024 and 2048.
	CPU, Memory int
	// MinTasks and MaxTasks bound autoscaling; tasks spread over the AZs.
	// Default to 2 and 10.
	MinTasks, MaxTasks int
	// Capacity splits tasks between FARGATE and FARGATE_SPOT. Defaults to one
	// task on demand and the rest on demand too ({OnDemandBase: 1, OnDemandWeight: 1}).
	Capacity CapacityStrategy
	// CodeDelivery is "local" (copy each release to the task's disk) or
	// "efs" (serve from EFS). Defaults to "local".
	CodeDelivery string
	// EphemeralStorageGiB is the task's disk (21-200) in local mode, which
	// holds every site's live release and a second one during a switch.
	// Defaults to 30; efs mode keeps Fargate's 20 GiB unless set.
	EphemeralStorageGiB int
	// RequestTimeoutSeconds is the longest a PHP request may run (5-100). The
	// ALB drains a stopping task for this plus 5 s and ECS waits this plus
	// 15 s before killing it. Defaults to 30.
	RequestTimeoutSeconds int
	// ScaleCPUPercent is the target average CPU (10-90). Defaults to 60.
	ScaleCPUPercent int
	// ScaleRequestsPerTarget is the target ALB requests per task per minute.
	// Defaults to 1000.
	ScaleRequestsPerTarget int
	// CronIntervalSeconds is how often each task looks for due wp-cron
	// events of every site (30-600; a site's events run in one task at a
	// time). Defaults to 60.
	CronIntervalSeconds int
	// ExecuteCommand turns on ECS Exec for the pool's tasks; it needs the
	// platform's ExecLogging (sessions logged and encrypted). Defaults to false.
	ExecuteCommand bool
	// NginxImage and PhpImage default to the platform's.
	NginxImage, PhpImage string
	// CloudFrontCIDRs are trusted in X-Forwarded-For besides the VPC, so
	// nginx and WordPress see the viewer's address. Defaults to CloudFront's
	// origin-facing ranges (the managed prefix list).
	CloudFrontCIDRs []string
}

// maxSitesPerPool keeps a pool's task definition well inside ECS's 64 KiB
// and its listener rules inside the ALB's 100 (ECS and ELB quotas).
const maxSitesPerPool = 25

func (a SitePoolArgs) withDefaults() SitePoolArgs {
	if a.CPU == 0 && a.Memory == 0 {
		a.CPU, a.Memory = 1024, 2048
	}
	if a.MinTasks == 0 && a.MaxTasks == 0 {
		a.MinTasks, a.MaxTasks = 2, 10
	}
	if a.Capacity == (CapacityStrategy{}) {
		a.Capacity = CapacityStrategy{OnDemandBase: 1, OnDemandWeight: 1}
	}
	if a.CodeDelivery == "" {
		a.CodeDelivery = CodeLocal
	}
	if a.EphemeralStorageGiB == 0 && a.CodeDelivery == CodeLocal {
		a.EphemeralStorageGiB = 30
	}
	a.RequestTimeoutSeconds = intDefault(a.RequestTimeoutSeconds, 30)
	a.ScaleCPUPercent = intDefault(a.ScaleCPUPercent, 60)
	a.ScaleRequestsPerTarget = intDefault(a.ScaleRequestsPerTarget, 1000)
	a.CronIntervalSeconds = intDefault(a.CronIntervalSeconds, 60)
	if a.Platform != nil {
		if a.NginxImage == "" {
			a.NginxImage = a.Platform.Runtime.NginxImage
		}
		if a.PhpImage == "" {
			a.PhpImage = a.Platform.Runtime.PhpImage
		}
	}
	return a
}

// CheckTaskCounts accepts 0 <= min <= max <= 1000 with max at least 1.
func CheckTaskCounts(min, max int) error {
	if min < 0 || max < 1 || max > 1000 || min > max {
		return fmt.Errorf("0 <= minimum <= maximum, with maximum 1-1000 tasks")
	}
	return nil
}

// Validate checks the arguments (after defaults) without registering anything.
func (a SitePoolArgs) Validate() error {
	a = a.withDefaults()
	var c check
	k := func(f string) string { return "SitePoolArgs." + f }
	if a.Platform == nil {
		c.add(invalid(k("Platform"), nil, "the platform the pool runs on (NewPlatform)"))
	}
	c.keyed(k("Name"), a.Name, checkDNSLabel(a.Name, MaxSiteNameLength, "a pool name"))
	if len(a.Sites) == 0 || len(a.Sites) > maxSitesPerPool {
		c.add(invalid(k("Sites"), len(a.Sites), "1 to %d sites", maxSitesPerPool))
	}
	seen := map[string]bool{}
	for i, s := range a.Sites {
		switch {
		case s == nil:
			c.add(invalid(fmt.Sprintf("%s[%d]", k("Sites"), i), nil, "a site (NewWordPressSite)"))
		case seen[s.Name]:
			c.add(invalid(k("Sites"), s.Name, "each site once"))
		case s.servedBy != "":
			c.add(invalid(k("Sites"), s.Name, "a site is served by one pool; pool %s serves it already", s.servedBy))
		case a.Platform != nil && s.Platform != a.Platform:
			c.add(invalid(k("Sites"), s.Name, "sites of the pool's own platform"))
		}
		if s != nil {
			seen[s.Name] = true
		}
	}
	if FargateMemories(a.CPU) == nil {
		c.keyed(k("CPU"), a.CPU, CheckFargateSize(a.CPU, a.Memory))
	} else {
		c.keyed(k("Memory"), fmt.Sprintf("%d CPU units, %d MiB", a.CPU, a.Memory), CheckFargateSize(a.CPU, a.Memory))
	}
	if n := len(a.Sites); n > 1 && a.Memory < contract.MinTaskMemoryMiB(n, a.CodeDelivery != CodeEFS) {
		c.add(invalid(k("Memory"), a.Memory, "at least %d MiB for %d sites: the php container keeps %d MiB from its workers "+
			"(OPcache %d + %d MiB a site, php-fpm, nginx, the sync agent, wp-cron) and each site needs a %d MiB worker (image/README.md)",
			contract.MinTaskMemoryMiB(n, a.CodeDelivery != CodeEFS), n, contract.PHPReservedMiB(n, a.CodeDelivery != CodeEFS),
			contract.OPcacheBaseMiB, contract.OPcacheSiteMiB, contract.PHPWorkerMiB))
	}
	c.keyed(k("MinTasks"), fmt.Sprintf("%d-%d", a.MinTasks, a.MaxTasks), CheckTaskCounts(a.MinTasks, a.MaxTasks))
	c.keyed(k("Capacity"), a.Capacity, a.Capacity.Check())
	if a.CodeDelivery != CodeLocal && a.CodeDelivery != CodeEFS {
		c.add(invalid(k("CodeDelivery"), a.CodeDelivery, `"local" (copy releases to the task's disk) or "efs" (serve from EFS)`))
	}
	if a.EphemeralStorageGiB != 0 && (a.EphemeralStorageGiB < 21 || a.EphemeralStorageGiB > 200) {
		c.add(invalid(k("EphemeralStorageGiB"), a.EphemeralStorageGiB, "21 to 200 GiB (Fargate includes 20)"))
	}
	if a.RequestTimeoutSeconds < 5 || a.RequestTimeoutSeconds > 100 {
		c.add(invalid(k("RequestTimeoutSeconds"), a.RequestTimeoutSeconds, "5 to 100 seconds (the stop timeout, this plus 15 s, must fit Fargate's 120 s)"))
	}
	if a.ScaleCPUPercent < 10 || a.ScaleCPUPercent > 90 {
		c.add(invalid(k("ScaleCPUPercent"), a.ScaleCPUPercent, "10 to 90 percent"))
	}
	if a.ScaleRequestsPerTarget < 1 {
		c.add(invalid(k("ScaleRequestsPerTarget"), a.ScaleRequestsPerTarget, "at least 1 request per task per minute"))
	}
	if a.CronIntervalSeconds < 30 || a.CronIntervalSeconds > maxCronIntervalSeconds {
		c.add(invalid(k("CronIntervalSeconds"), a.CronIntervalSeconds, "30 to %d seconds", maxCronIntervalSeconds))
	}
	if a.ExecuteCommand && a.Platform != nil && !a.Platform.ExecLogging() {
		c.add(invalid(k("ExecuteCommand"), true, "ECS Exec only where sessions are logged (exec logging on, on a cluster the platform creates)"))
	}
	if a.NginxImage == "" || a.PhpImage == "" {
		c.add(invalid(k("PhpImage"), a.NginxImage+" / "+a.PhpImage, "both container images (or the platform's Runtime images)"))
	}
	return c.err()
}

// DeregistrationDelaySeconds is how long the ALB drains a stopping task.
func (a SitePoolArgs) DeregistrationDelaySeconds() int {
	return a.withDefaults().RequestTimeoutSeconds + 5
}

// StopTimeoutSeconds is how long ECS waits after SIGTERM before SIGKILL.
func (a SitePoolArgs) StopTimeoutSeconds() int {
	return min(120, a.withDefaults().RequestTimeoutSeconds+15)
}

// SitePool is one ECS service that serves one or more sites: nginx with a
// server per site, php-fpm with a pool per site, the sync agent keeping every
// site's live release on the task's disk, and every site's wp-cron. One
// target group; each site's listener rules send its hostnames there. A pool
// of one site isolates it; a shared pool is the seed's layout.
type SitePool struct {
	pulumi.ResourceState

	Name  string
	Sites []*WordPressSite

	LogGroup       *cloudwatch.LogGroup
	TaskDefinition *ecs.TaskDefinition
	TargetGroup    *lb.TargetGroup
	Service        *ecs.Service
	// ListenerRules are the sites' rules, by site.
	ListenerRules map[string][]*lb.ListenerRule

	ServiceName          pulumi.StringOutput
	TargetGroupArnSuffix pulumi.StringOutput
}

// NewSitePool creates the pool's service and routes its sites to it.
func NewSitePool(ctx *pulumi.Context, name string, args *SitePoolArgs, opts ...pulumi.ResourceOption) (*SitePool, error) {
	if args == nil {
		args = &SitePoolArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	if a.CloudFrontCIDRs == nil {
		a.CloudFrontCIDRs = a.Platform.CloudFrontCIDRs
	}
	sp := &SitePool{Name: a.Name, Sites: a.Sites, ListenerRules: map[string][]*lb.ListenerRule{}}
	if err := ctx.RegisterComponentResource(typePrefix+"SitePool", name, sp, opts...); err != nil {
		return nil, err
	}
	for _, s := range a.Sites {
		s.servedBy = a.Name
	}
	parent := pulumi.Parent(sp)
	for _, step := range []func(*pulumi.Context, string, SitePoolArgs, pulumi.ResourceOption) error{
		sp.logs, sp.taskDefinition, sp.routing, sp.service, sp.alarms,
	} {
		if err := step(ctx, name, a, parent); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(sp, pulumi.Map{
		"serviceName":       sp.ServiceName,
		"taskDefinitionArn": sp.TaskDefinition.Arn,
		"targetGroupArn":    sp.TargetGroup.Arn,
	}); err != nil {
		return nil, err
	}
	return sp, nil
}

// logs creates the pool's log group and the metric filters that turn its
// JSON lines into per-site metrics (requests, 5xx, cron runs) and the
// pool's OPcache metric.
func (sp *SitePool) logs(ctx *pulumi.Context, name string, a SitePoolArgs, parent pulumi.ResourceOption) error {
	p := a.Platform
	var err error
	sp.LogGroup, err = cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name: pulumi.String(p.Names.PoolLogGroup(a.Name)), RetentionInDays: pulumi.Int(p.LogRetentionDays), Tags: tagInput(p.Tags),
	}, parent)
	if err != nil {
		return err
	}
	for _, m := range logMetrics {
		if _, err := cloudwatch.NewLogMetricFilter(ctx, name+"--"+m.name, &cloudwatch.LogMetricFilterArgs{
			LogGroupName: sp.LogGroup.Name,
			Pattern:      pulumi.String(m.pattern),
			MetricTransformation: cloudwatch.LogMetricFilterMetricTransformationArgs{
				Namespace: pulumi.String(p.Names.MetricNamespace()), Name: pulumi.String(m.name), Value: pulumi.String("1"),
				Dimensions: pulumi.StringMap{"Site": pulumi.String("$.site")}, Unit: pulumi.String("Count"),
			},
		}, parent); err != nil {
			return err
		}
	}
	_, err = cloudwatch.NewLogMetricFilter(ctx, name+"--"+MetricOPcacheTrouble, &cloudwatch.LogMetricFilterArgs{
		LogGroupName: sp.LogGroup.Name,
		Pattern:      pulumi.String(contract.OPcacheTroubleFilter),
		MetricTransformation: cloudwatch.LogMetricFilterMetricTransformationArgs{
			Namespace: pulumi.String(p.Names.MetricNamespace()), Name: pulumi.String(p.Names.PoolMetric(a.Name, MetricOPcacheTrouble)),
			Value: pulumi.String("1"), Unit: pulumi.String("Count"),
		},
	}, parent)
	return err
}

func (sp *SitePool) taskDefinition(ctx *pulumi.Context, name string, a SitePoolArgs, parent pulumi.ResourceOption) error {
	p := a.Platform
	roles, err := newTaskRoles(ctx, name, p, "pool "+a.Name+" of "+p.Environment, p.Names.PoolLogGroup(a.Name), a.Sites,
		a.ExecuteCommand, p.Tags, parent)
	if err != nil {
		return err
	}
	rt := taskRuntime{env: p.Environment, region: p.Account.Region, wpEnv: p.WordPressEnvironment, dbTLS: p.DatabaseTLS,
		nginxImage: a.NginxImage, phpImage: a.PhpImage, codeDelivery: a.CodeDelivery, cpu: a.CPU, memory: a.Memory,
		requestTimeout: a.RequestTimeoutSeconds, cronInterval: a.CronIntervalSeconds, logGroup: p.Names.PoolLogGroup(a.Name),
		stopTimeout: a.StopTimeoutSeconds()}
	containers := taskSites(a.Sites, []pulumi.StringInput{p.DatabaseEndpoint, p.VpcCidr}, func(ts []taskSite, ex []string) (string, error) {
		r := rt
		r.dbHost, r.realIPFrom = ex[0], append([]string{ex[1]}, a.CloudFrontCIDRs...)
		return containersJSON(r.poolContainers(ts))
	})
	// FastCGI goes over Unix sockets in a volume of the task's own: php
	// writes them, nginx reads them (image/README.md).
	volumes := append(siteVolumes(a.Sites, p.FileSystemId, a.CodeDelivery == CodeLocal), ecs.TaskDefinitionVolumeArgs{Name: pulumi.String(contract.FPMVolume)})
	td := roles.fargateTask(p, p.Names.PoolFamily(a.Name), a.CPU, a.Memory, containers, volumes, tagInput(p.Tags))
	if a.EphemeralStorageGiB > 0 {
		td.EphemeralStorage = ecs.TaskDefinitionEphemeralStorageArgs{SizeInGib: pulumi.Int(a.EphemeralStorageGiB)}
	}
	sp.TaskDefinition, err = ecs.NewTaskDefinition(ctx, name, td, parent)
	return err
}

// routing creates the target group and every site's listener rules into it.
func (sp *SitePool) routing(ctx *pulumi.Context, name string, a SitePoolArgs, parent pulumi.ResourceOption) error {
	p := a.Platform
	var err error
	sp.TargetGroup, err = lb.NewTargetGroup(ctx, name, &lb.TargetGroupArgs{
		Port:                       pulumi.Int(WebPort),
		Protocol:                   pulumi.String("HTTP"),
		TargetType:                 pulumi.String("ip"),
		VpcId:                      p.VpcId,
		DeregistrationDelay:        pulumi.Int(a.DeregistrationDelaySeconds()),
		LoadBalancingAlgorithmType: pulumi.String("least_outstanding_requests"),
		HealthCheck: lb.TargetGroupHealthCheckArgs{
			// nginx answers it for any Host without touching PHP, EFS or the database.
			Enabled: pulumi.Bool(true), Path: pulumi.String(contract.HealthPath), Matcher: pulumi.String("200"),
			Interval: pulumi.Int(15), Timeout: pulumi.Int(5), HealthyThreshold: pulumi.Int(2), UnhealthyThreshold: pulumi.Int(3),
		},
		// Sessions live in the database: any task can serve any request.
		Stickiness: lb.TargetGroupStickinessArgs{Type: pulumi.String("lb_cookie"), Enabled: pulumi.Bool(false)},
		Tags:       tagInput(p.Tags),
	}, parent)
	if err != nil {
		return err
	}
	sp.TargetGroupArnSuffix = sp.TargetGroup.ArnSuffix
	for _, s := range a.Sites {
		if sp.ListenerRules[s.Name], err = s.route(ctx, sp.TargetGroup.Arn); err != nil {
			return err
		}
	}
	return nil
}

func (sp *SitePool) service(ctx *pulumi.Context, name string, a SitePoolArgs, parent pulumi.ResourceOption) error {
	p := a.Platform
	var strategies ecs.ServiceCapacityProviderStrategyArray
	for _, c := range a.Capacity.providers() {
		strategies = append(strategies, ecs.ServiceCapacityProviderStrategyArgs{
			CapacityProvider: pulumi.String(c.provider), Base: pulumi.Int(c.base), Weight: pulumi.Int(c.weight),
		})
	}
	grace := 60
	if a.CodeDelivery == CodeLocal {
		grace = 120 // the first copy of every release happens before nginx starts
	}
	var deps []pulumi.Resource
	for _, s := range a.Sites {
		for _, r := range sp.ListenerRules[s.Name] {
			deps = append(deps, r)
		}
	}
	var err error
	sp.Service, err = ecs.NewService(ctx, name, &ecs.ServiceArgs{
		Cluster:                         p.ClusterArn,
		TaskDefinition:                  sp.TaskDefinition.Arn,
		DesiredCount:                    pulumi.Int(a.MinTasks),
		PlatformVersion:                 pulumi.String(p.Runtime.PlatformVersion),
		CapacityProviderStrategies:      strategies,
		DeploymentCircuitBreaker:        ecs.ServiceDeploymentCircuitBreakerArgs{Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true)},
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		EnableExecuteCommand:            pulumi.Bool(a.ExecuteCommand),
		EnableEcsManagedTags:            pulumi.Bool(true),
		PropagateTags:                   pulumi.String("SERVICE"),
		HealthCheckGracePeriodSeconds:   pulumi.Int(grace),
		AvailabilityZoneRebalancing:     pulumi.String("ENABLED"),
		NetworkConfiguration: ecs.ServiceNetworkConfigurationArgs{
			Subnets: p.PrivateSubnetIds, SecurityGroups: pulumi.StringArray{p.TasksSecurityGroupId}, AssignPublicIp: pulumi.Bool(false),
		},
		LoadBalancers: ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
			TargetGroupArn: sp.TargetGroup.Arn, ContainerName: pulumi.String(ContainerNginx), ContainerPort: pulumi.Int(WebPort),
		}},
		WaitForSteadyState: pulumi.Bool(false),
		Tags:               tagInput(p.Tags),
	}, parent, pulumi.DependsOn(deps), pulumi.IgnoreChanges([]string{"desiredCount"}))
	if err != nil {
		return err
	}
	sp.ServiceName = sp.Service.Name
	return sp.autoscaling(ctx, name, a, parent)
}

// autoscaling tracks CPU and requests per task.
func (sp *SitePool) autoscaling(ctx *pulumi.Context, name string, a SitePoolArgs, parent pulumi.ResourceOption) error {
	p := a.Platform
	target, err := appautoscaling.NewTarget(ctx, name, &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        pulumi.Sprintf("service/%s/%s", p.ClusterName, sp.Service.Name),
		MinCapacity:       pulumi.Int(a.MinTasks),
		MaxCapacity:       pulumi.Int(a.MaxTasks),
		Tags:              tagInput(p.Tags),
	}, parent)
	if err != nil {
		return err
	}
	policies := []struct {
		suffix, metric string
		target         float64
		label          pulumi.StringPtrInput
	}{
		{"cpu", "ECSServiceAverageCPUUtilization", float64(a.ScaleCPUPercent), nil},
		{"requests", "ALBRequestCountPerTarget", float64(a.ScaleRequestsPerTarget), pulumi.Sprintf("%s/%s", p.AlbSuffix, sp.TargetGroup.ArnSuffix)},
	}
	for _, pol := range policies {
		if _, err = appautoscaling.NewPolicy(ctx, name+"--"+pol.suffix, &appautoscaling.PolicyArgs{
			PolicyType: pulumi.String("TargetTrackingScaling"), ServiceNamespace: target.ServiceNamespace,
			ScalableDimension: target.ScalableDimension, ResourceId: target.ResourceId,
			TargetTrackingScalingPolicyConfiguration: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				TargetValue: pulumi.Float64(pol.target), ScaleOutCooldown: pulumi.Int(60), ScaleInCooldown: pulumi.Int(300),
				PredefinedMetricSpecification: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
					PredefinedMetricType: pulumi.String(pol.metric), ResourceLabel: pol.label,
				},
			},
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

func (sp *SitePool) alarms(ctx *pulumi.Context, name string, a SitePoolArgs, parent pulumi.ResourceOption) error {
	p := a.Platform
	_, err := p.createAlarms(ctx, func(what string) string { return p.Names.PoolAlarm(a.Name, what) },
		poolAlarms(p.AlbSuffix, sp.TargetGroupArnSuffix, p.ClusterName, sp.ServiceName, a.Name,
			p.Names.MetricNamespace(), p.Names.PoolMetric(a.Name, MetricOPcacheTrouble)), parent)
	return err
}
