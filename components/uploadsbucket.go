package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/image"
)

// UploadsBucketArgs configures UploadsBucket.
type UploadsBucketArgs struct {
	// Site whose wp-content/uploads the bucket holds. Required.
	Site string
	// Tags for every resource. Required: at least the environment and site tags.
	Tags map[string]string
	// NoncurrentVersionDays keeps overwritten or deleted uploads this many
	// days before they expire (1-3650). Defaults to 30.
	NoncurrentVersionDays int
	// ForceDestroy lets `pulumi destroy` delete a bucket that still holds
	// objects. Defaults to false.
	ForceDestroy bool
	// CloudFrontDistributionArn, when set, lets that distribution (and only
	// it) read objects through origin access control. Defaults to nil.
	CloudFrontDistributionArn pulumi.StringInput
	// Protect marks the bucket protect and retainOnDelete: Pulumi refuses to
	// delete it, and leaves it in the account if it leaves the program.
	// Defaults to false.
	Protect bool
}

func (a UploadsBucketArgs) withDefaults() UploadsBucketArgs {
	if a.NoncurrentVersionDays == 0 {
		a.NoncurrentVersionDays = 30
	}
	return a
}

// Validate checks the arguments (after defaults) without registering anything.
func (a UploadsBucketArgs) Validate() error {
	a = a.withDefaults()
	var c check
	c.keyed("UploadsBucketArgs.Site", a.Site, CheckSiteName(a.Site))
	if a.NoncurrentVersionDays < 1 || a.NoncurrentVersionDays > 3650 {
		c.add(invalid("UploadsBucketArgs.NoncurrentVersionDays", a.NoncurrentVersionDays, "1 to 3650 days"))
	}
	return c.err()
}

// UploadsBucket is one site's bucket for wp-content/uploads: encrypted,
// versioned, private (all four public access blocks), TLS-only, objects owned
// by the bucket owner (ACLs disabled). Objects are stored under the keys the
// site's URLs use (UploadsKeyPrefix + "/uploads/..."), so CloudFront's
// /wp-content/uploads/* behaviour reads them through origin access control
// with no path rewriting.
type UploadsBucket struct {
	pulumi.ResourceState

	Bucket *s3.BucketV2
	// BucketName and Arn identify the bucket.
	BucketName pulumi.StringOutput
	Arn        pulumi.StringOutput
	// RegionalDomainName is the bucket's regional endpoint (a CloudFront origin).
	RegionalDomainName pulumi.StringOutput
	// ReadWritePolicy is an IAM policy document granting what the uploads
	// plugin does on this bucket's uploads and nothing else: attach it to the
	// role of the tasks that serve the site.
	ReadWritePolicy pulumi.StringOutput
}

// UploadsKeyPrefix is where uploads live in the bucket: the URL path
// /wp-content/uploads/x maps to the key wp-content/uploads/x (S3-Uploads is
// given the bucket as "<bucket>/wp-content").
const UploadsKeyPrefix = "wp-content"

// UploadsGrant is what the tasks serving a site may do on its bucket: the S3
// actions the uploads plugin (humanmade/S3-Uploads, as the php image pins
// it) performs, read from the image's own list (image/php/s3-uploads).
var UploadsGrant = mustUploadsGrant()

func mustUploadsGrant() image.S3UploadsGrant {
	g, err := image.S3Uploads()
	if err != nil {
		panic(err) // the embedded list is checked by image's tests
	}
	return g
}

// BucketReadWritePolicy is the least-privilege policy the tasks serving a site
// need on its bucket: the plugin's object actions under the uploads prefix,
// and its bucket actions limited to listing that prefix.
func BucketReadWritePolicy(bucketArn string) PolicyDocument {
	return Policy(
		PolicyStatement{
			Sid:       "ListUploads",
			Effect:    "Allow",
			Action:    UploadsGrant.BucketActions,
			Resource:  []string{bucketArn},
			Condition: map[string]map[string]any{"StringLikeIfExists": {"s3:prefix": []string{UploadsGrant.KeyPrefix + "*"}}},
		},
		PolicyStatement{
			Sid:      "ReadWriteUploads",
			Effect:   "Allow",
			Action:   UploadsGrant.ObjectActions,
			Resource: []string{bucketArn + "/" + UploadsGrant.KeyPrefix + "*"},
		},
	)
}

