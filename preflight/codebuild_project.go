package preflight

import (
	"fmt"
	"regexp"
)

// codebuild-project: CodeBuild projects fit CreateProject.
//
// A project name is 2-255 characters, starting with a letter or digit,
// then letters, digits, hyphens and underscores (CreateProject name,
// pattern [A-Za-z0-9][A-Za-z0-9\-_]{1,254}); a description at most 255
// characters; buildTimeout 5-2160 minutes; queuedTimeout 5-480 minutes; an
// environment variable name is at least 1 character and does not start with
// CODEBUILD_ (reserved) (EnvironmentVariable).
func codebuildProject() Rule {
	const (
		create = "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html"
		envVar = "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_EnvironmentVariable.html"
	)
	return Rule{
		Name:    "codebuild-project",
		Doc:     "CodeBuild project names 2-255 [A-Za-z0-9][A-Za-z0-9-_]*, descriptions 255, build 5-2160 and queue 5-480 minutes, no CODEBUILD_ variables",
		Sources: []string{create, envVar},
		check: func(g *Graph, rep *report) {
			for _, p := range g.Of(typeCodeBuild) {
				if name, ok := physical(p, "name"); ok {
					checkText(rep, p, "name", name, textSpec{min: 2, max: 255, allowed: codebuildNameRe,
						describe: "characters: a letter or digit, then letters, digits, hyphens and underscores"}, create)
				}
				checkText(rep, p, "description", p.Inputs["description"], textSpec{max: 255}, create)
				if v, ok := num(p.Inputs["buildTimeout"]); ok && (v < 5 || v > 2160) {
					rep.add(p, "buildTimeout", v, create, "buildTimeout is 5-2160 minutes")
				}
				if v, ok := num(p.Inputs["queuedTimeout"]); ok && (v < 5 || v > 480) {
					rep.add(p, "queuedTimeout", v, create, "queuedTimeout is 5-480 minutes")
				}
				for i, e := range items(at(p.Inputs["environment"], "environmentVariables")) {
					name := str(at(e, "name"))
					if name == "" || len(name) >= 9 && name[:9] == "CODEBUILD" {
						rep.add(p, fmt.Sprintf("environment.environmentVariables[%d].name", i), name, envVar, "a variable name is set and does not start with CODEBUILD_ (reserved)")
					}
				}
			}
		},
	}
}

var codebuildNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9\-_]*$`)
