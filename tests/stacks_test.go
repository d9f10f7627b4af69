package tests

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

var stacks = []string{"prod", "stg"}

// Every resource hangs under the Fleet component, and every parent exists.
func TestParentage(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			byURN := map[string]mocks.Resource{}
			for _, r := range res.Resources {
				byURN[r.URN] = r
			}
			fleet := component(t, res, "Fleet", stack)
			stackURN := mocks.New(res.Project, res.Stack, "").StackURN()
			require.Equal(t, stackURN, fleet.Parent)
			for _, r := range res.Resources {
				if r.URN == fleet.URN {
					continue
				}
				p, ok := byURN[r.Parent]
				require.Truef(t, ok, "%s has parent %s, which is not in the graph", r.URN, r.Parent)
				assert.Falsef(t, p.Custom, "%s is parented to a custom resource %s", r.URN, p.URN)
			}
			assert.Len(t, res.Descendants(fleet.URN), len(res.Resources)-1, "every resource is below the Fleet")
		})
	}
}

// Each site gets the same set of resources; only hostnames and jobs add more.
func TestPerSiteResources(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			cfg := stackConfig(t, stack).Config
			sites := sitesOf(t, cfg)
			require.GreaterOrEqual(t, len(sites), 10, "the shipped stacks run a fleet of 10+ sites")
			assert.Len(t, res.ByType("wpfleet:components:WordPressSite"), len(sites))
			assert.Len(t, res.ByType("wpfleet:components:UploadsBucket"), len(sites))
			for _, s := range sites {
				name := s["name"].(string)
				hosts := len(s["hostnames"].([]any))
				jobs := 0
				if j, ok := s["jobs"].([]any); ok {
					jobs = len(j)
				}
				site := component(t, res, "WordPressSite", stack+"-"+name)
				d := res.Descendants(site.URN)
				count := func(tok string) int { return len(ofType(d, tok)) }
				assert.Equal(t, 1, count("aws:ecs/service:Service"), name)
				assert.Equal(t, 2, count("aws:ecs/taskDefinition:TaskDefinition"), name+": service and cron task definitions")
				assert.Equal(t, 1, count("aws:lb/targetGroup:TargetGroup"), name)
				assert.Equal(t, (hosts+3)/4, count("aws:lb/listenerRule:ListenerRule"), name)
				assert.Equal(t, hosts, count("aws:route53/record:Record"), name+": an alias per hostname")
				assert.Equal(t, 1, count("aws:appautoscaling/target:Target"), name)
				assert.Equal(t, 2, count("aws:appautoscaling/policy:Policy"), name+": CPU and requests")
				assert.Equal(t, 1, count("aws:cloudwatch/logGroup:LogGroup"), name)
				assert.Equal(t, 1+jobs, count("wpfleet:components:CronTask"), name+": wp-cron plus jobs")
				assert.Equal(t, 1+jobs, count("aws:cloudwatch/eventRule:EventRule"), name)
				assert.Equal(t, 2+1+jobs, count("aws:iam/role:Role"), name+": execution, task and one per schedule")
				// Everything except hostname- and job-dependent parts is the same for
				// every site: log group, salts (password, secret, version), execution
				// role and policy, task role and its two policies, two task definitions,
				// target group, service, scaling target and two policies (16), plus
				// wp-cron's CronTask, role, policy, rule and target (5).
				fixed := len(d) - hosts - ((hosts + 3) / 4) - jobs*5
				assert.Equal(t, 21, fixed, name+": fixed resources per site")

				bucket := component(t, res, "UploadsBucket", stack+"-"+name)
				assert.Len(t, res.Descendants(bucket.URN), 7, name+": bucket, ownership, public access block, SSE, versioning, lifecycle, policy")
			}
		})
	}
}

