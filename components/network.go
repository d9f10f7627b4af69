package components

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	awsxec2 "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NAT gateway strategies for a new VPC.
const (
	NatOnePerAz = "OnePerAz"
	NatSingle   = "Single"
)

// NetworkArgs configures Network. Either a new VPC is built (the default) or
// an existing one is used when ExistingVpcId is set.
type NetworkArgs struct {
	// Tags for every resource. Required: at least the environment tags.
	Tags map[string]string
	// CidrBlock is the new VPC's IPv4 range. Defaults to "10.0.0.0/16".
	CidrBlock string
	// AvailabilityZoneCount is how many AZs the new VPC spans (2-6): one public
	// and one private subnet in each. Defaults to 3.
	AvailabilityZoneCount int
	// NatGateways is "OnePerAz" (survives an AZ outage) or "Single" (cheaper).
	// Defaults to "OnePerAz".
	NatGateways string
	// ExistingVpcId uses this VPC instead of creating one. Defaults to "" (create).
	ExistingVpcId string
	// ExistingPublicSubnetIds are the existing VPC's public subnets (for the
	// ALB), at least two in different AZs. Required with ExistingVpcId.
	ExistingPublicSubnetIds []string
	// ExistingPrivateSubnetIds are the existing VPC's private subnets with a
	// route to the internet through NAT (for tasks, EFS and the database), at
	// least two. Required with ExistingVpcId.
	ExistingPrivateSubnetIds []string
	// S3GatewayEndpoint adds the (free) S3 gateway endpoint to every route
	// table of the VPC, so that image layers (ECR serves them from S3) and
	// uploads bypass the NAT gateways. Defaults to true for a new VPC and to
	// false for an existing one (which may have its own: a second one for the
	// same route tables is refused by EC2).
	S3GatewayEndpoint *bool
	// InterfaceEndpoints are AWS services reached through interface VPC
	// endpoints in the private subnets instead of NAT, by their short name
	// ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssmmessages", ...).
	// Each costs an hourly fee per AZ. Defaults to none.
	InterfaceEndpoints []string
}

