// Command wpfleet is the Pulumi program `pulumi preview` and `pulumi up` run.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/program"
)

func main() {
	pulumi.Run(program.Run)
}
