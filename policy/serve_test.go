package policy

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// These tests run the served pack (policy/pack) the way
// `pulumi preview --policy-pack policy/pack` does, without the Pulumi CLI:
// the CLI loads PulumiPolicy.yaml, pulumi-language-go runs `go build` in the
// pack directory and starts the binary with the engine's address, reads the
// port it prints, and speaks the Analyzer gRPC protocol to it: Handshake,
// ConfigureStack, GetAnalyzerInfo, (Configure), Analyze per resource,
// AnalyzeStack. The properties are marshalled as the engine marshals them
// (unknowns and secrets kept).

func packDir() string { return filepath.Join(repoRoot(), "policy", "pack") }

var (
	packBinaryOnce sync.Once
	packBinary     string
	packBinaryErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if packBinary != "" {
		_ = os.RemoveAll(filepath.Dir(packBinary))
	}
	os.Exit(code)
}

// buildPack builds the pack binary once per test binary, as
// pulumi-language-go's RunPlugin does (`go build -o <tmp>` in the pack
// directory).
func buildPack(t testing.TB) string {
	t.Helper()
	packBinaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wpfleet-policy-pack")
		if err != nil {
			packBinaryErr = err
			return
		}
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			goBin = "go"
		}
		packBinary = filepath.Join(dir, "wpfleet-policy")
		cmd := exec.Command(goBin, "build", "-o", packBinary)
		cmd.Dir = packDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			packBinaryErr = fmt.Errorf("go build in %s: %v\n%s", packDir(), err, out)
		}
	})
	require.NoError(t, packBinaryErr)
	return packBinary
}

// servedPack starts the pack binary and returns a connected Analyzer client.
func servedPack(t *testing.T, env ...string) pulumirpc.AnalyzerClient {
	t.Helper()
	bin := buildPack(t)
	ctx, cancel := context.WithCancel(context.Background())
	// The engine passes its own address as the first argument.
	cmd := exec.CommandContext(ctx, bin, "127.0.0.1:1")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("pack stderr:\n%s", stderr.String())
		}
	})

	portc := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		portc <- strings.TrimSpace(line)
	}()
	var port string
	select {
	case port = <-portc:
	case <-time.After(30 * time.Second):
		t.Fatalf("the pack printed no port within 30 s; stderr:\n%s", stderr.String())
	}
	_, err = strconv.Atoi(port)
	require.NoErrorf(t, err, "the pack must print its port first, printed %q", port)

	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	client := pulumirpc.NewAnalyzerClient(conn)

	dir := packDir()
	_, err = client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{
		EngineAddress: "127.0.0.1:1", RootDirectory: &dir, ProgramDirectory: &dir,
	})
	require.NoError(t, err)
	return client
}

func configureStack(t *testing.T, client pulumirpc.AnalyzerClient, stack string) {
	t.Helper()
	_, err := client.ConfigureStack(context.Background(), &pulumirpc.AnalyzerStackConfigureRequest{
		Stack: stack, Project: "wpfleet", Organization: "organization", DryRun: true,
		Config: map[string]string{"aws:region": "ap-northeast-1"},
	})
	require.NoError(t, err)
}

// configureLikeEngine sends the policy config the engine sends after
// GetAnalyzerInfo: every policy with its level (policy config from the CLI
// or Pulumi Cloud applied on top: overrides) and its properties, an empty
// object when none are set.
func configureLikeEngine(t *testing.T, client pulumirpc.AnalyzerClient, overrides map[string]pulumirpc.EnforcementLevel) {
	t.Helper()
	info, err := client.GetAnalyzerInfo(context.Background(), &emptypb.Empty{})
	require.NoError(t, err)
	config := map[string]*pulumirpc.PolicyConfig{}
	for _, p := range info.GetPolicies() {
		props, err := structpb.NewStruct(nil)
		require.NoError(t, err)
		level := p.GetEnforcementLevel()
		if l, ok := overrides[p.GetName()]; ok {
			level = l
		}
		config[p.GetName()] = &pulumirpc.PolicyConfig{EnforcementLevel: level, Properties: props}
	}
	_, err = client.Configure(context.Background(), &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: config})
	require.NoError(t, err)
}

