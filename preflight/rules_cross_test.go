package preflight

import (
	"github.com/wpfleet/wpfleet/mocks"
)

func physicalNamesUniqueCase() ruleCase {
	td1 := res(typeTaskDefinition, "news", "news", obj{"family": "prod-news-cron"})
	td2 := res(typeTaskDefinition, "news-cron", "news-cron", obj{"family": "prod-news-cron-job"})
	lg1 := res(typeLogGroup, "a", "a", obj{"name": "/wpfleet/prod/news"})
	lg2 := res(typeLogGroup, "b", "b", obj{"name": "/wpfleet/prod/news-2"})
	r1 := res(typeIAMRole, "r1", "r1", obj{}, obj{"name": "prod-news-exec"})
	r2 := res(typeIAMRole, "r2", "r2", obj{}, obj{"name": "prod-news-task"})
	rec1 := res("aws:route53/record:Record", "v1", "v1", obj{"zoneId": "Z1", "name": "_a.news.example.com.", "type": "CNAME"})
	ok := []mocks.Resource{td1, td2, lg1, lg2, r1, r2, rec1}
	return ruleCase{ok: ok, bad: []bad{
		{"task definition family", replace(ok, set(td2, "family", "prod-news-cron")), "task definition family names are unique", "news-cron", "family"},
		{"log group", replace(ok, set(lg2, "name", "/wpfleet/prod/news")), "already has this one", "b", "name"},
		{"IAM role names ignore case", replace(ok, set(r2, "name", "PROD-news-exec")), "IAM role names are unique per account (case-insensitive)", "r2", "name"},
		{"DNS record without the dot", with(ok, res("aws:route53/record:Record", "v2", "v2", obj{"zoneId": "Z1", "name": "_A.news.example.com", "type": "CNAME"})), "DNS record", "v2", "name"},
	}}
}

