package image

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestS3UploadsGrant(t *testing.T) {
	g, err := S3Uploads()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.ObjectActions, []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}) || !slices.Equal(g.BucketActions, []string{"s3:ListBucket"}) {
		t.Errorf("grant %+v", g)
	}
	// Where the platform has the plugin write: the bucket "path" wp-content
	// (wp-config.php), under which the plugin writes uploads/... .
	if g.KeyPrefix != "wp-content/uploads/" {
		t.Errorf("key prefix %q", g.KeyPrefix)
	}
	cfg, err := os.ReadFile("php/wp-config.php")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), `$c['S3_UPLOADS_BUCKET'] = $s['bucket'] . '/wp-content';`) {
		t.Error("wp-config.php no longer puts the plugin's files under wp-content/ of the bucket")
	}
	// The version the operations were read for is the one composer installs.
	composer, err := os.ReadFile("php/s3-uploads/composer.json")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"version": "([^"]+)"`).FindSubmatch(S3UploadsActionsJSON)
	if m == nil || !strings.Contains(string(composer), `"humanmade/s3-uploads": "`+string(m[1])+`"`) {
		t.Errorf("s3-actions.json was read for %q, composer.json pins something else", m)
	}
	docker, _ := os.ReadFile("php/Dockerfile")
	if !strings.Contains(string(docker), `$p["version"] === "`+string(m[1])+`"`) {
		t.Error("the Dockerfile's composer stage checks another version")
	}
}
