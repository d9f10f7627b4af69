package tests

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/mocks"
)

// elbLogAccountTokyo is the Elastic Load Balancing account that delivers
// access logs in ap-northeast-1 (ELB user guide, "Enable access logs for
// your Application Load Balancer", bucket policy for regions available
// before August 2022).
const elbLogAccountTokyo = "582318560864"

func TestLoadBalancer(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			args := fleetArgs(t, stack)
			alb := onlyOne(t, res.Resources, "aws:lb/loadBalancer:LoadBalancer", "one ALB for the fleet")
			in := alb.Inputs
			assert.Equal(t, "application", in["loadBalancerType"])
			assert.Equal(t, false, in["internal"])
			assert.Equal(t, true, in["dropInvalidHeaderFields"])
			assert.Equal(t, "defensive", in["desyncMitigationMode"])
			assert.Equal(t, stack == "prod", in["enableDeletionProtection"])
			vpc := onlyOne(t, res.Resources, "awsx:ec2:Vpc", stack)
			assert.Equal(t, vpc.Outputs["publicSubnetIds"], in["subnets"], "internet-facing in the public subnets")

			listeners := res.ByType("aws:lb/listener:Listener")
			require.Len(t, listeners, 1, "HTTPS only: no port-80 listener behind CloudFront")
			https := listeners[0].Inputs
			assert.EqualValues(t, 443, https["port"])
			assert.Equal(t, "HTTPS", https["protocol"])
			assert.Equal(t, components.DefaultSSLPolicy, https["sslPolicy"])
			assert.Equal(t, "fixed-response", at(https, "defaultActions.0.type"))
			assert.Equal(t, "403", at(https, "defaultActions.0.fixedResponse.statusCode"),
				"requests without a site's origin header get a fixed 403")

			// Certificates: every hostname in exactly one, at most 10 names each.
			var certs []mocks.Resource
			for _, c := range res.Descendants(component(t, res, "LoadBalancer", stack).URN) {
				if c.Type == "aws:acm/certificate:Certificate" {
					certs = append(certs, c)
				}
			}
			covered := map[string]int{}
			for _, c := range certs {
				assert.Equal(t, "DNS", c.Inputs["validationMethod"])
				assert.Empty(t, c.Options.Provider, "the ALB's certificates live in the stack's region")
				names := append([]string{str(c.Inputs["domainName"])}, strList(c.Inputs["subjectAlternativeNames"])...)
				assert.LessOrEqual(t, len(names), components.DefaultMaxNamesPerCertificate, "ACM's default quota")
				for _, n := range names {
					covered[n]++
				}
			}
			var hosts []string
			for _, s := range args.Sites {
				hosts = append(hosts, s.Hostnames...)
			}
			for _, h := range hosts {
				assert.Equalf(t, 1, covered[h], "%s is covered by exactly one certificate", h)
			}
			assert.Len(t, covered, len(hosts))
			assert.Equal(t, certs[0].ID, https["certificateArn"], "the first certificate is the listener's default")
			extra := res.ByType("aws:lb/listenerCertificate:ListenerCertificate")
			assert.Len(t, extra, len(certs)-1, "the others are added")
			assert.LessOrEqual(t, len(extra), components.MaxCertificatesPerListener)
			for _, lc := range extra {
				assert.Equal(t, listeners[0].ID, lc.Inputs["listenerArn"])
			}
			// One validation record per hostname; the CloudFront certificates
			// (us-east-1) reuse them: ACM's record for a name is the same in every region.
			validation := 0
			for _, r := range res.ByType("aws:route53/record:Record") {
				if r.Inputs["type"] == "CNAME" {
					validation++
					assert.Equal(t, true, r.Inputs["allowOverwrite"])
				}
			}
			assert.Equal(t, len(hosts), validation)
		})
	}
}

