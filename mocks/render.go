package mocks

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteJSON prints the result as indented JSON.
func (res *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

// WriteTree prints the resources nested by parent, like `pulumi preview`,
// then a count per type and the outputs.
func (res *Result) WriteTree(w io.Writer) error {
	var b strings.Builder
	root := "urn:pulumi:" + res.Stack + "::" + res.Project + "::pulumi:pulumi:Stack::" + res.Project + "-" + res.Stack
	children := map[string][]Resource{}
	for _, r := range res.Resources {
		children[r.Parent] = append(children[r.Parent], r)
	}
	for _, list := range children {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Type != list[j].Type {
				return list[i].Type < list[j].Type
			}
			return list[i].Name < list[j].Name
		})
	}
	width := 0
	var measure func(parent string, depth int)
	measure = func(parent string, depth int) {
		for _, r := range children[parent] {
			if n := depth*3 + 3 + len(r.Type); n > width {
				width = n
			}
			measure(r.URN, depth+1)
		}
	}
	measure(root, 0)
	if n := len("pulumi:pulumi:Stack"); n > width {
		width = n
	}
	fmt.Fprintf(&b, "     %-*s %s\n", width, "Type", "Name")
	fmt.Fprintf(&b, " +   %-*s %s\n", width, "pulumi:pulumi:Stack", res.Project+"-"+res.Stack)
	var walk func(parent, prefix string)
	walk = func(parent, prefix string) {
		list := children[parent]
		for i, r := range list {
			branch, next := "├─ ", "│  "
			if i == len(list)-1 {
				branch, next = "└─ ", "   "
			}
			label := prefix + branch + r.Type
			fmt.Fprintf(&b, " +   %s%s %s\n", label, strings.Repeat(" ", max(0, width-len([]rune(label)))), r.Name)
			walk(r.URN, prefix+next)
		}
	}
	walk(root, "")

	counts := res.CountByType()
	types := SortedKeys(counts)
	fmt.Fprintf(&b, "\nResources:\n    + %d to create\n\nBy type:\n", len(res.Resources))
	tw := 0
	for _, t := range types {
		tw = max(tw, len(t))
	}
	for _, t := range types {
		fmt.Fprintf(&b, "    %-*s %5d\n", tw, t, counts[t])
	}
	if len(res.Outputs) > 0 {
		fmt.Fprintf(&b, "\nOutputs:\n")
		for _, k := range SortedKeys(res.Outputs) {
			v, _ := json.Marshal(res.Outputs[k])
			fmt.Fprintf(&b, "    %s: %s\n", k, v)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
