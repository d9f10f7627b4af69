package contract

import (
	"encoding/json"
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
	if FPMSitePort(0) != 9001 || FPMSitePort(2) != 9003 || SiteUID(1) != 10002 {
		t.Error("ports or users moved")
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
