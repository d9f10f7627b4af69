// Package mocks runs a Pulumi Go program offline and records the resource
// graph it would create: every registered resource with its type, name,
// parent, inputs and dependencies, plus the stack outputs. No CLI, no cloud,
// no credentials.
//
// Recorder implements pulumi.MockResourceMonitor with AWS-shaped fake
// outputs (IDs, ARNs, endpoints, certificate validation options, awsx VPC
// subnets) and answers the invokes wpfleet uses (caller identity, region,
// partition, availability zones, VPC and subnet look-ups). Use Run to execute
// a program and get the graph back; tests of stacks built from wpfleet's
// components can use it the same way.
package mocks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SecretPlaceholder replaces every secret value in recorded inputs and outputs.
const SecretPlaceholder = "[secret]"

// UnknownPlaceholder stands for a value that is not known yet.
const UnknownPlaceholder = "[unknown]"

// Resource is one registered resource.
type Resource struct {
	URN          string         `json:"urn"`
	Type         string         `json:"type"`
	Name         string         `json:"name"`
	Parent       string         `json:"parent"`
	Custom       bool           `json:"custom"`
	Inputs       map[string]any `json:"inputs"`
	Dependencies []string       `json:"dependencies"`

	// ID is the fake physical ID; Outputs are the fake state returned to the
	// program (not part of the JSON form).
	ID      string         `json:"-"`
	Outputs map[string]any `json:"-"`
	// PropertyDependencies maps each input to the URNs it came from.
	PropertyDependencies map[string][]string `json:"-"`
	// Options holds resource options the engine would act on.
	Options Options `json:"-"`
}

// Options are resource options recorded from the registration.
type Options struct {
	Protect             bool
	RetainOnDelete      bool
	DeleteBeforeReplace bool
	IgnoreChanges       []string
	Provider            string
}

// Recorder is a pulumi.MockResourceMonitor that records every resource.
type Recorder struct {
	// Project and Stack name the program run (they form URNs).
	Project, Stack string
	// Region, AccountID and Partition shape ARNs and invoke answers.
	Region, AccountID, Partition string
	// AvailabilityZones is what getAvailabilityZones returns. Defaults to
	// three zones of Region ("a", "c", "d").
	AvailabilityZones []string
	// VpcCidr is what a VPC look-up returns. Defaults to "10.20.0.0/16".
	VpcCidr string

	mu        sync.Mutex
	resources []Resource
	urns      map[string]bool
	// duplicates are the engine's errors for URNs registered twice, and
	// rejected the refused registrations.
	duplicates []error
	rejected   []Resource
	invokes    []string
	lookups    []Lookup
	lastVpc    string
	subnetAZ   map[string]string
	// providerRegion maps explicit aws providers (by URN) to their region.
	providerRegion map[string]string
}

// New returns a recorder for project and stack in region.
func New(project, stack, region string) *Recorder {
	if region == "" {
		region = "ap-northeast-1"
	}
	return &Recorder{
		Project: project, Stack: stack, Region: region, AccountID: "123456789012", Partition: "aws",
		AvailabilityZones: []string{region + "a", region + "c", region + "d"},
		VpcCidr:           "10.20.0.0/16",
		subnetAZ:          map[string]string{},
		providerRegion:    map[string]string{},
		urns:              map[string]bool{},
	}
}

// regionOf is the region a resource is created in: its explicit aws
// provider's (a provider reference is "<urn>::<id>"), or the stack's.
func (r *Recorder) regionOf(provider string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for urn, region := range r.providerRegion {
		if strings.HasPrefix(provider, urn+"::") {
			return region
		}
	}
	return r.Region
}

// Resources returns the recorded resources sorted by URN.
func (r *Recorder) Resources() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Resource(nil), r.resources...)
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// Invokes returns the tokens of every invoke the program made, in order.
func (r *Recorder) Invokes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.invokes...)
}

// StackURN is the root stack resource's URN.
func (r *Recorder) StackURN() string {
	return string(resource.NewURN(tokens.QName(r.Stack), tokens.PackageName(r.Project), "",
		resource.RootStackType, r.Project+"-"+r.Stack))
}

func (r *Recorder) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.Stack), tokens.PackageName(r.Project), parentType, tokens.Type(typ), name))
}