func TestSharedEFS(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			cfg := stackConfig(t, stack).Config
			fs := res.ByType("aws:efs/fileSystem:FileSystem")
			require.Len(t, fs, 1, "one file system for all sites")
			assert.Equal(t, true, fs[0].Inputs["encrypted"])
			assert.Equal(t, "elastic", fs[0].Inputs["throughputMode"])
			azs := 3
			if stack == "stg" {
				azs = 2
			}
			assert.Len(t, res.ByType("aws:efs/mountTarget:MountTarget"), azs, "a mount target per private subnet")
			bp := res.ByType("aws:efs/backupPolicy:BackupPolicy")
			require.Len(t, bp, 1)
			assert.Equal(t, "DISABLED", at(bp[0].Inputs, "backupPolicy.status"), "the environment's Backup plan covers EFS instead")
			sel := res.ByType("aws:backup/selection:Selection")
			require.Len(t, sel, 1)
			assert.Contains(t, sel[0].Inputs["resources"], fs[0].Outputs["arn"], "EFS is in the Backup plan")

			pol := res.ByType("aws:efs/fileSystemPolicy:FileSystemPolicy")
			require.Len(t, pol, 1)
			doc := jsonInput(t, pol[0], "policy")
			assert.True(t, deniesInsecureTransport(doc), "the file system refuses non-TLS clients")

			aps := map[string]mocks.Resource{}
			for _, ap := range res.ByType("aws:efs/accessPoint:AccessPoint") {
				aps[str(at(ap.Inputs, "rootDirectory.path"))] = ap
			}
			for _, site := range siteNames(t, cfg) {
				ap, ok := aps["/sites/"+site]
				require.Truef(t, ok, "access point for %s", site)
				assert.EqualValues(t, components.WebUID, at(ap.Inputs, "posixUser.uid"))
				assert.EqualValues(t, components.WebGID, at(ap.Inputs, "posixUser.gid"))
				assert.EqualValues(t, components.WebUID, at(ap.Inputs, "rootDirectory.creationInfo.ownerUid"))
				assert.Equal(t, "0755", at(ap.Inputs, "rootDirectory.creationInfo.permissions"))
			}
			_, ok := aps["/sites"]
			assert.True(t, ok, "the release job's access point")
			assert.Empty(t, alarmsOn(res, "BurstCreditBalance"), "elastic mode needs no burst-credit alarm")
			assert.Len(t, alarmsOn(res, "MeteredIOBytes"), 1, "elastic mode watches metered throughput")
		})
	}
}

func TestBurstingAddsCreditAlarm(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	cfg["wpfleet:efsThroughputMode"] = "bursting"
	res, _, err := runConfig("stg", cfg)
	require.NoError(t, err)
	alarms := alarmsOn(res, "BurstCreditBalance")
	require.Len(t, alarms, 1)
	assert.Empty(t, alarmsOn(res, "MeteredIOBytes"))
	a := alarms[0].Inputs
	assert.Equal(t, "BurstCreditBalance", a["metricName"])
	assert.Equal(t, "AWS/EFS", a["namespace"])
	assert.Equal(t, "LessThanThreshold", a["comparisonOperator"])
	assert.EqualValues(t, components.BurstCreditThresholdBytes(60), a["threshold"])
	topic := res.ByType("aws:sns/topic:Topic")[0]
	assert.Equal(t, []any{topic.Outputs["arn"]}, a["alarmActions"], "the alarm notifies the environment's topic")
}

func TestDatabase(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			cfg := stackConfig(t, stack).Config
			clusters := res.ByType("aws:rds/cluster:Cluster")
			require.Len(t, clusters, 1)
			c := clusters[0].Inputs
			assert.Equal(t, "aurora-mysql", c["engine"])
			assert.True(t, strings.HasPrefix(str(c["engineVersion"]), "8.0.mysql_aurora.3."), "Aurora MySQL 3")
			assert.Equal(t, true, c["storageEncrypted"])
			assert.Equal(t, true, c["manageMasterUserPassword"], "master password managed by RDS in Secrets Manager")
			assert.Nil(t, c["masterPassword"])
			assert.ElementsMatch(t, []any{"error", "slowquery"}, c["enabledCloudwatchLogsExports"])
			instances := res.ByType("aws:rds/clusterInstance:ClusterInstance")
			for _, i := range instances {
				assert.Equal(t, false, i.Inputs["publiclyAccessible"])
			}
			secrets := map[string]bool{}
			for _, s := range res.ByType("aws:secretsmanager/secret:Secret") {
				secrets[str(s.Inputs["name"])] = true
			}
			for _, site := range siteNames(t, cfg) {
				assert.Truef(t, secrets[components.SiteSecretName(stack, site)], "database user secret of %s", site)
			}
			switch stack {
			case "prod":
				assert.Equal(t, true, c["deletionProtection"])
				assert.Equal(t, false, c["skipFinalSnapshot"])
				assert.NotEmpty(t, c["finalSnapshotIdentifier"])
				assert.EqualValues(t, 14, c["backupRetentionPeriod"])
				require.Len(t, instances, 3, "writer and two readers")
				azs := map[string]bool{}
				for _, i := range instances {
					assert.Equal(t, "db.r7g.large", i.Inputs["instanceClass"])
					azs[str(i.Inputs["availabilityZone"])] = true
				}
				assert.Len(t, azs, 3, "instances spread over three AZs")
			case "stg":
				assert.Equal(t, false, c["deletionProtection"])
				assert.Equal(t, true, c["skipFinalSnapshot"])
				assert.EqualValues(t, 0, at(c, "serverlessv2ScalingConfiguration.minCapacity"), "scales to zero")
				assert.EqualValues(t, 600, at(c, "serverlessv2ScalingConfiguration.secondsUntilAutoPause"))
				require.Len(t, instances, 1)
				assert.Equal(t, "db.serverless", instances[0].Inputs["instanceClass"])
			}
		})
	}
}

