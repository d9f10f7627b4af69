// Package codesync is the reading side of the release layout described in
// docs/release-layout.md: it reads the live-release pointer on the shared file
// system, fetches a release's single-file artifact, verifies and unpacks it
// safely, and switches a local pointer atomically (docs/runtime.md).
package codesync

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Names inside a site's directory on the shared file system and inside the
// task-local directory. Both sides use the same shape: current -> releases/<id>.
const (
	CurrentName   = "current"
	ReleasesDir   = "releases"
	ArtifactsDir  = "artifacts"
	ManifestName  = ".wpfleet-release"
	ArtifactExt   = ".tar.zst"
	ChecksumExt   = ".tar.zst.sha256"
	localStateDir = ".wpfleet-sync" // task-local only: staging, heartbeat, status
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidID reports whether id can name a release: letters, digits, '.', '_'
// and '-', starting with a letter or digit, at most 128 characters, so that it
// is always a single safe path component.
func ValidID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("release id %q is not allowed: want 1-128 characters of [A-Za-z0-9._-] starting with a letter or digit", id)
	}
	return nil
}

// ReadPointer returns the release id that dir/current points to. The link must
// be relative and exactly "releases/<id>".
func ReadPointer(dir string) (string, error) {
	target, err := os.Readlink(filepath.Join(dir, CurrentName))
	if err != nil {
		return "", fmt.Errorf("read pointer: %w", err)
	}
	return ParsePointer(target)
}

// ParsePointer checks a pointer's link text and returns its release id.
func ParsePointer(target string) (string, error) {
	id, ok := strings.CutPrefix(target, ReleasesDir+"/")
	if !ok {
		return "", fmt.Errorf("pointer target %q is not allowed: want the relative path %s/<id>", target, ReleasesDir)
	}
	if err := ValidID(id); err != nil {
		return "", fmt.Errorf("pointer target %q: %w", target, err)
	}
	return id, nil
}

// ParseChecksum parses the content of artifacts/<id>.tar.zst.sha256
// ("<hex sha256>  <id>.tar.zst\n", sha256sum format) and returns the digest.
func ParseChecksum(content []byte, id string) ([]byte, error) {
	fields := strings.Fields(string(content))
	want := id + ArtifactExt
	if len(fields) != 2 {
		return nil, fmt.Errorf("checksum file for %s: want one line \"<hex sha256>  %s\", got %q", id, want, truncate(string(content), 200))
	}
	name := strings.TrimPrefix(fields[1], "*")
	if name != want {
		return nil, fmt.Errorf("checksum file for %s names %q, want %q", id, name, want)
	}
	sum, err := hex.DecodeString(fields[0])
	if err != nil || len(sum) != 32 {
		return nil, fmt.Errorf("checksum file for %s: %q is not a hex sha256 (64 hex digits)", id, truncate(fields[0], 80))
	}
	return sum, nil
}

// Manifest holds the manifest keys the runtime uses; unknown keys are ignored
// as the contract requires.
type Manifest struct {
	ID       string `json:"id"`
	Site     string `json:"site"`
	Commit   string `json:"commit"`
	Artifact string `json:"artifact"`
	SHA256   string `json:"sha256"`
	Files    int64  `json:"files"`
	Bytes    int64  `json:"bytes"`
}

// ReadManifest reads releases/<id>/.wpfleet-release under root.
func ReadManifest(root, id string) (Manifest, error) {
	return readManifestFile(filepath.Join(root, ReleasesDir, id, ManifestName))
}

func readManifestFile(name string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(name)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("manifest %s: %w", name, err)
	}
	return m, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
