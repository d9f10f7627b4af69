package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
	// Website turns on S3 static website hosting with public read, as the
	// seed did. This makes the bucket public: prefer CloudFront with origin
	// access control. Defaults to false.
	Website bool
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
// versioned, private (all four public access blocks) and TLS-only unless
// website hosting is explicitly chosen.
type UploadsBucket struct {
	pulumi.ResourceState

	Bucket *s3.BucketV2
	// BucketName and Arn identify the bucket.
	BucketName pulumi.StringOutput
	Arn        pulumi.StringOutput
	// RegionalDomainName is the bucket's regional endpoint (a CloudFront origin).
	RegionalDomainName pulumi.StringOutput
	// ReadWritePolicy is an IAM policy document granting read and write on
	// this bucket's objects and nothing else: attach it to the site's task role.
	ReadWritePolicy pulumi.StringOutput
	// WebsiteEndpoint is set only with Website.
	WebsiteEndpoint pulumi.StringOutput
}

// BucketReadWritePolicy is the least-privilege policy a task needs to read and
// write uploads in one bucket.
func BucketReadWritePolicy(bucketArn string) PolicyDocument {
	return Policy(
		PolicyStatement{
			Sid:      "ListUploads",
			Effect:   "Allow",
			Action:   []string{"s3:ListBucket", "s3:GetBucketLocation"},
			Resource: []string{bucketArn},
		},
		PolicyStatement{
			Sid:      "ReadWriteUploads",
			Effect:   "Allow",
			Action:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectAttributes", "s3:AbortMultipartUpload"},
			Resource: []string{bucketArn + "/*"},
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
		BlockPublicPolicy:     pulumi.Bool(!a.Website),
		RestrictPublicBuckets: pulumi.Bool(!a.Website),
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

	website := a.Website
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
				Resource:  []string{arn + "/*"},
				Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": v[1]}},
			})
		}
		if website {
			statements = append(statements, PolicyStatement{
				Sid:       "PublicWebsiteRead",
				Effect:    "Allow",
				Principal: map[string]any{"AWS": "*"},
				Action:    []string{"s3:GetObject"},
				Resource:  []string{arn + "/*"},
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
	u.WebsiteEndpoint = pulumi.String("").ToStringOutput()
	if a.Website {
		site, err := s3.NewBucketWebsiteConfigurationV2(ctx, name, &s3.BucketWebsiteConfigurationV2Args{
			Bucket:        u.Bucket.ID(),
			IndexDocument: s3.BucketWebsiteConfigurationV2IndexDocumentArgs{Suffix: pulumi.String("index.html")},
		}, parent)
		if err != nil {
			return nil, err
		}
		u.WebsiteEndpoint = site.WebsiteEndpoint
	}

	u.ReadWritePolicy = policyOutput(func(v []string) PolicyDocument { return BucketReadWritePolicy(v[0]) }, u.Bucket.Arn)
	if err := ctx.RegisterResourceOutputs(u, pulumi.Map{
		"bucketName":      u.BucketName,
		"arn":             u.Arn,
		"readWritePolicy": u.ReadWritePolicy,
		"websiteEndpoint": u.WebsiteEndpoint,
	}); err != nil {
		return nil, err
	}
	return u, nil
}
