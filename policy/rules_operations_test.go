package policy

func logRetentionCase() ruleCase {
	site := res(typeLogGroup, "site-logs", obj{"name": "/wpfleet/prod/news", "retentionInDays": 90})
	awslogs := func(group string, create bool) ar {
		opts := obj{"awslogs-group": group, "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "php"}
		if create {
			opts["awslogs-create-group"] = "true"
		}
		return res(typeECSTaskDefinition, "news", obj{"containerDefinitions": containers(obj{"name": "php",
			"logConfiguration": obj{"logDriver": "awslogs", "options": opts}})})
	}
	cluster := res(typeRDSCluster, "db", obj{"clusterIdentifier": "prod-db", "enabledCloudwatchLogsExports": list{"error", "slowquery"}})
	rdsGroup := func(logType string) ar {
		return res(typeLogGroup, "db-"+logType, obj{"name": "/aws/rds/cluster/prod-db/" + logType, "retentionInDays": 30})
	}
	autoNamed := res(typeRDSCluster, "auto", obj{"enabledCloudwatchLogsExports": list{"error"}})
	autoGroup := dep(res(typeLogGroup, "auto-error", obj{"name": "/aws/rds/cluster/auto-1234567/error", "retentionInDays": 30}), "name", autoNamed)
	buildGroup := res(typeLogGroup, "build-logs", obj{"name": "/wpfleet/release", "retentionInDays": 30})
	build := func(cw obj) ar {
		return res(typeCodeBuildProject, "release", obj{"logsConfig": obj{"cloudwatchLogs": cw}})
	}
	return ruleCase{
		ok: rs(site, awslogs("/wpfleet/prod/news", true), awslogs("/managed/elsewhere", false),
			cluster, rdsGroup("error"), rdsGroup("slowquery"), autoNamed, autoGroup,
			buildGroup, build(obj{"groupName": "/wpfleet/release"}), build(obj{"status": "DISABLED"}),
			res(typeLogGroup, "preview", obj{"retentionInDays": unk})),
		bad: []bad{
			{name: "never expires", resources: rs(res(typeLogGroup, "forever", obj{"name": "/x"})), want: "no retentionInDays", at: "forever"},
			{name: "retention 0", resources: rs(res(typeLogGroup, "forever", obj{"name": "/x", "retentionInDays": 0})), want: "never expires"},
			{name: "ECS creates the group", resources: rs(site, awslogs("/wpfleet/prod/other", true)), want: "awslogs-create-group makes ECS create \"/wpfleet/prod/other\""},
			{name: "Aurora exports without groups (wpfleet today)", resources: rs(res(typeRDSCluster, "db", obj{"enabledCloudwatchLogsExports": list{"error", "slowquery"}})),
				want: "exports the error log, and RDS creates /aws/rds/cluster/<clusterIdentifier>/error", at: "db"},
			{name: "Aurora exports one group missing", resources: rs(cluster, rdsGroup("error")), want: "/aws/rds/cluster/prod-db/slowquery"},
			{name: "RDS instance", resources: rs(res(typeRDSInstance, "legacy", obj{"identifier": "legacy", "enabledCloudwatchLogsExports": list{"audit"}})), want: "/aws/rds/instance/legacy/audit"},
			{name: "CodeBuild default group", resources: rs(build(obj{})), want: "/aws/codebuild/<project>"},
			{name: "CodeBuild group elsewhere", resources: rs(build(obj{"groupName": "/elsewhere", "status": "ENABLED"})), want: "CloudWatch group /elsewhere"},
		},
	}
}

func codebuildLoggingCase() ruleCase {
	p := func(logs obj) ar { return res(typeCodeBuildProject, "release", obj{"logsConfig": logs}) }
	return ruleCase{
		ok: rs(res(typeCodeBuildProject, "default", obj{}),
			p(obj{"cloudwatchLogs": obj{"status": "DISABLED"}, "s3Logs": obj{"status": "ENABLED", "location": "b/logs"}})),
		bad: []bad{
			{name: "no logs", resources: rs(p(obj{"cloudwatchLogs": obj{"status": "DISABLED"}})), want: "both CloudWatch and S3 build logs are disabled"},
			{name: "unencrypted S3 logs", resources: rs(p(obj{"s3Logs": obj{"status": "ENABLED", "location": "b", "encryptionDisabled": true}})), want: "unencrypted"},
		},
	}
}

func ecsCircuitBreakerCase() ruleCase {
	svc := func(cb any) ar {
		p := obj{"desiredCount": 2}
		if cb != nil {
			p["deploymentCircuitBreaker"] = cb
		}
		return res(typeECSService, "news", p)
	}
	return ruleCase{
		ok: rs(svc(obj{"enable": true, "rollback": true}),
			res(typeECSService, "blue-green", obj{"deploymentController": obj{"type": "CODE_DEPLOY"}}),
			svc(unk)),
		bad: []bad{
			{name: "no breaker", resources: rs(svc(nil)), want: "deploymentCircuitBreaker.enable is not true"},
			{name: "no rollback", resources: rs(svc(obj{"enable": true, "rollback": false})), want: "deploymentCircuitBreaker.rollback is not true"},
			{name: "explicit ECS controller", resources: rs(res(typeECSService, "news", obj{"deploymentController": obj{"type": "ECS"}})), want: "enable is not true"},
		},
	}
}

func efsElasticOrCreditAlarmCase() ruleCase {
	bursting := res(typeEFSFileSystem, "fs", obj{"throughputMode": "bursting"})
	alarm := func(fs ar, actions list) ar {
		return dep(res(typeMetricAlarm, "fs-burst-credits", obj{"namespace": "AWS/EFS", "metricName": "BurstCreditBalance",
			"dimensions": obj{"FileSystemId": "fs-0123"}, "comparisonOperator": "LessThanThreshold", "threshold": 377487360000,
			"alarmActions": actions}), "dimensions", fs)
	}
	topic := list{"arn:aws:sns:ap-northeast-1:123456789012:alarms"}
	byID := res(typeEFSFileSystem, "fs-by-id", obj{"id": "fs-0999", "throughputMode": "bursting"})
	alarmByID := res(typeMetricAlarm, "by-id", obj{"namespace": "AWS/EFS", "metricName": "BurstCreditBalance",
		"dimensions": obj{"FileSystemId": "fs-0999"}, "comparisonOperator": "LessThanThreshold", "alarmActions": topic})
	return ruleCase{
		ok: rs(res(typeEFSFileSystem, "elastic", obj{"throughputMode": "elastic"}),
			res(typeEFSFileSystem, "provisioned", obj{"throughputMode": "provisioned", "provisionedThroughputInMibps": 100}),
			bursting, alarm(bursting, topic), byID, alarmByID,
			res(typeEFSFileSystem, "preview", obj{"throughputMode": unk})),
		bad: []bad{
			{name: "bursting without alarm (the seed's outage)", resources: rs(bursting), want: "bursting throughput without a BurstCreditBalance alarm", at: "fs"},
			{name: "default mode is bursting", resources: rs(res(typeEFSFileSystem, "fs", obj{"encrypted": true})), want: "without a BurstCreditBalance alarm"},
			{name: "silent alarm", resources: rs(bursting, alarm(bursting, nil)), want: "no alarmActions"},
			{name: "alarm on another file system", resources: rs(bursting, byID, alarmByID), want: "without a BurstCreditBalance alarm", at: "fs"},
			{name: "alarm on the wrong metric", resources: rs(bursting, dep(res(typeMetricAlarm, "io", obj{"namespace": "AWS/EFS", "metricName": "PercentIOLimit",
				"comparisonOperator": "GreaterThanThreshold", "alarmActions": topic}), "dimensions", bursting)), want: "without a BurstCreditBalance alarm"},
		},
	}
}

func prodDeletionProtectionCase() ruleCase {
	prodTags := tags("prod")
	cluster := func(p obj) ar { p["tags"] = prodTags; return res(typeRDSCluster, "db", p) }
	return ruleCase{
		ok: rs(
			cluster(obj{"deletionProtection": true, "skipFinalSnapshot": false, "finalSnapshotIdentifier": "prod-final"}),
			res(typeLB, "alb", obj{"enableDeletionProtection": true, "tags": prodTags}),
			protected(res(typeEFSFileSystem, "fs", obj{"tags": prodTags})),
			res(typeS3BucketV2, "uploads", obj{"forceDestroy": false, "tags": prodTags}),
			res(typeSecret, "db-secret", obj{"recoveryWindowInDays": 7, "tags": prodTags}),
			res(typeSecret, "default-window", obj{"tags": prodTags}),
			res(typeBackupVault, "vault", obj{"tags": prodTags}),
			// Staging may be torn down freely.
			resIn("stg", typeRDSCluster, "stg-db", obj{"deletionProtection": false, "skipFinalSnapshot": true, "tags": tags("stg")}),
			resIn("stg", typeEFSFileSystem, "stg-fs", obj{"tags": tags("stg")}),
			// The tag wins over the stack name.
			res(typeEFSFileSystem, "dev-in-prod-stack", obj{"tags": tags("dev")}),
			cluster(obj{"deletionProtection": unk}),
		),
		bad: []bad{
			{name: "cluster unprotected", resources: rs(cluster(obj{"deletionProtection": false})), want: "deletionProtection is not true", at: "db"},
			{name: "no final snapshot", resources: rs(cluster(obj{"deletionProtection": true, "skipFinalSnapshot": true})), want: "skipFinalSnapshot is true"},
			{name: "ALB unprotected", resources: rs(res(typeLB, "alb", obj{"tags": prodTags})), want: "enableDeletionProtection is not true"},
			{name: "EFS without protect", resources: rs(res(typeEFSFileSystem, "fs", obj{"tags": prodTags})), want: "set the protect resource option"},
			{name: "bucket forceDestroy", resources: rs(res(typeS3BucketV2, "uploads", obj{"forceDestroy": true, "tags": prodTags})), want: "forceDestroy is true"},
			{name: "secret without recovery", resources: rs(res(typeSecret, "s", obj{"recoveryWindowInDays": 0, "tags": prodTags})), want: "recoveryWindowInDays is 0"},
			{name: "vault forceDestroy", resources: rs(res(typeBackupVault, "vault", obj{"forceDestroy": true, "tags": prodTags})), want: "forceDestroy is true"},
			{name: "production by tag", resources: rs(resIn("eu", typeRDSCluster, "db", obj{"tags": tags("production")})), want: "environment production"},
			{name: "untagged in the prod stack", resources: rs(res(typeRDSCluster, "db", obj{})), want: "environment prod"},
		},
	}
}

func prodMultiAZCase() ruleCase {
	prodTags := tags("prod")
	cluster := res(typeRDSCluster, "db", obj{"engine": "aurora-mysql", "tags": prodTags})
	inst := func(name, az string) ar {
		p := obj{"clusterIdentifier": "prod-db", "tags": prodTags}
		if az != "" {
			p["availabilityZone"] = az
		}
		return dep(res(typeRDSClusterInstance, name, p), "clusterIdentifier", cluster)
	}
	fs := res(typeEFSFileSystem, "fs", obj{"tags": prodTags})
	mt := func(name, subnet string) ar {
		return dep(res(typeEFSMountTarget, name, obj{"fileSystemId": "fs-1", "subnetId": subnet}), "fileSystemId", fs)
	}
	svc := func(n int) ar { return res(typeECSService, "news", obj{"desiredCount": n, "tags": prodTags}) }
	target := func(n int) ar {
		return dep(res(typeAppAutoscalingTarget, "news-scaling", obj{"resourceId": "service/prod/news-123", "minCapacity": n, "maxCapacity": 10, "tags": prodTags}), "resourceId", svc(2))
	}
	lb := func(subnets ...any) ar { return res(typeLB, "alb", obj{"subnets": list(subnets), "tags": prodTags}) }
	vpc := func(strategy string) ar {
		return res(typeAwsxVpc, "vpc", obj{"natGateways": obj{"strategy": strategy}, "tags": prodTags})
	}
	stg := tags("stg")
	return ruleCase{
		ok: rs(cluster, inst("db-1", "ap-northeast-1a"), inst("db-2", "ap-northeast-1c"),
			fs, mt("fs-1", "subnet-a"), mt("fs-2", "subnet-c"),
			svc(2), target(2), lb("subnet-a", "subnet-c"), vpc("OnePerAz"),
			res(typeRDSInstance, "legacy", obj{"multiAz": true, "tags": prodTags}),
			// Staging runs single-AZ on purpose.
			resIn("stg", typeECSService, "stg-news", obj{"desiredCount": 1, "tags": stg}),
			resIn("stg", typeAwsxVpc, "stg-vpc", obj{"natGateways": obj{"strategy": "Single"}, "tags": stg}),
			resIn("stg", typeRDSCluster, "stg-db", obj{"engine": "aurora-mysql", "tags": stg}),
			res(typeLB, "preview", obj{"subnets": unk, "tags": prodTags}),
		),
		bad: []bad{
			{name: "single instance", resources: rs(cluster, inst("db-1", "ap-northeast-1a")), want: "has 1 instance(s)", at: "db"},
			{name: "instances in one zone", resources: rs(cluster, inst("db-1", "ap-northeast-1a"), inst("db-2", "ap-northeast-1a")), want: "all 2 instances are in [ap-northeast-1a]"},
			{name: "non-Aurora single-AZ", resources: rs(res(typeRDSInstance, "legacy", obj{"multiAz": false, "tags": prodTags})), want: "multiAz is not true"},
			{name: "One Zone EFS", resources: rs(res(typeEFSFileSystem, "fs", obj{"availabilityZoneName": "ap-northeast-1a", "tags": prodTags})), want: "One Zone"},
			{name: "one mount target", resources: rs(fs, mt("fs-1", "subnet-a")), want: "has 1 mount target(s)"},
			{name: "mount targets in one subnet", resources: rs(fs, mt("fs-1", "subnet-a"), mt("fs-2", "subnet-a")), want: "in one subnet"},
			{name: "one task", resources: rs(svc(1)), want: "desiredCount is 1"},
			{name: "autoscaling to one task", resources: rs(svc(2), target(1)), want: "minCapacity of service news is 1", at: "news-scaling"},
			{name: "load balancer in one subnet", resources: rs(lb("subnet-a")), want: "spans 1 subnet"},
			{name: "single NAT gateway", resources: rs(vpc("Single")), want: "strategy is Single"},
			{name: "single NAT gateway (outputs)", resources: rs(res(typeAwsxVpc, "vpc", obj{"natGateways": list{"urn:nat-1"}, "tags": prodTags})), want: "single NAT gateway"},
			{name: "custom production environment", resources: rs(resIn("live", typeECSService, "news", obj{"desiredCount": 1, "tags": tags("prod")})), want: "desiredCount is 1"},
		},
	}
}
