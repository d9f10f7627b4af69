package mocks

import (
	"bytes"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlain(t *testing.T) {
	m := resource.PropertyMap{
		"s":      resource.NewStringProperty("x"),
		"n":      resource.NewNumberProperty(3),
		"f":      resource.NewNumberProperty(0.5),
		"secret": resource.MakeSecret(resource.NewStringProperty("hunter2")),
		"nested": resource.NewObjectProperty(resource.PropertyMap{"pw": resource.MakeSecret(resource.NewStringProperty("p"))}),
		"list":   resource.NewArrayProperty([]resource.PropertyValue{resource.NewBoolProperty(true), resource.MakeComputed(resource.NewStringProperty(""))}),
		"null":   resource.NewNullProperty(),
	}
	assert.Equal(t, map[string]any{
		"s": "x", "n": int64(3), "f": 0.5, "secret": SecretPlaceholder,
		"nested": map[string]any{"pw": SecretPlaceholder}, "list": []any{true, UnknownPlaceholder}, "null": nil,
	}, Plain(m))
}

func TestRunRecordsResourcesAndOutputs(t *testing.T) {
	res, err := Run("p", "s", map[string]string{"aws:region": "us-east-1"}, nil, func(ctx *pulumi.Context) error {
		b, err := s3.NewBucketV2(ctx, "uploads", &s3.BucketV2Args{Tags: pulumi.StringMap{"a": pulumi.String("b")}})
		if err != nil {
			return err
		}
		id, err := aws.GetCallerIdentity(ctx, nil)
		if err != nil {
			return err
		}
		ctx.Export("bucket", b.Bucket)
		ctx.Export("account", pulumi.String(id.AccountId))
		ctx.Export("hidden", pulumi.ToSecret(pulumi.String("x")))
		return nil
	})
	require.NoError(t, err)
	require.Len(t, res.Resources, 1)
	r := res.Resources[0]
	assert.Equal(t, "urn:pulumi:s::p::aws:s3/bucketV2:BucketV2::uploads", r.URN)
	assert.Equal(t, "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", r.Parent)
	assert.True(t, r.Custom)
	assert.Equal(t, map[string]any{"a": "b"}, r.Inputs["tags"])
	assert.Regexp(t, `^uploads-[0-9a-f]{7}$`, res.Outputs["bucket"], "auto-named like Pulumi does")
	assert.Equal(t, "123456789012", res.Outputs["account"])
	assert.Equal(t, SecretPlaceholder, res.Outputs["hidden"])
	assert.Equal(t, "arn:aws:s3:::"+res.Outputs["bucket"].(string), r.Outputs["arn"])

	var out bytes.Buffer
	require.NoError(t, res.WriteTree(&out))
	assert.Contains(t, out.String(), "└─ aws:s3/bucketV2:BucketV2")
	assert.Contains(t, out.String(), "+ 1 to create")
}

func TestUnknownInvokeFails(t *testing.T) {
	_, err := Run("p", "s", nil, nil, func(ctx *pulumi.Context) error {
		_, err := aws.GetBillingServiceAccount(ctx, nil)
		return err
	})
	assert.ErrorContains(t, err, "mocks: no answer for invoke aws:index/getBillingServiceAccount:getBillingServiceAccount")
}

func TestProgramErrorIsReturned(t *testing.T) {
	_, err := Run("p", "s", nil, nil, func(ctx *pulumi.Context) error { return assert.AnError })
	assert.ErrorIs(t, err, assert.AnError)
}

// The engine refuses a second registration of the same URN; so does Run,
// with the engine's wording, even when the program ignores the error.
func TestDuplicateURNFailsLikeTheEngine(t *testing.T) {
	rec := New("p", "s", "us-east-1")
	_, err := rec.Run(nil, nil, func(ctx *pulumi.Context) error {
		if _, err := s3.NewBucketV2(ctx, "uploads", nil); err != nil {
			return err
		}
		_, _ = s3.NewBucketV2(ctx, "uploads", nil) // error ignored on purpose
		return nil
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(),
		"Duplicate resource URN 'urn:pulumi:s::p::aws:s3/bucketV2:BucketV2::uploads'; try giving it a unique name")
	assert.Len(t, rec.DuplicateURNErrors(), 1)
	assert.Len(t, rec.Resources(), 1, "the first registration stands, as in the engine")
	require.Len(t, rec.Rejected(), 1, "the refused one is kept aside, to show the names it would take")
	assert.Equal(t, rec.Resources()[0].URN, rec.Rejected()[0].URN)
}

// The same name with another type is another URN, so it is accepted.
func TestSameNameOtherTypeIsAccepted(t *testing.T) {
	_, err := Run("p", "s", nil, nil, func(ctx *pulumi.Context) error {
		if _, err := s3.NewBucketV2(ctx, "uploads", nil); err != nil {
			return err
		}
		_, err := s3.NewBucketPolicy(ctx, "uploads", &s3.BucketPolicyArgs{Bucket: pulumi.String("b"), Policy: pulumi.String("{}")})
		return err
	})
	require.NoError(t, err)
}

// Long auto-names are recorded whole (pulumi-aws does not shorten them).
func TestAutoNamesAreNotShortened(t *testing.T) {
	long := "a-logical-name-longer-than-thirty-two"
	res, err := Run("p", "s", nil, nil, func(ctx *pulumi.Context) error {
		_, err := lb.NewTargetGroup(ctx, long, &lb.TargetGroupArgs{})
		return err
	})
	require.NoError(t, err)
	assert.Regexp(t, "^"+long+"-[0-9a-f]{7}$", res.Resources[0].Outputs["name"])
}
