package preflight

import (
	"strings"
)

// fargate-cpu-memory: Fargate task definitions use a task size Fargate
// offers.
//
// Fargate takes task-level cpu and memory, and only the pairs of its task
// size table (256 CPU units with 512, 1024 or 2048 MiB; 1024 with 2048-8192
// in 1024 steps; ...). Any other pair fails RegisterTaskDefinition (or the
// task launch). The table for Linux tasks, with the date it was checked,
// is data/fargate-cpu-memory.txt; Windows tasks are not judged.
func fargateCPUMemory() Rule {
	set := loadSet("fargate-cpu-memory")
	pairs := map[string]map[string]bool{}
	for _, line := range set.lines {
		f := strings.Fields(line)
		pairs[f[0]] = map[string]bool{}
		for _, m := range f[1:] {
			pairs[f[0]][m] = true
		}
	}
	return Rule{
		Name:    "fargate-cpu-memory",
		Doc:     "Fargate task definitions set cpu and memory to a pair of Fargate's task size table (" + set.file + ")",
		Sources: set.sources,
		check: func(g *Graph, rep *report) {
			for _, td := range g.Of(typeTaskDefinition) {
				if !contains(strs(td.Inputs["requiresCompatibilities"]), "FARGATE") ||
					strings.HasPrefix(str(at(td.Inputs["runtimePlatform"], "operatingSystemFamily")), "WINDOWS") {
					continue
				}
				cpu, okC := numText(td.Inputs["cpu"])
				mem, okM := numText(td.Inputs["memory"])
				switch {
				case !okC || !okM:
					rep.add(td, "cpu", td.Inputs["cpu"], set.source(), "a Fargate task definition sets task-level cpu and memory")
				case pairs[cpu] == nil:
					rep.add(td, "cpu", cpu, set.source(), "%s", set.refusal("Fargate CPU "+cpu))
				case !pairs[cpu][mem]:
					rep.add(td, "memory", mem, set.source(), "with %s CPU units Fargate takes memory %s MiB; %s is not one of them", cpu, set.lines[indexOf(set.lines, cpu)][len(cpu)+1:], mem)
				}
			}
		},
	}
}

// numText is a number input as its decimal text ("1024").
func numText(v any) (string, bool) {
	if s, ok := text(v); ok {
		return strings.TrimSpace(s), s != ""
	}
	if n, ok := num(v); ok {
		return showNumber(n), true
	}
	return "", false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// indexOf finds the data line that starts with cpu.
func indexOf(lines []string, cpu string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, cpu+" ") {
			return i
		}
	}
	return 0
}
