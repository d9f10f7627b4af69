package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

func TestServices(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			cluster := onlyOne(t, res.Resources, "aws:ecs/cluster:Cluster", stack)
			tasksSG, ok := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-tasks")
			require.True(t, ok)
			vpc := onlyOne(t, res.Resources, "awsx:ec2:Vpc", stack)
			for _, pc := range args.PoolsOrDefault() {
				sp := component(t, res, "SitePool", stack+"-"+pc.Name)
				d := res.Descendants(sp.URN)
				svc := onlyOne(t, d, "aws:ecs/service:Service", pc.Name)
				in := svc.Inputs
				assert.Equal(t, cluster.Outputs["arn"], in["cluster"])
				assert.Equal(t, onlyOne(t, d, "aws:ecs/taskDefinition:TaskDefinition", pc.Name).Outputs["arn"], in["taskDefinition"])
				assert.Equal(t, true, at(in, "deploymentCircuitBreaker.enable"), pc.Name)
				assert.Equal(t, true, at(in, "deploymentCircuitBreaker.rollback"), pc.Name)
				assert.EqualValues(t, 100, in["deploymentMinimumHealthyPercent"])
				assert.EqualValues(t, 200, in["deploymentMaximumPercent"])
				assert.Equal(t, "ENABLED", in["availabilityZoneRebalancing"])
				assert.Equal(t, false, at(in, "networkConfiguration.assignPublicIp"))
				assert.Equal(t, vpc.Outputs["privateSubnetIds"], at(in, "networkConfiguration.subnets"))
				assert.Equal(t, []any{tasksSG.ID}, at(in, "networkConfiguration.securityGroups"))
				assert.Equal(t, "LATEST", in["platformVersion"])
				assert.Nil(t, in["launchType"], "capacity providers, not a launch type")
				assert.Contains(t, svc.Options.IgnoreChanges, "desiredCount", "autoscaling owns the desired count")
				assert.EqualValues(t, 120, in["healthCheckGracePeriodSeconds"], "local mode copies every release before nginx starts")
				tg := onlyOne(t, d, "aws:lb/targetGroup:TargetGroup", pc.Name)
				assert.Equal(t, []any{map[string]any{"targetGroupArn": tg.Outputs["arn"], "containerName": "nginx", "containerPort": int64(components.WebPort)}},
					in["loadBalancers"])
				// The service starts only once its sites' rules route to its target group.
				for _, s := range pc.Sites {
					site := component(t, res, "WordPressSite", stack+"-"+s)
					for _, r := range ofType(res.Children(site.URN), "aws:lb/listenerRule:ListenerRule") {
						assert.Contains(t, svc.Dependencies, r.URN)
					}
				}

				// ECS Exec only with logged sessions: the cluster logs them.
				assert.Equal(t, true, in["enableExecuteCommand"])
				exec := at(cluster.Inputs, "configuration.executeCommandConfiguration")
				assert.Equal(t, "OVERRIDE", at(exec, "logging"))
				assert.Equal(t, components.NamesFor(stack).ExecLogGroup(), at(exec, "logConfiguration.cloudWatchLogGroupName"))
				assert.Equal(t, true, at(exec, "logConfiguration.cloudWatchEncryptionEnabled"))
				assert.NotEmpty(t, at(exec, "kmsKeyId"))

				strategy := map[string][2]int64{}
				for _, p := range in["capacityProviderStrategies"].([]any) {
					strategy[str(at(p, "capacityProvider"))] = [2]int64{at(p, "base").(int64), at(p, "weight").(int64)}
				}
				scaling := onlyOne(t, d, "aws:appautoscaling/target:Target", pc.Name).Inputs
				switch {
				case stack == "stg":
					assert.Equal(t, map[string][2]int64{"FARGATE_SPOT": {0, 1}}, strategy, "stg is Spot only")
					assert.EqualValues(t, 1, in["desiredCount"])
					assert.EqualValues(t, 1, scaling["minCapacity"])
					assert.EqualValues(t, 2, scaling["maxCapacity"])
				case pc.Name == "corporate":
					assert.Equal(t, map[string][2]int64{"FARGATE": {1, 0}, "FARGATE_SPOT": {0, 1}}, strategy, "one on-demand task, Spot beyond it")
					assert.EqualValues(t, 8, scaling["maxCapacity"])
				default:
					assert.Equal(t, map[string][2]int64{"FARGATE": {2, 0}, "FARGATE_SPOT": {0, 1}}, strategy, "two on-demand tasks, Spot beyond them")
					assert.EqualValues(t, 12, scaling["maxCapacity"])
				}
				if stack == "prod" {
					assert.GreaterOrEqual(t, in["desiredCount"].(int64), int64(2), "2+ tasks per pool in prod: every site in two AZs")
					assert.GreaterOrEqual(t, scaling["minCapacity"].(int64), int64(2))
					assert.GreaterOrEqual(t, strategy["FARGATE"][0], int64(1), "an on-demand base")
				}
				assert.Equal(t, "ecs:service:DesiredCount", scaling["scalableDimension"])
				assert.Regexp(t, `^service/`, scaling["resourceId"])
				metrics := map[string]any{}
				for _, p := range ofType(d, "aws:appautoscaling/policy:Policy") {
					conf := at(p.Inputs, "targetTrackingScalingPolicyConfiguration")
					metric := str(at(conf, "predefinedMetricSpecification.predefinedMetricType"))
					metrics[metric] = at(conf, "targetValue")
					if metric == "ALBRequestCountPerTarget" {
						assert.Regexp(t, `^app/[^/]+/[0-9a-f]+/targetgroup/[^/]+/[0-9a-f]+$`,
							at(conf, "predefinedMetricSpecification.resourceLabel"))
					}
				}
				assert.Equal(t, map[string]any{"ECSServiceAverageCPUUtilization": int64(60), "ALBRequestCountPerTarget": int64(1000)}, metrics, pc.Name)
			}
		})
	}
}

