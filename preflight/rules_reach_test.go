package preflight

import (
	"github.com/wpfleet/wpfleet/mocks"
)

// network is a small fleet: a VPC with NAT, a task group that may reach
// HTTPS anywhere, EFS and Aurora (and admits the ALB), a service that pulls
// from ECR, logs with awslogs, reads a secret, mounts EFS and is given the
// database endpoint, behind an ALB.
type network struct {
	vpc, tasks, efsSG, dbSG, albSG                        mocks.Resource
	out443, outEFS, outDB, inALB, efsIn, dbIn, albOut     mocks.Resource
	td, svc, fs, mt, db, lb, listener, tg, rule, endpoint mocks.Resource
}

func newNetwork() network {
	var n network
	n.vpc = res(typeAwsxVpc, "vpc", "vpc-1", obj{"cidrBlock": "10.0.0.0/16", "natGateways": obj{"strategy": "OnePerAz"}},
		obj{"vpcId": "vpc-1", "privateSubnetIds": list{"subnet-p0", "subnet-p1"}, "publicSubnetIds": list{"subnet-u0", "subnet-u1"}})
	sg := func(name, id string) mocks.Resource { return res(typeSecurityGroup, name, id, obj{"vpcId": "vpc-1"}) }
	n.tasks, n.efsSG, n.dbSG, n.albSG = sg("tasks", "sg-tasks"), sg("efs", "sg-efs"), sg("db", "sg-db"), sg("alb", "sg-alb")
	rule := func(typ, name, group string, port int64, k string, v any) mocks.Resource {
		return res(typ, name, "sgr-"+name, obj{"securityGroupId": group, "ipProtocol": "tcp", "fromPort": port, "toPort": port, k: v})
	}
	n.out443 = rule(typeSGEgress, "tasks-out-443", "sg-tasks", 443, "cidrIpv4", "0.0.0.0/0")
	n.outEFS = rule(typeSGEgress, "tasks-out-efs", "sg-tasks", 2049, "referencedSecurityGroupId", "sg-efs")
	n.outDB = rule(typeSGEgress, "tasks-out-db", "sg-tasks", 3306, "referencedSecurityGroupId", "sg-db")
	n.inALB = rule(typeSGIngress, "tasks-in-alb", "sg-tasks", 8080, "referencedSecurityGroupId", "sg-alb")
	n.efsIn = rule(typeSGIngress, "efs-in", "sg-efs", 2049, "referencedSecurityGroupId", "sg-tasks")
	n.dbIn = rule(typeSGIngress, "db-in", "sg-db", 3306, "referencedSecurityGroupId", "sg-tasks")
	n.albOut = rule(typeSGEgress, "alb-out", "sg-alb", 8080, "cidrIpv4", "10.0.0.0/16")
	n.fs = res(typeEFS, "fs", "fs-1", obj{})
	n.mt = res(typeEFSMountTarget, "mt", "fsmt-1", obj{"fileSystemId": "fs-1", "subnetId": "subnet-p0", "securityGroups": list{"sg-efs"}})
	n.db = res(typeRDSCluster, "db", "wpfleet-prod", obj{"vpcSecurityGroupIds": list{"sg-db"}},
		obj{"endpoint": "wpfleet-prod.cluster-x.ap-northeast-1.rds.amazonaws.com"})
	n.td = res(typeTaskDefinition, "news", "news", obj{"family": "prod-news",
		"volumes": list{obj{"name": "efs", "efsVolumeConfiguration": obj{"fileSystemId": "fs-1"}}},
		"containerDefinitions": doc(list{obj{"name": "php", "image": "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/wpfleet/php:1",
			"logConfiguration": obj{"logDriver": "awslogs"},
			"secrets":          list{obj{"name": "DB", "valueFrom": "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:db-AbCdEf"}},
			"environment":      list{obj{"name": "DB_HOST", "value": "wpfleet-prod.cluster-x.ap-northeast-1.rds.amazonaws.com"}}}})},
		obj{"arn": "arn:td:news:1"})
	n.lb = res(typeLB, "alb", "arn:lb", obj{"securityGroups": list{"sg-alb"}})
	n.listener = res(typeListener, "https", "arn:l", obj{"loadBalancerArn": "arn:lb"}, obj{"arn": "arn:l"})
	n.tg = res(typeTargetGroup, "news", "arn:tg", obj{})
	n.rule = res(typeListenerRule, "news", "arn:r", obj{"listenerArn": "arn:l", "actions": list{obj{"type": "forward", "targetGroupArn": "arn:tg"}}})
	n.svc = res(typeECSService, "news", "svc", obj{"taskDefinition": "arn:td:news:1",
		"networkConfiguration": obj{"securityGroups": list{"sg-tasks"}, "subnets": list{"subnet-p0", "subnet-p1"}, "assignPublicIp": false},
		"loadBalancers":        list{obj{"targetGroupArn": "arn:tg", "containerName": "nginx", "containerPort": int64(8080)}}})
	return n
}

