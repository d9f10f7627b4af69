package wpstack

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// InstallWordPress runs WordPress's own installer over HTTP, through nginx
// and the site's php-fpm pool, as a person would on a new site.
func (p *Pool) InstallWordPress(site, title, adminPassword string) error {
	form := url.Values{
		"weblog_title":    {title},
		"user_name":       {"admin"},
		"admin_password":  {adminPassword},
		"admin_password2": {adminPassword},
		"pw_weak":         {"1"},
		"admin_email":     {"admin@example.com"},
		"blog_public":     {"0"},
		"language":        {""},
	}
	resp, err := Do("POST", p.Home(site)+"/wp-admin/install.php?step=2",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "https"},
		strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "Success!") {
		return fmt.Errorf("WordPress install of %s: HTTP %d: %.600s\nphp log:\n%s", site, resp.StatusCode, resp.Body, p.FPM.Tail(2000))
	}
	return nil
}

// WPCLIStandIn stands in for wp-cli.phar (WP_CLI_PHAR) in the tests: WP-CLI
// is not packaged in Debian. It loads WordPress the way WP-CLI does, so the
// platform configuration is tested under it: WP_CLI defined, ABSPATH from
// --path, the lines of wp-config.php evaluated except the one matching
// WP-CLI's /^\s*require.+wp-settings\.php/ (which must exist, or WP-CLI
// stops with "Strange wp-config.php file"), then wp-settings.php loaded. It
// runs the commands the tests use: "cron event run --due-now" (as WP-CLI
// does: each due event rescheduled or unscheduled, then its action run) and
// "option get NAME".
const WPCLIStandIn = `<?php
$args = array_slice($argv, 1);
$path = null;
foreach ($args as $i => $a) {
	if (str_starts_with($a, '--path=')) {
		$path = substr($a, 7);
		unset($args[$i]);
	}
}
$args = array_values($args);
if ($path === null) {
	fwrite(STDERR, "Error: no --path\n");
	exit(1);
}
define('WP_CLI', true);
$path = rtrim($path, '/') . '/';
define('ABSPATH', $path);
$_SERVER['DOCUMENT_ROOT'] = realpath($path);
$found = false;
$lines = [];
foreach (explode("\n", file_get_contents($path . 'wp-config.php')) as $line) {
	if (preg_match('/^\s*require.+wp-settings\.php/', $line)) {
		$found = true;
		continue;
	}
	$lines[] = $line;
}
if (!$found) {
	fwrite(STDERR, "Error: Strange wp-config.php file: wp-settings.php is not loaded directly.\n");
	exit(1);
}
eval(preg_replace('|^\s*\<\?php\s*|', '', implode("\n", $lines)));
// Like WP-CLI: WordPress's fatal error handler (which ends the process with
// status 0 after printing its page) is off, so a fatal error exits 255.
$GLOBALS['wp_filter']['wp_fatal_error_handler_enabled'][10][] = ['function' => static fn() => false, 'accepted_args' => 1];
require ABSPATH . 'wp-settings.php';
$cmd = implode(' ', $args);
if ($cmd === 'cron event run --due-now') {
	$ran = 0;
	foreach (wp_get_ready_cron_jobs() as $timestamp => $hooks) {
		foreach ($hooks as $hook => $events) {
			foreach ($events as $event) {
				if ($event['schedule']) {
					wp_reschedule_event($timestamp, $event['schedule'], $hook, $event['args']);
				}
				wp_unschedule_event($timestamp, $hook, $event['args']);
				do_action_ref_array($hook, $event['args']);
				echo "Executed the cron event '$hook'.\n";
				$ran++;
			}
		}
	}
	echo "Success: Executed a total of $ran cron events.\n";
} elseif (count($args) === 3 && $args[0] === 'option' && $args[1] === 'get') {
	echo get_option($args[2]), "\n";
} else {
	fwrite(STDERR, "Error: the WP-CLI stand-in does not know '$cmd'\n");
	exit(1);
}
`

// SlowFS is a running bench/cmd/slowfs mount.
type SlowFS struct {
	Mountpoint string
	StatsURL   string
	Proc       *Proc
}

// MountSlowFS mounts backing at mountpoint with the given delay and kernel
// cache times, read-only.
func MountSlowFS(bin, backing, mountpoint, logPath string, delay, cache time.Duration, extra ...string) (*SlowFS, error) {
	if err := os.MkdirAll(mountpoint, 0o755); err != nil {
		return nil, err
	}
	args := append([]string{"-ro", "-delay", delay.String(), "-entry-timeout", cache.String(),
		"-attr-timeout", cache.String(), "-negative-timeout", cache.String()}, extra...)
	cmd := exec.Command(bin, append(args, backing, mountpoint)...)
	cmd.Env = BaseEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Proc{Name: "slowfs", Cmd: cmd, Log: logPath, done: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "ready stats="); ok {
				ready <- u
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		logf.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.done)
	}()
	select {
	case u := <-ready:
		return &SlowFS{Mountpoint: mountpoint, StatsURL: u, Proc: p}, nil
	case <-p.done:
		return nil, fmt.Errorf("slowfs exited: %v: %s", p.Err(), p.Tail(2000))
	case <-time.After(30 * time.Second):
		_ = p.Stop(syscall.SIGKILL, time.Second)
		return nil, fmt.Errorf("slowfs not ready within 30 s: %s", p.Tail(2000))
	}
}

// Unmount stops the file system (SIGTERM unmounts) and detaches the mount
// if the process could not.
func (f *SlowFS) Unmount() {
	_ = f.Proc.Stop(syscall.SIGTERM, 10*time.Second)
	_ = syscall.Unmount(f.Mountpoint, syscall.MNT_DETACH)
}