// The ALB's access logs go to a private bucket of their own whose policy lets
// the region's ELB log delivery account write under the alb/ prefix only.
func TestLoadBalancerAccessLogs(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			alb := onlyOne(t, res.Resources, "aws:lb/loadBalancer:LoadBalancer", stack)
			bucket, ok := res.Find("aws:s3/bucketV2:BucketV2", stack+"-logs")
			require.True(t, ok)
			assert.Equal(t, true, at(alb.Inputs, "accessLogs.enabled"))
			assert.Equal(t, bucket.ID, at(alb.Inputs, "accessLogs.bucket"))
			assert.Equal(t, "alb", at(alb.Inputs, "accessLogs.prefix"))
			pol, ok := res.Find("aws:s3/bucketPolicy:BucketPolicy", stack+"-logs")
			require.True(t, ok)
			assert.Contains(t, alb.Dependencies, pol.URN, "ELB checks its write access when logging is turned on")
			doc := jsonInput(t, pol, "policy")
			st := statement(t, doc, "ElbWritesAccessLogs")
			assert.Equal(t, "arn:aws:iam::"+elbLogAccountTokyo+":root", at(st, "Principal.AWS"))
			assert.Equal(t, []any{"s3:PutObject"}, st["Action"])
			assert.Equal(t, []any{str(bucket.Outputs["arn"]) + "/alb/AWSLogs/123456789012/*"}, st["Resource"])
			assert.True(t, deniesInsecureTransport(doc))
			sse, ok := res.Find("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", stack+"-logs")
			require.True(t, ok)
			assert.Equal(t, "AES256", at(sse.Inputs, "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"),
				"SSE-S3: the only encryption ALB log delivery supports")
			lc, ok := res.Find("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", stack+"-logs")
			require.True(t, ok)
			assert.EqualValues(t, fleetArgs(t, stack).AlbAccessLogDays, at(lc.Inputs, "rules.0.expiration.days"))
			assert.Equal(t, stack == "stg", bucket.Inputs["forceDestroy"], "only an unprotected stack may destroy its logs")
		})
	}
}

func TestELBLogDeliveryPrincipal(t *testing.T) {
	assert.Equal(t, map[string]any{"AWS": "arn:aws:iam::" + elbLogAccountTokyo + ":root"}, components.ELBLogDeliveryPrincipal("aws", "ap-northeast-1"))
	assert.Equal(t, map[string]any{"AWS": "arn:aws:iam::127311923021:root"}, components.ELBLogDeliveryPrincipal("aws", "us-east-1"))
	assert.Equal(t, map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
		components.ELBLogDeliveryPrincipal("aws", "ap-southeast-7"), "regions opened after August 2022 deliver as the service")
}

// The free S3 gateway endpoint sits on every route table of the VPC, so
// image layers (served by ECR from S3) and uploads bypass the NAT gateways.
func TestS3GatewayEndpoint(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			ep := onlyOne(t, res.Resources, "aws:ec2/vpcEndpoint:VpcEndpoint", "S3 endpoint")
			vpc := onlyOne(t, res.Resources, "awsx:ec2:Vpc", stack)
			assert.Equal(t, "Gateway", ep.Inputs["vpcEndpointType"])
			assert.Equal(t, "com.amazonaws.ap-northeast-1.s3", ep.Inputs["serviceName"])
			assert.Equal(t, vpc.Outputs["vpcId"], ep.Inputs["vpcId"])
			// The route tables the VPC has, as EC2 answers for it.
			answer, err := mocks.New(res.Project, stack, "ap-northeast-1").Call(pulumi.MockCallArgs{
				Token: "aws:ec2/getRouteTables:getRouteTables",
				Args:  resource.NewPropertyMapFromMap(map[string]any{"vpcId": vpc.Outputs["vpcId"]}),
			})
			require.NoError(t, err)
			assert.Equal(t, mocks.Plain(answer)["ids"], ep.Inputs["routeTableIds"])
			assert.Len(t, ep.Inputs["routeTableIds"], 4, "the public table and a private table per AZ the recorder knows")
		})
	}
}

