package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newPrivateBucket is a bucket for wpfleet's own files: owner-enforced,
// every public access block on, encrypted, TLS-only.
func newPrivateBucket(ctx *pulumi.Context, name string, tags map[string]string, opts ...pulumi.ResourceOption) (*s3.BucketV2, error) {
	b, _, err := newPrivateBucketWith(ctx, name, tags, false, nil, opts...)
	return b, err
}

// newPrivateBucketWith is newPrivateBucket with statements of its own in
// the bucket policy (extra gets the bucket's ARN) and a choice of
// forceDestroy; it returns the bucket policy too, for resources that need
// it in place first.
func newPrivateBucketWith(ctx *pulumi.Context, name string, tags map[string]string, forceDestroy bool,
	extra func(arn string) []PolicyStatement, opts ...pulumi.ResourceOption) (*s3.BucketV2, *s3.BucketPolicy, error) {
	b, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{ForceDestroy: pulumi.Bool(forceDestroy), Tags: tagInput(tags)}, opts...)
	if err != nil {
		return nil, nil, err
	}
	if _, err = s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: b.ID(), Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...); err != nil {
		return nil, nil, err
	}
	pab, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket: b.ID(), BlockPublicAcls: pulumi.Bool(true), IgnorePublicAcls: pulumi.Bool(true),
		BlockPublicPolicy: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	if _, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256")},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...); err != nil {
		return nil, nil, err
	}
	policy := policyOutput(func(v []string) PolicyDocument {
		st := []PolicyStatement{denyInsecureTransport(v[0], v[0]+"/*")}
		if extra != nil {
			st = append(st, extra(v[0])...)
		}
		return Policy(st...)
	}, b.Arn)
	bp, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: policy},
		append(opts, pulumi.DependsOn([]pulumi.Resource{pab}))...)
	if err != nil {
		return nil, nil, err
	}
	return b, bp, nil
}