// NewResource records a registration and returns fake state.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	parent := ""
	var deps []string
	propDeps := map[string][]string{}
	opts := Options{}
	var secretOutputs []string
	if rpc != nil {
		parent = rpc.GetParent()
		deps = append(deps, rpc.GetDependencies()...)
		for k, v := range rpc.GetPropertyDependencies() {
			propDeps[k] = append([]string(nil), v.GetUrns()...)
		}
		opts = Options{
			Protect:             rpc.GetProtect(),
			RetainOnDelete:      rpc.GetRetainOnDelete(),
			DeleteBeforeReplace: rpc.GetDeleteBeforeReplace(),
			IgnoreChanges:       rpc.GetIgnoreChanges(),
			Provider:            rpc.GetProvider(),
		}
		secretOutputs = rpc.GetAdditionalSecretOutputs()
	} else if args.ReadRPC != nil {
		parent = args.ReadRPC.GetParent()
	}
	if parent == "" {
		parent = r.StackURN()
	}
	sort.Strings(deps)
	urn := r.urn(parent, args.TypeToken, args.Name)

	region := r.regionOf(args.Provider)
	if args.TypeToken == "pulumi:providers:aws" {
		if v, ok := args.Inputs["region"]; ok && v.IsString() {
			r.mu.Lock()
			r.providerRegion[urn] = v.StringValue()
			r.mu.Unlock()
		}
	}
	id, outputs := r.fakeState(args.TypeToken, args.Name, urn, region, args.Inputs)
	if args.ID != "" {
		id = args.ID
	}
	for _, k := range secretOutputs {
		if v, ok := outputs[resource.PropertyKey(k)]; ok && !v.IsSecret() {
			outputs[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}
	rec := Resource{
		URN: urn, Type: args.TypeToken, Name: args.Name, Parent: parent, Custom: args.Custom,
		Inputs: Plain(args.Inputs), Dependencies: deps, ID: id, Outputs: Plain(outputs),
		PropertyDependencies: propDeps, Options: opts,
	}
	if rec.Dependencies == nil {
		rec.Dependencies = []string{}
	}
	if err := r.claimURN(urn); err != nil {
		r.mu.Lock()
		r.rejected = append(r.rejected, rec)
		r.mu.Unlock()
		return "", nil, err
	}
	r.mu.Lock()
	r.resources = append(r.resources, rec)
	r.mu.Unlock()
	return id, outputs, nil
}

// Rejected returns the registrations refused for a duplicate URN, as they
// would have been recorded (to show which names they would have taken).
func (r *Recorder) Rejected() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Resource(nil), r.rejected...)
}

// claimURN refuses a URN registered before, as the engine's step generator
// does (pkg/resource/deploy/step_generator.go, generateURN) with the
// diagnostic diag.GetDuplicateResourceURNError: "Duplicate resource URN
// '<urn>'; try giving it a unique name". The error is also kept, so Run
// fails even when the program ignores the failed registration.
func (r *Recorder) claimURN(urn string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urns == nil {
		r.urns = map[string]bool{}
	}
	if r.urns[urn] {
		d := diag.GetDuplicateResourceURNError(resource.URN(urn))
		err := fmt.Errorf(d.Message, urn)
		r.duplicates = append(r.duplicates, err)
		return err
	}
	r.urns[urn] = true
	return nil
}

// DuplicateURNErrors returns the engine's error for every URN registered
// more than once, in registration order.
func (r *Recorder) DuplicateURNErrors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.duplicates...)
}

// Call answers invokes and records each answer (see Lookups).
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	r.invokes = append(r.invokes, args.Token)
	r.mu.Unlock()
	out, err := r.answer(args)
	if err == nil {
		r.mu.Lock()
		r.lookups = append(r.lookups, Lookup{Token: args.Token, Args: Plain(args.Args), Result: Plain(out)})
		r.mu.Unlock()
	}
	return out, err
}

// Lookup is one answered invoke: what the program looked up and what it
// was told (for example a managed prefix list and its maxEntries).
type Lookup struct {
	Token  string
	Args   map[string]any
	Result map[string]any
}

// Lookups returns every answered invoke, in order.
func (r *Recorder) Lookups() []Lookup {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Lookup(nil), r.lookups...)
}

