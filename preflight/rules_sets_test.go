package preflight

import (
	"github.com/wpfleet/wpfleet/mocks"
)

func regionNamesCase() ruleCase {
	prov := mocks.Resource{URN: "urn:pulumi:test::proj::pulumi:providers:aws::use1", Type: typeAWSProvider, Name: "use1", Custom: true,
		Inputs: obj{"region": "us-east-1"}}
	ok := []mocks.Resource{prov}
	return ruleCase{ok: ok, bad: []bad{
		{"provider region", replace(ok, set(prov, "region", "virginia")), "Region virginia is not one AWS accepts", "use1", "region"},
		{"stack region", with(ok, inRegion("tokyo")), "Region tokyo", "proj-test", "aws:region"},
	}}
}

func elbSSLPoliciesCase() ruleCase {
	l := res(typeListener, "https", "arn:l", obj{"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})
	ok := []mocks.Resource{l}
	return ruleCase{ok: ok, bad: []bad{
		{"made-up policy", replace(ok, set(l, "sslPolicy", "ELBSecurityPolicy-TLS13-1-2-2099-01")), "is not one AWS accepts", "https", "sslPolicy"},
	}}
}

func auroraMySQLCase() ruleCase {
	c := res(typeRDSCluster, "db", "wpfleet-prod", obj{"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.10.0",
		"clusterIdentifier": "wpfleet-prod", "dbClusterParameterGroupName": "db-1234567",
		"serverlessv2ScalingConfiguration": obj{"minCapacity": 0.5, "maxCapacity": int64(8)}})
	pg := res(typeRDSParamGroup, "db", "db-1234567", obj{"family": "aurora-mysql8.0"}, obj{"name": "db-1234567"})
	i := res(typeRDSInstance, "db-1", "wpfleet-prod-1", obj{"engine": "aurora-mysql", "instanceClass": "db.serverless", "clusterIdentifier": "wpfleet-prod"})
	i2 := res(typeRDSInstance, "db-2", "wpfleet-prod-2", obj{"engine": "aurora-mysql", "instanceClass": "db.r7g.large", "clusterIdentifier": "wpfleet-prod"})
	ok := []mocks.Resource{c, pg, i, i2}
	return ruleCase{ok: ok, bad: []bad{
		{"made-up version", replace(ok, set(c, "engineVersion", "8.0.mysql_aurora.3.99.0")), "Aurora MySQL version 8.0.mysql_aurora.3.99.0 is not one AWS accepts", "db", "engineVersion"},
		{"class Aurora MySQL does not offer", replace(ok, set(i2, "instanceClass", "db.m5.large")), "instance class db.m5.large", "db-2", "instanceClass"},
		{"serverless without scaling", replace(ok, set(c, "serverlessv2ScalingConfiguration", nil)), "needs serverlessv2ScalingConfiguration", "db-1", "instanceClass"},
		{"half steps", replace(ok, set(c, "serverlessv2ScalingConfiguration.maxCapacity", 8.3)), "steps of 0.5", "db", "serverlessv2ScalingConfiguration.maxCapacity"},
		{"zero ACU before 3.08", replace(replace(ok, set(c, "engineVersion", "8.0.mysql_aurora.3.04.2")), set(set(c, "engineVersion", "8.0.mysql_aurora.3.04.2"), "serverlessv2ScalingConfiguration.minCapacity", int64(0))), "3.08.0", "db", "serverlessv2ScalingConfiguration.minCapacity"},
		{"parameter group family", replace(ok, set(pg, "family", "aurora-mysql5.7")), "takes a aurora-mysql8.0 parameter group", "db", "family"},
	}}
}

func cloudfrontPriceClassCase() ruleCase {
	d := res(typeDistribution, "news", "E1", obj{"priceClass": "PriceClass_200"})
	ok := []mocks.Resource{d}
	return ruleCase{ok: ok, bad: []bad{
		{"made-up class", replace(ok, set(d, "priceClass", "PriceClass_Japan")), "price class PriceClass_Japan", "news", "priceClass"},
	}}
}

func fargateCPUMemoryCase() ruleCase {
	td := res(typeTaskDefinition, "news", "news", obj{"requiresCompatibilities": list{"FARGATE"}, "cpu": "1024", "memory": "2048"})
	ec2 := res(typeTaskDefinition, "ec2", "ec2", obj{"requiresCompatibilities": list{"EC2"}, "cpu": "100", "memory": "100"})
	ok := []mocks.Resource{td, ec2}
	return ruleCase{ok: ok, bad: []bad{
		{"memory not for this CPU", replace(ok, set(td, "memory", "1024")), "with 1024 CPU units Fargate takes memory", "news", "memory"},
		{"no such CPU", replace(ok, set(td, "cpu", "3072")), "Fargate CPU 3072", "news", "cpu"},
		{"8 vCPU in 4 GiB steps", replace(replace(ok, set(td, "cpu", "8192")), set(set(td, "cpu", "8192"), "memory", "18432")), "8192 CPU units", "news", "memory"},
	}}
}

func logRetentionValuesCase() ruleCase {
	lg := res(typeLogGroup, "site", "lg", obj{"retentionInDays": int64(30)})
	never := res(typeLogGroup, "forever", "lg2", obj{"retentionInDays": int64(0)})
	ok := []mocks.Resource{lg, never}
	return ruleCase{ok: ok, bad: []bad{
		{"45 days", replace(ok, set(lg, "retentionInDays", int64(45))), "a retention of 45 days", "site", "retentionInDays"},
		{"two years as 730", replace(ok, set(lg, "retentionInDays", int64(730))), "a retention of 730 days", "site", "retentionInDays"},
	}}
}