func TestListenerRulesAndTargetGroups(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res := shippedStack(t, stack)
			index := byURN(res)
			listener := onlyOne(t, res.Resources, "aws:lb/listener:Listener", stack)
			tgOfPool := map[string]any{}
			for pool := range poolSites(t, stack) {
				sp := component(t, res, "SitePool", stack+"-"+pool)
				tgOfPool[pool] = onlyOne(t, res.Descendants(sp.URN), "aws:lb/targetGroup:TargetGroup", pool).Outputs["arn"]
			}
			poolOf := map[string]string{}
			for pool, sites := range poolSites(t, stack) {
				for _, s := range sites {
					poolOf[s] = pool
				}
			}
			priorities := map[any]string{}
			for _, r := range res.ByType("aws:lb/listenerRule:ListenerRule") {
				if other, dup := priorities[r.Inputs["priority"]]; dup {
					t.Errorf("rules %s and %s share priority %v", r.Name, other, r.Inputs["priority"])
				}
				priorities[r.Inputs["priority"]] = r.Name
				assert.Equal(t, listener.ID, r.Inputs["listenerArn"])
				conds := r.Inputs["conditions"].([]any)
				require.Len(t, conds, 2, r.Name)
				hosts := at(conds[0], "hostHeader.values").([]any)
				assert.Equal(t, components.OriginHeaderName, at(conds[1], "httpHeader.httpHeaderName"))
				assert.Equal(t, mocks.SecretPlaceholder, at(conds[1], "httpHeader.values"), "the origin secrets are a secret in state")
				secrets := originSecretsOf(index, r)
				assert.Len(t, secrets, 1, "%s accepts the current origin secret only", r.Name)
				assert.LessOrEqual(t, len(hosts)+2, 5, "ALB rules take at most 5 condition values: room for a rotation")
				site := strings.TrimPrefix(index[r.Parent].Name, stack+"-")
				assert.Equal(t, "forward", at(r.Inputs, "actions.0.type"))
				assert.Equal(t, tgOfPool[poolOf[site]], at(r.Inputs, "actions.0.targetGroupArn"), "%s routes to its pool", site)
			}
			for _, tg := range res.ByType("aws:lb/targetGroup:TargetGroup") {
				in := tg.Inputs
				assert.Equal(t, "ip", in["targetType"])
				assert.Equal(t, "HTTP", in["protocol"])
				assert.EqualValues(t, components.WebPort, in["port"])
				assert.Equal(t, "/healthz", at(in, "healthCheck.path"))
				assert.Equal(t, "200", at(in, "healthCheck.matcher"))
				assert.Equal(t, false, at(in, "stickiness.enabled"), "no stickiness: sessions live in the database")
				assert.EqualValues(t, 35, in["deregistrationDelay"], "request timeout 30 s + 5 s")
				assert.Equal(t, "least_outstanding_requests", in["loadBalancingAlgorithmType"])
			}
		})
	}
}

// Rotating a site's origin secret: with originSecretRotating its rules
// accept the previous generation too, and only that site's secret changes.
func TestOriginSecretRotation(t *testing.T) {
	cfg := copyConfig(stackConfig(t, "stg").Config)
	sites := sitesOf(t, cfg)
	sites[0]["originSecretVersion"] = 2
	sites[0]["originSecretRotating"] = true
	sites[0]["hostnames"] = []any{"a.stg.example.com", "b.stg.example.com", "c.stg.example.com"}
	setSites(t, cfg, sites)
	res, _, err := runConfig("stg", cfg)
	require.NoError(t, err)
	rule, ok := res.Find("aws:lb/listenerRule:ListenerRule", "stg-corporate--rule-1")
	require.True(t, ok)
	index := byURN(res)
	assert.Len(t, originSecretsOf(index, rule), 2, "current and previous generation while rotating")
	assert.Len(t, at(rule.Inputs, "conditions.0.hostHeader.values"), 3)
	gen := map[string]any{}
	for _, p := range res.ByType("random:index/randomPassword:RandomPassword") {
		if strings.HasPrefix(p.Name, "stg-corporate--origin-") {
			gen[p.Name] = at(p.Inputs, "keepers.generation")
		}
	}
	assert.Equal(t, map[string]any{"stg-corporate--origin-0": "2", "stg-corporate--origin-1": "1"}, gen,
		"slot v%2 holds generation v: raising the version regenerates one slot only")
	plain, ok := res.Find("aws:lb/listenerRule:ListenerRule", "stg-engineerblog--rule-1")
	require.True(t, ok)
	assert.Len(t, originSecretsOf(index, plain), 1)
}

// originSecretsOf returns the origin secret generators a listener rule's
// conditions come from (the values themselves are secrets in state).
func originSecretsOf(index map[string]mocks.Resource, rule mocks.Resource) []string {
	var out []string
	for _, urn := range rule.PropertyDependencies["conditions"] {
		if r := index[urn]; r.Type == "random:index/randomPassword:RandomPassword" && strings.Contains(r.Name, "--origin-") {
			out = append(out, r.Name)
		}
	}
	return out
}