func marshal(t testing.TB, r policyx.AnalyzerResource) *pulumirpc.AnalyzerResource {
	t.Helper()
	props, err := plugin.MarshalProperties(resource.ToResourcePropertyMap(r.Properties),
		plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true})
	require.NoError(t, err)
	deps := map[string]*pulumirpc.AnalyzerPropertyDependencies{}
	for k, v := range r.PropertyDependencies {
		deps[k] = &pulumirpc.AnalyzerPropertyDependencies{Urns: v}
	}
	return &pulumirpc.AnalyzerResource{
		Type: r.Type, Urn: r.URN, Name: r.Name, Properties: props, Parent: r.Parent,
		Options:      &pulumirpc.AnalyzerResourceOptions{Protect: r.Options.Protect, Parent: r.Parent},
		Dependencies: r.Dependencies, PropertyDependencies: deps,
	}
}

// analyzeOverGRPC runs the served pack on resources as the engine does and
// returns what it reported, in Check's form.
func analyzeOverGRPC(t *testing.T, client pulumirpc.AnalyzerClient, resources []policyx.AnalyzerResource) []Violation {
	t.Helper()
	ctx := context.Background()
	var diags []*pulumirpc.AnalyzeDiagnostic
	var stack []*pulumirpc.AnalyzerResource
	for _, r := range resources {
		m := marshal(t, r)
		resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
			Type: m.Type, Urn: m.Urn, Name: m.Name, Properties: m.Properties, Options: m.Options,
		})
		require.NoErrorf(t, err, "Analyze %s", r.URN)
		diags = append(diags, resp.GetDiagnostics()...)
		stack = append(stack, m)
	}
	resp, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: stack})
	require.NoError(t, err)
	diags = append(diags, resp.GetDiagnostics()...)

	out := make([]Violation, 0, len(diags))
	for _, d := range diags {
		assert.Equal(t, PackName, d.GetPolicyPackName())
		assert.Equal(t, PackVersion, d.GetPolicyPackVersion())
		out = append(out, Violation{Policy: d.GetPolicyName(), Level: policyx.EnforcementLevel(d.GetEnforcementLevel()),
			URN: d.GetUrn(), Message: d.GetMessage()})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		if a.URN != b.URN {
			return a.URN < b.URN
		}
		return a.Message < b.Message
	})
	return out
}

// The CLI reads PulumiPolicy.yaml with these loaders before starting the
// pack; a Go pack needs runtime go.
func TestPolicyProjectFileLoads(t *testing.T) {
	path := filepath.Join(packDir(), "PulumiPolicy.yaml")
	proj, err := workspace.LoadPolicyPack(path)
	require.NoError(t, err)
	assert.Equal(t, "go", proj.Runtime.Name())
	assert.Equal(t, PackVersion, proj.Version, "PulumiPolicy.yaml version and policy.PackVersion must agree")
	plug, err := workspace.LoadPluginProject(path)
	require.NoError(t, err)
	assert.Equal(t, "go", plug.Runtime.Name())
}

// The served pack describes the same policies, with the same levels, as
// policy.Policies.
func TestServedPackDescribesThePolicies(t *testing.T) {
	client := servedPack(t)
	configureStack(t, client, "prod")
	info, err := client.GetAnalyzerInfo(context.Background(), &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, PackName, info.GetName())
	assert.Equal(t, PackVersion, info.GetVersion())
	want := map[string]policyx.EnforcementLevel{}
	for _, p := range Policies(Options{}) {
		want[p.Name()] = p.EnforcementLevel()
	}
	got := map[string]policyx.EnforcementLevel{}
	for _, p := range info.GetPolicies() {
		got[p.GetName()] = policyx.EnforcementLevel(p.GetEnforcementLevel())
		assert.NotEmpty(t, p.GetDescription(), p.GetName())
	}
	assert.Equal(t, want, got)
	pi, err := client.GetPluginInfo(context.Background(), &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, PackVersion, pi.GetVersion())
}

