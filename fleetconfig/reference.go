package fleetconfig

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// ReferenceTable renders Pulumi.yaml's config declarations as a Markdown
// table, in the order FleetArgs declares its fields.
func ReferenceTable(projectFile string) (string, error) {
	proj, err := workspace.LoadProject(projectFile)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("| key (`wpfleet:`) | type | default | description |\n|---|---|---|---|\n")
	for _, f := range Fields() {
		decl, ok := proj.Config[f.Name]
		if !ok {
			return "", fmt.Errorf("%s does not declare %s", projectFile, f.Name)
		}
		def := "—" // optional, empty when unset
		switch {
		case decl.Default != nil:
			raw, _ := json.Marshal(decl.Default)
			def = "`" + string(raw) + "`"
		case f.Name == "environment":
			def = "stack name"
		case strings.Contains(decl.Description, "Required."):
			def = "required"
		}
		desc := strings.ReplaceAll(decl.Description, "|", "\\|")
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, workspace.InferFullTypeName(decl.TypeName(), decl.Items), def, desc)
	}
	return b.String(), nil
}
