// Command preview runs the wpfleet program offline under recording mocks and
// prints the resource graph it would create: no Pulumi CLI, no cloud account.
//
//	go run ./cmd/preview --stack stg
//	go run ./cmd/preview --stack prod --format json
//	go run ./cmd/preview --stack prod --config path/to/Pulumi.other.yaml
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

func run(argv []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name (reads Pulumi.<stack>.yaml next to Pulumi.yaml)")
	configFile := fs.String("config", "", "stack configuration file to read instead of Pulumi.<stack>.yaml")
	projectFile := fs.String("project", "Pulumi.yaml", "project file")
	format := fs.String("format", "tree", `output format: "tree" or "json"`)
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
	res, _, err := program.Preview(files.Project, *stack, files.Config, files.SecretKeys)
	if err != nil {
		fmt.Fprintf(stderr, "preview: stack %s:\n%v\n", *stack, err)
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
