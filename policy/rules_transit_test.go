package policy

func tlsDeny(resources ...string) obj {
	return obj{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": obj{"AWS": "*"}, "Action": list{"*"},
		"Resource": toList(resources), "Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}}}
}

func toList(s []string) list {
	out := make(list, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func efsTLSOnlyCase() ruleCase {
	fs := res(typeEFSFileSystem, "fs", obj{"encrypted": true})
	arn := "arn:aws:elasticfilesystem:ap-northeast-1:123456789012:file-system/fs-1"
	good := dep(res(typeEFSFileSystemPolicy, "fs-policy", obj{"fileSystemId": "fs-1", "policy": policyDoc(tlsDeny(arn))}), "fileSystemId", fs)
	allowOnly := dep(res(typeEFSFileSystemPolicy, "fs-policy", obj{"fileSystemId": "fs-1", "policy": policyDoc(obj{
		"Effect": "Allow", "Principal": obj{"AWS": "arn:aws:iam::123456789012:root"}, "Action": list{"elasticfilesystem:ClientMount"}, "Resource": arn})}), "fileSystemId", fs)
	return ruleCase{
		ok: rs(fs, good, res(typeEFSFileSystem, "preview", nil), dep(res(typeEFSFileSystemPolicy, "preview-policy", obj{"policy": unk}), "fileSystemId", res(typeEFSFileSystem, "preview", nil))),
		bad: []bad{
			{name: "no policy", resources: rs(fs), want: "no file system policy", at: "fs"},
			{name: "policy without TLS deny", resources: rs(fs, allowOnly), want: "does not deny access when aws:SecureTransport is false"},
		},
	}
}

func ecsEFSTransitEncryptionCase() ruleCase {
	td := func(efs obj) ar {
		return res(typeECSTaskDefinition, "site", obj{"volumes": list{obj{"name": "efs", "efsVolumeConfiguration": efs}, obj{"name": "code"}}})
	}
	return ruleCase{
		ok: rs(
			td(obj{"fileSystemId": "fs-1", "transitEncryption": "ENABLED", "authorizationConfig": obj{"accessPointId": "fsap-1", "iam": "ENABLED"}}),
			res(typeECSTaskDefinition, "no-efs", obj{"volumes": list{obj{"name": "scratch"}}}),
			td(obj{"fileSystemId": unk, "transitEncryption": unk, "authorizationConfig": unk}),
		),
		bad: []bad{
			{name: "no TLS", resources: rs(td(obj{"transitEncryption": "DISABLED", "authorizationConfig": obj{"iam": "ENABLED"}})), want: "transitEncryption is \"DISABLED\""},
			{name: "no IAM", resources: rs(td(obj{"transitEncryption": "ENABLED"})), want: "authorizationConfig.iam"},
		},
	}
}

func rdsTLSRequiredCase() ruleCase {
	pg := func(value string) ar {
		return res(typeRDSClusterParameterGroup, "db-params", obj{"family": "aurora-mysql8.0", "parameters": list{
			obj{"name": "slow_query_log", "value": "1"}, obj{"name": "require_secure_transport", "value": value}}})
	}
	cluster := func(group ar) ar {
		return dep(res(typeRDSCluster, "db", obj{"engine": "aurora-mysql", "dbClusterParameterGroupName": "db-params-123"}), "dbClusterParameterGroupName", group)
	}
	pgPostgres := res(typeRDSClusterParameterGroup, "pg-params", obj{"parameters": list{obj{"name": "rds.force_ssl", "value": "1"}}})
	postgres := dep(res(typeRDSCluster, "pg", obj{"engine": "aurora-postgresql", "dbClusterParameterGroupName": "pg-params-1"}), "dbClusterParameterGroupName", pgPostgres)
	namedGroup := res(typeRDSParameterGroup, "mysql-params", obj{"name": "mysql-tls", "parameters": list{obj{"name": "require_secure_transport", "value": "1"}}})
	instance := res(typeRDSInstance, "legacy", obj{"engine": "mysql", "parameterGroupName": "mysql-tls"})
	return ruleCase{
		ok: rs(pg("ON"), cluster(pg("ON")), pgPostgres, postgres, namedGroup, instance,
			res(typeRDSCluster, "external", obj{"engine": "aurora-mysql", "dbClusterParameterGroupName": "managed-elsewhere"}),
			res(typeRDSCluster, "docdb-like", obj{"engine": "neptune"})),
		bad: []bad{
			{name: "default group", resources: rs(res(typeRDSCluster, "db", obj{"engine": "aurora-mysql"})), want: "default parameter group", at: "db"},
			{name: "explicit default group", resources: rs(res(typeRDSCluster, "db", obj{"engine": "aurora-mysql", "dbClusterParameterGroupName": "default.aurora-mysql8.0"})), want: "default parameter group"},
			{name: "TLS off", resources: rs(pg("OFF"), cluster(pg("OFF"))), want: "sets require_secure_transport to \"OFF\""},
			{name: "postgres without force_ssl", resources: rs(res(typeRDSClusterParameterGroup, "pg-params", obj{"parameters": list{}}),
				dep(res(typeRDSCluster, "pg", obj{"engine": "aurora-postgresql", "dbClusterParameterGroupName": "x"}), "dbClusterParameterGroupName",
					res(typeRDSClusterParameterGroup, "pg-params", nil))), want: "rds.force_ssl"},
		},
	}
}

func s3TLSOnlyCase() ruleCase {
	b := res(typeS3BucketV2, "uploads", nil)
	arn := "arn:aws:s3:::uploads-123"
	pol := func(d string) ar {
		return dep(res(typeS3BucketPolicy, "uploads-policy", obj{"bucket": "uploads-123", "policy": d}), "bucket", b)
	}
	legacy := res(typeS3Bucket, "legacy", obj{"policy": policyDoc(tlsDeny("*"))})
	return ruleCase{
		ok: rs(b, pol(policyDoc(tlsDeny(arn, arn+"/*"))), legacy),
		bad: []bad{
			{name: "no policy", resources: rs(b), want: "no bucket policy", at: "uploads"},
			{name: "objects only", resources: rs(b, pol(policyDoc(tlsDeny(arn+"/*")))), want: "does not deny requests without TLS"},
			{name: "TLS deny for some actions only", resources: rs(b, pol(policyDoc(obj{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
				"Resource": list{arn, arn + "/*"}, "Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}}}))), want: "does not deny"},
		},
	}
}

func albTLS12Case() ruleCase {
	l := func(protocol string, policy any) ar {
		p := obj{"protocol": protocol, "port": 443}
		if policy != nil {
			p["sslPolicy"] = policy
		}
		return res(typeLBListener, "https", p)
	}
	return ruleCase{
		ok: rs(l("HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"), l("TLS", "ELBSecurityPolicy-TLS13-1-3-2021-06"),
			res(typeALBListener, "fips", obj{"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"}),
			l("HTTP", nil), l("HTTPS", unk)),
		bad: []bad{
			{name: "no policy", resources: rs(l("HTTPS", nil)), want: "no sslPolicy"},
			{name: "TLS 1.0 policy", resources: rs(l("HTTPS", "ELBSecurityPolicy-2016-08")), want: "accepts TLS versions older than 1.2"},
			{name: "TLS 1.3 family allowing 1.0", resources: rs(l("HTTPS", "ELBSecurityPolicy-TLS13-1-0-2021-06")), want: "older than 1.2"},
		},
	}
}

func albHTTPRedirectsToHTTPSCase() ruleCase {
	redirect := obj{"type": "redirect", "redirect": obj{"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
	forward := obj{"type": "forward", "targetGroupArn": "arn:tg"}
	http := res(typeLBListener, "http", obj{"port": 80, "protocol": "HTTP", "defaultActions": list{redirect}})
	https := res(typeLBListener, "https", obj{"port": 443, "protocol": "HTTPS", "defaultActions": list{obj{"type": "fixed-response"}}})
	ruleOn := func(l ar, action obj) ar {
		return dep(res(typeLBListenerRule, "rule", obj{"listenerArn": "arn:" + l.Name, "actions": list{action}}), "listenerArn", l)
	}
	return ruleCase{
		ok: rs(http, https, ruleOn(https, forward), ruleOn(http, redirect),
			res(typeLBListener, "default-protocol", obj{"port": 80, "defaultActions": list{redirect}})),
		bad: []bad{
			{name: "forwarding HTTP listener", resources: rs(res(typeLBListener, "http", obj{"protocol": "HTTP", "defaultActions": list{forward}})), want: "does not redirect to HTTPS", at: "http"},
			{name: "redirect to HTTP", resources: rs(res(typeLBListener, "http", obj{"defaultActions": list{obj{"type": "redirect", "redirect": obj{"protocol": "HTTP", "host": "x"}}}})), want: "does not redirect"},
			{name: "forward rule on HTTP listener", resources: rs(http, ruleOn(http, forward)), want: "only redirects to HTTPS", at: "rule"},
		},
	}
}

func albDropsInvalidHeadersCase() ruleCase {
	return ruleCase{
		ok: rs(
			res(typeLB, "alb", obj{"loadBalancerType": "application", "dropInvalidHeaderFields": true, "desyncMitigationMode": "defensive"}),
			res(typeALB, "alb2", obj{"dropInvalidHeaderFields": true}),
			res(typeLB, "nlb", obj{"loadBalancerType": "network"}),
		),
		bad: []bad{
			{name: "keeps invalid headers", resources: rs(res(typeLB, "alb", obj{"loadBalancerType": "application"})), want: "dropInvalidHeaderFields is not true"},
			{name: "desync monitor", resources: rs(res(typeLB, "alb", obj{"dropInvalidHeaderFields": true, "desyncMitigationMode": "monitor"})), want: "desyncMitigationMode is \"monitor\""},
		},
	}
}

func distribution(mod func(obj)) ar {
	p := obj{
		"viewerCertificate":    obj{"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/c", "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"},
		"defaultCacheBehavior": obj{"targetOriginId": "alb", "viewerProtocolPolicy": "redirect-to-https"},
		"orderedCacheBehaviors": list{
			obj{"pathPattern": "/wp-admin/*", "targetOriginId": "alb", "viewerProtocolPolicy": "https-only"},
			obj{"pathPattern": "/wp-content/uploads/*", "targetOriginId": "uploads", "viewerProtocolPolicy": "redirect-to-https"},
		},
		"origins": list{
			obj{"originId": "alb", "domainName": "origin.example.com", "customOriginConfig": obj{
				"httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "https-only", "originSslProtocols": list{"TLSv1.2"}}},
			obj{"originId": "uploads", "domainName": "prod-news-abc.s3.ap-northeast-1.amazonaws.com", "originAccessControlId": "oac-1"},
		},
	}
	if mod != nil {
		mod(p)
	}
	return res(typeCloudFrontDistrib, "news", p)
}

func cloudfrontTLSCase() ruleCase {
	return ruleCase{
		ok: rs(distribution(nil),
			distribution(func(p obj) { p["viewerCertificate"].(obj)["minimumProtocolVersion"] = "TLSv1.2_2025" }),
			distribution(func(p obj) { p["viewerCertificate"] = unk; p["origins"] = unk })),
		bad: []bad{
			{name: "default certificate", resources: rs(distribution(func(p obj) { p["viewerCertificate"] = obj{"cloudfrontDefaultCertificate": true} })), want: "default *.cloudfront.net certificate"},
			{name: "TLSv1.2_2019", resources: rs(distribution(func(p obj) { p["viewerCertificate"].(obj)["minimumProtocolVersion"] = "TLSv1.2_2019" })), want: "minimumProtocolVersion is \"TLSv1.2_2019\""},
			{name: "TLSv1 by default", resources: rs(distribution(func(p obj) { delete(p["viewerCertificate"].(obj), "minimumProtocolVersion") })), want: "minimumProtocolVersion is \"\""},
			{name: "allow-all default", resources: rs(distribution(func(p obj) { p["defaultCacheBehavior"].(obj)["viewerProtocolPolicy"] = "allow-all" })), want: "defaultCacheBehavior.viewerProtocolPolicy is \"allow-all\""},
			{name: "allow-all path", resources: rs(distribution(func(p obj) { p["orderedCacheBehaviors"].(list)[1].(obj)["viewerProtocolPolicy"] = "allow-all" })), want: "(/wp-content/uploads/*).viewerProtocolPolicy"},
			{name: "HTTP to origin", resources: rs(distribution(func(p obj) {
				p["origins"].(list)[0].(obj)["customOriginConfig"].(obj)["originProtocolPolicy"] = "http-only"
			})), want: "originProtocolPolicy is http-only"},
			{name: "TLS 1.0 to origin", resources: rs(distribution(func(p obj) {
				p["origins"].(list)[0].(obj)["customOriginConfig"].(obj)["originSslProtocols"] = list{"TLSv1", "TLSv1.2"}
			})), want: "originSslProtocols allows TLSv1"},
		},
	}
}
