package preflight

import (
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

func ec2SecurityGroupTextCase() ruleCase {
	sg := res(typeSecurityGroup, "tasks", "sg-1", obj{"description": "wpfleet tasks: HTTP from the ALB (8080)", "vpcId": "vpc-1",
		"egress": list{obj{"description": "to EFS [2049]", "protocol": "tcp", "fromPort": int64(2049), "toPort": int64(2049)}}},
		obj{"name": "tasks-1234567"})
	rule := res(typeSGIngress, "in", "sgr-1", obj{"description": "from the ALB; port 8080", "securityGroupId": "sg-1"})
	ok := []mocks.Resource{sg, rule}
	return ruleCase{ok: ok, bad: []bad{
		{"apostrophe in a group description", replace(ok, set(sg, "description", "the fleet's tasks")), "' at position 9 is not allowed", "tasks", "description"},
		{"non-ASCII in a rule description", replace(ok, set(rule, "description", "from the ALB – 8080")), "is not allowed", "in", "description"},
		{"inline egress description", replace(ok, set(sg, "egress", list{obj{"description": "CloudFront's"}})), "is not allowed", "tasks", "egress[0].description"},
		{"name starting with sg-", replace(ok, set(sg, "name", "sg-tasks")), "cannot start with sg-", "tasks", "name"},
		{"description too long", replace(ok, set(sg, "description", strings.Repeat("a", 256))), "it has 256 characters", "tasks", "description"},
		{"ec2 securityGroupRule", with(ok, res(typeSGRule, "r", "sgr-2", obj{"description": "100% open"})), "is not allowed", "r", "description"},
	}}
}

func tagLimitsCase() ruleCase {
	tags := obj{"environment": "prod", "managed-by": "wpfleet", "cost-center": "web:42", "owner": "sre@example.com"}
	fn := res("aws:ecs/service:Service", "svc", "svc", obj{"tags": tags})
	sg := res(typeSecurityGroup, "sg", "sg-1", obj{"tags": obj{"Name": "tasks (prod) #1"}})
	vpc := res(typeAwsxVpc, "vpc", "vpc-1", obj{"tags": tags, "subnetSpecs": list{obj{"tags": obj{"tier": "private"}}}})
	object := res(typeBucketObjectV2, "obj", "obj", obj{"tags": tags})
	ok := []mocks.Resource{fn, sg, vpc, object}
	many := obj{}
	for i := 0; i < 11; i++ {
		many["k"+string(rune('a'+i))] = "v"
	}
	fifty := obj{}
	for i := 0; i < 51; i++ {
		fifty[strings.Repeat("k", i+1)] = "v"
	}
	return ruleCase{ok: ok, bad: []bad{
		{"aws: prefix", replace(ok, set(fn, "tags", obj{"AWS:owner": "x"})), "aws: prefix is reserved", "svc", "tags.AWS:owner"},
		{"key too long", replace(ok, set(fn, "tags", obj{strings.Repeat("k", 129): "x"})), "1-128 characters", "svc", "tags."},
		{"EC2 key of 128", replace(ok, set(sg, "tags", obj{strings.Repeat("k", 128): "x"})), "1-127 characters", "sg", "tags."},
		{"value too long", replace(ok, set(fn, "tags", obj{"k": strings.Repeat("v", 257)})), "at most 256", "svc", "tags.k"},
		{"character outside the tag set", replace(ok, set(fn, "tags", obj{"team": "web&ops"})), "'&' at position 3", "svc", "tags.team"},
		{"more than 50 tags", replace(ok, set(fn, "tags", fifty)), "at most 50 tags", "svc", "tags"},
		{"more than 10 tags on an S3 object", replace(ok, set(object, "tags", many)), "at most 10 tags", "obj", "tags"},
		{"subnet tags of the awsx VPC", replace(ok, set(vpc, "subnetSpecs", list{obj{"tags": obj{"aws:x": "y"}}})), "reserved", "vpc", "subnetSpecs[0].tags"},
	}}
}

func iamNamesCase() ruleCase {
	trust := doc(obj{"Version": "2012-10-17", "Statement": list{obj{"Effect": "Allow", "Principal": obj{"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}}})
	role := res(typeIAMRole, "exec", "prod-news-exec-1234567", obj{"assumeRolePolicy": trust, "description": "Starts news tasks: pulls images, writes logs"},
		obj{"name": "prod-news-exec-1234567"})
	pol := res(typeIAMRolePolicy, "exec-policy", "p", obj{"role": "prod-news-exec-1234567", "policy": doc(obj{"Statement": list{}})}, obj{"name": "exec-policy-1234567"})
	oidc := res(typeOIDCProvider, "gh", "gh", obj{"url": "https://token.actions.githubusercontent.com", "clientIdLists": list{"sts.amazonaws.com"},
		"thumbprintLists": list{strings.Repeat("a", 40)}})
	ok := []mocks.Resource{role, pol, oidc}
	big := doc(obj{"Statement": list{obj{"Sid": strings.Repeat("x", 10300)}}})
	var attach []mocks.Resource
	for i := 0; i < 11; i++ {
		attach = append(attach, res(typeIAMRolePolicyAttach, "a"+string(rune('a'+i)), "x", obj{"role": "prod-news-exec-1234567"}))
	}
	return ruleCase{ok: ok, bad: []bad{
		{"role name too long", replace(ok, set(role, "name", strings.Repeat("r", 65))), "1-64 characters", "exec", "name"},
		{"role name character", replace(ok, set(role, "name", "prod news")), "' ' at position 4", "exec", "name"},
		{"description outside Latin-1", replace(ok, set(role, "description", "サイト")), "is not allowed", "exec", "description"},
		{"inline policies over 10,240", replace(ok, set(pol, "policy", big)), "10,240", "exec", "policies"},
		{"trust policy over 2,048", replace(ok, set(role, "assumeRolePolicy", doc(obj{"Sid": strings.Repeat("t", 2100)}))), "2,048", "exec", "assumeRolePolicy"},
		{"policy name character", replace(ok, set(pol, "name", "exec:policy")), "is not allowed", "exec-policy", "name"},
		{"eleven managed policies", with(ok, attach...), "at most 10 managed policies", "exec", "managedPolicyArns"},
		{"OIDC thumbprint", replace(ok, set(oidc, "thumbprintLists", list{"zz"})), "40 hexadecimal", "gh", "thumbprintLists[0]"},
		{"OIDC url", replace(ok, set(oidc, "url", "http://x")), "https://", "gh", "url"},
		{"managed policy over 6,144", with(ok, res(typeIAMPolicy, "ci", "arn:p", obj{"policy": doc(obj{"Sid": strings.Repeat("m", 6200)})}, obj{"name": "ci-1234567"})), "6,144", "ci", "policy"},
	}}
}

func lbNamesCase() ruleCase {
	lb := res(typeLB, "prod", "arn:lb", obj{}, obj{"name": "prod-1234567"})
	tg := res(typeTargetGroup, "prod-campaign", "arn:tg", obj{}, obj{"name": "prod-campaign-1234567"})
	ok := []mocks.Resource{lb, tg}
	return ruleCase{ok: ok, bad: []bad{
		{"auto-name over 32", replace(ok, set(tg, "name", "staging12-newsroomarchive-1234567")), "1-32", "prod-campaign", "name"},
		{"underscore", replace(ok, set(tg, "name", "prod_news")), "'_' at position 4", "prod-campaign", "name"},
		{"internal- prefix", replace(ok, set(lb, "name", "internal-web")), "cannot begin with internal-", "prod", "name"},
		{"trailing hyphen", replace(ok, set(lb, "name", "web-")), "cannot begin or end with a hyphen", "prod", "name"},
	}}
}

func logGroupNamesCase() ruleCase {
	lg := res(typeLogGroup, "site", "/wpfleet/prod/news", obj{"name": "/wpfleet/prod/news", "retentionInDays": int64(30)})
	td := res(typeTaskDefinition, "td", "td", obj{"containerDefinitions": doc(list{obj{"name": "php",
		"logConfiguration": obj{"logDriver": "awslogs", "options": obj{"awslogs-group": "/wpfleet/prod/news"}}}})})
	ok := []mocks.Resource{lg, td}
	return ruleCase{ok: ok, bad: []bad{
		{"reserved aws/ prefix", replace(ok, set(lg, "name", "aws/wpfleet")), "cannot start with aws/", "site", "name"},
		{"space in the name", replace(ok, set(lg, "name", "/wpfleet/prod news")), "' ' at position", "site", "name"},
		{"container log group", replace(ok, set(td, "containerDefinitions", doc(list{obj{"name": "php",
			"logConfiguration": obj{"options": obj{"awslogs-group": "/wpfleet/prod/news:1"}}}}))), "':' at position", "td", "containerDefinitions[0].logConfiguration"},
	}}
}

func secretNamesCase() ruleCase {
	s := res(typeSecret, "db", "arn:s", obj{"name": "wpfleet/prod/news/db", "description": "Database user", "recoveryWindowInDays": int64(7)})
	ok := []mocks.Resource{s}
	return ruleCase{ok: ok, bad: []bad{
		{"space", replace(ok, set(s, "name", "wpfleet/prod news")), "' ' at position 12", "db", "name"},
		{"hyphen and six characters", replace(ok, set(s, "name", "wpfleet/prod/abcdef-db1234")), "hyphen and six characters", "db", "name"},
		{"recovery window", replace(ok, set(s, "recoveryWindowInDays", int64(3))), "7-30 days", "db", "recoveryWindowInDays"},
	}}
}

func s3BucketNamesCase() ruleCase {
	b := res(typeBucket, "uploads", "prod-news-1234567", obj{}, obj{"bucket": "prod-news-1234567"})
	o := res(typeBucketObjectV2, "src", "src", obj{"bucket": "prod-news-1234567", "key": "release.zip"})
	ok := []mocks.Resource{b, o}
	return ruleCase{ok: ok, bad: []bad{
		{"uppercase auto-name", replace(ok, set(b, "bucket", "Prod-News-1234567")), "'P' at position 0", "uploads", "bucket"},
		{"too long", replace(ok, set(b, "bucket", strings.Repeat("b", 64))), "3-63", "uploads", "bucket"},
		{"reserved suffix", replace(ok, set(b, "bucket", "prod-news-s3alias")), "cannot end with -s3alias", "uploads", "bucket"},
		{"ip address", replace(ok, set(b, "bucket", "192.168.5.4")), "IP address", "uploads", "bucket"},
		{"adjacent periods", replace(ok, set(b, "bucket", "prod..news")), "adjacent periods", "uploads", "bucket"},
		{"object key over 1024 bytes", replace(ok, set(o, "key", strings.Repeat("é", 513))), "1026 bytes", "src", "key"},
	}}
}

func cloudwatchAlarmsCase() ruleCase {
	a := res(typeMetricAlarm, "news-5xx", "a", obj{"alarmDescription": "news: 5xx", "alarmActions": list{"arn:topic"},
		"evaluationPeriods": int64(5), "datapointsToAlarm": int64(3), "metricQueries": list{
			obj{"id": "errors", "metric": obj{"period": int64(60), "dimensions": obj{"TargetGroup": "x"}}},
			obj{"id": "rate", "expression": "errors", "returnData": true}}}, obj{"name": "news-5xx-1234567"})
	ok := []mocks.Resource{a}
	return ruleCase{ok: ok, bad: []bad{
		{"six actions", replace(ok, set(a, "alarmActions", list{"1", "2", "3", "4", "5", "6"})), "at most 5 actions", "news-5xx", "alarmActions"},
		{"period 90", replace(ok, set(a, "metricQueries", list{obj{"id": "e", "returnData": true, "metric": obj{"period": int64(90)}}})), "multiple of 60", "news-5xx", "metricQueries[0].metric.period"},
		{"window over a day", replace(ok, set(a, "evaluationPeriods", int64(1441))), "at most 86400 s", "news-5xx", "evaluationPeriods"},
		{"datapoints above periods", replace(ok, set(a, "datapointsToAlarm", int64(6))), "at most evaluationPeriods", "news-5xx", "datapointsToAlarm"},
		{"query id with capital", replace(ok, set(a, "metricQueries", list{obj{"id": "Errors", "returnData": true}})), "starts with a lowercase letter", "news-5xx", "metricQueries[0].id"},
		{"two queries return data", replace(ok, set(a, "metricQueries", list{obj{"id": "a", "returnData": true}, obj{"id": "b", "returnData": true}})), "exactly one query", "news-5xx", "metricQueries"},
		{"control character in the name", replace(ok, set(a, "name", "a\tb")), "is not allowed", "news-5xx", "name"},
	}}
}

func eventbridgeRulesCase() ruleCase {
	r := res(typeEventRule, "news-cron", "news-cron-1234567", obj{"scheduleExpression": "cron(15 3 * * ? *)", "description": "wp-cron"}, obj{"name": "news-cron-1234567"})
	t := res(typeEventTarget, "news-cron", "t", obj{"rule": "news-cron-1234567", "arn": "arn:cluster",
		"inputTransformer": obj{"inputPaths": obj{"a": "$.a"}, "inputTemplate": "\"<a>\""}}, obj{"targetId": "news-cron-1234567"})
	ok := []mocks.Resource{r, t}
	var five []mocks.Resource
	for i := 0; i < 5; i++ {
		five = append(five, res(typeEventTarget, "t"+string(rune('a'+i)), "t", obj{"rule": "news-cron-1234567"}))
	}
	return ruleCase{ok: ok, bad: []bad{
		{"name with a slash", replace(ok, set(r, "name", "news/cron")), "'/' at position 4", "news-cron", "name"},
		{"both day fields", replace(ok, set(r, "scheduleExpression", "cron(15 3 * * SUN *)")), "exactly one of day-of-month and day-of-week", "news-cron", "scheduleExpression"},
		{"rate plural", replace(ok, set(r, "scheduleExpression", "rate(1 minutes)")), "singular", "news-cron", "scheduleExpression"},
		{"five fields", replace(ok, set(r, "scheduleExpression", "cron(0 3 * * ?)")), "six fields", "news-cron", "scheduleExpression"},
		{"six targets", with(ok, five...), "at most 5 targets", "news-cron", "targets"},
		{"template too long", replace(ok, set(t, "inputTransformer", obj{"inputTemplate": strings.Repeat("x", 8193)})), "0-8192", "news-cron", "inputTransformer.inputTemplate"},
	}}
}

func ecsNamesCase() ruleCase {
	c := res(typeECSCluster, "prod", "arn:c", obj{}, obj{"name": "prod-1234567"})
	s := res(typeECSService, "prod-news", "arn:s", obj{}, obj{"name": "prod-news-1234567"})
	td := res(typeTaskDefinition, "prod-news", "prod-news", obj{"family": "prod-news", "containerDefinitions": doc(list{
		obj{"name": "nginx", "portMappings": list{obj{"name": "http", "containerPort": 8080}}}})})
	ok := []mocks.Resource{c, s, td}
	return ruleCase{ok: ok, bad: []bad{
		{"family with a dot", replace(ok, set(td, "family", "prod.news")), "'.' at position 4", "prod-news", "family"},
		{"container name with a space", replace(ok, set(td, "containerDefinitions", doc(list{obj{"name": "php fpm"}}))), "is not allowed", "prod-news", "containerDefinitions[0].name"},
		{"port mapping name uppercase", replace(ok, set(td, "containerDefinitions", doc(list{obj{"name": "nginx", "portMappings": list{obj{"name": "HTTP"}}}}))), "lowercase", "prod-news", "containerDefinitions[0].portMappings"},
		{"service name too long", replace(ok, set(s, "name", strings.Repeat("s", 256))), "1-255", "prod-news", "name"},
	}}
}

func ecsTaskDefinitionLimitsCase() ruleCase {
	containers := list{
		obj{"name": "php", "essential": true, "healthCheck": obj{"interval": int64(10), "timeout": int64(5), "retries": int64(3), "startPeriod": int64(10)}, "stopTimeout": int64(45)},
		obj{"name": "nginx", "essential": true, "dependsOn": list{obj{"containerName": "php", "condition": "HEALTHY"}}},
	}
	td := res(typeTaskDefinition, "td", "td", obj{"family": "f", "requiresCompatibilities": list{"FARGATE"}, "networkMode": "awsvpc",
		"ephemeralStorage": obj{"sizeInGib": int64(30)}, "containerDefinitions": doc(containers)})
	ok := []mocks.Resource{td}
	eleven := list{}
	for i := 0; i < 11; i++ {
		eleven = append(eleven, obj{"name": "c" + string(rune('a'+i))})
	}
	mod := func(i int, k string, v any) mocks.Resource {
		cs := deepCopy(containers).([]any)
		cs[i].(map[string]any)[k] = v
		return set(td, "containerDefinitions", doc(cs))
	}
	return ruleCase{ok: ok, bad: []bad{
		{"eleven containers", replace(ok, set(td, "containerDefinitions", doc(eleven))), "at most 10 containers", "td", "containerDefinitions"},
		{"over 64 KiB", replace(ok, set(td, "containerDefinitions", doc(list{obj{"name": "a", "command": list{strings.Repeat("x", 66000)}}}))), "64 KiB", "td", "containerDefinitions"},
		{"stop timeout on Fargate", replace(ok, mod(0, "stopTimeout", int64(150))), "at most 120 seconds", "td", "containerDefinitions[0].stopTimeout"},
		{"health check interval", replace(ok, mod(0, "healthCheck", obj{"interval": int64(2)})), "interval is 5-300", "td", "containerDefinitions[0].healthCheck.interval"},
		{"HEALTHY without a health check", replace(ok, mod(1, "dependsOn", list{obj{"containerName": "nginx", "condition": "HEALTHY"}})), "needs a health check", "td", "containerDefinitions[1].dependsOn[0].condition"},
		{"unknown dependency", replace(ok, mod(1, "dependsOn", list{obj{"containerName": "sync", "condition": "START"}})), "names a container of the same task", "td", "containerDefinitions[1].dependsOn[0].containerName"},
		{"no essential container", replace(ok, set(td, "containerDefinitions", doc(list{obj{"name": "a", "essential": false}}))), "at least one essential", "td", "containerDefinitions"},
		{"ephemeral storage", replace(ok, set(td, "ephemeralStorage", obj{"sizeInGib": int64(20)})), "21-200 GiB", "td", "ephemeralStorage.sizeInGib"},
	}}
}

func cloudfrontTextCase() ruleCase {
	d := res(typeDistribution, "news", "E1", obj{"comment": "wpfleet prod news"})
	cp := res(typeCachePolicy, "news-pages", "cp-1", obj{"comment": "pages", "minTtl": int64(0), "defaultTtl": int64(60), "maxTtl": int64(300)})
	oac := res(typeOAC, "news-uploads", "oac-1", obj{"name": "prod-news-uploads", "description": "uploads of news"})
	ok := []mocks.Resource{d, cp, oac}
	return ruleCase{ok: ok, bad: []bad{
		{"distribution comment over 128", replace(ok, set(d, "comment", strings.Repeat("c", 129))), "0-128", "news", "comment"},
		{"ttl order", replace(ok, set(cp, "defaultTtl", int64(600))), "at most maxTtl", "news-pages", "defaultTtl"},
		{"OAC name over 64", replace(ok, set(oac, "name", strings.Repeat("o", 65))), "1-64", "news-uploads", "name"},
	}}
}

func acmCertificatesCase() ruleCase {
	c := res(typeCertificate, "cert", "arn:c", obj{"domainName": "example.com", "subjectAlternativeNames": list{"www.example.com", "*.news.example.com"}})
	ok := []mocks.Resource{c}
	eleven := list{}
	for i := 0; i < 10; i++ {
		eleven = append(eleven, "s"+string(rune('a'+i))+".example.com")
	}
	return ruleCase{ok: ok, bad: []bad{
		{"eleven names", replace(ok, set(c, "subjectAlternativeNames", eleven)), "at most 10 domain names", "cert", "subjectAlternativeNames"},
		{"label over 63", replace(ok, set(c, "domainName", strings.Repeat("l", 64)+".example.com")), "at most 63", "cert", "domainName"},
		{"wildcard in the middle", replace(ok, set(c, "subjectAlternativeNames", list{"www.*.example.com"})), "leftmost label", "cert", "subjectAlternativeNames[0]"},
	}}
}

func kmsTextCase() ruleCase {
	a := res(typeKMSAlias, "alarms", "alias/wpfleet/prod-alarms", obj{"name": "alias/wpfleet/prod-alarms"})
	k := res(typeKMSKey, "alarms", "k", obj{"description": "Encrypts the alarm topic", "policy": doc(obj{"Statement": list{}})})
	ok := []mocks.Resource{a, k}
	return ruleCase{ok: ok, bad: []bad{
		{"reserved alias/aws/", replace(ok, set(a, "name", "alias/aws/sns")), "reserved", "alarms", "name"},
		{"alias character", replace(ok, set(a, "name", "alias/prod alarms")), "alias/ followed by", "alarms", "name"},
		{"policy over 32 KB", replace(ok, set(k, "policy", strings.Repeat("p", 32769))), "32768 bytes", "alarms", "policy"},
	}}
}

func codebuildProjectCase() ruleCase {
	p := res(typeCodeBuild, "release", "prod-wordpress-release", obj{"name": "prod-wordpress-release", "description": "Releases a site",
		"buildTimeout": int64(30), "environment": obj{"environmentVariables": list{obj{"name": "RELEASE_PATH", "value": ""}}}})
	ok := []mocks.Resource{p}
	return ruleCase{ok: ok, bad: []bad{
		{"name with a dot", replace(ok, set(p, "name", "prod.release")), "letters, digits, hyphens and underscores", "release", "name"},
		{"build timeout", replace(ok, set(p, "buildTimeout", int64(3000))), "5-2160", "release", "buildTimeout"},
		{"reserved variable", replace(ok, set(p, "environment", obj{"environmentVariables": list{obj{"name": "CODEBUILD_X"}}})), "CODEBUILD_", "release", "environment.environmentVariables[0].name"},
		{"description over 255", replace(ok, set(p, "description", strings.Repeat("d", 256))), "0-255", "release", "description"},
	}}
}

func rdsNamesCase() ruleCase {
	c := res(typeRDSCluster, "db", "wpfleet-prod", obj{"clusterIdentifier": "wpfleet-prod", "finalSnapshotIdentifier": "wpfleet-prod-final",
		"masterUsername": "wpfleet_admin", "backupRetentionPeriod": int64(14),
		"preferredBackupWindow": "17:00-18:00", "preferredMaintenanceWindow": "sun:18:30-sun:19:30"})
	i := res(typeRDSInstance, "db-1", "wpfleet-prod-1", obj{"identifier": "wpfleet-prod-1"})
	sg := res(typeRDSSubnetGroup, "db", "db-1234567", obj{}, obj{"name": "db-1234567"})
	pg := res(typeRDSParamGroup, "db", "db-1234567", obj{}, obj{"name": "db-1234567"})
	ok := []mocks.Resource{c, i, sg, pg}
	return ruleCase{ok: ok, bad: []bad{
		{"double hyphen", replace(ok, set(c, "clusterIdentifier", "wpfleet--prod")), "no two hyphens", "db", "clusterIdentifier"},
		{"starts with a digit", replace(ok, set(i, "identifier", "1-prod")), "first a letter", "db-1", "identifier"},
		{"master user with a hyphen", replace(ok, set(c, "masterUsername", "wp-admin")), "1-16 letters, digits or underscores", "db", "masterUsername"},
		{"backup overlaps maintenance", replace(ok, set(c, "preferredBackupWindow", "18:00-19:00")), "must not overlap", "db", "preferredBackupWindow"},
		{"backup window under 30 minutes", replace(ok, set(c, "preferredBackupWindow", "17:00-17:20")), "at least 30 minutes", "db", "preferredBackupWindow"},
		{"retention 36", replace(ok, set(c, "backupRetentionPeriod", int64(36))), "1-35", "db", "backupRetentionPeriod"},
		{"subnet group named default", replace(ok, set(sg, "name", "default")), "cannot be named default", "db", "name"},
	}}
}

func efsSettingsCase() ruleCase {
	fs := res(typeEFS, "fs", "fs-1", obj{})
	ap := res(typeEFSAccessPoint, "news", "fsap-1", obj{"fileSystemId": "fs-1", "posixUser": obj{"uid": int64(82), "gid": int64(82)},
		"rootDirectory": obj{"path": "/sites/news", "creationInfo": obj{"ownerUid": int64(82), "ownerGid": int64(82), "permissions": "0755"}}})
	mt1 := res(typeEFSMountTarget, "mt-1", "fsmt-1", obj{"fileSystemId": "fs-1", "subnetId": "subnet-a"})
	mt2 := res(typeEFSMountTarget, "mt-2", "fsmt-2", obj{"fileSystemId": "fs-1", "subnetId": "subnet-b"})
	ok := []mocks.Resource{fs, ap, mt1, mt2}
	return ruleCase{ok: ok, bad: []bad{
		{"five levels", replace(ok, set(ap, "rootDirectory.path", "/a/b/c/d/e")), "one to four directories", "news", "rootDirectory.path"},
		{"dot directory", replace(ok, set(ap, "rootDirectory.path", "/sites/.news")), "cannot start with a period", "news", "rootDirectory.path"},
		{"forbidden character", replace(ok, set(ap, "rootDirectory.path", "/sites/news$")), "cannot hold", "news", "rootDirectory.path"},
		{"permissions", replace(ok, set(ap, "rootDirectory.creationInfo.permissions", "rwx")), "octal", "news", "rootDirectory.creationInfo.permissions"},
		{"two mount targets in one subnet", replace(ok, set(mt2, "subnetId", "subnet-a")), "one mount target per subnet", "mt-2", "subnetId"},
	}}
}

func logMetricFiltersCase() ruleCase {
	f := res(typeLogMetricFilter, "cron-failed", "f", obj{"name": "cron-failed", "logGroupName": "/wpfleet/prod/pool",
		"pattern":              `{ $.wpfleet = "cron" && $.status = "failed" }`,
		"metricTransformation": obj{"name": "CronFailed", "namespace": "wpfleet/prod", "value": "1", "dimensions": obj{"Site": "$.site"}}})
	ok := []mocks.Resource{f}
	return ruleCase{ok: ok, bad: []bad{
		{"colon in the name", replace(ok, set(f, "name", "cron:failed")), "':' at position 4", "cron-failed", "name"},
		{"pattern over 1024", replace(ok, set(f, "pattern", strings.Repeat("p", 1025))), "0-1024", "cron-failed", "pattern"},
		{"dollar in the namespace", replace(ok, set(f, "metricTransformation.namespace", "wpfleet$")), "is not allowed", "cron-failed", "metricTransformation.namespace"},
		{"default value with dimensions", replace(ok, set(f, "metricTransformation.defaultValue", int64(0))), "no default value", "cron-failed", "metricTransformation.defaultValue"},
		{"four dimensions", replace(ok, set(f, "metricTransformation.dimensions", obj{"a": "$.a", "b": "$.b", "c": "$.c", "d": "$.d"})), "at most 3 dimensions", "cron-failed", "metricTransformation.dimensions"},
	}}
}

func vpcEndpointsCase() ruleCase {
	ecrAPI := res(typeVpcEndpoint, "ecr-api", "vpce-1", obj{"serviceName": "com.amazonaws.ap-northeast-1.ecr.api", "vpcEndpointType": "Interface",
		"subnetIds": list{"subnet-a"}, "securityGroupIds": list{"sg-e"}, "privateDnsEnabled": true})
	s3 := res(typeVpcEndpoint, "s3", "vpce-2", obj{"serviceName": "com.amazonaws.ap-northeast-1.s3", "routeTableIds": list{"rtb-1"}})
	ok := []mocks.Resource{ecrAPI, s3}
	return ruleCase{ok: ok, bad: []bad{
		{"other region", replace(ok, set(ecrAPI, "serviceName", "com.amazonaws.us-east-1.ecr.api")), "com.amazonaws.ap-northeast-1.<service>", "ecr-api", "serviceName"},
		{"interface service as a gateway", replace(ok, set(ecrAPI, "vpcEndpointType", nil)), "gateway endpoints exist for s3 and dynamodb only", "ecr-api", "vpcEndpointType"},
		{"gateway without route tables", replace(ok, set(s3, "routeTableIds", nil)), "route tables", "s3", "routeTableIds"},
		{"interface without subnets", replace(ok, set(ecrAPI, "subnetIds", nil)), "needs a subnet", "ecr-api", "subnetIds"},
	}}
}

func wafCloudFormationCase() ruleCase {
	acl := obj{"Type": "AWS::WAFv2::WebACL", "Properties": obj{"Name": "wpfleet-prod", "Scope": "CLOUDFRONT",
		"DefaultAction": obj{"Allow": obj{}}, "VisibilityConfig": obj{"MetricName": "wpfleet-prod", "CloudWatchMetricsEnabled": true, "SampledRequestsEnabled": true},
		"Rules": list{obj{"Name": "common", "Priority": 0, "VisibilityConfig": obj{"MetricName": "common"}},
			obj{"Name": "bad-inputs", "Priority": 1, "VisibilityConfig": obj{"MetricName": "bad-inputs"}}}}}
	body := func(a obj) string { return doc(obj{"Resources": obj{"WebAcl": a}}) }
	prov := mocks.Resource{URN: "urn:pulumi:test::proj::pulumi:providers:aws::us-east-1", Type: typeAWSProvider, Name: "us-east-1",
		Custom: true, Inputs: obj{"region": "us-east-1"}}
	stack := res(typeCFNStack, "waf", "waf", obj{"templateBody": body(acl)}, obj{"name": "wpfleet-prod-waf"})
	stack.Options.Provider = prov.URN + "::id"
	ok := []mocks.Resource{prov, stack}
	mod := func(k string, v any) obj {
		a := deepCopy(acl).(map[string]any)
		a["Properties"].(map[string]any)[k] = v
		return a
	}
	inTokyo := set(stack, "templateBody", body(acl))
	inTokyo.Options.Provider = ""
	return ruleCase{ok: ok, bad: []bad{
		{"CLOUDFRONT ACL outside us-east-1", replace(ok, inTokyo), "created in us-east-1", "waf", "templateBody.Resources.WebAcl.Properties.Scope"},
		{"name with a space", replace(ok, set(stack, "templateBody", body(mod("Name", "wpfleet prod")))), "1-128 letters", "waf", "templateBody.Resources.WebAcl.Properties.Name"},
		{"no default action", replace(ok, set(stack, "templateBody", body(mod("DefaultAction", nil)))), "default action", "waf", "templateBody.Resources.WebAcl.Properties.DefaultAction"},
		{"duplicate priorities", replace(ok, set(stack, "templateBody", body(mod("Rules", list{obj{"Name": "a", "Priority": 1, "VisibilityConfig": obj{"MetricName": "a"}}, obj{"Name": "b", "Priority": 1, "VisibilityConfig": obj{"MetricName": "b"}}})))), "distinct", "waf", "templateBody.Resources.WebAcl.Properties.Rules[1].Priority"},
		{"metric name", replace(ok, set(stack, "templateBody", body(mod("VisibilityConfig", obj{"MetricName": "wpfleet prod"})))), "metric name", "waf", "templateBody.Resources.WebAcl.Properties.VisibilityConfig.MetricName"},
		{"stack name", replace(ok, set(stack, "name", "1-waf")), "a letter, then", "waf", "name"},
	}}
}