func TestUploadsBuckets(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, b := range res.ByType("wpfleet:components:UploadsBucket") {
				d := res.Descendants(b.URN)
				pab := ofType(d, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
				require.Len(t, pab, 1)
				for _, k := range []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"} {
					assert.Equalf(t, true, pab[0].Inputs[k], "%s %s", b.Name, k)
				}
				sse := ofType(d, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
				require.Len(t, sse, 1)
				assert.Equal(t, "AES256", at(sse[0].Inputs, "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"))
				ver := ofType(d, "aws:s3/bucketVersioningV2:BucketVersioningV2")
				require.Len(t, ver, 1)
				assert.Equal(t, "Enabled", at(ver[0].Inputs, "versioningConfiguration.status"))
				lc := ofType(d, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
				require.Len(t, lc, 1)
				assert.EqualValues(t, 30, at(lc[0].Inputs, "rules.0.noncurrentVersionExpiration.noncurrentDays"))
				pol := ofType(d, "aws:s3/bucketPolicy:BucketPolicy")
				require.Len(t, pol, 1)
				assert.True(t, deniesInsecureTransport(jsonInput(t, pol[0], "policy")))
				assert.Empty(t, ofType(d, "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2"), "website hosting is opt-in")
			}
		})
	}
}

func TestLoadBalancer(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			cfg := stackConfig(t, stack).Config
			albs := res.ByType("aws:lb/loadBalancer:LoadBalancer")
			require.Len(t, albs, 1, "one ALB for the fleet")
			alb := albs[0].Inputs
			assert.Equal(t, false, alb["internal"])
			assert.Equal(t, true, alb["dropInvalidHeaderFields"])
			assert.Equal(t, stack == "prod", alb["enableDeletionProtection"])
			var https, http mocks.Resource
			for _, l := range res.ByType("aws:lb/listener:Listener") {
				switch l.Inputs["port"] {
				case int64(443):
					https = l
				case int64(80):
					http = l
				}
			}
			assert.Equal(t, "HTTPS", https.Inputs["protocol"])
			assert.Equal(t, components.DefaultSSLPolicy, https.Inputs["sslPolicy"])
			if stack == "prod" {
				// Every prod site is behind CloudFront: viewers reach the ALB only through it.
				assert.Empty(t, http.Name, "no port-80 listener behind CloudFront (CloudFront redirects viewers)")
				assert.Equal(t, "403", at(https.Inputs, "defaultActions.0.fixedResponse.statusCode"),
					"requests without the origin header get a fixed 403")
			} else {
				assert.Equal(t, "redirect", at(http.Inputs, "defaultActions.0.type"))
				assert.Equal(t, "HTTPS", at(http.Inputs, "defaultActions.0.redirect.protocol"))
				assert.Equal(t, "HTTP_301", at(http.Inputs, "defaultActions.0.redirect.statusCode"))
				assert.Equal(t, "404", at(https.Inputs, "defaultActions.0.fixedResponse.statusCode"))
			}

			covered := map[string]int{}
			var certs []mocks.Resource
			for _, c := range res.ByType("aws:acm/certificate:Certificate") {
				if c.Options.Provider == "" { // the ALB's, in the stack's region
					certs = append(certs, c)
				}
			}
			for _, c := range certs {
				assert.Equal(t, "DNS", c.Inputs["validationMethod"])
				names := []string{str(c.Inputs["domainName"])}
				for _, s := range c.Inputs["subjectAlternativeNames"].([]any) {
					names = append(names, s.(string))
				}
				assert.LessOrEqual(t, len(names), components.DefaultMaxNamesPerCertificate, "ACM's default quota")
				for _, n := range names {
					covered[n]++
				}
			}
			var hosts []string
			for _, s := range sitesOf(t, cfg) {
				for _, h := range s["hostnames"].([]any) {
					hosts = append(hosts, h.(string))
				}
			}
			for _, h := range hosts {
				assert.Equalf(t, 1, covered[h], "%s is covered by exactly one certificate", h)
			}
			assert.Len(t, covered, len(hosts))
			assert.Len(t, res.ByType("aws:acm/certificateValidation:CertificateValidation"), len(certs)+len(res.ByType("wpfleet:components:CDN")))
			assert.Len(t, res.ByType("aws:lb/listenerCertificate:ListenerCertificate"), len(certs)-1,
				"the first certificate is the listener's default, the others are added")
			// Validation records and alias records, one each per hostname: the
			// CloudFront certificates (us-east-1) reuse the ALB certificates'
			// validation records, since ACM's record for a name is the same in
			// every region.
			validation, alias := 0, 0
			for _, r := range res.ByType("aws:route53/record:Record") {
				if r.Inputs["type"] == "A" {
					alias++
				} else {
					validation++
				}
			}
			assert.Equal(t, len(hosts), validation)
			assert.Equal(t, len(hosts), alias)
		})
	}
}

