package fleetconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// StackFiles is the configuration the Pulumi CLI would hand the program for
// one stack: Pulumi.yaml's declared defaults overlaid with the stack file.
type StackFiles struct {
	// Project is the project's name from Pulumi.yaml.
	Project string
	// Config maps full keys ("wpfleet:sites") to raw values: text, or JSON for
	// arrays and objects. Secure values read "[secret]": nothing is decrypted.
	Config map[string]string
	// SecretKeys are the keys whose values are secure in the stack file.
	SecretKeys []string
	// Declared maps each key Pulumi.yaml declares to its declaration.
	Declared map[string]workspace.ProjectConfigType
}

// ReadStackFiles loads Pulumi.yaml and a stack file with the Pulumi SDK's own
// loaders, checks every value against its declared type as `pulumi preview`
// does, and applies the declared defaults.
func ReadStackFiles(projectFile, stackFile string) (*StackFiles, error) {
	proj, err := workspace.LoadProject(projectFile)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(stackFile); err != nil {
		return nil, fmt.Errorf("reading stack configuration: %w", err)
	}
	ps, err := workspace.LoadProjectStack(nil, proj, stackFile)
	if err != nil {
		return nil, fmt.Errorf("could not read %s: %w", stackFile, err)
	}
	out := &StackFiles{Project: string(proj.Name), Config: map[string]string{}, Declared: map[string]workspace.ProjectConfigType{}}
	for k, decl := range proj.Config {
		full := k
		if _, err := config.ParseKey(k); err != nil {
			full = string(proj.Name) + ":" + k
		}
		out.Declared[full] = decl
	}

	blind := config.NewBlindingDecrypter()
	var errs []string
	for key, v := range ps.Config {
		full := key.String()
		text, err := v.Value(blind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", full, err)
		}
		out.Config[full] = text
		if v.Secure() {
			out.SecretKeys = append(out.SecretKeys, full)
		}
		if decl, ok := out.Declared[full]; ok && decl.IsExplicitlyTyped() && !v.Secure() {
			obj, err := v.ToObject()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", full, err)
			}
			if !workspace.ValidateConfigValue(decl.TypeName(), decl.Items, obj) {
				errs = append(errs, fmt.Sprintf("%s: %q is not valid; the stack file must give a value of type %s (Pulumi.yaml)",
					full, text, workspace.InferFullTypeName(decl.TypeName(), decl.Items)))
			}
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("%s", joinLines(errs))
	}
	for full, decl := range out.Declared {
		if _, set := out.Config[full]; set || decl.Default == nil {
			continue
		}
		text, err := defaultText(decl.Default)
		if err != nil {
			return nil, fmt.Errorf("%s: default: %w", full, err)
		}
		out.Config[full] = text
	}
	sort.Strings(out.SecretKeys)
	return out, nil
}

func defaultText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	default:
		b, err := json.Marshal(x)
		return string(b), err
	}
}

func joinLines(s []string) string {
	out := ""
	for i, l := range s {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}