func kmsKeyPublishersCase() ruleCase {
	policy := func(cond obj) string {
		st := obj{"Effect": "Allow", "Principal": obj{"Service": list{"cloudwatch.amazonaws.com", "events.amazonaws.com"}},
			"Action": list{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*"}
		if cond != nil {
			st["Condition"] = cond
		}
		return doc(obj{"Statement": list{obj{"Effect": "Allow", "Principal": obj{"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, st}})
	}
	key := res(typeKMSKey, "alarms", "key-1", obj{"policy": policy(nil)}, obj{"arn": "arn:aws:kms:ap-northeast-1:111122223333:key/key-1"})
	topic := res(typeSNSTopic, "alarms", "arn:topic", obj{"kmsMasterKeyId": "arn:aws:kms:ap-northeast-1:111122223333:key/key-1"}, obj{"arn": "arn:topic"})
	tp := res(typeSNSTopicPolicy, "alarms", "tp", obj{"arn": "arn:topic", "policy": doc(obj{"Statement": list{obj{"Effect": "Allow",
		"Principal": obj{"Service": list{"cloudwatch.amazonaws.com", "events.amazonaws.com"}}, "Action": "sns:Publish", "Resource": "arn:topic",
		"Condition": obj{"StringEquals": obj{"aws:SourceAccount": "111122223333"}}}}})})
	alarm := res(typeMetricAlarm, "5xx", "a", obj{"alarmActions": list{"arn:topic"}})
	target := res(typeEventTarget, "cron-failures", "t", obj{"arn": "arn:topic"})
	ok := []mocks.Resource{key, topic, tp, alarm, target}
	onlyCW := doc(obj{"Statement": list{obj{"Effect": "Allow", "Principal": obj{"Service": "cloudwatch.amazonaws.com"},
		"Action": list{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*"}}})
	noDecrypt := doc(obj{"Statement": list{obj{"Effect": "Allow", "Principal": obj{"Service": list{"cloudwatch.amazonaws.com", "events.amazonaws.com"}},
		"Action": "kms:GenerateDataKey*", "Resource": "*"}}})
	return ruleCase{ok: ok, bad: []bad{
		{"EventBridge under aws:SourceAccount", replace(ok, set(key, "policy", policy(obj{"StringEquals": obj{"aws:SourceAccount": "111122223333"}}))), "only under a aws:sourceaccount condition", "alarms", "policy"},
		{"EventBridge missing", replace(ok, set(key, "policy", onlyCW)), "events.amazonaws.com, but the key policy does not allow it kms:GenerateDataKey*", "alarms", "policy"},
		{"no kms:Decrypt", replace(ok, set(key, "policy", noDecrypt)), "does not allow it kms:Decrypt", "alarms", "policy"},
		{"topic policy without EventBridge", replace(ok, set(tp, "policy", doc(obj{"Statement": list{}}))), "topic policy must allow events.amazonaws.com", "alarms", "policy"},
	}}
}

func s3OwnershipACLsCase() ruleCase {
	b := res(typeBucket, "uploads", "prod-news-1234567", obj{}, obj{"bucket": "prod-news-1234567"})
	oc := res(typeBucketOwnership, "uploads", "oc", obj{"bucket": "prod-news-1234567", "rule": obj{"objectOwnership": "BucketOwnerEnforced"}})
	td := res(typeTaskDefinition, "news", "news", obj{"containerDefinitions": doc(list{obj{"name": "php", "environment": list{
		obj{"name": "WPFLEET_SITE_NEWS_BUCKET", "value": "prod-news-1234567"}, obj{"name": "S3_UPLOADS_OBJECT_ACL", "value": ""}}}})})
	o := res(typeBucketObjectV2, "src", "src", obj{"bucket": "prod-news-1234567", "key": "k", "acl": "bucket-owner-full-control"})
	ok := []mocks.Resource{b, oc, td, o}
	withACL := set(td, "containerDefinitions", doc(list{obj{"name": "php", "environment": list{
		obj{"name": "WPFLEET_SITE_NEWS_BUCKET", "value": "prod-news-1234567"}, obj{"name": "S3_UPLOADS_OBJECT_ACL", "value": "public-read"}}}}))
	noControls := []mocks.Resource{b, td, set(o, "acl", "private")}
	return ruleCase{ok: ok, bad: []bad{
		{"app configured with public-read", replace(ok, withACL), "ACLs disabled (BucketOwnerEnforced)", "news", "containerDefinitions[0].environment.S3_UPLOADS_OBJECT_ACL"},
		{"object with an ACL", replace(ok, set(o, "acl", "public-read")), "only bucket-owner-full-control", "src", "acl"},
		{"the default ownership is enforced too", noControls, "only bucket-owner-full-control", "src", "acl"},
		{"CloudFront legacy logs", with(ok, res(typeDistribution, "news", "E1", obj{"loggingConfig": obj{"bucket": "prod-news-1234567.s3.amazonaws.com"}})), "CloudFront standard logging", "news", "loggingConfig.bucket"},
	}}
}

func albAccessLogBucketCase() ruleCase {
	lb := res(typeLB, "alb", "arn:lb", obj{"accessLogs": obj{"enabled": true, "bucket": "prod-alb-logs", "prefix": "alb"}})
	b := res(typeBucket, "logs", "prod-alb-logs", obj{"bucket": "prod-alb-logs"})
	sse := res(typeBucketSSE, "logs", "sse", obj{"bucket": "prod-alb-logs", "rules": list{obj{"applyServerSideEncryptionByDefault": obj{"sseAlgorithm": "AES256"}}}})
	pol := res(typeBucketPolicy, "logs", "pol", obj{"bucket": "prod-alb-logs", "policy": doc(obj{"Statement": list{obj{"Effect": "Allow",
		"Principal": obj{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}, "Action": "s3:PutObject",
		"Resource": "arn:aws:s3:::prod-alb-logs/alb/AWSLogs/111122223333/*"}}})})
	ok := []mocks.Resource{lb, b, sse, pol}
	elbAccount := set(pol, "policy", doc(obj{"Statement": list{obj{"Effect": "Allow", "Principal": obj{"AWS": "arn:aws:iam::582318560864:root"},
		"Action": "s3:PutObject", "Resource": "arn:aws:s3:::prod-alb-logs/alb/AWSLogs/111122223333/*"}}}))
	return ruleCase{ok: replace(ok, elbAccount), bad: []bad{
		{"SSE-KMS", replace(ok, set(sse, "rules", list{obj{"applyServerSideEncryptionByDefault": obj{"sseAlgorithm": "aws:kms"}}})), "SSE-S3", "logs", "rules[0]"},
		{"no policy", ok[:3], "no bucket policy", "alb", "accessLogs.bucket"},
		{"policy for another prefix", replace(ok, set(pol, "policy", doc(obj{"Statement": list{obj{"Effect": "Allow",
			"Principal": obj{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}, "Action": "s3:PutObject",
			"Resource": "arn:aws:s3:::prod-alb-logs/other/*"}}}))), "no bucket policy", "alb", "accessLogs.bucket"},
		{"prefix with AWSLogs", replace(ok, set(lb, "accessLogs.prefix", "AWSLogs/alb")), "cannot contain AWSLogs", "alb", "accessLogs.prefix"},
	}}
}

func cloudfrontUSEast1Case() ruleCase {
	d := res(typeDistribution, "news", "E1", obj{"viewerCertificate": obj{"acmCertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/abc"},
		"webAclId": "arn:aws:wafv2:us-east-1:111122223333:global/webacl/wpfleet/abc"})
	ok := []mocks.Resource{d}
	return ruleCase{ok: ok, bad: []bad{
		{"certificate of Tokyo", replace(ok, set(d, "viewerCertificate.acmCertificateArn", "arn:aws:acm:ap-northeast-1:111122223333:certificate/abc")), "us-east-1 only", "news", "viewerCertificate.acmCertificateArn"},
		{"regional web ACL", replace(ok, set(d, "webAclId", "arn:aws:wafv2:ap-northeast-1:111122223333:regional/webacl/x/abc")), "scope CLOUDFRONT", "news", "webAclId"},
	}}
}

func ecsCapacityProvidersCase() ruleCase {
	c := res(typeECSCluster, "prod", "arn:cluster", obj{}, obj{"name": "prod-1234567"})
	cp := res(typeECSCapacity, "prod", "cp", obj{"clusterName": "prod-1234567", "capacityProviders": list{"FARGATE", "FARGATE_SPOT"}})
	td := res(typeTaskDefinition, "news", "news", obj{"family": "prod-news", "runtimePlatform": obj{"cpuArchitecture": "X86_64"}},
		obj{"arn": "arn:td:1"})
	strategy := list{obj{"capacityProvider": "FARGATE", "base": int64(2), "weight": int64(1)}, obj{"capacityProvider": "FARGATE_SPOT", "base": int64(0), "weight": int64(1)}}
	svc := res(typeECSService, "news", "svc", obj{"cluster": "arn:cluster", "taskDefinition": "arn:td:1", "capacityProviderStrategies": strategy})
	ok := []mocks.Resource{c, cp, td, svc}
	// ARM64 on Spot with platform LATEST (1.4.0+) is fine.
	arm := set(td, "runtimePlatform.cpuArchitecture", "ARM64")
	ok = replace(replace(ok, arm), set(svc, "platformVersion", "LATEST"))
	return ruleCase{ok: ok, bad: []bad{
		{"ARM64 on Fargate Spot, platform 1.3.0", replace(ok, set(set(svc, "platformVersion", "LATEST"), "platformVersion", "1.3.0")), "ARM64 tasks on platform version 1.4.0 or later", "news", "capacityProviderStrategies[1]"},
		{"ARM64 scheduled task on Spot, platform 1.3.0", replace(with(ok, res(typeEventTarget, "cron", "t", obj{"arn": "arn:cluster", "ecsTarget": obj{
			"taskDefinitionArn": "arn:td:1", "platformVersion": "1.3.0", "capacityProviderStrategies": list{obj{"capacityProvider": "FARGATE_SPOT", "weight": int64(1)}}}})), arm),
			"ARM64 tasks on platform version 1.4.0 or later", "cron", "ecsTarget.capacityProviderStrategies[0]"},
		{"Windows on Fargate Spot", replace(ok, set(td, "runtimePlatform.operatingSystemFamily", "WINDOWS_SERVER_2022_CORE")), "runs Windows", "news", "capacityProviderStrategies[1]"},
		{"provider not on the cluster", replace(ok, set(cp, "capacityProviders", list{"FARGATE"})), "the cluster's capacity providers", "news", "capacityProviderStrategies[1].capacityProvider"},
		{"two bases", replace(ok, set(svc, "capacityProviderStrategies", list{obj{"capacityProvider": "FARGATE", "base": int64(1), "weight": int64(1)}, obj{"capacityProvider": "FARGATE_SPOT", "base": int64(1), "weight": int64(1)}})), "only one capacity provider", "news", "capacityProviderStrategies"},
		{"all weights zero", replace(ok, set(svc, "capacityProviderStrategies", list{obj{"capacityProvider": "FARGATE", "weight": int64(0)}})), "weight above 0", "news", "capacityProviderStrategies"},
	}}
}
