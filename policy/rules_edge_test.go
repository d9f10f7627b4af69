package policy

func prodCloudFrontWAFCase() ruleCase {
	dist := func(stack string, acl any) ar {
		p := obj{"enabled": true}
		if acl != nil {
			p["webAclId"] = acl
		}
		return resIn(stack, typeCloudFrontDistrib, "news", p)
	}
	return ruleCase{
		ok: rs(dist("prod", "arn:aws:wafv2:us-east-1:123456789012:global/webacl/wpfleet-prod/0a1b"), dist("stg", nil), dist("prod", unk)),
		bad: []bad{
			{name: "no web ACL in prod", resources: rs(dist("prod", nil)), want: "no webAclId", at: "news"},
			{name: "empty web ACL in prod", resources: rs(dist("prod", "")), want: "no webAclId"},
		},
	}
}

func albOriginSecretPerSiteCase() ruleCase {
	rule := func(name string, hosts list, secrets any) ar {
		conds := list{obj{"hostHeader": obj{"values": hosts}}}
		if secrets != nil {
			conds = append(conds, obj{"httpHeader": obj{"httpHeaderName": "X-Origin-Verify", "values": secrets}})
		}
		return res(typeLBListenerRule, name, obj{"conditions": conds, "actions": list{obj{"type": "forward", "targetGroupArn": "tg"}}})
	}
	sameSite := func(r ar) ar { r.Parent = "urn:pulumi:prod::wpfleet::wpfleet:components:WordPressSite::news"; return r }
	fixed := res(typeLBListenerRule, "closed", obj{"conditions": list{obj{"pathPattern": obj{"values": list{"/x"}}}},
		"actions": list{obj{"type": "fixed-response"}}})
	return ruleCase{
		ok: rs(sameSite(rule("news-1", list{"news.example.com"}, list{"aaa"})), sameSite(rule("news-2", list{"www.news.example.com"}, list{"aaa"})),
			rule("blog-1", list{"blog.example.com"}, list{"bbb", "ccc"}), fixed, rule("preview", list{"x.example.com"}, unk)),
		bad: []bad{
			{name: "no origin header", resources: rs(rule("news-1", list{"news.example.com"}, nil)), want: "without requiring the X-Origin-Verify header", at: "news-1"},
			{name: "one secret for two sites", resources: rs(rule("news-1", list{"news.example.com"}, list{"same"}), rule("blog-1", list{"blog.example.com"}, list{"same"})),
				want: "shares an origin secret"},
			{name: "three values", resources: rs(rule("news-1", list{"news.example.com"}, list{"a", "b", "c"})), want: "accepts 3 origin secrets"},
		},
	}
}

func ecsExecLoggedCase() ruleCase {
	cluster := func(name string, ec any) ar {
		p := obj{"arn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/" + name}
		if ec != nil {
			p["configuration"] = obj{"executeCommandConfiguration": ec}
		}
		return res(typeECSCluster, name, p)
	}
	logged := obj{"kmsKeyId": "arn:aws:kms:ap-northeast-1:123456789012:key/k", "logging": "OVERRIDE",
		"logConfiguration": obj{"cloudWatchLogGroupName": "/wpfleet/prod/exec", "cloudWatchEncryptionEnabled": true}}
	svc := func(exec bool, c ar) ar {
		return dep(res(typeECSService, "pool", obj{"enableExecuteCommand": exec, "cluster": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/" + c.Name}), "cluster", c)
	}
	good, bare := cluster("good", logged), cluster("bare", nil)
	unencrypted := cluster("plain", obj{"kmsKeyId": "k", "logging": "OVERRIDE", "logConfiguration": obj{"cloudWatchLogGroupName": "/x"}})
	noKey := cluster("nokey", obj{"logging": "OVERRIDE", "logConfiguration": obj{"cloudWatchLogGroupName": "/x", "cloudWatchEncryptionEnabled": true}})
	return ruleCase{
		ok: rs(good, svc(true, good), bare, svc(false, bare)),
		bad: []bad{
			{name: "exec without session logging", resources: rs(bare, svc(true, bare)), want: "does not log sessions", at: "pool"},
			{name: "log group not encrypted", resources: rs(unencrypted, svc(true, unencrypted)), want: "not an encrypted CloudWatch group"},
			{name: "no session key", resources: rs(noKey, svc(true, noKey)), want: "does not encrypt sessions"},
		},
	}
}
