package preflight

import (
	"regexp"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// vpc-endpoints: VPC endpoints name a service of their own Region, with the
// endpoint type that service offers and what that type needs.
//
// serviceName is com.amazonaws.<region>.<service> for the Region the
// endpoint is created in (an endpoint reaches its own Region's service
// only); gateway endpoints exist for S3 and DynamoDB only, and pulumi-aws
// makes an endpoint a Gateway unless vpcEndpointType says Interface; a
// gateway endpoint takes route tables (no subnets or security groups); an
// interface endpoint takes subnets, at most one per Availability Zone, and
// at most 5 security groups (CreateVpcEndpoint).
// Not checked offline: whether a service offers an interface endpoint in a
// Region (aws ec2 describe-vpc-endpoint-services).
func vpcEndpoints() Rule {
	const (
		create  = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html"
		gateway = "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html"
	)
	return Rule{
		Name:    "vpc-endpoints",
		Doc:     "VPC endpoints: com.amazonaws.<own region>.<service>; Gateway only for s3/dynamodb with route tables; Interface with subnets and at most 5 security groups",
		Sources: []string{create, gateway},
		check: func(g *Graph, rep *report) {
			for _, e := range g.Of(typeVpcEndpoint) {
				svc, ok := text(e.Inputs["serviceName"])
				if !ok {
					continue
				}
				region := g.RegionOf(e)
				m := endpointSvcRe.FindStringSubmatch(svc)
				if m == nil || m[1] != region {
					rep.add(e, "serviceName", svc, create, "an endpoint service is com.amazonaws.%s.<service> (the endpoint's own Region)", region)
				}
				checkEndpointType(rep, e, svc, create, gateway)
			}
		},
	}
}

var endpointSvcRe = regexp.MustCompile(`^com\.amazonaws\.([a-z0-9-]+)\.([a-z0-9.-]+)$`)

// endpointType is an endpoint's type as the provider creates it.
func endpointType(e *mocks.Resource) string {
	if t, ok := text(e.Inputs["vpcEndpointType"]); ok && t != "" {
		return t
	}
	return "Gateway"
}

func checkEndpointType(rep *report, e *mocks.Resource, svc, create, gateway string) {
	short := svc[strings.LastIndex(svc, ".")+1:]
	switch endpointType(e) {
	case "Gateway":
		if short != "s3" && short != "dynamodb" {
			rep.add(e, "vpcEndpointType", "Gateway", gateway, "gateway endpoints exist for s3 and dynamodb only; %s needs vpcEndpointType Interface", svc)
		}
		if len(items(e.Inputs["subnetIds"])) > 0 || len(items(e.Inputs["securityGroupIds"])) > 0 {
			rep.add(e, "subnetIds", e.Inputs["subnetIds"], create, "a gateway endpoint takes route tables, not subnets or security groups")
		}
		if len(items(e.Inputs["routeTableIds"])) == 0 {
			rep.add(e, "routeTableIds", nil, gateway, "a gateway endpoint only carries traffic of the route tables it is associated with")
		}
	case "Interface":
		if len(items(e.Inputs["subnetIds"])) == 0 {
			rep.add(e, "subnetIds", nil, create, "an interface endpoint needs a subnet (one per Availability Zone) to place its network interfaces in")
		}
		if n := len(items(e.Inputs["securityGroupIds"])); n > 5 {
			rep.add(e, "securityGroupIds", n, create, "at most 5 security groups per endpoint network interface")
		}
	}
}