// Each pool's task definition is exactly what the runtime contract (image/
// and docs/runtime.md) says: containers, environment, secrets, mounts,
// dependencies and health checks.
func TestPoolTaskDefinitions(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			for _, pc := range args.PoolsOrDefault() {
				sp := component(t, res, "SitePool", stack+"-"+pc.Name)
				td := onlyOne(t, res.Descendants(sp.URN), "aws:ecs/taskDefinition:TaskDefinition", pc.Name)
				checkPoolTask(t, res, stack, pc, td)
			}
		})
	}
}

func checkPoolTask(t *testing.T, res *mocks.Result, stack string, pc components.PoolConfig, td mocks.Resource) {
	args := fleetArgs(t, stack)
	names := components.NamesFor(stack)
	in := td.Inputs
	cpu, mem := intOf(pc.TaskCpu, args.TaskCpu), intOf(pc.TaskMemory, args.TaskMemory)
	assert.Equal(t, names.PoolFamily(pc.Name), in["family"])
	assert.Equal(t, strconv.Itoa(cpu), in["cpu"])
	assert.Equal(t, strconv.Itoa(mem), in["memory"])
	assert.NoError(t, components.CheckFargateSize(cpu, mem), "a size Fargate has")
	assert.Equal(t, "awsvpc", in["networkMode"])
	assert.Equal(t, []any{"FARGATE"}, in["requiresCompatibilities"])
	assert.Equal(t, "ARM64", at(in, "runtimePlatform.cpuArchitecture"))
	assert.Equal(t, "LINUX", at(in, "runtimePlatform.operatingSystemFamily"))
	assert.EqualValues(t, 30, at(in, "ephemeralStorage.sizeInGib"), "local mode: every live release and one more on the task's disk")
	exec, _ := res.Find("aws:iam/role:Role", stack+"-"+pc.Name+"--exec")
	task, _ := res.Find("aws:iam/role:Role", stack+"-"+pc.Name+"--task")
	assert.Equal(t, exec.Outputs["arn"], in["executionRoleArn"])
	assert.Equal(t, task.Outputs["arn"], in["taskRoleArn"])

	// Volumes: each site's access point over TLS with IAM, and the local code volume.
	fs := res.ByType("aws:efs/fileSystem:FileSystem")[0]
	volumes := map[string]any{}
	for _, v := range in["volumes"].([]any) {
		volumes[str(at(v, "name"))] = v
	}
	want := []string{"code", "fpm"}
	for _, s := range pc.Sites {
		want = append(want, "efs-"+s)
		v := volumes["efs-"+s]
		site := component(t, res, "WordPressSite", stack+"-"+s)
		ap := onlyOne(t, res.Children(site.URN), "aws:efs/accessPoint:AccessPoint", s)
		assert.Equal(t, fs.ID, at(v, "efsVolumeConfiguration.fileSystemId"))
		assert.Equal(t, "ENABLED", at(v, "efsVolumeConfiguration.transitEncryption"))
		assert.Equal(t, "ENABLED", at(v, "efsVolumeConfiguration.authorizationConfig.iam"))
		assert.Equal(t, ap.ID, at(v, "efsVolumeConfiguration.authorizationConfig.accessPointId"), "%s's own access point", s)
	}
	assert.ElementsMatch(t, want, keys(volumes))

	c := containers(t, td)
	require.ElementsMatch(t, []string{"nginx", "php", "sync"}, keys(c), "local code delivery: nginx, php and the sync agent")
	sitesWord := strings.Join(pc.Sites, " ")
	timeout := strconv.Itoa(intOf(pc.RequestTimeoutSeconds, args.RequestTimeoutSeconds))
	for name, def := range c {
		assert.Equalf(t, true, def["essential"], "%s is essential", name)
		assert.Equal(t, "awslogs", at(def, "logConfiguration.logDriver"))
		assert.Equal(t, names.PoolLogGroup(pc.Name), at(def, "logConfiguration.options.awslogs-group"))
		assert.Equal(t, "ap-northeast-1", at(def, "logConfiguration.options.awslogs-region"))
		assert.Equal(t, name, at(def, "logConfiguration.options.awslogs-stream-prefix"))
		assert.Equal(t, true, at(def, "linuxParameters.initProcessEnabled"))
		assert.Equal(t, sitesWord, envOf(def)["WPFLEET_SITES"], "%s: the pool's sites in pool order", name)
		assert.Equal(t, timeout, envOf(def)["WPFLEET_REQUEST_TIMEOUT_SECONDS"])
	}
	phpImage, nginxImage := args.PhpImage, args.NginxImage

	// sync: the agent copies every site's live release from EFS to the task's disk.
	sync := c["sync"]
	assert.Equal(t, phpImage, sync["image"])
	assert.Equal(t, []any{components.SyncAgentPath, "run"}, sync["command"])
	assert.Equal(t, []any{"CMD", components.SyncAgentPath, "health"}, at(sync, "healthCheck.command"))
	syncEnv := envOf(sync)
	interval, err := time.ParseDuration(syncEnv["WPFLEET_SYNC_INTERVAL"])
	assert.NoError(t, err, "the agent reads WPFLEET_SYNC_INTERVAL as a Go duration")
	assert.True(t, interval > 0 && interval <= time.Minute, "a new release reaches every task within %v", interval)
	delete(syncEnv, "WPFLEET_SYNC_INTERVAL")
	assert.Equal(t, map[string]string{"WPFLEET_SITES": sitesWord, "WPFLEET_SYNC_SOURCE": "/mnt/efs",
		"WPFLEET_SYNC_DEST": "/var/www/wpfleet", "WPFLEET_REQUEST_TIMEOUT_SECONDS": timeout}, syncEnv)
	syncMounts := map[string]string{"/var/www/wpfleet": "code rw"}
	for _, s := range pc.Sites {
		syncMounts["/mnt/efs/"+s] = "efs-" + s + " ro"
	}
	assert.Equal(t, syncMounts, mounts(sync), "each site's access point read-only at /mnt/efs/<site>")
	assert.Empty(t, sync["secrets"], "the sync agent sees no secret")

	// php: the sites' settings in plain environment, their secrets through ECS secrets.
	php := c["php"]
	assert.Equal(t, phpImage, php["image"])
	assert.Nil(t, php["command"], "the image's default command (php-fpm)")
	assert.Equal(t, []any{map[string]any{"containerName": "sync", "condition": "HEALTHY"}}, php["dependsOn"])
	assert.Equal(t, map[string]string{"/var/www/wpfleet": "code ro", "/run/wpfleet-fpm": "fpm rw"}, mounts(php),
		"php reads the local copy only and writes its FastCGI sockets")
	db := res.ByType("aws:rds/cluster:Cluster")[0]
	wpEnv := map[string]string{"prod": "production", "stg": "staging"}[stack]
	wantEnv := map[string]string{
		"WPFLEET_ENV": stack, "WPFLEET_SITES": sitesWord, "WPFLEET_CODE_DELIVERY": "local", "WPFLEET_CODE_ROOT": "/var/www/wpfleet",
		"WPFLEET_TASK_CPU": strconv.Itoa(cpu), "WPFLEET_TASK_MEMORY_MIB": strconv.Itoa(mem), "WPFLEET_REQUEST_TIMEOUT_SECONDS": timeout,
		"WPFLEET_REGION": "ap-northeast-1", "WP_ENVIRONMENT_TYPE": wpEnv, "DB_HOST": str(db.Outputs["endpoint"]), "DB_TLS": "true",
		"WPFLEET_CRON_INTERVAL_SECONDS": strconv.Itoa(intOf(pc.CronIntervalSeconds, args.CronIntervalSeconds)),
	}
	wantSecrets := map[string]string{}
	hosts := siteHosts(t, stack)
	for _, s := range pc.Sites {
		k := "WPFLEET_SITE_" + components.EnvKey(s) + "_"
		site := component(t, res, "WordPressSite", stack+"-"+s)
		d := res.Descendants(site.URN)
		bucket := onlyOne(t, d, "aws:s3/bucketV2:BucketV2", s)
		wantEnv[k+"HOME"] = "https://" + hosts[s][0]
		wantEnv[k+"DB_NAME"] = components.DatabaseIdentifier(s)
		wantEnv[k+"BUCKET"] = str(bucket.Outputs["bucket"])
		wantEnv[k+"XMLRPC"] = "false"
		for _, sec := range ofType(d, "aws:secretsmanager/secret:Secret") {
			kind := "DB_SECRET"
			if strings.HasSuffix(str(sec.Inputs["name"]), "/salts") {
				kind = "SALTS_SECRET"
			}
			wantSecrets[k+kind] = str(sec.Outputs["arn"])
		}
	}
	assert.Equal(t, wantEnv, envOf(php), "php's plain environment is the contract's, nothing more")
	assert.Equal(t, wantSecrets, secretsOf(php), "each site's two secrets, whole (no JSON key suffix)")
	for name, arn := range secretsOf(php) {
		assert.Regexpf(t, `^arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:wpfleet/`+stack+`/[a-z0-9-]+/(db|salts)-[0-9a-f]{6}$`, arn, name)
	}
	assert.Equal(t, []any{"CMD-SHELL", "php-fpm-healthcheck || exit 1"}, at(php, "healthCheck.command"))

	// nginx: a server per site by Host header, port 8080, after php.
	nginx := c["nginx"]
	assert.Equal(t, nginxImage, nginx["image"])
	assert.EqualValues(t, components.WebPort, at(nginx, "portMappings.0.containerPort"))
	assert.Len(t, nginx["portMappings"], 1)
	assert.Contains(t, nginx["dependsOn"], map[string]any{"containerName": "php", "condition": "HEALTHY"})
	assert.Equal(t, map[string]string{"/var/www/wpfleet": "code ro", "/run/wpfleet-fpm": "fpm ro"}, mounts(nginx),
		"nginx reads the code and reaches php-fpm through the sockets, read-only")
	ngEnv := envOf(nginx)
	assert.Equal(t, "/var/www/wpfleet", ngEnv["WPFLEET_CODE_ROOT"])
	for _, s := range pc.Sites {
		assert.Equal(t, strings.Join(hosts[s], " "), ngEnv["WPFLEET_SITE_"+components.EnvKey(s)+"_HOSTNAMES"], "the first hostname is the home")
	}
	assert.Len(t, ngEnv, 4+len(pc.Sites))
	assert.Equal(t, "10.0.0.0/16 120.52.22.96/27 205.251.249.0/24 180.163.57.128/26", ngEnv["WPFLEET_REAL_IP_FROM"],
		"the VPC (the ALB) and CloudFront's origin-facing ranges")
	assert.Empty(t, nginx["secrets"])
	assert.Contains(t, str(at(nginx, "healthCheck.command.1")), "http://127.0.0.1:8080/healthz")
}

