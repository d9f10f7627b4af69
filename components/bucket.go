package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newPrivateBucket is a bucket for wpfleet's own files: owner-enforced,
// every public access block on, encrypted, TLS-only.
func newPrivateBucket(ctx *pulumi.Context, name string, tags map[string]string, opts ...pulumi.ResourceOption) (*s3.BucketV2, error) {
	b, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{Tags: tagInput(tags)}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err = s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: b.ID(), Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...); err != nil {
		return nil, err
	}
	pab, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket: b.ID(), BlockPublicAcls: pulumi.Bool(true), IgnorePublicAcls: pulumi.Bool(true),
		BlockPublicPolicy: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256")},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...); err != nil {
		return nil, err
	}
	policy := policyOutput(func(v []string) PolicyDocument { return Policy(denyInsecureTransport(v[0], v[0]+"/*")) }, b.Arn)
	if _, err = s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: policy},
		append(opts, pulumi.DependsOn([]pulumi.Resource{pab}))...); err != nil {
		return nil, err
	}
	return b, nil
}
