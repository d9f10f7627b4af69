package runtime

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// BenchmarkHardening: what the hardening costs per request. Two tasks of
// one site on one database: "hardened" as shipped, "plain" with the deny
// rules left out (security.conf.template empty) and without the hardening
// plugin (wpfleet-hardening.php empty). Per request: wall time (ns/op), the
// CPU time of nginx (master and workers) and of php-fpm (master and
// workers), from /proc.
//
//	go test -run '^$' -bench Hardening -benchtime 300x ./tests/runtime
//
// Scenarios: a static file (the deny rules are regular expressions tried
// on every request), a denied file (readme.html: served when plain, 404
// when hardened), the front page (PHP; the plugin's hooks), and a failed
// login from a new client address each time (the throttle: one SELECT and
// one INSERT ... ON DUPLICATE KEY UPDATE in the site's database).
func BenchmarkHardening(b *testing.B) {
	if env.skip != "" {
		if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
			b.Fatal(env.skip)
		}
		b.Skip(env.skip)
	}
	dir := filepath.Join(env.tmp, "hardening-bench")
	backing := filepath.Join(dir, "efs-backing")
	id := wpstack.NewReleaseID()
	if _, err := wpstack.BuildWordPressTree(env.bins, filepath.Join(backing, "bench"), id); err != nil {
		b.Fatal(err)
	}
	if err := wpstack.Publish(env.bins, filepath.Join(backing, "bench"), id); err != nil {
		b.Fatal(err)
	}
	site := wpstack.PoolSite{Name: "bench", DBName: "wp_hardening_bench", DBUser: "wpu_hbench", DBPass: "hardening-bench-not-secret", Salts: wpstack.Salts()}
	if err := env.db.CreateSite(site.DBName, site.DBUser, site.DBPass); err != nil {
		b.Fatal(err)
	}
	pools := map[string]*wpstack.Pool{}
	for _, v := range []string{"hardened", "plain"} {
		o := wpstack.PoolOptions{Mode: wpstack.ModeEFS, EFS: backing, DB: env.db, Sites: []wpstack.PoolSite{site}}
		if v == "plain" {
			o.NginxTemplates = map[string]string{"security.conf.template": ""}
			o.LibFiles = map[string]string{"wpfleet-hardening.php": "<?php\n"}
		}
		p, err := wpstack.StartPool(env.bins, env.repo, filepath.Join(dir, v), o)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Stop()
		pools[v] = p
	}
	pass := "hardening-bench-admin"
	if err := pools["hardened"].InstallWordPress("bench", "bench", pass); err != nil {
		b.Fatal(err)
	}
	n := 0
	// Static requests are cheap: each op is 25 of them, so that the CPU
	// clock (10 ms ticks) resolves them.
	for _, sc := range []struct {
		name string
		reqs int
		req  func(p *wpstack.Pool) (*wpstack.Response, error)
	}{
		{"static", 25, func(p *wpstack.Pool) (*wpstack.Response, error) {
			return wpstack.Do("GET", p.Home("bench")+"/wpfleet-release.txt", nil, nil)
		}},
		{"denied-file", 25, func(p *wpstack.Pool) (*wpstack.Response, error) {
			return wpstack.Do("GET", p.Home("bench")+"/readme.html", nil, nil)
		}},
		{"front-page", 1, func(p *wpstack.Pool) (*wpstack.Response, error) {
			return wpstack.Do("GET", p.Home("bench")+"/", nil, nil)
		}},
		{"failed-login", 1, func(p *wpstack.Pool) (*wpstack.Response, error) {
			n++
			form := url.Values{"log": {"admin"}, "pwd": {"wrong"}}
			return wpstack.Do("POST", p.Home("bench")+"/wp-login.php", map[string]string{"Content-Type": "application/x-www-form-urlencoded",
				"X-Forwarded-Proto": "https", "X-Forwarded-For": fmt.Sprintf("198.18.%d.%d", n/250, n%250+1)}, strings.NewReader(form.Encode()))
		}},
	} {
		for _, v := range []string{"plain", "hardened"} {
			p := pools[v]
			b.Run(sc.name+"/"+v, func(b *testing.B) {
				if r, err := sc.req(p); err != nil || r.StatusCode >= 500 {
					b.Fatalf("%v %+v", err, r)
				}
				nginx0, fpm0 := treeCPU(p.Nginx.Cmd.Process.Pid), treeCPU(p.FPM.Cmd.Process.Pid)
				b.ResetTimer()
				for range b.N * sc.reqs {
					if r, err := sc.req(p); err != nil || r.StatusCode >= 500 {
						b.Fatalf("%v %+v", err, r)
					}
				}
				b.StopTimer()
				reqs := float64(b.N * sc.reqs)
				nginx, fpm := treeCPU(p.Nginx.Cmd.Process.Pid)-nginx0, treeCPU(p.FPM.Cmd.Process.Pid)-fpm0
				b.ReportMetric(float64(b.Elapsed().Microseconds())/reqs, "µs/request")
				b.ReportMetric(float64(nginx.Microseconds())/reqs, "nginx-cpu-µs/request")
				b.ReportMetric(float64(fpm.Microseconds())/reqs, "fpm-cpu-µs/request")
			})
		}
	}
}

// treeCPU is the CPU time (user and system, with that of reaped children)
// of the process root and all its descendants.
func treeCPU(root int) time.Duration {
	type proc struct {
		ppid  int
		ticks int64
	}
	procs := map[int]proc{}
	files, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// After "(comm)": state ppid pgrp ... utime(14) stime cutime cstime.
		i := strings.LastIndexByte(string(b), ')')
		fields := strings.Fields(string(b)[i+1:])
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		if i < 0 || len(fields) < 15 || err != nil {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		var ticks int64
		for _, k := range fields[11:15] {
			v, _ := strconv.ParseInt(k, 10, 64)
			ticks += v
		}
		procs[pid] = proc{ppid, ticks}
	}
	var ticks int64
	for pid, p := range procs {
		for q := pid; q > 1; q = procs[q].ppid {
			if q == root {
				ticks += p.ticks
				break
			}
			if _, ok := procs[q]; !ok {
				break
			}
		}
	}
	// USER_HZ is 100 on Linux.
	return time.Duration(ticks) * 10 * time.Millisecond
}
