// Package release ships the release job into the ReleasePipeline component: the buildspec
// CodeBuild runs and the files of the project's S3 source (the job's Go source, which the
// buildspec compiles, and wp-update-db.php), embedded at build time so a stack built from the
// components needs no checkout of this repository.
package release

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed buildspec.yml wp-update-db.php job tree cmd
var files embed.FS

// BuildspecName is the buildspec's file name in this folder.
const BuildspecName = "buildspec.yml"

// SettingsName is the job's settings file in the source (a JSON object of strings, written
// by the ReleasePipeline), and SumsName the list of every source file's sha256.
const (
	SettingsName = "settings.json"
	SumsName     = "SHA256SUMS"
)

// DigestPlaceholder is replaced in the buildspec by the sha256 of the source's SHA256SUMS,
// so a build runs only the source the project was deployed with (not an older version of
// the versioned source object, which StartBuild's sourceVersion could pick).
const DigestPlaceholder = "@WPFLEET_SOURCE_SHA256@"

// GoVersion is the Go language version the job's source declares (CodeBuild's golang
// runtime must be at least this).
const GoVersion = "1.24"

// Buildspec returns release/buildspec.yml ("" if it is missing).
func Buildspec() string {
	b, err := files.ReadFile(BuildspecName)
	if err != nil {
		return ""
	}
	return string(b)
}

// Files returns the project's source files by name (without settings.json and SHA256SUMS,
// which Source adds): wp-update-db.php, and the job's Go source under src/ (a module of its
// own, standard library only) that the buildspec compiles.
func Files() map[string]string {
	out := map[string]string{}
	b, err := files.ReadFile("wp-update-db.php")
	if err == nil {
		out["wp-update-db.php"] = string(b)
	}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".go" || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		out["src/release/"+p] = string(b)
		return nil
	})
	out["src/go.mod"] = "module github.com/wpfleet/wpfleet\n\ngo " + GoVersion + "\n"
	return out
}

// Source completes the source with the settings file and SHA256SUMS (sha256sum format,
// sorted by name) and returns it with the digest the buildspec checks: the sha256 of
// SHA256SUMS.
func Source(base map[string]string, settingsJSON string) (map[string]string, string) {
	out := map[string]string{SettingsName: settingsJSON}
	for k, v := range base {
		out[k] = v
	}
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	sort.Strings(names)
	var sums strings.Builder
	for _, n := range names {
		s := sha256.Sum256([]byte(out[n]))
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(s[:]), n)
	}
	out[SumsName] = sums.String()
	d := sha256.Sum256([]byte(sums.String()))
	return out, hex.EncodeToString(d[:])
}

// BuildspecFor returns the buildspec with the source digest filled in.
func BuildspecFor(buildspec, digest string) string {
	return strings.ReplaceAll(buildspec, DigestPlaceholder, digest)
}
