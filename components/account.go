package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Account is where the stack deploys: what ARNs and policies are built from.
type Account struct {
	ID        string
	Region    string
	Partition string
	// DNSSuffix is the partition's domain ("amazonaws.com").
	DNSSuffix string
}

// ARN builds an ARN in this account and region ("" for global services).
func (a Account) ARN(service, region, resource string) string {
	acct := a.ID
	if service == "s3" {
		acct = ""
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, region, acct, resource)
}

// LookupAccount returns the account, region and partition of the default AWS
// provider. Fleet looks it up once and hands it to every component; a
// component built on its own looks it up itself.
func LookupAccount(ctx *pulumi.Context) (Account, error) {
	id, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{})
	if err != nil {
		return Account{}, fmt.Errorf("looking up the AWS account: %w", err)
	}
	region, err := aws.GetRegion(ctx, &aws.GetRegionArgs{})
	if err != nil {
		return Account{}, fmt.Errorf("looking up the AWS region: %w", err)
	}
	part, err := aws.GetPartition(ctx, &aws.GetPartitionArgs{})
	if err != nil {
		return Account{}, fmt.Errorf("looking up the AWS partition: %w", err)
	}
	return Account{ID: id.AccountId, Region: region.Name, Partition: part.Partition, DNSSuffix: part.DnsSuffix}, nil
}

// resolveAccount returns *a when set, and otherwise looks the account up.
func resolveAccount(ctx *pulumi.Context, a *Account) (Account, error) {
	if a != nil {
		return *a, nil
	}
	return LookupAccount(ctx)
}
