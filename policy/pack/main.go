// Command pack serves the wpfleet security policy pack (package policy) to
// the Pulumi engine:
//
//	pulumi preview --policy-pack policy/pack
//
// The engine reads PulumiPolicy.yaml (runtime: go), has pulumi-language-go
// build this directory with `go build` inside the wpfleet module and runs
// the binary, which prints the port of its Analyzer gRPC server
// (policyx.Main). The engine then calls Handshake, ConfigureStack,
// GetAnalyzerInfo, Analyze for each resource and AnalyzeStack at the end.
//
// The production environments the prod-only rules apply to come from
// WPFLEET_PRODUCTION_ENVIRONMENTS (comma-separated; default prod,production):
// policyx gives stack policies no policy config, so an environment variable
// is the one setting every rule can read.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/wpfleet/wpfleet/policy"
)

func main() {
	if err := policyx.Main(func(*pulumi.Context) (policyx.PolicyPack, error) {
		return policy.Pack(policy.OptionsFromEnv())
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
