// Package release ships the release job's files (this folder) into the
// ReleasePipeline component: the buildspec CodeBuild runs and the scripts it
// calls, embedded at build time so a stack built from the components needs
// no checkout of this repository.
package release

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:embed *
var files embed.FS

// BuildspecName is the buildspec's file name in this folder.
const BuildspecName = "buildspec.yml"

// Buildspec returns release/buildspec.yml ("" if it is missing).
func Buildspec() string {
	b, err := files.ReadFile(BuildspecName)
	if err != nil {
		return ""
	}
	return string(b)
}

// Files returns the files the buildspec runs, by name: every file of this
// folder except Go sources and documentation.
func Files() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch ext := path.Ext(p); {
		case ext == ".go", ext == ".md", strings.HasPrefix(path.Base(p), "."):
			return nil
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = string(b)
		return nil
	})
	return out
}
