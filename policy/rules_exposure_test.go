package policy

func noPublicIngressCase() ruleCase {
	albSG := res(typeSecurityGroup, "alb-sg", obj{"description": "alb"})
	tasksSG := res(typeSecurityGroup, "tasks-sg", obj{"description": "tasks"})
	internalSG := res(typeSecurityGroup, "internal-sg", nil)
	alb := dep(res(typeLB, "alb", obj{"internal": false, "securityGroups": list{"sg-alb"}}), "securityGroups", albSG)
	internal := dep(res(typeLB, "internal", obj{"internal": true, "securityGroups": list{"sg-int"}}), "securityGroups", internalSG)
	in := func(name string, sg ar, p obj) ar {
		p["securityGroupId"] = "sg-" + sg.Name
		return dep(res(typeSGIngressRule, name, p), "securityGroupId", sg)
	}
	world := func(name string, sg ar, port int) ar {
		return in(name, sg, obj{"ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": "0.0.0.0/0"})
	}
	base := rs(albSG, tasksSG, internalSG, alb, internal,
		world("alb-443", albSG, 443), world("alb-80", albSG, 80),
		in("alb-v6", albSG, obj{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv6": "::/0"}),
		in("alb-cloudfront", albSG, obj{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListId": "pl-58a04531"}),
		in("tasks-from-alb", tasksSG, obj{"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "referencedSecurityGroupId": "sg-alb"}),
		in("tasks-from-vpc", tasksSG, obj{"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrIpv4": "10.0.0.0/16"}),
		in("preview", tasksSG, obj{"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrIpv4": unk}),
	)
	return ruleCase{
		ok: base,
		bad: []bad{
			{name: "ssh on the edge", resources: with(base, world("alb-22", albSG, 22)), want: "the edge admits the internet on TCP 80 and 443 only", at: "alb-22"},
			{name: "port range on the edge", resources: with(base, in("alb-range", albSG, obj{"ipProtocol": "tcp", "fromPort": 80, "toPort": 443, "cidrIpv4": "0.0.0.0/0"})), want: "tcp 80-443"},
			{name: "all traffic on the edge", resources: with(base, dep(res(typeSecurityGroupRule, "alb-all", obj{"type": "ingress", "protocol": "-1", "fromPort": 0, "toPort": 0,
				"cidrBlocks": list{"0.0.0.0/0"}, "securityGroupId": "sg-alb"}), "securityGroupId", albSG)), want: "all protocols and ports"},
			{name: "tasks open to the internet", resources: with(base, world("tasks-8080", tasksSG, 8080)), want: "which is not an internet-facing load balancer's security group", at: "tasks-8080"},
			{name: "office IP on tasks", resources: with(base, in("tasks-office", tasksSG, obj{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "203.0.113.7/32"})), want: "admits 203.0.113.7/32"},
			{name: "internal load balancer is no edge", resources: with(base, world("internal-443", internalSG, 443)), want: "not an internet-facing"},
			{name: "inline ingress", resources: with(base, res(typeSecurityGroup, "db-sg", obj{"ingress": list{obj{"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrBlocks": list{"0.0.0.0/0"}}}})), want: "admits 0.0.0.0/0 into db-sg"},
			{name: "prefix list on tasks", resources: with(base, in("tasks-pl", tasksSG, obj{"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "prefixListId": "pl-58a04531"})), want: "admits prefix list pl-58a04531"},
			{name: "group outside the stack", resources: rs(in("elsewhere", res(typeSecurityGroup, "not-in-stack", nil), obj{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"})), want: "not an internet-facing"},
		},
	}
}

func ecsNoPublicIPCase() ruleCase {
	svc := func(v any) ar {
		return res(typeECSService, "svc", obj{"networkConfiguration": obj{"assignPublicIp": v, "subnets": list{"a"}}})
	}
	target := func(v any) ar {
		return res(typeEventTarget, "cron", obj{"ecsTarget": obj{"networkConfiguration": obj{"assignPublicIp": v}}})
	}
	return ruleCase{
		ok: rs(svc(false), target(false), res(typeECSService, "default", obj{"networkConfiguration": obj{"subnets": list{"a"}}}), svc(unk),
			res(typeEventTarget, "lambda-target", obj{"arn": "arn:aws:lambda:x"})),
		bad: []bad{
			{name: "service", resources: rs(svc(true)), want: "assignPublicIp is true"},
			{name: "scheduled task", resources: rs(target(true)), want: "assignPublicIp is true", at: "cron"},
		},
	}
}

func rdsNotPublicCase() ruleCase {
	return ruleCase{
		ok: rs(res(typeRDSClusterInstance, "db-1", obj{"publiclyAccessible": false}), res(typeRDSInstance, "legacy", obj{})),
		bad: []bad{
			{name: "public cluster instance", resources: rs(res(typeRDSClusterInstance, "db-1", obj{"publiclyAccessible": true})), want: "publiclyAccessible is true"},
			{name: "public instance", resources: rs(res(typeRDSInstance, "legacy", obj{"publiclyAccessible": true})), want: "publiclyAccessible"},
		},
	}
}

func s3NoPublicAccessExceptOACCase() ruleCase {
	b := res(typeS3BucketV2, "uploads", nil)
	arn := "arn:aws:s3:::uploads-123"
	pab := func(blockPolicy bool) ar {
		return dep(res(typeS3PublicAccessBlock, "uploads-pab", obj{"bucket": "uploads-123", "blockPublicAcls": true, "ignorePublicAcls": true,
			"blockPublicPolicy": blockPolicy, "restrictPublicBuckets": true}), "bucket", b)
	}
	oac := func(cond obj) obj {
		st := obj{"Sid": "CloudFrontReadsThroughOAC", "Effect": "Allow", "Principal": obj{"Service": "cloudfront.amazonaws.com"},
			"Action": "s3:GetObject", "Resource": arn + "/*"}
		if cond != nil {
			st["Condition"] = cond
		}
		return st
	}
	goodOAC := oac(obj{"StringEquals": obj{"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"}})
	pol := func(statements ...obj) ar {
		return dep(res(typeS3BucketPolicy, "uploads-policy", obj{"bucket": "uploads-123", "policy": policyDoc(append([]obj{tlsDeny(arn, arn+"/*")}, statements...)...)}), "bucket", b)
	}
	vpceOnly := obj{"Sid": "FromEndpoint", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": arn + "/*",
		"Condition": obj{"StringEquals": obj{"aws:SourceVpce": "vpce-1a2b3c4d"}}}
	ok := rs(b, pab(true), pol(goodOAC, vpceOnly),
		dep(res(typeS3OwnershipControls, "uploads-own", obj{"rule": obj{"objectOwnership": "BucketOwnerEnforced"}}), "bucket", b))
	return ruleCase{
		ok: ok,
		bad: []bad{
			{name: "no public access block", resources: rs(b, pol(goodOAC)), want: "no public access block", at: "uploads"},
			{name: "public policies allowed", resources: rs(b, pab(false), pol(goodOAC)), want: "blockPublicPolicy is not true"},
			{name: "public read", resources: rs(b, pab(true), pol(obj{"Sid": "PublicWebsiteRead", "Effect": "Allow", "Principal": obj{"AWS": "*"},
				"Action": list{"s3:GetObject"}, "Resource": list{arn + "/*"}})), want: "\"PublicWebsiteRead\" allows everyone"},
			{name: "OAC without source", resources: rs(b, pab(true), pol(oac(nil))), want: "without an AWS:SourceArn condition"},
			{name: "OAC for any distribution", resources: rs(b, pab(true), pol(oac(obj{"ArnLike": obj{"AWS:SourceArn": "arn:aws:cloudfront::*:distribution/*"}}))), want: "is not one distribution of one account"},
			{name: "NotPrincipal", resources: rs(b, pab(true), pol(obj{"Sid": "AllButMe", "Effect": "Allow", "NotPrincipal": obj{"AWS": "arn:aws:iam::123456789012:root"},
				"Action": "s3:GetObject", "Resource": arn + "/*"})), want: "NotPrincipal"},
			{name: "public ACL", resources: with(ok, dep(res(typeS3AclV2, "uploads-acl", obj{"bucket": "uploads-123", "acl": "public-read"}), "bucket", b)), want: "canned ACL public-read"},
			{name: "grant to AllUsers", resources: with(ok, dep(res(typeS3AclV2, "uploads-acl", obj{"bucket": "uploads-123", "accessControlPolicy": obj{
				"grants": list{obj{"permission": "READ", "grantee": obj{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}}}}), "bucket", b)), want: "grants READ"},
			{name: "website hosting (uploadsWebsite)", resources: with(ok, dep(res(typeS3WebsiteV2, "uploads-web", obj{"bucket": "uploads-123", "indexDocument": obj{"suffix": "index.html"}}), "bucket", b)), want: "static website hosting"},
		},
	}
}

func cloudfrontS3OriginOACCase() ruleCase {
	return ruleCase{
		ok: rs(distribution(nil),
			distribution(func(p obj) { p["origins"].(list)[1].(obj)["domainName"] = unk })),
		bad: []bad{
			{name: "S3 origin without OAC", resources: rs(distribution(func(p obj) { delete(p["origins"].(list)[1].(obj), "originAccessControlId") })), want: "S3 origin uploads has no originAccessControlId"},
			{name: "legacy OAI", resources: rs(distribution(func(p obj) {
				o := p["origins"].(list)[1].(obj)
				delete(o, "originAccessControlId")
				o["s3OriginConfig"] = obj{"originAccessIdentity": "origin-access-identity/cloudfront/E1"}
			})), want: "legacy origin access identity"},
			{name: "global endpoint", resources: rs(distribution(func(p obj) {
				o := p["origins"].(list)[1].(obj)
				delete(o, "originAccessControlId")
				o["domainName"] = "bucket.s3.amazonaws.com"
			})), want: "no originAccessControlId"},
		},
	}
}
