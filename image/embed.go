// Package image exposes data files of the container images that the
// components need, so that the task definitions and roles follow the images
// (components/ may import it; it has no dependencies).
package image

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

// S3UploadsActionsJSON is image/php/s3-uploads/s3-actions.json: the S3 API
// operations humanmade/S3-Uploads performs in the php image, the IAM actions
// each needs, with the plugin version and source commits they were read
// from.
//
//go:embed php/s3-uploads/s3-actions.json
var S3UploadsActionsJSON []byte

// S3UploadsGrant is what a site's task role needs on its uploads bucket.
type S3UploadsGrant struct {
	// ObjectActions on arn:aws:s3:::BUCKET/<KeyPrefix>*.
	ObjectActions []string
	// BucketActions on arn:aws:s3:::BUCKET.
	BucketActions []string
	// KeyPrefix is where the platform has the plugin write:
	// "wp-content/uploads/".
	KeyPrefix string
}

type s3Actions struct {
	KeyPrefix  string `json:"key_prefix"`
	Operations []struct {
		Operation  string   `json:"operation"`
		IAMActions []string `json:"iam_actions"`
		Resource   string   `json:"resource"`
	} `json:"operations"`
	IAM struct {
		ObjectActions []string `json:"object_actions"`
		BucketActions []string `json:"bucket_actions"`
	} `json:"iam"`
}

// S3Uploads returns the grant S3-Uploads needs, checked against the
// operations list: every action of an operation is granted on the right
// resource, and nothing more.
func S3Uploads() (S3UploadsGrant, error) {
	var a s3Actions
	if err := json.Unmarshal(S3UploadsActionsJSON, &a); err != nil {
		return S3UploadsGrant{}, fmt.Errorf("s3-actions.json: %w", err)
	}
	need := map[string][]string{}
	for _, op := range a.Operations {
		for _, act := range op.IAMActions {
			if !slices.Contains(need[op.Resource], act) {
				need[op.Resource] = append(need[op.Resource], act)
			}
		}
	}
	for res, got := range map[string][]string{"object": a.IAM.ObjectActions, "bucket": a.IAM.BucketActions} {
		want := slices.Sorted(slices.Values(need[res]))
		if !slices.Equal(want, slices.Sorted(slices.Values(got))) {
			return S3UploadsGrant{}, fmt.Errorf("s3-actions.json: %s actions %v, but its operations need %v", res, got, want)
		}
	}
	return S3UploadsGrant{ObjectActions: a.IAM.ObjectActions, BucketActions: a.IAM.BucketActions, KeyPrefix: a.KeyPrefix}, nil
}