// NewUploadsBucket creates the bucket and its configuration.
func NewUploadsBucket(ctx *pulumi.Context, name string, args *UploadsBucketArgs, opts ...pulumi.ResourceOption) (*UploadsBucket, error) {
	if args == nil {
		args = &UploadsBucketArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := args.withDefaults()
	u := &UploadsBucket{}
	if err := ctx.RegisterComponentResource(typePrefix+"UploadsBucket", name, u, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(u)
	var err error
	u.Bucket, err = s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		ForceDestroy: pulumi.Bool(a.ForceDestroy),
		Tags:         tagInput(a.Tags),
	}, parent, pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.Protect))
	if err != nil {
		return nil, err
	}
	u.BucketName = u.Bucket.Bucket
	u.Arn = u.Bucket.Arn
	u.RegionalDomainName = u.Bucket.BucketRegionalDomainName

	if _, err = s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: u.Bucket.ID(),
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return nil, err
	}
	publicAccess, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                u.Bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: u.Bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{
			s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
				ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
					SseAlgorithm: pulumi.String("AES256"),
				},
				BucketKeyEnabled: pulumi.Bool(true),
			},
		},
	}, parent); err != nil {
		return nil, err
	}
	versioning, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  u.Bucket.ID(),
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err = s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: u.Bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("expire-noncurrent-versions"),
				Status: pulumi.String("Enabled"),
				Filter: s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
				NoncurrentVersionExpiration: s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
					NoncurrentDays: pulumi.Int(a.NoncurrentVersionDays),
				},
				AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(7),
				},
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{versioning})); err != nil {
		return nil, err
	}

	policyInputs := []pulumi.StringInput{u.Bucket.Arn}
	if a.CloudFrontDistributionArn != nil {
		policyInputs = append(policyInputs, a.CloudFrontDistributionArn)
	}
	bucketPolicy := policyOutput(func(v []string) PolicyDocument {
		arn := v[0]
		statements := []PolicyStatement{
			denyInsecureTransport(arn, arn+"/*"),
			{
				Sid:       "DenyOutdatedTLS",
				Effect:    "Deny",
				Principal: map[string]any{"AWS": "*"},
				Action:    []string{"s3:*"},
				Resource:  []string{arn, arn + "/*"},
				Condition: map[string]map[string]any{"NumericLessThan": {"s3:TlsVersion": "1.2"}},
			},
		}
		if len(v) > 1 {
			statements = append(statements, PolicyStatement{
				Sid:       "CloudFrontReadsThroughOAC",
				Effect:    "Allow",
				Principal: map[string]any{"Service": "cloudfront.amazonaws.com"},
				Action:    []string{"s3:GetObject"},
				Resource:  []string{arn + "/" + UploadsKeyPrefix + "/uploads/*"},
				Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": v[1]}},
			})
		}
		return Policy(statements...)
	}, policyInputs...)
	if _, err = s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: u.Bucket.ID(),
		Policy: bucketPolicy,
	}, parent, pulumi.DependsOn([]pulumi.Resource{publicAccess})); err != nil {
		return nil, err
	}
	u.ReadWritePolicy = policyOutput(func(v []string) PolicyDocument { return BucketReadWritePolicy(v[0]) }, u.Bucket.Arn)
	if err := ctx.RegisterResourceOutputs(u, pulumi.Map{
		"bucketName":      u.BucketName,
		"arn":             u.Arn,
		"readWritePolicy": u.ReadWritePolicy,
	}); err != nil {
		return nil, err
	}
	return u, nil
}
