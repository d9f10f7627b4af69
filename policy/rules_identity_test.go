package policy

func containers(defs ...obj) string {
	l := make(list, len(defs))
	for i, d := range defs {
		l[i] = d
	}
	return doc(l)
}

func env(kv ...string) list {
	var out list
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, obj{"name": kv[i], "value": kv[i+1]})
	}
	return out
}

func secretsNotInPlainEnvironmentCase() ruleCase {
	secretArn := "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:wpfleet/prod/news/db-AbCdEf"
	php := func(environment list, secrets list) ar {
		return res(typeECSTaskDefinition, "news", obj{"containerDefinitions": containers(obj{
			"name": "php", "image": "php:1", "environment": environment, "secrets": secrets})})
	}
	goodSecrets := list{
		obj{"name": "DB_PASSWORD", "valueFrom": secretArn + ":password::"},
		obj{"name": "AUTH_KEY", "valueFrom": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:wpfleet/prod/news/salts-XyZ:AUTH_KEY::"},
		obj{"name": "SMTP_PASSWORD", "valueFrom": "arn:aws:ssm:ap-northeast-1:123456789012:parameter/wpfleet/smtp"},
		obj{"name": "API_TOKEN", "valueFrom": "/wpfleet/prod/api-token"},
	}
	goodEnv := env("WP_HOME", "https://news.example.com", "DB_HOST", "db.example", "DB_NAME", "news", "DB_SECRET_ARN", secretArn,
		"S3_UPLOADS_BUCKET", "prod-news-abc", "DISALLOW_FILE_MODS", "true", "WPFLEET_TASK_MEMORY_MIB", "2048")
	build := func(vars ...obj) ar {
		l := make(list, len(vars))
		for i, v := range vars {
			l[i] = v
		}
		return res(typeCodeBuildProject, "release", obj{"environment": obj{"image": "aws/codebuild/standard:7.0", "environmentVariables": l}})
	}
	return ruleCase{
		ok: rs(php(goodEnv, goodSecrets),
			build(obj{"name": "GITHUB_TOKEN", "value": "/ci/github-token", "type": "PARAMETER_STORE"},
				obj{"name": "DOCKERHUB_PASSWORD", "value": "ci/dockerhub:password", "type": "SECRETS_MANAGER"},
				obj{"name": "IMAGE_TAG", "value": "1.0.0"},
				obj{"name": "SITE_SECRET_PREFIX", "value": "wpfleet/prod/", "type": "PLAINTEXT"},
				obj{"name": "GIT_CREDENTIALS_SECRET_ARN", "value": secretArn, "type": "PLAINTEXT"}),
			res(typeLambdaFunction, "fn", obj{"environment": obj{"variables": obj{"TABLE": "t", "SECRET_ARN": secretArn}}}),
			res(typeECSTaskDefinition, "preview", obj{"containerDefinitions": unk})),
		bad: []bad{
			{name: "password in environment", resources: rs(php(env("DB_PASSWORD", "hunter2"), nil)), want: "DB_PASSWORD looks like a credential"},
			{name: "WordPress salt in environment", resources: rs(php(env("NONCE_SALT", "x"), nil)), want: "NONCE_SALT looks like a credential"},
			{name: "AWS keys (ECS.8)", resources: rs(php(env("AWS_ACCESS_KEY_ID", "x", "AWS_SECRET_ACCESS_KEY", "y"), nil)), want: "AWS_SECRET_ACCESS_KEY"},
			{name: "credential value", resources: rs(php(env("UPSTREAM", "key=AKIAIOSFODNN7EXAMPLE"), nil)), want: "the value of environment variable UPSTREAM is a credential"},
			{name: "secret reference to S3", resources: rs(php(nil, list{obj{"name": "DB_PASSWORD", "valueFrom": "arn:aws:s3:::bucket/pw.txt"}})), want: "not a Secrets Manager secret or SSM parameter"},
			{name: "Pulumi secret written into the definitions", resources: rs(res(typeECSTaskDefinition, "news", obj{"containerDefinitions": "[secret]"})), want: "containerDefinitions is a secret value"},
			{name: "CodeBuild plaintext token", resources: rs(build(obj{"name": "GITHUB_TOKEN", "value": "ghp_x", "type": "PLAINTEXT"})), want: "GITHUB_TOKEN looks like a credential"},
			{name: "CodeBuild default type is plaintext", resources: rs(build(obj{"name": "NPM_TOKEN", "value": "x"})), want: "NPM_TOKEN"},
			{name: "Lambda", resources: rs(res(typeLambdaFunction, "fn", obj{"environment": obj{"variables": obj{"API_KEY": "x"}}})), want: "API_KEY"},
		},
	}
}

func iamLeastPrivilegeCase() ruleCase {
	rolePolicy := func(name string, statements ...obj) ar {
		return res(typeIAMRolePolicy, name, obj{"role": "r", "policy": policyDoc(statements...)})
	}
	allow := func(actions any, resources any) obj {
		return obj{"Effect": "Allow", "Action": actions, "Resource": resources}
	}
	exec := rolePolicy("exec",
		allow(list{"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}, list{"*"}),
		allow(list{"logs:CreateLogStream", "logs:PutLogEvents"}, "arn:aws:logs:ap-northeast-1:123456789012:log-group:/wpfleet/prod/news:*"),
		allow("secretsmanager:GetSecretValue", list{"arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:a", "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:b"}),
	)
	task := rolePolicy("task",
		allow(list{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}, "*"),
		allow("logs:DescribeLogGroups", "*"),
		obj{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}}},
	)
	codebuildVPC := rolePolicy("release", allow(list{"ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
		"ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"}, list{"*"}))
	keyPolicy := res(typeKMSKey, "alarms", obj{"enableKeyRotation": true, "policy": policyDoc(obj{"Sid": "AccountAdministersKey", "Effect": "Allow",
		"Principal": obj{"AWS": "arn:aws:iam::123456789012:root"}, "Action": list{"kms:*"}, "Resource": list{"*"}})})
	return ruleCase{
		ok: rs(exec, task, codebuildVPC, keyPolicy,
			res(typeIAMRoleAttachment, "backup", obj{"role": "r", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"}),
			res(typeIAMRole, "role", obj{"inlinePolicies": list{obj{"name": "scoped", "policy": policyDoc(allow("s3:GetObject", "arn:aws:s3:::b/*"))}}}),
			res(typeIAMPolicy, "preview", obj{"policy": unk})),
		bad: []bad{
			{name: "star action", resources: rs(rolePolicy("admin", allow("*", "*"))), want: "wildcard action \"*\"", at: "admin"},
			{name: "service star", resources: rs(rolePolicy("s3", allow("s3:*", "arn:aws:s3:::b/*"))), want: "wildcard action \"s3:*\""},
			{name: "write on every resource", resources: rs(rolePolicy("w", allow("s3:PutObject", "*"))), want: "allows s3:PutObject on every resource"},
			{name: "network interface writes on every resource", resources: rs(rolePolicy("w", allow(list{"ec2:DescribeSubnets", "ec2:CreateNetworkInterface"}, "*"))), want: "ec2:CreateNetworkInterface on every resource"},
			{name: "write on every bucket", resources: rs(rolePolicy("w", allow(list{"s3:GetObject", "s3:PutObject"}, "arn:aws:s3:::*"))), want: "s3:PutObject on every resource"},
			{name: "read pattern on every resource", resources: rs(rolePolicy("w", allow("s3:Get*", "*"))), want: "s3:Get* on every resource"},
			{name: "NotAction", resources: rs(rolePolicy("n", obj{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})), want: "NotAction"},
			{name: "NotResource", resources: rs(rolePolicy("n", obj{"Effect": "Allow", "Action": "s3:DeleteObject", "NotResource": "arn:aws:s3:::keep/*"})), want: "on every resource"},
			{name: "managed policy", resources: rs(res(typeIAMPolicy, "p", obj{"policy": policyDoc(allow("ec2:*", "*"))})), want: "ec2:*"},
			{name: "AdministratorAccess attached", resources: rs(res(typeIAMRoleAttachment, "ci", obj{"role": "ci", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})), want: "attaches arn:aws:iam::aws:policy/AdministratorAccess"},
			{name: "FullAccess on a role", resources: rs(res(typeIAMRole, "ci", obj{"managedPolicyArns": list{"arn:aws:iam::aws:policy/AmazonS3FullAccess"}})), want: "AmazonS3FullAccess"},
			{name: "role inline policy", resources: rs(res(typeIAMRole, "ci", obj{"inlinePolicies": list{obj{"name": "inline", "policy": policyDoc(allow("*", "*"))}}})), want: "inline policy inline: statement"},
		},
	}
}

func iamTrustScopedCase() ruleCase {
	role := func(statements ...obj) ar {
		return res(typeIAMRole, "role", obj{"assumeRolePolicy": policyDoc(statements...)})
	}
	gh := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	oidc := func(cond obj) obj {
		st := obj{"Effect": "Allow", "Principal": obj{"Federated": gh}, "Action": "sts:AssumeRoleWithWebIdentity"}
		if cond != nil {
			st["Condition"] = cond
		}
		return st
	}
	return ruleCase{
		ok: rs(
			role(obj{"Effect": "Allow", "Principal": obj{"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
				"Condition": obj{"StringEquals": obj{"aws:SourceAccount": "123456789012"}}}),
			res(typeIAMRole, "ci", obj{"assumeRolePolicy": policyDoc(oidc(obj{"StringEquals": obj{
				"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
				"token.actions.githubusercontent.com:sub": "repo:wpfleet/wpfleet:ref:refs/heads/main"}}))}),
			res(typeIAMRole, "ci-envs", obj{"assumeRolePolicy": policyDoc(oidc(obj{"StringLike": obj{
				"token.actions.githubusercontent.com:sub": list{"repo:wpfleet/wpfleet:environment:*"}}}))}),
			res(typeIAMRole, "org", obj{"assumeRolePolicy": policyDoc(obj{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
				"Condition": obj{"StringEquals": obj{"aws:PrincipalOrgID": "o-abc123"}}})}),
			res(typeIAMRole, "preview", obj{"assumeRolePolicy": unk}),
		),
		bad: []bad{
			{name: "anyone", resources: rs(role(obj{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})), want: "lets anyone assume the role"},
			{name: "any AWS principal", resources: rs(role(obj{"Effect": "Allow", "Principal": obj{"AWS": list{"*"}}, "Action": "sts:AssumeRole"})), want: "lets anyone"},
			{name: "OIDC without subject", resources: rs(role(oidc(obj{"StringEquals": obj{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}))), want: "without a condition on the token subject"},
			{name: "OIDC any subject", resources: rs(role(oidc(obj{"StringLike": obj{"token.actions.githubusercontent.com:sub": "*"}}))), want: "admits every identity"},
			{name: "OIDC any repository of the owner", resources: rs(role(oidc(obj{"StringLike": obj{"token.actions.githubusercontent.com:sub": "repo:wpfleet/*"}}))), want: "does not name one repository"},
			{name: "OIDC any owner", resources: rs(role(oidc(obj{"StringLike": obj{"token.actions.githubusercontent.com:sub": "repo:*/wpfleet:*"}}))), want: "does not name one repository"},
		},
	}
}
