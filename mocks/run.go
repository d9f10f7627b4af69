package mocks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Result is a recorded program run: the shape `cmd/preview --format json` prints.
type Result struct {
	Project   string         `json:"project"`
	Stack     string         `json:"stack"`
	Resources []Resource     `json:"resources"`
	Outputs   map[string]any `json:"outputs"`

	// Region and AccountID are the stack's region (config aws:region) and
	// the account the recorder pretended to be (not part of the JSON form).
	Region    string `json:"-"`
	AccountID string `json:"-"`
	// Lookups are the invokes the program made and their answers.
	Lookups []Lookup `json:"-"`
}

// Run executes program under a Recorder with the given configuration (keys
// such as "wpfleet:sites" mapped to raw values: text, or JSON for arrays and
// objects) and returns every registered resource and the stack outputs.
// Secret config keys are passed to the program as secrets. The region for
// fake ARNs comes from config "aws:region".
func Run(project, stack string, config map[string]string, secretKeys []string, program pulumi.RunFunc) (*Result, error) {
	rec := New(project, stack, config["aws:region"])
	return rec.Run(config, secretKeys, program)
}

// Run executes program under this recorder; see the package function Run.
func (r *Recorder) Run(config map[string]string, secretKeys []string, program pulumi.RunFunc) (*Result, error) {
	var captured *pulumi.Context
	withConfig := func(info *pulumi.RunInfo) {
		info.Config = config
		info.ConfigSecretKeys = secretKeys
	}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		captured = ctx
		return program(ctx)
	}, pulumi.WithMocks(r.Project, r.Stack, r), withConfig)
	if dups := r.DuplicateURNErrors(); len(dups) > 0 {
		// The engine stops the deployment at a duplicate URN, whatever the
		// program made of the failed registration.
		return nil, errors.Join(dups...)
	}
	if err != nil {
		return nil, err
	}
	outputs := map[string]any{}
	for name, in := range captured.GetCurrentExportMap() {
		res, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(in))
		if err != nil {
			return nil, fmt.Errorf("resolving output %s: %w", name, err)
		}
		switch {
		case res.Secret:
			outputs[name] = SecretPlaceholder
		case !res.Known:
			outputs[name] = UnknownPlaceholder
		default:
			v, err := jsonValue(res.Value)
			if err != nil {
				return nil, fmt.Errorf("output %s: %w", name, err)
			}
			outputs[name] = v
		}
	}
	resources := r.Resources()
	if resources == nil {
		resources = []Resource{}
	}
	return &Result{Project: r.Project, Stack: r.Stack, Resources: resources, Outputs: outputs,
		Region: r.Region, AccountID: r.AccountID, Lookups: r.Lookups()}, nil
}

// ByType returns the resources of one type token.
func (res *Result) ByType(token string) []Resource {
	var out []Resource
	for _, r := range res.Resources {
		if r.Type == token {
			out = append(out, r)
		}
	}
	return out
}

// Find returns the resource of a type and logical name, if any.
func (res *Result) Find(token, name string) (Resource, bool) {
	for _, r := range res.Resources {
		if r.Type == token && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// Children returns the resources whose parent is urn.
func (res *Result) Children(urn string) []Resource {
	var out []Resource
	for _, r := range res.Resources {
		if r.Parent == urn {
			out = append(out, r)
		}
	}
	return out
}

// Descendants returns every resource below urn in the parent tree.
func (res *Result) Descendants(urn string) []Resource {
	var out []Resource
	queue := []string{urn}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, c := range res.Children(u) {
			out = append(out, c)
			queue = append(queue, c.URN)
		}
	}
	return out
}

// CountByType counts resources per type token.
func (res *Result) CountByType() map[string]int {
	out := map[string]int{}
	for _, r := range res.Resources {
		out[r.Type]++
	}
	return out
}

// jsonValue normalises a Go value to what JSON decoding gives (maps of any,
// float64 numbers), so outputs look the same in Go and in JSON.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}
