package components

import "encoding/json"

// Container definition shapes (the subset of the ECS API wpfleet uses). The
// task definition's containerDefinitions input is this, as JSON.

type containerDef struct {
	Name      string   `json:"name"`
	Image     string   `json:"image"`
	Essential bool     `json:"essential"`
	Command   []string `json:"command,omitempty"`
	// MemoryReservation is the container's soft memory limit (MiB).
	MemoryReservation int               `json:"memoryReservation,omitempty"`
	PortMappings      []portMapping     `json:"portMappings,omitempty"`
	Environment       []keyValue        `json:"environment,omitempty"`
	Secrets           []secretRef       `json:"secrets,omitempty"`
	MountPoints       []mountPoint      `json:"mountPoints,omitempty"`
	DependsOn         []dependency      `json:"dependsOn,omitempty"`
	HealthCheck       *healthCheck      `json:"healthCheck,omitempty"`
	LogConfiguration  *logConfiguration `json:"logConfiguration,omitempty"`
	StopTimeout       int               `json:"stopTimeout,omitempty"`
	LinuxParameters   *linuxParameters  `json:"linuxParameters,omitempty"`
	User              string            `json:"user,omitempty"`
}

type portMapping struct {
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
	Name          string `json:"name,omitempty"`
}

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type secretRef struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

type mountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}

type dependency struct {
	ContainerName string `json:"containerName"`
	Condition     string `json:"condition"`
}

type healthCheck struct {
	Command     []string `json:"command"`
	Interval    int      `json:"interval"`
	Timeout     int      `json:"timeout"`
	Retries     int      `json:"retries"`
	StartPeriod int      `json:"startPeriod"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

type linuxParameters struct {
	InitProcessEnabled bool `json:"initProcessEnabled"`
}

func containersJSON(defs []containerDef) (string, error) {
	b, err := json.Marshal(defs)
	return string(b), err
}

// env turns ordered pairs into an environment list.
func env(pairs ...string) []keyValue {
	out := make([]keyValue, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, keyValue{Name: pairs[i], Value: pairs[i+1]})
	}
	return out
}