func intOf(p *int, d int) int {
	if p != nil {
		return *p
	}
	return d
}

// The sync agent's path in the task definitions is where the php image
// installs it.
func TestSyncAgentPathMatchesTheImage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "image", "php", "Dockerfile"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "/out/wpfleet-sync "+components.SyncAgentPath)
}

// Batch jobs: a scheduled task per job with the sync agent copying the site's
// release once, then php running the command as the site.
func TestJobs(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			names := components.NamesFor(stack)
			cluster := onlyOne(t, res.Resources, "aws:ecs/cluster:Cluster", stack)
			tasksSG, _ := res.Find("aws:ec2/securityGroup:SecurityGroup", stack+"-tasks")
			jobs := 0
			for _, s := range args.Sites {
				site := component(t, res, "WordPressSite", stack+"-"+s.Name)
				for _, j := range s.Jobs {
					jobs++
					td, ok := res.Find("aws:ecs/taskDefinition:TaskDefinition", stack+"-"+s.Name+"--job-"+j.Name)
					require.True(t, ok)
					assert.Equal(t, site.URN, td.Parent)
					assert.Equal(t, names.JobFamily(s.Name, j.Name), td.Inputs["family"])
					assert.NoError(t, components.CheckFargateSize(atoi(td.Inputs["cpu"]), atoi(td.Inputs["memory"])))
					c := containers(t, td)
					require.ElementsMatch(t, []string{"sync", "php"}, keys(c))
					sync, php := c["sync"], c["php"]
					assert.Equal(t, []any{components.SyncAgentPath, "once"}, sync["command"])
					assert.Equal(t, false, sync["essential"], "the copy ends; the task goes on")
					assert.Equal(t, s.Name, envOf(sync)["WPFLEET_SITES"])
					assert.Equal(t, map[string]string{"/var/www/wpfleet": "code rw", "/mnt/efs/" + s.Name: "efs-" + s.Name + " ro"}, mounts(sync))
					cmd := make([]any, len(j.Command))
					for i, w := range j.Command {
						cmd[i] = w
					}
					assert.Equal(t, cmd, php["command"])
					assert.Equal(t, true, php["essential"])
					assert.Equal(t, []any{map[string]any{"containerName": "sync", "condition": "SUCCESS"}}, php["dependsOn"])
					assert.Equal(t, s.Name, envOf(php)["WPFLEET_SITES"])
					assert.Equal(t, "/var/www/wpfleet", envOf(php)["WPFLEET_CODE_ROOT"], "jobs read code from local disk, not EFS")
					// The same settings as the php of the site's pool, for this one site.
					poolPHP := envOf(containers(t, onlyOne(t, res.Descendants(component(t, res, "SitePool", stack+"-"+poolOfSite(t, stack, s.Name)).URN),
						"aws:ecs/taskDefinition:TaskDefinition", "pool"))["php"])
					k := "WPFLEET_SITE_" + components.EnvKey(s.Name) + "_"
					for name, v := range envOf(php) {
						if strings.HasPrefix(name, k) || name == "DB_HOST" || name == "DB_TLS" || name == "WP_ENVIRONMENT_TYPE" || name == "WPFLEET_ENV" {
							assert.Equalf(t, poolPHP[name], v, "%s of job %s", name, j.Name)
						}
						_, inPool := poolPHP[name]
						assert.Truef(t, inPool, "%s of job %s is not a pool setting", name, j.Name)
					}
					assert.Len(t, envOf(php), 12+4, "the platform's settings and the site's four")
					assert.ElementsMatch(t, []string{"WPFLEET_SITE_" + components.EnvKey(s.Name) + "_DB_SECRET",
						"WPFLEET_SITE_" + components.EnvKey(s.Name) + "_SALTS_SECRET"}, keys(secretsOf(php)))
					assert.Equal(t, names.SiteLogGroup(s.Name), at(php, "logConfiguration.options.awslogs-group"))

					ct := component(t, res, "CronTask", stack+"-"+s.Name+"--job-"+j.Name)
					d := res.Children(ct.URN)
					rule := onlyOne(t, d, "aws:cloudwatch/eventRule:EventRule", j.Name)
					assert.Equal(t, names.JobRule(s.Name, j.Name), rule.Inputs["name"], "an explicit rule name")
					assert.Equal(t, j.Schedule, rule.Inputs["scheduleExpression"])
					assert.Equal(t, "ENABLED", rule.Inputs["state"])
					tgt := onlyOne(t, d, "aws:cloudwatch/eventTarget:EventTarget", j.Name)
					assert.Equal(t, cluster.Outputs["arn"], tgt.Inputs["arn"])
					assert.Equal(t, td.Outputs["arn"], at(tgt.Inputs, "ecsTarget.taskDefinitionArn"))
					assert.Equal(t, false, at(tgt.Inputs, "ecsTarget.networkConfiguration.assignPublicIp"))
					assert.Equal(t, []any{tasksSG.ID}, at(tgt.Inputs, "ecsTarget.networkConfiguration.securityGroups"))
					input := jsonInput(t, tgt, "input")
					assert.Equal(t, "php", at(input, "containerOverrides.0.name"))
					assert.Equal(t, cmd, at(input, "containerOverrides.0.command"))
					assert.NotNil(t, at(tgt.Inputs, "retryPolicy.maximumRetryAttempts"))
				}
			}
			assert.Equal(t, 2, jobs, "news and support have a job each")
			assert.Len(t, res.ByType("aws:ecs/taskDefinition:TaskDefinition"), len(poolSites(t, stack))+jobs,
				"a task definition per pool and per job: no wp-cron task definitions")
		})
	}
}

func poolOfSite(t *testing.T, stack, site string) string {
	for pool, sites := range poolSites(t, stack) {
		for _, s := range sites {
			if s == site {
				return pool
			}
		}
	}
	t.Fatalf("%s is in no pool", site)
	return ""
}

func atoi(v any) int {
	n, _ := strconv.Atoi(str(v))
	return n
}
