// Command cost estimates what a wpfleet stack costs a month, line by line,
// before `pulumi up`: it runs the program offline exactly as cmd/preview does
// and prices the recorded graph (cost package, docs/cost.md).
//
//	go run ./cmd/cost --stack prod
//	go run ./cmd/cost --stack stg --format json
//	go run ./cmd/cost --stack prod --fx 155 --set pageViewsPerMonth=5e6 --usage my-usage.yaml
//	go run ./cmd/cost --stack other --config path/to/Pulumi.other.yaml
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpfleet/wpfleet/cost"
	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/program"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name (reads Pulumi.<stack>.yaml next to Pulumi.yaml)")
	configFile := fs.String("config", "", "stack configuration file to read instead of Pulumi.<stack>.yaml")
	projectFile := fs.String("project", "Pulumi.yaml", "project file")
	format := fs.String("format", "text", `output format: "text" or "json"`)
	fx := fs.Float64("fx", cost.DefaultFxJPYPerUSD, "exchange rate, JPY per USD")
	usageFile := fs.String("usage", "", "usage profile file overriding the stack's shipped profile (keys of cost/usage/default.yaml)")
	var sets multi
	fs.Var(&sets, "set", "override one usage key, e.g. --set pageViewsPerMonth=5e6 or --set imageMiB.php=80 (repeatable)")
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "cost: --stack is required (e.g. --stack prod)")
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "cost: --format %q is not valid; \"text\" or \"json\"\n", *format)
		return 2
	}
	fxGiven := false
	fs.Visit(func(f *flag.Flag) { fxGiven = fxGiven || f.Name == "fx" })
	usage, err := loadUsage(*stack, *usageFile, sets)
	if err != nil {
		fmt.Fprintf(stderr, "cost: %v\n", err)
		return 2
	}
	stackFile := *configFile
	if stackFile == "" {
		stackFile = filepath.Join(filepath.Dir(*projectFile), "Pulumi."+*stack+".yaml")
	}
	files, err := fleetconfig.ReadStackFiles(*projectFile, stackFile)
	if err != nil {
		fmt.Fprintf(stderr, "cost: %v\n", err)
		return 1
	}
	res, _, err := program.Preview(files.Project, *stack, files.Config, files.SecretKeys)
	if err != nil {
		fmt.Fprintf(stderr, "cost: stack %s:\n%v\n", *stack, err)
		return 1
	}
	region := files.Config[fleetconfig.RegionKey]
	if region == "" {
		region = "ap-northeast-1" // the recorder's default, as in cmd/preview
	}
	profile := cost.ProfileName(*stack)
	if *usageFile != "" {
		profile += " + " + *usageFile
	}
	if len(sets) > 0 {
		profile += " + --set " + sets.String()
	}
	report, err := cost.Build(res, region, profile, usage, *fx, !fxGiven)
	if err != nil {
		fmt.Fprintf(stderr, "cost: stack %s: %v\n", *stack, err)
		return 1
	}
	if *format == "json" {
		err = report.WriteJSON(stdout)
	} else {
		err = report.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cost: %v\n", err)
		return 1
	}
	return 0
}

func loadUsage(stack, file string, sets []string) (*cost.Usage, error) {
	u, err := cost.LoadUsage(stack)
	if err != nil {
		return nil, err
	}
	if file != "" {
		if err := u.MergeFile(file); err != nil {
			return nil, err
		}
	}
	for _, s := range sets {
		if err := u.Set(s); err != nil {
			return nil, err
		}
	}
	return u, nil
}