// interfaceEndpointRe is an AWS service's short name in an endpoint service
// name (com.amazonaws.<region>.<service>).
var interfaceEndpointRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,62}$`)

func (a *NetworkArgs) withDefaults() NetworkArgs {
	out := *a
	if out.CidrBlock == "" {
		out.CidrBlock = "10.0.0.0/16"
	}
	if out.AvailabilityZoneCount == 0 {
		out.AvailabilityZoneCount = 3
	}
	if out.NatGateways == "" {
		out.NatGateways = NatOnePerAz
	}
	if out.S3GatewayEndpoint == nil {
		create := out.ExistingVpcId == ""
		out.S3GatewayEndpoint = &create
	}
	return out
}

// Validate checks the arguments (after defaults) without registering anything.
func (a NetworkArgs) Validate() error {
	a = a.withDefaults()
	var c check
	seen := map[string]bool{}
	for _, e := range a.InterfaceEndpoints {
		if !interfaceEndpointRe.MatchString(e) || e == "s3" || seen[e] {
			c.add(invalid("NetworkArgs.InterfaceEndpoints", e, `short AWS service names such as "ecr.api", "logs", each once (S3 is the gateway endpoint)`))
		}
		seen[e] = true
	}
	if a.ExistingVpcId == "" {
		if len(a.ExistingPublicSubnetIds) > 0 || len(a.ExistingPrivateSubnetIds) > 0 {
			c.add(invalid("NetworkArgs.ExistingVpcId", "", "the VPC of ExistingPublicSubnetIds and ExistingPrivateSubnetIds (subnets without their VPC would be ignored and a new VPC built)"))
		}
	}
	if a.ExistingVpcId != "" {
		if !vpcIDRe.MatchString(a.ExistingVpcId) {
			c.add(invalid("NetworkArgs.ExistingVpcId", a.ExistingVpcId, "a VPC ID such as vpc-0123456789abcdef0"))
		}
		for _, l := range []struct {
			field string
			ids   []string
		}{{"ExistingPublicSubnetIds", a.ExistingPublicSubnetIds}, {"ExistingPrivateSubnetIds", a.ExistingPrivateSubnetIds}} {
			for _, id := range l.ids {
				if !subnetIDRe.MatchString(id) {
					c.add(invalid("NetworkArgs."+l.field, id, "subnet IDs such as subnet-0123456789abcdef0"))
				}
			}
		}
		if len(a.ExistingPublicSubnetIds) < 2 {
			c.add(invalid("NetworkArgs.ExistingPublicSubnetIds", a.ExistingPublicSubnetIds,
				"an existing VPC needs at least two public subnet IDs in different AZs (the ALB needs two)"))
		}
		if len(a.ExistingPrivateSubnetIds) < 2 {
			c.add(invalid("NetworkArgs.ExistingPrivateSubnetIds", a.ExistingPrivateSubnetIds,
				"an existing VPC needs at least two private subnet IDs in different AZs"))
		}
		return c.err()
	}
	c.keyed("NetworkArgs.CidrBlock", a.CidrBlock, CheckVpcCidr(a.CidrBlock))
	if a.AvailabilityZoneCount < 2 || a.AvailabilityZoneCount > 6 {
		c.add(invalid("NetworkArgs.AvailabilityZoneCount", a.AvailabilityZoneCount, "2 to 6 availability zones"))
	}
	c.keyed("NetworkArgs.NatGateways", a.NatGateways, CheckNatStrategy(a.NatGateways))
	return c.err()
}

var (
	vpcIDRe    = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetIDRe = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// CheckVpcCidr accepts an IPv4 CIDR block of size /16 to /24 (AWS allows /16
// to /28; each AZ needs room for a public and a private subnet).
func CheckVpcCidr(cidr string) error {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() || p.Masked() != p || p.Bits() < 16 || p.Bits() > 24 {
		return fmt.Errorf("an IPv4 network in CIDR notation from /16 to /24, e.g. 10.0.0.0/16")
	}
	return nil
}

// CheckNatStrategy accepts the NAT gateway strategies a fleet can run with:
// tasks in private subnets need a NAT gateway to pull images and reach AWS APIs.
func CheckNatStrategy(s string) error {
	if s == NatOnePerAz || s == NatSingle {
		return nil
	}
	return fmt.Errorf(`"OnePerAz" or "Single" (private subnets need NAT to pull images and reach AWS APIs)`)
}

// Network is the VPC the fleet runs in: public subnets for the ALB, private
// subnets for tasks, EFS mount targets and the database.
type Network struct {
	pulumi.ResourceState

	// Vpc is the awsx VPC component, or nil when an existing VPC is used.
	Vpc *awsxec2.Vpc
	// VpcId is the VPC's ID.
	VpcId pulumi.StringOutput
	// CidrBlock is the VPC's IPv4 range (the ALB's addresses are in it).
	CidrBlock pulumi.StringOutput
	// PublicSubnetIds are the subnets for internet-facing load balancers.
	PublicSubnetIds pulumi.StringArrayOutput
	// PrivateSubnetIds are the subnets for tasks, EFS and the database.
	PrivateSubnetIds pulumi.StringArrayOutput
	// AvailabilityZones are the private subnets' AZs, in subnet order.
	AvailabilityZones []string
	// PrivateSubnetCount is len(PrivateSubnetIds), known while the program runs.
	PrivateSubnetCount int
	// S3Endpoint is the S3 gateway endpoint (nil without one).
	S3Endpoint *ec2.VpcEndpoint
	// Endpoints are the interface endpoints by service short name.
	Endpoints map[string]*ec2.VpcEndpoint
}

// NewNetwork creates (or adopts) the VPC.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		args = &NetworkArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()

	// Look-ups run before the component is registered so that a region with
	// too few AZs fails with nothing registered.
	var azs []string
	var existingCidr string
	if a.ExistingVpcId == "" {
		avail, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{
			State: pulumi.StringRef("available"),
			Filters: []aws.GetAvailabilityZonesFilter{
				{Name: "opt-in-status", Values: []string{"opt-in-not-required"}},
			},
		})
		if err != nil {
			return nil, fmt.Errorf("listing availability zones: %w", err)
		}
		if len(avail.Names) < a.AvailabilityZoneCount {
			return nil, invalid("NetworkArgs.AvailabilityZoneCount", a.AvailabilityZoneCount,
				"this region has %d availability zones without opt-in: %v", len(avail.Names), avail.Names)
		}
		azs = avail.Names[:a.AvailabilityZoneCount]
	} else {
		vpc, err := ec2.LookupVpc(ctx, &ec2.LookupVpcArgs{Id: pulumi.StringRef(a.ExistingVpcId)})
		if err != nil {
			return nil, fmt.Errorf("looking up VPC %s: %w", a.ExistingVpcId, err)
		}
		existingCidr = vpc.CidrBlock
		for _, id := range a.ExistingPrivateSubnetIds {
			s, err := ec2.LookupSubnet(ctx, &ec2.LookupSubnetArgs{Id: pulumi.StringRef(id)})
			if err != nil {
				return nil, fmt.Errorf("looking up subnet %s: %w", id, err)
			}
			if s.VpcId != a.ExistingVpcId {
				return nil, invalid("NetworkArgs.ExistingPrivateSubnetIds", id, "subnets of VPC %s (this one is in %s)", a.ExistingVpcId, s.VpcId)
			}
			azs = append(azs, s.AvailabilityZone)
		}
	}

	n := &Network{AvailabilityZones: azs}
	if err := ctx.RegisterComponentResource(typePrefix+"Network", name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)

	if a.ExistingVpcId != "" {
		n.VpcId = pulumi.String(a.ExistingVpcId).ToStringOutput()
		n.CidrBlock = pulumi.String(existingCidr).ToStringOutput()
		n.PublicSubnetIds = pulumi.ToStringArray(a.ExistingPublicSubnetIds).ToStringArrayOutput()
		n.PrivateSubnetIds = pulumi.ToStringArray(a.ExistingPrivateSubnetIds).ToStringArrayOutput()
		n.PrivateSubnetCount = len(a.ExistingPrivateSubnetIds)
	} else {
		strategy := awsxec2.NatGatewayStrategyOnePerAz
		if a.NatGateways == NatSingle {
			strategy = awsxec2.NatGatewayStrategySingle
		}
		subnetStrategy := awsxec2.SubnetAllocationStrategyAuto
		vpc, err := awsxec2.NewVpc(ctx, name, &awsxec2.VpcArgs{
			CidrBlock:             pulumi.StringRef(a.CidrBlock),
			AvailabilityZoneNames: azs,
			EnableDnsHostnames:    pulumi.Bool(true),
			EnableDnsSupport:      pulumi.Bool(true),
			NatGateways:           &awsxec2.NatGatewayConfigurationArgs{Strategy: strategy},
			SubnetStrategy:        &subnetStrategy,
			SubnetSpecs: []awsxec2.SubnetSpecArgs{
				{Type: awsxec2.SubnetTypePublic, Name: pulumi.StringRef("public"), Tags: tagInput(withTag(a.Tags, "tier", "public"))},
				{Type: awsxec2.SubnetTypePrivate, Name: pulumi.StringRef("private"), Tags: tagInput(withTag(a.Tags, "tier", "private"))},
			},
			Tags: tagInput(a.Tags),
		}, parent)
		if err != nil {
			return nil, err
		}
		n.Vpc = vpc
		n.VpcId = vpc.VpcId
		n.CidrBlock = pulumi.String(a.CidrBlock).ToStringOutput()
		n.PublicSubnetIds = vpc.PublicSubnetIds
		n.PrivateSubnetIds = vpc.PrivateSubnetIds
		n.PrivateSubnetCount = a.AvailabilityZoneCount
	}

	if err := n.addEndpoints(ctx, name, a, parent); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(n, pulumi.Map{
		"vpcId":            n.VpcId,
		"cidrBlock":        n.CidrBlock,
		"publicSubnetIds":  n.PublicSubnetIds,
		"privateSubnetIds": n.PrivateSubnetIds,
	}); err != nil {
		return nil, err
	}
	return n, nil
}

// addEndpoints creates the S3 gateway endpoint on every route table of the
// VPC and the interface endpoints in the private subnets.
func (n *Network) addEndpoints(ctx *pulumi.Context, name string, a NetworkArgs, parent pulumi.ResourceOption) error {
	region, err := aws.GetRegion(ctx, &aws.GetRegionArgs{})
	if err != nil {
		return fmt.Errorf("looking up the AWS region: %w", err)
	}
	tags := tagInput(a.Tags)
	n.Endpoints = map[string]*ec2.VpcEndpoint{}
	if *a.S3GatewayEndpoint {
		tables := ec2.GetRouteTablesOutput(ctx, ec2.GetRouteTablesOutputArgs{VpcId: n.VpcId}, pulumi.Parent(n))
		n.S3Endpoint, err = ec2.NewVpcEndpoint(ctx, name+"-s3", &ec2.VpcEndpointArgs{
			VpcId:           n.VpcId,
			ServiceName:     pulumi.String("com.amazonaws." + region.Name + ".s3"),
			VpcEndpointType: pulumi.String("Gateway"),
			RouteTableIds:   tables.Ids(),
			Tags:            tagInput(withTag(a.Tags, "Name", name+"-s3")),
		}, parent)
		if err != nil {
			return err
		}
	}
	if len(a.InterfaceEndpoints) == 0 {
		return nil
	}
	sg, err := ec2.NewSecurityGroup(ctx, name+"-endpoints", &ec2.SecurityGroupArgs{
		Description: pulumi.String("wpfleet interface endpoints: HTTPS from the VPC"),
		VpcId:       n.VpcId,
		Tags:        tags,
	}, parent)
	if err != nil {
		return err
	}
	if _, err = vpc.NewSecurityGroupIngressRule(ctx, name+"-endpoints-in-443", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: sg.ID(), IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
		CidrIpv4: n.CidrBlock, Description: pulumi.String("HTTPS from the VPC"), Tags: tags,
	}, parent); err != nil {
		return err
	}
	for _, svc := range a.InterfaceEndpoints {
		ep, err := ec2.NewVpcEndpoint(ctx, name+"-"+strings.ReplaceAll(svc, ".", "-"), &ec2.VpcEndpointArgs{
			VpcId:             n.VpcId,
			ServiceName:       pulumi.String("com.amazonaws." + region.Name + "." + svc),
			VpcEndpointType:   pulumi.String("Interface"),
			SubnetIds:         n.PrivateSubnetIds,
			SecurityGroupIds:  pulumi.StringArray{sg.ID()},
			PrivateDnsEnabled: pulumi.Bool(true),
			Tags:              tagInput(withTag(a.Tags, "Name", name+"-"+svc)),
		}, parent)
		if err != nil {
			return err
		}
		n.Endpoints[svc] = ep
	}
	return nil
}
