package policy

import (
	"github.com/blang/semver"
)

func mustVersion() semver.Version { return semver.MustParse("1.0.0") }

func efsEncryptedCase() ruleCase {
	return ruleCase{
		ok: []ar{
			res(typeEFSFileSystem, "fs", obj{"encrypted": true}),
			res(typeEFSFileSystem, "fs-preview", obj{"encrypted": unk}),
			res(typeS3BucketV2, "other-type", obj{}),
		},
		bad: []bad{
			{name: "not encrypted", resources: rs(res(typeEFSFileSystem, "fs", obj{"encrypted": false})), want: "encrypted is not true", at: "fs"},
			{name: "encryption unset", resources: rs(res(typeEFSFileSystem, "fs", obj{})), want: "encrypted is not true"},
		},
	}
}

func rdsStorageEncryptedCase() ruleCase {
	return ruleCase{
		ok: rs(
			res(typeRDSCluster, "db", obj{"storageEncrypted": true}),
			res(typeRDSInstance, "legacy", obj{"storageEncrypted": true}),
			res(typeRDSClusterInstance, "db-1", obj{}),
		),
		bad: []bad{
			{name: "cluster unencrypted", resources: rs(res(typeRDSCluster, "db", obj{})), want: "storageEncrypted is not true"},
			{name: "instance unencrypted", resources: rs(res(typeRDSInstance, "legacy", obj{"storageEncrypted": false})), want: "storageEncrypted"},
		},
	}
}

func s3DefaultEncryptionCase() ruleCase {
	b := res(typeS3BucketV2, "uploads", obj{"tags": tags("prod")})
	sse := func(alg any) ar {
		rule := obj{"bucketKeyEnabled": true}
		if alg != nil {
			rule["applyServerSideEncryptionByDefault"] = obj{"sseAlgorithm": alg}
		}
		return dep(res(typeS3EncryptionV2, "uploads-sse", obj{"bucket": "uploads-123", "rules": list{rule}}), "bucket", b)
	}
	named := res(typeS3BucketV2, "named", obj{"bucket": "my-named-bucket"})
	byValue := res(typeS3EncryptionV2, "named-sse", obj{"bucket": "my-named-bucket",
		"rules": list{obj{"applyServerSideEncryptionByDefault": obj{"sseAlgorithm": "aws:kms"}}}})
	legacy := res(typeS3Bucket, "legacy", obj{"serverSideEncryptionConfiguration": obj{"rule": obj{
		"applyServerSideEncryptionByDefault": obj{"sseAlgorithm": "AES256"}}}})
	return ruleCase{
		ok: rs(b, sse("AES256"), named, byValue, legacy,
			res(typeS3BucketV2, "preview", obj{}), dep(res(typeS3EncryptionV2, "preview-sse", obj{"bucket": unk, "rules": unk}), "bucket", res(typeS3BucketV2, "preview", nil))),
		bad: []bad{
			{name: "no configuration", resources: rs(b), want: "no server-side encryption configuration", at: "uploads"},
			{name: "configuration of another bucket", resources: rs(b, named, byValue), want: "no server-side encryption configuration", at: "uploads"},
			{name: "no default algorithm", resources: rs(b, sse(nil)), want: "no default algorithm"},
		},
	}
}

func snsTopicEncryptedCase() ruleCase {
	return ruleCase{
		ok:  rs(res(typeSNSTopic, "alarms", obj{"kmsMasterKeyId": "arn:aws:kms:ap-northeast-1:123456789012:key/k"}), res(typeSNSTopic, "p", obj{"kmsMasterKeyId": unk})),
		bad: []bad{{name: "plain topic", resources: rs(res(typeSNSTopic, "alarms", obj{})), want: "no kmsMasterKeyId"}},
	}
}

func kmsKeyRotationCase() ruleCase {
	return ruleCase{
		ok: rs(
			res(typeKMSKey, "k", obj{"enableKeyRotation": true}),
			res(typeKMSKey, "signing", obj{"customerMasterKeySpec": "RSA_2048"}),
			res(typeKMSKey, "hmac", obj{"keySpec": "HMAC_256"}),
		),
		bad: []bad{
			{name: "rotation off", resources: rs(res(typeKMSKey, "k", obj{})), want: "enableKeyRotation is not true"},
			{name: "symmetric by spec", resources: rs(res(typeKMSKey, "k", obj{"keySpec": "SYMMETRIC_DEFAULT", "enableKeyRotation": false})), want: "enableKeyRotation"},
		},
	}
}

func backupVaultCustomerKeyCase() ruleCase {
	return ruleCase{
		ok:  rs(res(typeBackupVault, "v", obj{"kmsKeyArn": "arn:aws:kms:ap-northeast-1:123456789012:key/k"})),
		bad: []bad{{name: "AWS managed key", resources: rs(res(typeBackupVault, "v", obj{"name": "v"})), want: "no kmsKeyArn"}},
	}
}