func (n network) all() []mocks.Resource {
	return []mocks.Resource{n.vpc, n.tasks, n.efsSG, n.dbSG, n.albSG, n.out443, n.outEFS, n.outDB, n.inALB, n.efsIn, n.dbIn, n.albOut,
		n.fs, n.mt, n.db, n.td, n.lb, n.listener, n.tg, n.rule, n.svc}
}

// without returns the graph without the named resources.
func without(rs []mocks.Resource, names ...string) []mocks.Resource {
	var out []mocks.Resource
	for _, r := range rs {
		if !contains(names, r.Name) {
			out = append(out, r)
		}
	}
	return out
}

// endpoints are interface endpoints (private DNS) for the services, in a
// group that admits HTTPS from the VPC, plus an S3 gateway endpoint.
func endpoints(services ...string) []mocks.Resource {
	out := []mocks.Resource{res(typeSecurityGroup, "endpoints", "sg-vpce", obj{"vpcId": "vpc-1"}),
		res(typeSGIngress, "vpce-in", "sgr-vpce", obj{"securityGroupId": "sg-vpce", "ipProtocol": "tcp", "fromPort": int64(443), "toPort": int64(443), "cidrIpv4": "10.0.0.0/16"}),
		res(typeSGEgress, "tasks-out-vpc", "sgr-vpc", obj{"securityGroupId": "sg-tasks", "ipProtocol": "tcp", "fromPort": int64(443), "toPort": int64(443), "cidrIpv4": "10.0.0.0/16"}),
		res(typeSGEgress, "tasks-out-s3", "sgr-s3", obj{"securityGroupId": "sg-tasks", "ipProtocol": "tcp", "fromPort": int64(443), "toPort": int64(443), "prefixListId": "pl-s3"}),
		res(typeVpcEndpoint, "s3", "vpce-s3", obj{"vpcId": "vpc-1", "serviceName": "com.amazonaws.ap-northeast-1.s3", "routeTableIds": list{"rtb-1"}})}
	for _, s := range services {
		out = append(out, res(typeVpcEndpoint, s, "vpce-"+s, obj{"vpcId": "vpc-1", "serviceName": "com.amazonaws.ap-northeast-1." + s,
			"vpcEndpointType": "Interface", "privateDnsEnabled": true, "subnetIds": list{"subnet-p0"}, "securityGroupIds": list{"sg-vpce"}}))
	}
	return out
}

// noNAT is the network with isolated subnets: no NAT gateway and no 443 to
// the internet.
func (n network) noNAT() []mocks.Resource {
	return without(replace(n.all(), set(n.vpc, "natGateways.strategy", "None")), "tasks-out-443")
}

func tasksReachImageRegistryCase() ruleCase {
	n := newNetwork()
	public := set(n.td, "containerDefinitions", doc(list{obj{"name": "php", "image": "wordpress:6"}}))
	return ruleCase{ok: n.all(), bad: []bad{
		{"no NAT, no endpoints", n.noNAT(), "needs Amazon ECR to pull its images (com.amazonaws.ap-northeast-1.ecr.api)", "news", "networkConfiguration"},
		{"endpoints without ecr.dkr", with(n.noNAT(), endpoints("ecr.api", "logs", "secretsmanager")...), "com.amazonaws.ap-northeast-1.ecr.dkr", "news", "networkConfiguration"},
		{"no egress 443 with NAT", without(n.all(), "tasks-out-443"), "allow no TCP 443 to 0.0.0.0/0", "news", "networkConfiguration"},
		{"Docker Hub image without NAT", replace(with(n.noNAT(), endpoints("ecr.api", "ecr.dkr")...), public), "registry outside ECR", "news", "networkConfiguration"},
	}}
}