// Over the wire, the served pack reports exactly what Check reports offline:
// on both shipped stacks, and on every violating case of every rule.
func TestServedPackMatchesCheck(t *testing.T) {
	for _, stack := range shippedStacks {
		t.Run(stack, func(t *testing.T) {
			resources := FromMocks(shippedStack(t, stack))
			client := servedPack(t)
			configureStack(t, client, stack)
			configureLikeEngine(t, client, nil)
			offline, err := Check(defaultPack(t), resources, nil)
			require.NoError(t, err)
			assert.ElementsMatch(t, offline, analyzeOverGRPC(t, client, resources))
		})
	}
	t.Run("violating", func(t *testing.T) {
		client := servedPack(t)
		configureStack(t, client, "prod")
		configureLikeEngine(t, client, nil)
		for _, name := range sortedKeys(ruleCases) {
			for _, b := range ruleCases[name]().bad {
				offline, err := Check(defaultPack(t), b.resources, nil)
				require.NoError(t, err)
				served := analyzeOverGRPC(t, client, b.resources)
				assert.Equalf(t, offline, served, "%s: %s", name, b.name)
				found := false
				for _, v := range served {
					found = found || v.Policy == name
				}
				assert.Truef(t, found, "%s: %s: the served pack did not report it", name, b.name)
			}
		}
	})
}

// Policy config from the CLI (--policy-pack-config, or a policy group)
// changes a policy's level; WPFLEET_PRODUCTION_ENVIRONMENTS changes what is
// production; unknown values do not crash the pack.
func TestServedPackConfiguration(t *testing.T) {
	website := ruleCases["s3-no-public-access-except-oac"]().bad
	var web []policyx.AnalyzerResource
	for _, b := range website {
		if strings.HasPrefix(b.name, "website hosting") {
			web = b.resources
		}
	}
	require.NotEmpty(t, web)

	t.Run("level override", func(t *testing.T) {
		client := servedPack(t)
		configureStack(t, client, "prod")
		// policy-config.json: {"s3-no-public-access-except-oac": "advisory"}
		configureLikeEngine(t, client, map[string]pulumirpc.EnforcementLevel{
			"s3-no-public-access-except-oac": pulumirpc.EnforcementLevel_ADVISORY,
		})
		n := 0
		for _, v := range analyzeOverGRPC(t, client, web) {
			if v.Policy == "s3-no-public-access-except-oac" {
				n++
				assert.Equal(t, policyx.EnforcementLevelAdvisory, v.Level, v.String())
			}
		}
		assert.NotZero(t, n, "the website bucket must still be reported, as advisory")
	})

	t.Run("production environments", func(t *testing.T) {
		live := rs(resIn("live", typeRDSCluster, "db", obj{"storageEncrypted": true, "tags": tags("live")}))
		client := servedPack(t, ProductionEnvironmentsEnv+"=live")
		configureStack(t, client, "live")
		policies := func(vs []Violation) []string {
			var out []string
			for _, v := range vs {
				out = append(out, v.Policy)
			}
			return out
		}
		assert.Equal(t, []string{"prod-deletion-protection", "prod-multi-az"}, policies(analyzeOverGRPC(t, client, live)))

		client = servedPack(t)
		configureStack(t, client, "live")
		assert.Empty(t, analyzeOverGRPC(t, client, live), "live is not production by default")
	})

	t.Run("unknown values", func(t *testing.T) {
		client := servedPack(t)
		configureStack(t, client, "prod")
		unknownAll := rs(
			res(typeECSTaskDefinition, "td", obj{"containerDefinitions": unk, "volumes": unk}),
			res(typeIAMRolePolicy, "p", obj{"policy": unk}),
			res(typeCloudFrontDistrib, "d", obj{"viewerCertificate": unk, "origins": list{obj{"domainName": unk}}}),
			res(typeEFSFileSystem, "fs", obj{"encrypted": unk, "throughputMode": unk, "tags": obj{"environment": unk}}),
		)
		offline, err := Check(defaultPack(t), unknownAll, nil)
		require.NoError(t, err)
		assert.Equal(t, offline, analyzeOverGRPC(t, client, unknownAll))
		// Still serving.
		_, err = client.GetPluginInfo(context.Background(), &emptypb.Empty{})
		require.NoError(t, err)
	})
}