func TestListenerRulesAndTargetGroups(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			priorities := map[any]string{}
			hosts := map[string]string{}
			for _, r := range res.ByType("aws:lb/listenerRule:ListenerRule") {
				if other, dup := priorities[r.Inputs["priority"]]; dup {
					t.Errorf("rules %s and %s share priority %v", r.Name, other, r.Inputs["priority"])
				}
				priorities[r.Inputs["priority"]] = r.Name
				values := at(r.Inputs, "conditions.0.hostHeader.values").([]any)
				assert.LessOrEqual(t, len(values), 4, "room for one more condition value")
				for _, h := range values {
					hosts[h.(string)] = r.Name
				}
				assert.Equal(t, "forward", at(r.Inputs, "actions.0.type"))
			}
			for _, tg := range res.ByType("aws:lb/targetGroup:TargetGroup") {
				in := tg.Inputs
				assert.Equal(t, "ip", in["targetType"])
				assert.EqualValues(t, components.WebPort, in["port"])
				assert.Equal(t, "/healthz", at(in, "healthCheck.path"))
				assert.Equal(t, false, at(in, "stickiness.enabled"), "no stickiness: sessions live in the database")
				assert.EqualValues(t, 35, in["deregistrationDelay"], "request timeout 30 s + 5 s")
			}
		})
	}
}

