package contract

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestSiteNamesAndKeys(t *testing.T) {
	for _, ok := range []string{"a", "news", "news-cron", "abcdefghijklmn", "a1-2"} {
		if err := ValidSiteName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1a", "-a", "News", "a_b", "abcdefghijklmno", "a b", "a.b"} {
		if err := ValidSiteName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := SiteEnv("news-cron", SiteDBSecret); got != "WPFLEET_SITE_NEWS_CRON_DB_SECRET" {
		t.Errorf("SiteEnv = %q", got)
	}
	if FPMSocket("news") != "/run/wpfleet-fpm/news.sock" || SiteUID(1) != 10002 {
		t.Error("sockets or users moved")
	}
	if s, err := ParseSites(" a  b-c "); err != nil || strings.Join(s, ",") != "a,b-c" {
		t.Errorf("ParseSites: %v %v", s, err)
	}
	for _, bad := range []string{"", "a a", "a B"} {
		if _, err := ParseSites(bad); err == nil {
			t.Errorf("ParseSites(%q) accepted", bad)
		}
	}
}

func TestCronLineIsTheContractsJSON(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal([]byte(CronLine("news", CronStatusLocked, 0.25)), &v); err != nil {
		t.Fatal(err)
	}
	if v["wpfleet"] != "cron" || v["site"] != "news" || v["status"] != "locked" || v["seconds"] != 0.25 {
		t.Errorf("%v", v)
	}
}

// Every name of the contract is in image/README.md's contract section, the
// text the task definitions are written from.
func TestContractIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../image/README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start, end := strings.Index(doc, "## The pool's task contract"), strings.Index(doc, "## Files")
	if start < 0 || end < start {
		t.Fatal("image/README.md has no contract section")
	}
	doc = doc[start:end]
	names := []string{EnvSites, EnvRequestTimeout, EnvCodeRoot, EnvSyncSource, EnvSyncDest, SyncSource, SyncDest,
		EnvEnv, EnvCodeDelivery, EnvTaskCPU, EnvTaskMemoryMiB, EnvRegion, EnvWPEnvironment, EnvDBHost, EnvDBTLS, EnvCronInterval,
		EnvRealIPFrom, FPMSocketDir, SettingsDir, HealthPath, "`" + FPMVolume + "`",
		strconv.Itoa(NginxPort), "127.0.0.1:" + strconv.Itoa(FPMHealthPort), strconv.Itoa(FirstSiteUID), "group " + strconv.Itoa(FPMSocketGID),
		CronFailedFilter, `{"wpfleet":"cron","site":"<s>","status":"ok"\|"failed"\|"locked","seconds":<n>}`,
		OPcacheFullFilter, OPcacheErrorFilter, EnvOPcacheSiteMiB, ReleaseHeader, "memoryReservation " + strconv.Itoa(SyncMemoryReservationMiB)}
	for _, suffix := range []string{SiteHome, SiteDBName, SiteBucket, SiteXMLRPC, SiteHostnames, SiteDBSecret, SiteSaltsSecret} {
		names = append(names, "WPFLEET_SITE_<S>_"+suffix)
	}
	for _, n := range names {
		if !strings.Contains(doc, n) {
			t.Errorf("image/README.md's contract section does not name %s", n)
		}
	}
}
