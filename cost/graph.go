package cost

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wpfleet/wpfleet/mocks"
)

// graph indexes a recorded program run for the pricing rules.
type graph struct {
	res    *mocks.Result
	byURN  map[string]*mocks.Resource
	byType map[string][]*mocks.Resource
}

func newGraph(res *mocks.Result) *graph {
	g := &graph{res: res, byURN: map[string]*mocks.Resource{}, byType: map[string][]*mocks.Resource{}}
	for i := range res.Resources {
		r := &res.Resources[i]
		g.byURN[r.URN] = r
		g.byType[r.Type] = append(g.byType[r.Type], r)
	}
	return g
}

func (g *graph) of(typ string) []*mocks.Resource { return g.byType[typ] }

// dep finds the resource of type typ that input came from (property
// dependencies, then all dependencies); match is the fallback for results
// without dependency data (e.g. read back from JSON): a resource of typ
// whose identifying value equals the given one.
func (g *graph) dep(r *mocks.Resource, input, typ string, match func(*mocks.Resource) bool) *mocks.Resource {
	for _, urns := range [][]string{r.PropertyDependencies[input], r.Dependencies} {
		for _, u := range urns {
			if d := g.byURN[u]; d != nil && d.Type == typ {
				return d
			}
		}
	}
	if match != nil {
		for _, d := range g.of(typ) {
			if match(d) {
				return d
			}
		}
	}
	return nil
}

// nameIs matches a resource whose name output or input is name.
func nameIs(name string) func(*mocks.Resource) bool {
	return func(d *mocks.Resource) bool {
		return name != "" && (str(d.Outputs["name"]) == name || str(d.Inputs["name"]) == name || d.ID == name)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// num reads a number: a JSON number, a Go integer (recorded inputs keep
// integers as int64) or a numeric string.
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case float32:
		return float64(x)
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// taskDef is what pricing needs from an ECS task definition.
type taskDef struct {
	Family       string
	VCPU, MemGB  float64
	Arch         string // x86_64 or arm64
	EphemeralGiB float64
	Images       []string
	LocalSync    bool // a container runs the sync agent: code is copied from EFS once per release
	// SyncPollSeconds is the sync agent's polling interval from its
	// WPFLEET_SYNC_INTERVAL (0 when not set: the usage profile's value).
	SyncPollSeconds float64
	EFSMode         bool // mounts EFS without a sync agent: code is read from EFS as it runs
	Sites           int  // EFS volumes (one access point per site)
	Secrets         int  // distinct Secrets Manager secrets fetched at start
	Containers      int
}

type containerDef struct {
	Name        string   `json:"name"`
	Image       string   `json:"image"`
	Command     []string `json:"command"`
	Environment []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"environment"`
	Secrets []struct {
		ValueFrom string `json:"valueFrom"`
	} `json:"secrets"`
}

func parseTaskDef(r *mocks.Resource) (*taskDef, error) {
	in := r.Inputs
	td := &taskDef{Family: str(in["family"]), VCPU: num(in["cpu"]) / 1024, MemGB: num(in["memory"]) / 1024,
		Arch: "x86_64", EphemeralGiB: FargateIncludedEphemeralGiB}
	if td.VCPU == 0 || td.MemGB == 0 {
		return nil, fmt.Errorf("task definition %s: no task-level cpu/memory (Fargate requires both)", r.Name)
	}
	if strings.EqualFold(str(obj(in["runtimePlatform"])["cpuArchitecture"]), "ARM64") {
		td.Arch = "arm64"
	}
	if e := num(obj(in["ephemeralStorage"])["sizeInGib"]); e > 0 {
		td.EphemeralGiB = e
	}
	efsVolumes := 0
	for _, v := range list(in["volumes"]) {
		if obj(v)["efsVolumeConfiguration"] != nil {
			efsVolumes++
		}
	}
	var defs []containerDef
	if s := str(in["containerDefinitions"]); s != "" && s != mocks.UnknownPlaceholder {
		if err := json.Unmarshal([]byte(s), &defs); err != nil {
			return nil, fmt.Errorf("task definition %s: containerDefinitions: %w", r.Name, err)
		}
	}
	images, secrets := map[string]bool{}, map[string]bool{}
	for _, c := range defs {
		if !images[c.Image] {
			images[c.Image] = true
			td.Images = append(td.Images, c.Image)
		}
		for _, arg := range c.Command {
			if strings.HasSuffix(arg, "wpfleet-sync") {
				td.LocalSync = true
				for _, e := range c.Environment {
					if d, err := time.ParseDuration(e.Value); e.Name == "WPFLEET_SYNC_INTERVAL" && err == nil && d > 0 {
						td.SyncPollSeconds = d.Seconds()
					}
				}
			}
		}
		for _, s := range c.Secrets {
			secrets[secretARN(s.ValueFrom)] = true
		}
	}
	td.Secrets = len(secrets)
	td.Containers = len(defs)
	td.Sites = max(1, efsVolumes)
	td.EFSMode = efsVolumes > 0 && !td.LocalSync
	return td, nil
}

// secretARN strips the JSON key, version stage and version id from an ECS
// secret reference (arn:aws:secretsmanager:region:acct:secret:name:key:stage:id).
func secretARN(valueFrom string) string {
	parts := strings.Split(valueFrom, ":")
	if len(parts) > 7 && parts[2] == "secretsmanager" {
		return strings.Join(parts[:7], ":")
	}
	return valueFrom
}

// familyOf is the family of a task definition ARN (".../task-definition/fam:rev").
func familyOf(arn string) string {
	_, after, ok := strings.Cut(arn, "task-definition/")
	if !ok {
		return ""
	}
	fam, _, _ := strings.Cut(after, ":")
	return fam
}

func familyIs(family string) func(*mocks.Resource) bool {
	return func(d *mocks.Resource) bool { return family != "" && str(d.Inputs["family"]) == family }
}

func strategies(v any) []Strategy {
	var out []Strategy
	for _, s := range list(v) {
		m := obj(s)
		out = append(out, Strategy{Provider: str(m["capacityProvider"]), Base: num(m["base"]), Weight: num(m["weight"])})
	}
	return out
}