func TestServices(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, s := range res.ByType("aws:ecs/service:Service") {
				in := s.Inputs
				assert.Equal(t, true, at(in, "deploymentCircuitBreaker.enable"), s.Name)
				assert.Equal(t, true, at(in, "deploymentCircuitBreaker.rollback"), s.Name)
				assert.EqualValues(t, 100, in["deploymentMinimumHealthyPercent"])
				assert.EqualValues(t, 200, in["deploymentMaximumPercent"])
				assert.Equal(t, true, in["enableExecuteCommand"])
				assert.Equal(t, false, at(in, "networkConfiguration.assignPublicIp"))
				assert.Equal(t, "LATEST", in["platformVersion"])
				assert.Nil(t, in["launchType"], "capacity providers, not a launch type")
				assert.Contains(t, s.Options.IgnoreChanges, "desiredCount", "autoscaling owns the desired count")
				strategy := map[string][2]int64{}
				for _, p := range in["capacityProviderStrategies"].([]any) {
					m := p.(map[string]any)
					strategy[m["capacityProvider"].(string)] = [2]int64{m["base"].(int64), m["weight"].(int64)}
				}
				switch {
				case stack == "stg":
					assert.Equal(t, map[string][2]int64{"FARGATE_SPOT": {0, 1}}, strategy, "stg is Spot only")
					assert.EqualValues(t, 1, in["desiredCount"])
				case s.Name == "prod-corporate":
					assert.Equal(t, map[string][2]int64{"FARGATE": {3, 1}, "FARGATE_SPOT": {0, 1}}, strategy)
					assert.EqualValues(t, 3, in["desiredCount"])
				default:
					assert.Equal(t, map[string][2]int64{"FARGATE": {2, 1}, "FARGATE_SPOT": {0, 1}}, strategy)
					assert.GreaterOrEqual(t, in["desiredCount"].(int64), int64(2), "2+ tasks per site in prod")
				}
			}
			for _, a := range res.ByType("aws:appautoscaling/target:Target") {
				assert.LessOrEqual(t, a.Inputs["minCapacity"].(int64), a.Inputs["maxCapacity"].(int64))
			}
			metrics := map[string]int{}
			for _, p := range res.ByType("aws:appautoscaling/policy:Policy") {
				metrics[str(at(p.Inputs, "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType"))]++
				if str(at(p.Inputs, "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType")) == "ALBRequestCountPerTarget" {
					label := str(at(p.Inputs, "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel"))
					assert.Regexp(t, `^app/[^/]+/[0-9a-f]+/targetgroup/[^/]+/[0-9a-f]+$`, label)
				}
			}
			n := len(res.ByType("aws:ecs/service:Service"))
			assert.Equal(t, map[string]int{"ECSServiceAverageCPUUtilization": n, "ALBRequestCountPerTarget": n}, metrics)
		})
	}
}

func TestTaskDefinitions(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			for _, td := range res.ByType("aws:ecs/taskDefinition:TaskDefinition") {
				in := td.Inputs
				cron := strings.HasSuffix(td.Name, "-cron")
				assert.Equal(t, "awsvpc", in["networkMode"])
				assert.Equal(t, []any{"FARGATE"}, in["requiresCompatibilities"])
				assert.Equal(t, "ARM64", at(in, "runtimePlatform.cpuArchitecture"))
				var cpu, mem int
				fmt.Sscan(str(in["cpu"]), &cpu)
				fmt.Sscan(str(in["memory"]), &mem)
				assert.NoErrorf(t, components.CheckFargateSize(cpu, mem), "%s: %d/%d", td.Name, cpu, mem)
				vol := at(in, "volumes.0.efsVolumeConfiguration")
				assert.Equal(t, "ENABLED", at(vol, "transitEncryption"), td.Name)
				assert.Equal(t, "ENABLED", at(vol, "authorizationConfig.iam"), td.Name)
				assert.NotEmpty(t, at(vol, "authorizationConfig.accessPointId"))

				defs := jsonInput(t, td, "containerDefinitions").([]any)
				byName := map[string]map[string]any{}
				for _, d := range defs {
					byName[d.(map[string]any)["name"].(string)] = d.(map[string]any)
				}
				php := byName["php"]
				require.NotNil(t, php, td.Name)
				env := map[string]string{}
				for _, e := range php["environment"].([]any) {
					m := e.(map[string]any)
					env[m["name"].(string)] = m["value"].(string)
				}
				assert.Equal(t, "true", env["DISABLE_WP_CRON"])
				assert.Equal(t, "true", env["DISALLOW_FILE_MODS"])
				assert.True(t, strings.HasPrefix(env["WP_HOME"], "https://"))
				assert.NotEmpty(t, env["DB_HOST"])
				assert.NotEmpty(t, env["DB_NAME"])
				assert.NotEmpty(t, env["S3_UPLOADS_BUCKET"])
				secrets := map[string]string{}
				for _, e := range php["secrets"].([]any) {
					m := e.(map[string]any)
					secrets[m["name"].(string)] = m["valueFrom"].(string)
				}
				for _, k := range append([]string{"DB_USER", "DB_PASSWORD"}, components.SaltKeys...) {
					assert.Containsf(t, secrets[k], ":secretsmanager:", "%s arrives through ECS secrets", k)
					_, plain := env[k]
					assert.Falsef(t, plain, "%s must not be a plain environment variable", k)
				}
				for _, d := range byName {
					assert.Equal(t, "awslogs", at(d, "logConfiguration.logDriver"))
					assert.NotEmpty(t, at(d, "logConfiguration.options.awslogs-group"))
				}
				if cron {
					assert.Len(t, byName, 1, "cron runs php alone")
					assert.Equal(t, "/mnt/efs/current", env["WPFLEET_WEB_ROOT"])
					continue
				}
				nginx := byName["nginx"]
				require.NotNil(t, nginx)
				assert.EqualValues(t, components.WebPort, at(nginx, "portMappings.0.containerPort"))
				assert.EqualValues(t, 45, nginx["stopTimeout"], "request timeout 30 s + 15 s")
				assert.EqualValues(t, 45, php["stopTimeout"])
				assert.Contains(t, nginx["dependsOn"], map[string]any{"containerName": "php", "condition": "HEALTHY"})
				// local code delivery: the sync agent runs first, php and nginx wait for it.
				sync := byName["sync"]
				require.NotNil(t, sync, td.Name+": local mode has the sync agent")
				assert.Contains(t, php["dependsOn"], map[string]any{"containerName": "sync", "condition": "HEALTHY"})
				assert.Equal(t, "/var/www/wpfleet/current", env["WPFLEET_WEB_ROOT"])
				assert.NotNil(t, at(in, "ephemeralStorage.sizeInGib"))
			}
		})
	}
}

