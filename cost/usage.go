package cost

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed usage/*.yaml
var usageFiles embed.FS

// Usage is what the graph cannot know: traffic, storage, releases, task
// run times. Every value is a monthly figure or a ratio; the shipped
// profiles (usage/<stack>.yaml) give the reason for each value next to it.
// A value of -1 for CDNShare or SpotShare means "derive from the graph".
type Usage struct {
	PageViewsPerMonth    float64 `yaml:"pageViewsPerMonth" json:"pageViewsPerMonth"`
	RequestsPerPageView  float64 `yaml:"requestsPerPageView" json:"requestsPerPageView"`
	KBPerPageView        float64 `yaml:"kbPerPageView" json:"kbPerPageView"`
	PageCacheHitRatio    float64 `yaml:"pageCacheHitRatio" json:"pageCacheHitRatio"`
	AssetCacheHitRatio   float64 `yaml:"assetCacheHitRatio" json:"assetCacheHitRatio"`
	UploadsShareOfAssets float64 `yaml:"uploadsShareOfAssets" json:"uploadsShareOfAssets"`
	OriginKBPerRequest   float64 `yaml:"originKBPerRequest" json:"originKBPerRequest"`
	RequestsPerConn      float64 `yaml:"requestsPerConnection" json:"requestsPerConnection"`
	EdgeRegion           string  `yaml:"edgeRegion" json:"edgeRegion"`
	CDNShare             float64 `yaml:"cdnShare" json:"cdnShare"`

	UploadsGB           float64 `yaml:"uploadsGB" json:"uploadsGB"`
	UploadsPutsPerMonth float64 `yaml:"uploadsPutsPerMonth" json:"uploadsPutsPerMonth"`

	DBStorageGB            float64 `yaml:"dbStorageGB" json:"dbStorageGB"`
	DBIOMillionsPerMonth   float64 `yaml:"dbIOMillionsPerMonth" json:"dbIOMillionsPerMonth"`
	DBServerlessAverageACU float64 `yaml:"dbServerlessAverageAcu" json:"dbServerlessAverageAcu"`

	ReleasesPerMonth    float64 `yaml:"releasesPerMonth" json:"releasesPerMonth"`
	ReleaseBuildMinutes float64 `yaml:"releaseBuildMinutes" json:"releaseBuildMinutes"`
	ReleaseArtifactMiB  float64 `yaml:"releaseArtifactMiB" json:"releaseArtifactMiB"`
	ReleaseEFSWriteMiB  float64 `yaml:"releaseEfsWriteMiB" json:"releaseEfsWriteMiB"`
	EFSStorageGB        float64 `yaml:"efsStorageGB" json:"efsStorageGB"`

	ImageMiB        map[string]float64 `yaml:"imageMiB" json:"imageMiB"`
	DefaultImageMiB float64            `yaml:"defaultImageMiB" json:"defaultImageMiB"`

	TaskStartSeconds          float64 `yaml:"taskStartSeconds" json:"taskStartSeconds"`
	ScheduledRunSeconds       float64 `yaml:"scheduledRunSeconds" json:"scheduledRunSeconds"`
	ExtraTaskHoursPerService  float64 `yaml:"extraTaskHoursPerService" json:"extraTaskHoursPerService"`
	ScaleOutHoursPerStart     float64 `yaml:"scaleOutHoursPerStart" json:"scaleOutHoursPerStart"`
	DeploymentsPerMonth       float64 `yaml:"deploymentsPerMonth" json:"deploymentsPerMonth"`
	SpotInterruptionsPerMonth float64 `yaml:"spotInterruptionsPerSpotTask" json:"spotInterruptionsPerSpotTask"`
	SpotShare                 float64 `yaml:"spotShare" json:"spotShare"`

	SyncPollSeconds      float64 `yaml:"syncPollSeconds" json:"syncPollSeconds"`
	SyncPollOpsPerSite   float64 `yaml:"syncPollOpsPerSite" json:"syncPollOpsPerSite"`
	EFSModeMiBPerRun     float64 `yaml:"efsModeMiBPerRun" json:"efsModeMiBPerRun"`
	EFSModeMiBPerRequest float64 `yaml:"efsModeMiBPerRequest" json:"efsModeMiBPerRequest"`

	LogBytesPerOriginRequest float64 `yaml:"logBytesPerOriginRequest" json:"logBytesPerOriginRequest"`
	LogKBPerTaskRun          float64 `yaml:"logKBPerTaskRun" json:"logKBPerTaskRun"`
	LogGBOtherPerMonth       float64 `yaml:"logGBOtherPerMonth" json:"logGBOtherPerMonth"`
	LogCompressionRatio      float64 `yaml:"logCompressionRatio" json:"logCompressionRatio"`

	NATOtherGBPerMonth      float64 `yaml:"natOtherGBPerMonth" json:"natOtherGBPerMonth"`
	BackupDailyChangeRatio  float64 `yaml:"backupDailyChangeRatio" json:"backupDailyChangeRatio"`
	DNSQueriesMillions      float64 `yaml:"dnsQueriesMillions" json:"dnsQueriesMillions"`
	InsightsTaskMetrics     float64 `yaml:"containerInsightsTaskMetrics" json:"containerInsightsTaskMetrics"`
	InsightsContainerMetric float64 `yaml:"containerInsightsContainerMetrics" json:"containerInsightsContainerMetrics"`
	InsightsEventBytes      float64 `yaml:"containerInsightsEventBytes" json:"containerInsightsEventBytes"`
	ALBAccessLogBytesPerReq float64 `yaml:"albAccessLogBytesPerRequest" json:"albAccessLogBytesPerRequest"`
}

// ProfileName is the shipped profile used for a stack: its own if there is
// one, else "default".
func ProfileName(stack string) string {
	if _, err := usageFiles.ReadFile("usage/" + stack + ".yaml"); err == nil {
		return stack
	}
	return "default"
}

// LoadUsage returns the default profile overlaid with the stack's shipped
// profile (usage/<stack>.yaml), if any.
func LoadUsage(stack string) (*Usage, error) {
	u := &Usage{}
	for _, name := range []string{"default", stack} {
		b, err := usageFiles.ReadFile("usage/" + name + ".yaml")
		if err != nil {
			continue
		}
		if err := u.merge(b); err != nil {
			return nil, fmt.Errorf("cost/usage/%s.yaml: %w", name, err)
		}
	}
	return u, u.Validate()
}

// MergeFile overlays a user's usage file (same keys as usage/default.yaml);
// a bad file changes nothing.
func (u *Usage) MergeFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	c := u.clone()
	if err := c.merge(b); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	*u = *c
	return nil
}

func (u *Usage) merge(b []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err := dec.Decode(u)
	if err != nil && err.Error() != "EOF" {
		return err
	}
	return nil
}

// Set overrides one key ("pageViewsPerMonth=2e6", "imageMiB.php=80"). A
// bad assignment is refused and changes nothing.
func (u *Usage) Set(assignment string) error {
	c := u.clone()
	if err := c.set(assignment); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	*u = *c
	return nil
}

func (u *Usage) clone() *Usage {
	c := *u
	c.ImageMiB = map[string]float64{}
	for k, v := range u.ImageMiB {
		c.ImageMiB[k] = v
	}
	return &c
}

func (u *Usage) set(assignment string) error {
	key, value, ok := strings.Cut(assignment, "=")
	if !ok {
		return fmt.Errorf("usage override %q: want key=value", assignment)
	}
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if img, ok := strings.CutPrefix(key, "imageMiB."); ok {
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || f < 0 {
			return fmt.Errorf("usage override %s: %q is not a size in MiB", key, value)
		}
		if u.ImageMiB == nil {
			u.ImageMiB = map[string]float64{}
		}
		u.ImageMiB[img] = f
		return nil
	}
	v := reflect.ValueOf(u).Elem()
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Tag.Get("yaml") != key {
			continue
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(value)
		case reflect.Float64:
			x, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return fmt.Errorf("usage override %s: %q is not a number", key, value)
			}
			f.SetFloat(x)
		default:
			return fmt.Errorf("usage override %s: set it in a --usage file", key)
		}
		return nil
	}
	return fmt.Errorf("usage override %q: unknown key; valid keys: %s", key, strings.Join(UsageKeys(), ", "))
}

// UsageKeys lists the profile's keys.
func UsageKeys() []string {
	t := reflect.TypeOf(Usage{})
	var out []string
	for i := 0; i < t.NumField(); i++ {
		out = append(out, t.Field(i).Tag.Get("yaml"))
	}
	sort.Strings(out)
	return out
}

// Validate checks ranges: ratios in [0,1] (or -1 where derived), the rest >= 0.
func (u *Usage) Validate() error {
	ratios := map[string]float64{"pageCacheHitRatio": u.PageCacheHitRatio, "assetCacheHitRatio": u.AssetCacheHitRatio,
		"uploadsShareOfAssets": u.UploadsShareOfAssets, "logCompressionRatio": u.LogCompressionRatio,
		"backupDailyChangeRatio": u.BackupDailyChangeRatio}
	for k, x := range ratios {
		if x < 0 || x > 1 {
			return fmt.Errorf("usage %s: %v is not a ratio between 0 and 1", k, x)
		}
	}
	for k, x := range map[string]float64{"cdnShare": u.CDNShare, "spotShare": u.SpotShare} {
		if x != -1 && (x < 0 || x > 1) {
			return fmt.Errorf("usage %s: %v is not a ratio between 0 and 1 (or -1: derive from the graph)", k, x)
		}
	}
	v := reflect.ValueOf(u).Elem()
	for i := 0; i < v.NumField(); i++ {
		key := v.Type().Field(i).Tag.Get("yaml")
		if f := v.Field(i); f.Kind() == reflect.Float64 && f.Float() < 0 && key != "cdnShare" && key != "spotShare" {
			return fmt.Errorf("usage %s: %v must not be negative", key, f.Float())
		}
	}
	for k, x := range u.ImageMiB {
		if x < 0 {
			return fmt.Errorf("usage imageMiB.%s: %v must not be negative", k, x)
		}
	}
	return nil
}

// ImageSize is the compressed size in MiB of an image reference, by its
// repository's last path segment ("123.dkr.ecr.../wpfleet/php:1.0.0" -> "php").
func (u *Usage) ImageSize(image string) float64 {
	name := image
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	if x, ok := u.ImageMiB[name]; ok {
		return x
	}
	return u.DefaultImageMiB
}
