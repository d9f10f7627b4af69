// Command preview runs the wpfleet program offline under recording mocks and
// prints the resource graph it would create: no Pulumi CLI, no cloud account.
// After the program ran, preflight checks the whole graph against the AWS API
// constraints mocks cannot see; any violation fails the preview (exit 1) with
// the resource, field, value, constraint and source. --strict also fails on
// every shipped example value still in the configuration.
//
//	go run ./cmd/preview --stack stg
//	go run ./cmd/preview --stack prod --format json
//	go run ./cmd/preview --stack prod --config path/to/Pulumi.other.yaml
//	go run ./cmd/preview --stack prod --strict
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/program"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage: go run ./cmd/preview --stack NAME [--format tree|json] [--config FILE] [--strict]

Runs the wpfleet program offline under recording mocks with Pulumi.yaml and
Pulumi.NAME.yaml and prints the resources it would create. Then preflight
checks the graph against the AWS API constraints mocks cannot see (names,
character sets, closed sets, quotas, cross-resource rules); any violation
fails the preview (exit 1) naming the resource URN, field, value, the
constraint and its source. An invalid configuration prints every problem and
exits 1; usage errors exit 2.

--strict additionally flags every shipped example value still in the
configuration (key and value) and exits 1: use it before a real deployment.

`

func run(argv []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name (reads Pulumi.<stack>.yaml next to Pulumi.yaml)")
	configFile := fs.String("config", "", "stack configuration file to read instead of Pulumi.<stack>.yaml")
	projectFile := fs.String("project", "Pulumi.yaml", "project file")
	format := fs.String("format", "tree", `output format: "tree" or "json"`)
	strict := fs.Bool("strict", false, "also fail (exit 1) on every shipped example value still in the configuration:\n"+
		"account ID 123456789012, example.com/example.jp zones and hostnames, example zone IDs (Z0...EXAMPLE...),\n"+
		"the example secret ARN, example CircleCI IDs, the example-corp GitHub organisation, sre-alerts@example.com")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "preview: --stack is required (e.g. --stack stg)")
		return 2
	}
	if *format != "tree" && *format != "json" {
		fmt.Fprintf(stderr, "preview: --format %q is not valid; \"tree\" or \"json\"\n", *format)
		return 2
	}
	stackFile := *configFile
	if stackFile == "" {
		stackFile = filepath.Join(filepath.Dir(*projectFile), "Pulumi."+*stack+".yaml")
	}
	files, err := fleetconfig.ReadStackFiles(*projectFile, stackFile)
	if err != nil {
		fmt.Fprintf(stderr, "preview: %v\n", err)
		return 1
	}
	failed := false
	if *strict {
		if found := exampleFindings(files.Config); len(found) > 0 {
			failed = true
			fmt.Fprintf(stderr, "preview --strict: stack %s still has %d shipped example value(s); replace them before deploying:\n", *stack, len(found))
			for _, f := range found {
				fmt.Fprintf(stderr, "  %s\n", f)
			}
		}
	}
	res, _, err := program.Preview(files.Project, *stack, files.Config, files.SecretKeys)
	if err != nil {
		fmt.Fprintf(stderr, "preview: stack %s:\n%v\n", *stack, err)
		return 1
	}
	if failed {
		return 1
	}
	if *format == "json" {
		err = res.WriteJSON(stdout)
	} else {
		err = res.WriteTree(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "preview: %v\n", err)
		return 1
	}
	return 0
}