func TestCronTasks(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			var scheduled []mocks.Resource
			for _, c := range res.ByType("wpfleet:components:CronTask") {
				scheduled = append(scheduled, res.Children(c.URN)...)
			}
			targets := ofType(scheduled, "aws:cloudwatch/eventTarget:EventTarget")
			rules := map[string]mocks.Resource{}
			for _, r := range ofType(scheduled, "aws:cloudwatch/eventRule:EventRule") {
				rules[r.Name] = r
				assert.NoError(t, components.CheckScheduleExpression(str(r.Inputs["scheduleExpression"])))
			}
			require.Len(t, targets, len(rules))
			var wpCron int
			for _, tg := range targets {
				in := tg.Inputs
				assert.Equal(t, false, at(in, "ecsTarget.networkConfiguration.assignPublicIp"))
				assert.NotNil(t, at(in, "retryPolicy.maximumRetryAttempts"))
				input := jsonInput(t, tg, "input")
				cmd := at(input, "containerOverrides.0.command").([]any)
				assert.Equal(t, "php", at(input, "containerOverrides.0.name"))
				if strings.HasSuffix(tg.Name, "-cron") {
					wpCron++
					assert.Equal(t, []any{"wp", "cron", "event", "run", "--due-now"}, cmd)
					sched := str(rules[tg.Name].Inputs["scheduleExpression"])
					if stack == "prod" && tg.Name != "prod-ir-cron" {
						assert.Equal(t, "rate(5 minutes)", sched)
					}
				}
				assert.Regexp(t, `-cron:1$`, at(in, "ecsTarget.taskDefinitionArn"), "scheduled tasks use the php-only cron task definition")
			}
			assert.Equal(t, len(sitesOf(t, stackConfig(t, stack).Config)), wpCron, "wp-cron once per site")
		})
	}
}

func TestOutputs(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			cfg := stackConfig(t, stack).Config
			for _, k := range []string{"siteUrls", "albDnsName", "efsId", "bucketNames", "clusterName"} {
				assert.Contains(t, res.Outputs, k)
			}
			urls := res.Outputs["siteUrls"].(map[string]any)
			buckets := res.Outputs["bucketNames"].(map[string]any)
			names := siteNames(t, cfg)
			got := make([]string, 0, len(urls))
			for k := range urls {
				got = append(got, k)
			}
			sort.Strings(got)
			assert.Equal(t, names, got)
			assert.Len(t, buckets, len(names))
			for _, s := range sitesOf(t, cfg) {
				first := s["hostnames"].([]any)[0].(string)
				assert.Equal(t, "https://"+first, urls[s["name"].(string)], "the first hostname is the home URL")
			}
		})
	}
}

func alarmsOn(res *mocks.Result, metric string) []mocks.Resource {
	var out []mocks.Resource
	for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
		if a.Inputs["metricName"] == metric {
			out = append(out, a)
		}
	}
	return out
}