func tasksReachLogsCase() ruleCase {
	n := newNetwork()
	private := with(n.noNAT(), endpoints("ecr.api", "ecr.dkr", "logs", "secretsmanager")...)
	noDNS := set(endpoints("logs")[5], "privateDnsEnabled", false)
	return ruleCase{ok: private, bad: []bad{
		{"no NAT, no logs endpoint", n.noNAT(), "needs CloudWatch Logs", "news", "networkConfiguration"},
		{"endpoint without private DNS", replace(private, noDNS), "com.amazonaws.ap-northeast-1.logs with private DNS", "news", "networkConfiguration"},
		{"endpoint group does not admit the tasks", without(private, "vpce-in"), "needs CloudWatch Logs", "news", "networkConfiguration"},
		{"CodeBuild in a VPC", with(n.noNAT(), res(typeCodeBuild, "release", "release", obj{"vpcConfig": obj{"securityGroupIds": list{"sg-tasks"}, "subnets": list{"subnet-p0"}}})), "CodeBuild project release needs CloudWatch Logs", "release", "vpcConfig"},
	}}
}

func tasksReachSecretsCase() ruleCase {
	n := newNetwork()
	private := with(n.noNAT(), endpoints("ecr.api", "ecr.dkr", "logs", "secretsmanager")...)
	return ruleCase{ok: private, bad: []bad{
		{"no NAT, no secretsmanager endpoint", with(n.noNAT(), endpoints("ecr.api", "ecr.dkr", "logs")...), "needs Secrets Manager", "news", "networkConfiguration"},
		{"CodeBuild reading a secret ARN", with(n.noNAT(), res(typeCodeBuild, "release", "release", obj{"vpcConfig": obj{"securityGroupIds": list{"sg-tasks"}, "subnets": list{"subnet-p0"}},
			"environment": obj{"environmentVariables": list{obj{"name": "DB_MASTER_SECRET_ARN", "value": "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:rds!x"}}}})),
			"CodeBuild project release needs Secrets Manager", "release", "vpcConfig"},
	}}
}

func tasksReachEFSCase() ruleCase {
	n := newNetwork()
	return ruleCase{ok: n.all(), bad: []bad{
		{"no egress 2049", without(n.all(), "tasks-out-efs"), "allow no TCP 2049 to the mount targets' groups [sg-efs]", "news", "networkConfiguration"},
		{"mount targets do not admit the tasks", without(n.all(), "efs-in"), "admit no TCP 2049", "news", "networkConfiguration"},
		{"CodeBuild mounting EFS", with(without(n.all(), "efs-in"), res(typeCodeBuild, "release", "release", obj{"vpcConfig": obj{"securityGroupIds": list{"sg-tasks"}, "subnets": list{"subnet-p0"}},
			"fileSystemLocations": list{obj{"type": "EFS", "location": "fs-1.efs.ap-northeast-1.amazonaws.com:/"}}})), "CodeBuild project release mounts fs-1", "release", "vpcConfig"},
	}}
}

func tasksReachDatabaseCase() ruleCase {
	n := newNetwork()
	return ruleCase{ok: n.all(), bad: []bad{
		{"no egress 3306", without(n.all(), "tasks-out-db"), "allow no TCP 3306 to the cluster's groups", "news", "networkConfiguration"},
		{"cluster does not admit the tasks", without(n.all(), "db-in"), "admit no TCP 3306", "news", "networkConfiguration"},
		{"inline rule on the wrong port", replace(without(n.all(), "db-in"), set(n.dbSG, "ingress", list{obj{"protocol": "tcp", "fromPort": int64(5432), "toPort": int64(5432), "securityGroups": list{"sg-tasks"}}})), "admit no TCP 3306", "news", "networkConfiguration"},
	}}
}

func albReachesTargetsCase() ruleCase {
	n := newNetwork()
	return ruleCase{ok: n.all(), bad: []bad{
		{"tasks do not admit the ALB", without(n.all(), "tasks-in-alb"), "admit no TCP 8080 from the load balancer's groups", "news", "loadBalancers[0]"},
		{"ALB group sends nothing (default egress removed)", without(n.all(), "alb-out"), "allow no TCP 8080 out", "news", "loadBalancers[0]"},
	}}
}