func (r *Recorder) answer(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	in := Plain(args.Args)
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return props(map[string]any{
			"accountId": r.AccountID, "id": r.AccountID, "userId": "AIDAMOCKUSER",
			"arn": fmt.Sprintf("arn:%s:iam::%s:user/preview", r.Partition, r.AccountID),
		}), nil
	case "aws:index/getRegion:getRegion":
		return props(map[string]any{"name": r.Region, "id": r.Region, "region": r.Region,
			"description": r.Region, "endpoint": "ec2." + r.Region + ".amazonaws.com"}), nil
	case "aws:index/getPartition:getPartition":
		return props(map[string]any{"partition": r.Partition, "id": r.Partition, "dnsSuffix": "amazonaws.com",
			"reverseDnsPrefix": "com.amazonaws"}), nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		ids := make([]any, len(r.AvailabilityZones))
		names := make([]any, len(r.AvailabilityZones))
		for i, z := range r.AvailabilityZones {
			names[i] = z
			ids[i] = fmt.Sprintf("apne1-az%d", i+1)
		}
		return props(map[string]any{"id": r.Region, "names": names, "zoneIds": ids, "groupNames": names}), nil
	case "aws:ec2/getVpc:getVpc":
		id, _ := in["id"].(string)
		r.mu.Lock()
		r.lastVpc = id
		r.mu.Unlock()
		return props(map[string]any{"id": id, "cidrBlock": r.VpcCidr, "arn": r.arn("ec2", "vpc/"+id),
			"state": "available", "default": false, "enableDnsHostnames": true, "enableDnsSupport": true}), nil
	case "aws:ec2/getSubnet:getSubnet":
		id, _ := in["id"].(string)
		r.mu.Lock()
		az, ok := r.subnetAZ[id]
		if !ok {
			az = r.AvailabilityZones[len(r.subnetAZ)%len(r.AvailabilityZones)]
			r.subnetAZ[id] = az
		}
		vpc := r.lastVpc
		r.mu.Unlock()
		return props(map[string]any{"id": id, "vpcId": vpc, "availabilityZone": az,
			"arn": r.arn("ec2", "subnet/"+id), "state": "available"}), nil
	case "aws:ec2/getRouteTables:getRouteTables":
		vpc, _ := in["vpcId"].(string)
		h := shortHash(vpc)
		ids := []any{"rtb-pub" + h[:14]}
		for i := range r.AvailabilityZones {
			ids = append(ids, fmt.Sprintf("rtb-prv%d%s", i, h[:13]))
		}
		return props(map[string]any{"id": r.Region, "ids": ids, "vpcId": vpc}), nil
	case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
		name, _ := in["name"].(string)
		// A few of CloudFront's origin-facing ranges stand for the real list.
		entries := []any{
			map[string]any{"cidr": "120.52.22.96/27", "description": ""},
			map[string]any{"cidr": "205.251.249.0/24", "description": ""},
			map[string]any{"cidr": "180.163.57.128/26", "description": ""},
		}
		return props(map[string]any{"id": "pl-58a04531", "name": name, "addressFamily": "IPv4", "maxEntries": 55,
			"entries": entries, "arn": "arn:aws:ec2:" + r.Region + ":aws:prefix-list/pl-58a04531", "ownerId": "AWS", "version": 1}), nil
	case "aws:cloudfront/getCachePolicy:getCachePolicy", "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy",
		"aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy":
		name, _ := in["name"].(string)
		return props(map[string]any{"id": shortHash(args.Token + name), "name": name}), nil
	}
	return nil, fmt.Errorf("mocks: no answer for invoke %s", args.Token)
}

func (r *Recorder) arn(service, res string) string { return r.arnIn(r.Region, service, res) }

func (r *Recorder) arnIn(region, service, res string) string {
	acct := r.AccountID
	switch service {
	case "iam", "route53", "cloudfront":
		region = ""
	case "s3":
		region, acct = "", ""
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.Partition, service, region, acct, res)
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// physicalName is what Pulumi's auto-naming would make of a logical name:
// the name, a hyphen and 7 random characters (here derived from the URN).
// It is never shortened: pulumi-aws does not shorten an auto-name that is
// too long either (its bridge fails with "name '...' plus 7 random chars is
// longer than maximum length N", or AWS refuses the name), so the recorded
// name is the full one and preflight's name rules judge it.
func physicalName(name, urn string) string {
	return name + "-" + shortHash(urn)[:7]
}

func serviceOf(token string) string {
	mod := token
	if parts := strings.Split(token, ":"); len(parts) == 3 {
		mod = strings.Split(parts[1], "/")[0]
	}
	switch mod {
	case "lb", "alb":
		return "elasticloadbalancing"
	case "efs":
		return "elasticfilesystem"
	case "appautoscaling":
		return "application-autoscaling"
	case "cloudwatch":
		if strings.Contains(token, "logGroup") {
			return "logs"
		}
		if strings.Contains(token, "event") {
			return "events"
		}
	}
	return mod
}
