package mocks

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// albZoneIDs are the canonical hosted zone IDs of ALBs per region (alias targets).
var albZoneIDs = map[string]string{
	"ap-northeast-1": "Z14GRHDCWA56QT",
	"us-east-1":      "Z35SXDOTRQ7X7K",
	"us-west-2":      "Z1H1FL5HABSF5",
	"eu-west-1":      "Z32O12XQLNTSW2",
}

// fakeState returns the ID and outputs a provider would: the inputs plus the
// computed properties wpfleet reads, shaped like AWS's.
func (r *Recorder) fakeState(token, name, urn, region string, inputs resource.PropertyMap) (string, resource.PropertyMap) {
	out := inputs.Copy()
	arn := func(service, res string) string { return r.arnIn(region, service, res) }
	h := shortHash(urn)
	pname := physicalName(name, urn)
	set := func(k string, v any) { out[resource.PropertyKey(k)] = resource.NewPropertyValue(v) }
	get := func(k string) string {
		if v, ok := inputs[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	setIfAbsent := func(k string, v any) {
		if _, ok := out[resource.PropertyKey(k)]; !ok {
			set(k, v)
		}
	}
	if tags, ok := inputs["tags"]; ok {
		out["tagsAll"] = tags
	}
	svc := serviceOf(token)
	id := name + "-" + h[:8]

	switch token {
	case "awsx:ec2:Vpc":
		n := 3
		if v, ok := inputs["availabilityZoneNames"]; ok && v.IsArray() {
			n = len(v.ArrayValue())
		} else if v, ok := inputs["numberOfAvailabilityZones"]; ok && v.IsNumber() {
			n = int(v.NumberValue())
		}
		vpcID := "vpc-" + h[:17]
		var pub, priv []any
		for i := 0; i < n; i++ {
			pub = append(pub, fmt.Sprintf("subnet-pub%d%s", i, h[:12]))
			priv = append(priv, fmt.Sprintf("subnet-prv%d%s", i, h[:12]))
		}
		set("vpcId", vpcID)
		set("publicSubnetIds", pub)
		set("privateSubnetIds", priv)
		set("isolatedSubnetIds", []any{})
		return vpcID, out
	case "aws:ec2/securityGroup:SecurityGroup":
		id = "sg-" + h[:17]
		setIfAbsent("name", pname)
		set("arn", arn("ec2", "security-group/"+id))
	case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
		id = "sgr-" + h[:17]
		set("arn", arn("ec2", "security-group-rule/"+id))
	case "aws:efs/fileSystem:FileSystem":
		id = "fs-" + h[:17]
		set("arn", arn("elasticfilesystem", "file-system/"+id))
		set("dnsName", id+".efs."+region+".amazonaws.com")
	case "aws:efs/accessPoint:AccessPoint":
		id = "fsap-" + h[:17]
		set("arn", arn("elasticfilesystem", "access-point/"+id))
	case "aws:efs/mountTarget:MountTarget":
		id = "fsmt-" + h[:17]
	case "aws:lb/loadBalancer:LoadBalancer":
		lbName := firstNonEmpty(get("name"), pname)
		suffix := "app/" + lbName + "/" + h[:16]
		set("name", lbName)
		set("arn", arn("elasticloadbalancing", "loadbalancer/"+suffix))
		set("arnSuffix", suffix)
		set("dnsName", fmt.Sprintf("%s-%s.%s.elb.amazonaws.com", lbName, h[:9], region))
		set("zoneId", firstNonEmpty(albZoneIDs[region], "Z14GRHDCWA56QT"))
		id = arn("elasticloadbalancing", "loadbalancer/"+suffix)
	case "aws:lb/targetGroup:TargetGroup":
		tgName := firstNonEmpty(get("name"), pname)
		suffix := "targetgroup/" + tgName + "/" + h[:16]
		set("name", tgName)
		set("arn", arn("elasticloadbalancing", suffix))
		set("arnSuffix", suffix)
		id = arn("elasticloadbalancing", suffix)
	case "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule":
		id = arn("elasticloadbalancing", "listener/app/"+h[:16])
		set("arn", id)
	case "aws:acm/certificate:Certificate":
		var names []string
		if d := get("domainName"); d != "" {
			names = append(names, d)
		}
		if v, ok := inputs["subjectAlternativeNames"]; ok && v.IsArray() {
			for _, s := range v.ArrayValue() {
				if s.IsString() {
					names = append(names, s.StringValue())
				}
			}
		}
		var opts []any
		for _, n := range names {
			nh := shortHash(n)
			opts = append(opts, map[string]any{
				"domainName":          n,
				"resourceRecordName":  "_" + nh[:32] + "." + n + ".",
				"resourceRecordType":  "CNAME",
				"resourceRecordValue": "_" + nh[32:64] + ".acm-validations.aws.",
			})
		}
		set("domainValidationOptions", opts)
		set("status", "PENDING_VALIDATION")
		id = arn("acm", "certificate/"+h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:32])
		set("arn", id)
	case "aws:acm/certificateValidation:CertificateValidation":
		id = get("certificateArn")
	case "aws:route53/record:Record":
		set("fqdn", strings.TrimSuffix(get("name"), "."))
		id = get("zoneId") + "_" + get("name") + "_" + get("type")
	case "aws:cloudformation/stack:Stack":
		// The template's outputs, with values shaped like what its resources
		// return: a WAFv2 web ACL's ARN for Fn::GetAtt [X, Arn] of a WebACL.
		outs := map[string]any{}
		var tmpl struct {
			Resources map[string]struct{ Type string } `json:"Resources"`
			Outputs   map[string]struct {
				Value map[string][]string `json:"Value"`
			} `json:"Outputs"`
		}
		stackName := firstNonEmpty(get("name"), pname)
		if json.Unmarshal([]byte(get("templateBody")), &tmpl) == nil {
			for k, o := range tmpl.Outputs {
				ref := o.Value["Fn::GetAtt"]
				v := stackName + "-" + k
				if len(ref) == 2 && ref[1] == "Arn" && tmpl.Resources[ref[0]].Type == "AWS::WAFv2::WebACL" {
					v = r.arnIn(region, "wafv2", "global/webacl/"+stackName+"/"+h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:32])
				} else if len(ref) == 2 && ref[1] == "Arn" {
					v = r.arnIn(region, "cloudformation", "stack/"+stackName+"/"+k)
				}
				outs[k] = v
			}
		}
		set("outputs", outs)
		id = r.arnIn(region, "cloudformation", "stack/"+stackName+"/"+h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:32])
	case "aws:rds/cluster:Cluster":
		cid := firstNonEmpty(get("clusterIdentifier"), pname)
		id = cid
		set("clusterIdentifier", cid)
		set("arn", arn("rds", "cluster:"+cid))
		set("endpoint", fmt.Sprintf("%s.cluster-%s.%s.rds.amazonaws.com", cid, h[:12], region))
		set("readerEndpoint", fmt.Sprintf("%s.cluster-ro-%s.%s.rds.amazonaws.com", cid, h[:12], region))
		set("port", 3306)
		set("masterUserSecrets", []any{map[string]any{
			"secretArn":    arn("secretsmanager", "secret:rds!cluster-"+h[:8]+"-"+h[8:14]),
			"secretStatus": "active",
			"kmsKeyId":     arn("kms", "key/aws-secretsmanager"),
		}})
	case "aws:rds/clusterInstance:ClusterInstance":
		iid := firstNonEmpty(get("identifier"), pname)
		id = iid
		set("identifier", iid)
		set("arn", arn("rds", "db:"+iid))
		set("endpoint", fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", iid, h[:12], region))
	case "aws:s3/bucketV2:BucketV2":
		b := firstNonEmpty(get("bucket"), strings.ToLower(pname))
		id = b
		set("bucket", b)
		set("arn", arn("s3", b))
		set("bucketDomainName", b+".s3.amazonaws.com")
		set("bucketRegionalDomainName", b+".s3."+region+".amazonaws.com")
	case "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2":
		set("websiteEndpoint", get("bucket")+".s3-website-"+region+".amazonaws.com")
	case "aws:ecs/cluster:Cluster":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = arn("ecs", "cluster/"+n)
		set("arn", id)
	case "aws:ecs/taskDefinition:TaskDefinition":
		family := get("family")
		set("revision", 1)
		set("arnWithoutRevision", arn("ecs", "task-definition/"+family))
		id = family
		set("arn", arn("ecs", "task-definition/"+family+":1"))
	case "aws:ecs/service:Service":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = arn("ecs", "service/"+n)
	case "aws:iam/role:Role":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		set("arn", arn("iam", "role/"+n))
		set("uniqueId", "AROA"+strings.ToUpper(h[:17]))
		id = n
	case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
		u := strings.TrimPrefix(get("url"), "https://")
		id = arn("iam", "oidc-provider/"+u)
		set("arn", id)
	case "aws:secretsmanager/secret:Secret":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = arn("secretsmanager", "secret:"+n+"-"+h[:6])
		set("arn", id)
	case "aws:kms/key:Key":
		kid := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		id = kid
		set("keyId", kid)
		set("arn", arn("kms", "key/"+kid))
	case "aws:cloudwatch/logGroup:LogGroup":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = n
		set("arn", arn("logs", "log-group:"+n))
	case "aws:cloudwatch/eventRule:EventRule":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = n
		set("arn", arn("events", "rule/"+n))
	case "aws:sns/topic:Topic":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = arn("sns", n)
		set("arn", id)
	case "aws:codebuild/project:Project":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = n
		set("arn", arn("codebuild", "project/"+n))
	case "aws:cloudfront/distribution:Distribution":
		id = "E" + strings.ToUpper(h[:13])
		set("arn", arn("cloudfront", "distribution/"+id))
		set("domainName", "d"+h[:13]+".cloudfront.net")
		set("hostedZoneId", "Z2FDTNDATAQYW2")
	case "aws:backup/vault:Vault", "aws:backup/plan:Plan":
		n := firstNonEmpty(get("name"), pname)
		set("name", n)
		id = n
		set("arn", arn("backup", "backup-vault:"+n))
	case "random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString":
		length := 16
		if v, ok := inputs["length"]; ok && v.IsNumber() {
			length = int(v.NumberValue())
		}
		set("result", fakePassword(urn, length))
		set("bcryptHash", "$2a$10$"+h[:53])
		id = "none"
	}
	if _, ok := out["arn"]; !ok && strings.HasPrefix(token, "aws:") {
		set("arn", arn(svc, strings.ToLower(token[strings.LastIndex(token, ":")+1:])+"/"+pname))
	}
	setIfAbsent("id", id)
	if _, ok := inputs["name"]; !ok && strings.HasPrefix(token, "aws:") {
		setIfAbsent("name", pname)
	}
	return id, out
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// fakePassword is deterministic, so previews are stable.
func fakePassword(seed string, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for b.Len() < n {
		h := shortHash(seed + fmt.Sprint(b.Len()))
		for i := 0; i < len(h) && b.Len() < n; i += 2 {
			b.WriteByte(alphabet[(int(h[i])*7+int(h[i+1]))%len(alphabet)])
		}
	}
	return b.String()
}
