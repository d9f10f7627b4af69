// Command wpfleet-release is the release job (docs/release.md): CodeBuild builds it from the
// source the ReleasePipeline ships and runs `wpfleet-release --settings settings.json`.
package main

import (
	"os"

	"github.com/wpfleet/wpfleet/release/job"
)

func main() { os.Exit(job.Main(os.Args[1:], os.Stdout, os.Stderr)) }
