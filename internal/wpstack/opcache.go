package wpstack

import (
	"encoding/json"
	"fmt"
	"path/filepath"
)

// OPcacheStatus is what image/php/wpfleet-opcache-api.php reports about
// php-fpm's OPcache (wpfleet-opcache status).
type OPcacheStatus struct {
	Enabled        bool `json:"enabled"`
	RestartPending bool `json:"restart_pending"`
	CacheFull      bool `json:"cache_full"`
	MemoryMiB      struct {
		Size, Used, Free, Wasted float64
	} `json:"memory_mib"`
	InternedMiB struct {
		Size, Used, Free float64
	} `json:"interned_strings_mib"`
	Scripts  int     `json:"scripts"`
	Keys     int     `json:"keys"`
	MaxKeys  int     `json:"max_keys"`
	Hits     int64   `json:"hits"`
	Misses   int64   `json:"misses"`
	HitRate  float64 `json:"hit_rate"`
	Restarts struct {
		OOM, Hash, Manual int
	} `json:"restarts"`
	LastRestartTime int64                        `json:"last_restart_time"`
	Sites           map[string]OPcacheSiteStatus `json:"sites"`
	OtherScripts    int                          `json:"other_scripts"`
	Reset           *bool                        `json:"reset,omitempty"`
}

// OPcacheSiteStatus is one site's part of the OPcache.
type OPcacheSiteStatus struct {
	Release       string  `json:"release"`
	LiveScripts   int     `json:"live_scripts"`
	LiveMiB       float64 `json:"live_mib"`
	WPSettingsPHP bool    `json:"wp_settings_php"`
	Stale         map[string]struct {
		Scripts int     `json:"scripts"`
		MiB     float64 `json:"mib"`
	} `json:"stale"`
}

// OPcache runs the image's wpfleet-opcache with args (status, reset) as
// root in the php container, as ECS Exec would, and returns its output.
func (p *Pool) OPcache(args ...string) (string, error) {
	env := append(p.FPMEnv(), "PHP_INI_SCAN_DIR="+p.PHPIniScanDir("cli"))
	return Run(env, append([]string{p.bins.PHP, filepath.Join(p.LibDir, "wpfleet-opcache")}, args...)...)
}

// OPcacheStatus asks wpfleet-opcache for the status of php-fpm's OPcache.
func (p *Pool) OPcacheStatus() (OPcacheStatus, error) {
	var st OPcacheStatus
	out, err := p.OPcache("status")
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		return st, fmt.Errorf("wpfleet-opcache status: %w: %.500s", err, out)
	}
	return st, nil
}
