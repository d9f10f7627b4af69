package components

import (
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Batch job task size: enough for WP-CLI on a large site.
const (
	jobCPU    = 512
	jobMemory = 1024
)

// taskSites resolves what tasks need to know about sites (their secrets'
// ARNs and buckets are outputs) and the extra values (the database host,
// the VPC's range) and hands them to build.
func taskSites(sites []*WordPressSite, extra []pulumi.StringInput, build func([]taskSite, []string) (string, error)) pulumi.StringOutput {
	var inputs []any
	for _, e := range extra {
		inputs = append(inputs, e)
	}
	for _, s := range sites {
		inputs = append(inputs, s.Uploads.BucketName, s.DatabaseSecret.Arn, s.SaltsSecret.Arn)
	}
	return pulumi.All(inputs...).ApplyT(func(all []any) (string, error) {
		ex := make([]string, len(extra))
		for i := range extra {
			ex[i] = all[i].(string)
		}
		v := all[len(extra):]
		out := make([]taskSite, len(sites))
		for i, s := range sites {
			var hosts []string
			for _, h := range s.Hostnames {
				hosts = append(hosts, h.Name)
			}
			out[i] = taskSite{name: s.Name, home: "https://" + s.Hostnames[0].Name, hosts: hosts, dbName: s.DatabaseName,
				bucket: v[3*i].(string), dbSecret: v[3*i+1].(string), saltsSecret: v[3*i+2].(string), xmlrpc: s.Args.XMLRPC}
		}
		return build(out, ex)
	}).(pulumi.StringOutput)
}

// jobs creates the site's batch jobs: their log group, roles, task
// definitions and schedules.
func (s *WordPressSite) jobs(ctx *pulumi.Context, name string, a WordPressSiteArgs, parent pulumi.ResourceOption) error {
	if len(a.Jobs) == 0 {
		return nil
	}
	p := s.Platform
	names, tags := p.Names, tagInput(s.tags())
	logGroup := names.SiteLogGroup(a.Name)
	if _, err := cloudwatch.NewLogGroup(ctx, name+"--jobs", &cloudwatch.LogGroupArgs{
		Name: pulumi.String(logGroup), RetentionInDays: pulumi.Int(p.LogRetentionDays), Tags: tags,
	}, parent); err != nil {
		return err
	}
	roles, err := newTaskRoles(ctx, name+"--jobs", p, "batch jobs of "+a.Name, logGroup, []*WordPressSite{s}, false, s.tags(), parent)
	if err != nil {
		return err
	}
	rt := taskRuntime{env: p.Environment, region: p.Account.Region, wpEnv: p.WordPressEnvironment, dbTLS: p.DatabaseTLS,
		phpImage: a.PhpImage, codeDelivery: CodeLocal, cpu: jobCPU, memory: jobMemory, requestTimeout: 30,
		cronInterval: 60, logGroup: logGroup}
	for _, job := range a.Jobs {
		command := job.Command
		containers := taskSites([]*WordPressSite{s}, []pulumi.StringInput{p.DatabaseEndpoint}, func(ts []taskSite, ex []string) (string, error) {
			r := rt
			r.dbHost = ex[0]
			return containersJSON(r.jobContainers(ts[0], command))
		})
		td, err := ecs.NewTaskDefinition(ctx, name+"--job-"+job.Name, roles.fargateTask(p, names.JobFamily(a.Name, job.Name),
			jobCPU, jobMemory, containers, siteVolumes([]*WordPressSite{s}, p.FileSystemId, true), tags), parent)
		if err != nil {
			return err
		}
		ct, err := NewCronTask(ctx, name+"--job-"+job.Name, &CronTaskArgs{
			Tags: s.tags(), Description: "job " + job.Name + " of " + a.Name + " (" + p.Environment + ")",
			RuleName: names.JobRule(a.Name, job.Name), Schedule: job.Schedule,
			ClusterArn: p.ClusterArn, TaskDefinitionArn: td.Arn, ContainerName: ContainerPHP, Command: job.Command,
			SubnetIds: p.PrivateSubnetIds, SecurityGroupIds: pulumi.StringArray{p.TasksSecurityGroupId},
			PassRoleArns:    []pulumi.StringInput{roles.execution.Arn, roles.task.Arn},
			PlatformVersion: p.Runtime.PlatformVersion, Account: &p.Account,
		}, parent)
		if err != nil {
			return err
		}
		s.Jobs[job.Name] = ct
	}
	return nil
}

// siteVolumes are a task's volumes: each site's access point (read-only
// use, TLS and IAM) and, in local mode, the task-local code volume.
func siteVolumes(sites []*WordPressSite, fsID pulumi.StringInput, local bool) ecs.TaskDefinitionVolumeArray {
	var out ecs.TaskDefinitionVolumeArray
	for _, s := range sites {
		out = append(out, ecs.TaskDefinitionVolumeArgs{
			Name: pulumi.String(efsVolumeName(s.Name)),
			EfsVolumeConfiguration: ecs.TaskDefinitionVolumeEfsVolumeConfigurationArgs{
				FileSystemId:      fsID,
				TransitEncryption: pulumi.String("ENABLED"),
				AuthorizationConfig: ecs.TaskDefinitionVolumeEfsVolumeConfigurationAuthorizationConfigArgs{
					AccessPointId: s.AccessPoint.ID(),
					Iam:           pulumi.String("ENABLED"),
				},
			},
		})
	}
	if local {
		out = append(out, ecs.TaskDefinitionVolumeArgs{Name: pulumi.String("code")})
	}
	return out
}

// taskRoles are a task's execution role (pull images, write logs, read the
// sites' secrets) and task role (what the code may do).
type taskRoles struct{ execution, task *iam.Role }

// fargateTask is the task definition every wpfleet task has: Fargate,
// awsvpc, Linux on the platform's CPU architecture, these two roles.
func (r taskRoles) fargateTask(p *Platform, family string, cpu, memory int, containers pulumi.StringInput,
	volumes ecs.TaskDefinitionVolumeArray, tags pulumi.StringMapInput) *ecs.TaskDefinitionArgs {
	return &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(family),
		Cpu:                     pulumi.String(strconv.Itoa(cpu)),
		Memory:                  pulumi.String(strconv.Itoa(memory)),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		RuntimePlatform: ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String(p.Runtime.CPUArchitecture),
		},
		ExecutionRoleArn:     r.execution.Arn,
		TaskRoleArn:          r.task.Arn,
		ContainerDefinitions: containers,
		Volumes:              volumes,
		Tags:                 tags,
	}
}

