// Command configdoc prints the configuration reference for README.md from
// Pulumi.yaml's declarations, so the two cannot drift (a test compares them).
//
//	go run ./cmd/configdoc > /tmp/table.md
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/wpfleet/wpfleet/fleetconfig"
)

func main() {
	if err := write(os.Stdout, "Pulumi.yaml"); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}

func write(w io.Writer, projectFile string) error {
	table, err := fleetconfig.ReferenceTable(projectFile)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, table)
	return err
}
