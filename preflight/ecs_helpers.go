package preflight

import (
	"fmt"

	"github.com/wpfleet/wpfleet/mocks"
)

// container is one container definition of a task definition, with the
// field path it is reported under.
type container struct {
	field string
	def   map[string]any
}

// containers decodes a task definition's containerDefinitions.
func containers(g *Graph, td *mocks.Resource) []container {
	var out []container
	for i, c := range items(g.JSON(td, "containerDefinitions")) {
		if m := asMap(c); m != nil {
			out = append(out, container{field: fmt.Sprintf("containerDefinitions[%d]", i), def: m})
		}
	}
	return out
}

// envOf returns a container's plain environment as a map.
func envOf(c container) map[string]string {
	out := map[string]string{}
	for _, e := range items(c.def["environment"]) {
		out[str(at(e, "name"))] = str(at(e, "value"))
	}
	return out
}

// taskDefinitionOf returns the task definition a service or scheduled task
// runs (by ARN, with or without revision, or by family).
func taskDefinitionOf(g *Graph, ref string) *mocks.Resource {
	if !known(ref) || ref == "" {
		return nil
	}
	for _, td := range g.Of(typeTaskDefinition) {
		if ref == str(td.Outputs["arn"]) || ref == str(td.Outputs["arnWithoutRevision"]) || ref == td.ID ||
			ref == str(td.Inputs["family"]) {
			return td
		}
	}
	return nil
}