// newTaskRoles creates the roles of tasks serving sites: the execution role
// pulls images, writes logGroup and reads the sites' two secrets each; the
// task role mounts the sites' access points read-only, uses their uploads
// buckets as the uploads plugin does and, with exec, opens logged ECS Exec
// sessions.
func newTaskRoles(ctx *pulumi.Context, name string, p *Platform, what, logGroup string, sites []*WordPressSite, exec bool,
	tags map[string]string, parent pulumi.ResourceOption) (taskRoles, error) {
	acct := p.Account
	trust := servicePrincipalPolicy("ecs-tasks.amazonaws.com", acct.ID)
	var r taskRoles
	var err error
	r.execution, err = iam.NewRole(ctx, name+"--exec", &iam.RoleArgs{
		Description:      pulumi.String("Starts the tasks of " + what + ": pulls images, writes logs, reads the sites' secrets"),
		AssumeRolePolicy: pulumi.String(trust), Tags: tagInput(tags),
	}, parent)
	if err != nil {
		return r, err
	}
	logGroupArn := acct.ARN("logs", acct.Region, "log-group:"+logGroup)
	var secrets []pulumi.StringInput
	for _, s := range sites {
		secrets = append(secrets, s.DatabaseSecret.Arn, s.SaltsSecret.Arn)
	}
	execPolicy := policyOutput(func(v []string) PolicyDocument {
		return Policy(
			// ecr:GetAuthorizationToken has no resource-level permissions.
			PolicyStatement{Sid: "PullImages", Effect: "Allow",
				Action:   []string{"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"},
				Resource: []string{"*"}},
			PolicyStatement{Sid: "WriteLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"},
				Resource: []string{logGroupArn + ":*"}},
			PolicyStatement{Sid: "ReadSiteSecrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: v},
		)
	}, secrets...)
	if _, err = iam.NewRolePolicy(ctx, name+"--exec", &iam.RolePolicyArgs{Role: r.execution.ID(), Policy: execPolicy}, parent); err != nil {
		return r, err
	}
	r.task, err = iam.NewRole(ctx, name+"--task", &iam.RoleArgs{
		Description:      pulumi.String("What the code of " + what + " may do: its sites' uploads, read their releases on EFS"),
		AssumeRolePolicy: pulumi.String(trust), Tags: tagInput(tags),
	}, parent)
	if err != nil {
		return r, err
	}
	inputs := []pulumi.StringInput{p.FileSystemArn, p.ExecKeyArn(), p.ExecLogGroupArn()}
	for _, s := range sites {
		inputs = append(inputs, s.AccessPoint.Arn, s.Uploads.Arn)
	}
	taskPolicy := policyOutput(func(v []string) PolicyDocument {
		var aps []string
		var st []PolicyStatement
		for i := range sites {
			aps = append(aps, v[3+2*i])
			// One statement per kind of access for every site's bucket: a
			// role's inline policies are at most 10,240 characters (IAM quotas).
			for j, b := range BucketReadWritePolicy(v[4+2*i]).Statement {
				if i == 0 {
					st = append(st, b)
				} else {
					st[j].Resource = append(st[j].Resource, b.Resource...)
				}
			}
		}
		st = append(st, PolicyStatement{Sid: "MountSiteCodeReadOnly", Effect: "Allow",
			Action: []string{"elasticfilesystem:ClientMount"}, Resource: []string{v[0]},
			Condition: map[string]map[string]any{"StringEquals": {"elasticfilesystem:AccessPointArn": aps}}})
		if exec && v[1] != "" {
			st = append(st, execStatements(v[1], v[2])...)
		}
		return Policy(st...)
	}, inputs...)
	_, err = iam.NewRolePolicy(ctx, name+"--task", &iam.RolePolicyArgs{Role: r.task.ID(), Policy: taskPolicy}, parent)
	return r, err
}

// execStatements let a task open ECS Exec sessions that are encrypted with
// keyArn and logged to logGroupArn.
func execStatements(keyArn, logGroupArn string) []PolicyStatement {
	return []PolicyStatement{
		// ssmmessages has no resource-level permissions: "*" is the only form.
		{Sid: "EcsExecChannels", Effect: "Allow",
			Action:   []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"},
			Resource: []string{"*"}},
		{Sid: "EcsExecSessionKey", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{keyArn}},
		{Sid: "EcsExecSessionLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			Resource: []string{logGroupArn + ":*"}},
		// The agent checks the log group's encryption; DescribeLogGroups has no resource-level permissions.
		{Sid: "EcsExecFindLogGroup", Effect: "Allow", Action: []string{"logs:DescribeLogGroups"}, Resource: []string{"*"}},
	}
}
