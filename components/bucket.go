package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// privateBucket describes a bucket of wpfleet's: owner-enforced (ACLs
// disabled), every public access block on, encrypted (SSE-S3 with a bucket
// key), TLS 1.2 or later only.
type privateBucket struct {
	name         string
	tags         map[string]string
	forceDestroy bool
	// extra adds statements to the bucket policy; it gets the bucket's ARN
	// and the resolved values of extraInputs.
	extra       func(arn string, inputs []string) []PolicyStatement
	extraInputs []pulumi.StringInput
	// bucketOpts apply to the bucket itself (protect, retainOnDelete).
	bucketOpts []pulumi.ResourceOption
}

// newPrivateBucket is a bucket for wpfleet's own files.
func newPrivateBucket(ctx *pulumi.Context, name string, tags map[string]string, opts ...pulumi.ResourceOption) (*s3.BucketV2, error) {
	b, _, err := privateBucket{name: name, tags: tags}.create(ctx, opts...)
	return b, err
}

// create registers the bucket, its ownership, public access block,
// encryption and policy; it returns the policy too, for resources that need
// it in place first.
func (p privateBucket) create(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (*s3.BucketV2, *s3.BucketPolicy, error) {
	b, err := s3.NewBucketV2(ctx, p.name, &s3.BucketV2Args{ForceDestroy: pulumi.Bool(p.forceDestroy), Tags: tagInput(p.tags)},
		append(append([]pulumi.ResourceOption{}, opts...), p.bucketOpts...)...)
	if err != nil {
		return nil, nil, err
	}
	if _, err = s3.NewBucketOwnershipControls(ctx, p.name, &s3.BucketOwnershipControlsArgs{
		Bucket: b.ID(), Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...); err != nil {
		return nil, nil, err
	}
	pab, err := s3.NewBucketPublicAccessBlock(ctx, p.name, &s3.BucketPublicAccessBlockArgs{
		Bucket: b.ID(), BlockPublicAcls: pulumi.Bool(true), IgnorePublicAcls: pulumi.Bool(true),
		BlockPublicPolicy: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	if _, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, p.name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256")},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...); err != nil {
		return nil, nil, err
	}
	extra := p.extra
	policy := policyOutput(func(v []string) PolicyDocument {
		arn := v[0]
		st := []PolicyStatement{denyInsecureTransport(arn, arn+"/*"), {
			Sid: "DenyOutdatedTLS", Effect: "Deny", Principal: map[string]any{"AWS": "*"}, Action: []string{"s3:*"},
			Resource:  []string{arn, arn + "/*"},
			Condition: map[string]map[string]any{"NumericLessThan": {"s3:TlsVersion": "1.2"}},
		}}
		if extra != nil {
			st = append(st, extra(arn, v[1:])...)
		}
		return Policy(st...)
	}, append([]pulumi.StringInput{b.Arn}, p.extraInputs...)...)
	bp, err := s3.NewBucketPolicy(ctx, p.name, &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: policy},
		append(opts, pulumi.DependsOn([]pulumi.Resource{pab}))...)
	if err != nil {
		return nil, nil, err
	}
	return b, bp, nil
}
