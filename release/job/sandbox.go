package job

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The sandbox runs the repository's code (composer, the build hook, the site's PHP during the
// database upgrade) with bubblewrap:
//
//   - its own user (uid/gid 82 inside a new user namespace), PID, IPC, UTS, cgroup and network
//     namespaces, no capabilities, no further user namespaces, a new session;
//   - a file system made of the system's directories read-only (/usr, /etc, the /bin and /lib
//     links, /opt and the extra WPFLEET_SANDBOX_PATHS for tool runtimes), empty private /tmp
//     and home, and one directory of the site: the new tree read-write at /build for a hook,
//     the published release read-only at /release for the upgrade. Nothing else of the file
//     system: no EFS, no other site, no mirror, no job files;
//   - a clean environment (never the job's AWS credentials or secret ARNs);
//   - a network namespace with loopback only: no route anywhere, in particular not to the
//     container credentials endpoint (169.254.170.2) or instance metadata (169.254.169.254).
//     What a step needs comes through Unix sockets the job serves: hooks get an HTTPS
//     (CONNECT) proxy to public addresses only (netproxy.go), the upgrade a relay to the
//     database host alone;
//   - when its command ends (or times out, or the job is killed) every process in it is
//     killed: it is PID 1's namespace, and bwrap dies with the job (--die-with-parent).
const (
	sandboxUID      = "82"
	sandboxProxy    = "127.0.0.1:3128"
	sandboxNetDir   = "/run/wpfleet/net"
	sandboxInitPath = "/run/wpfleet/init"
)

// sandboxRun is one command in the sandbox.
type sandboxRun struct {
	dir      string            // host directory: /build (writable) or /release (read-only)
	writable bool              // dir at /build, writable; else at /release, read-only
	files    map[string]string // extra read-only files: sandbox path -> host path
	hosts    string            // /etc/hosts content ("" keeps the system's)
	env      []string          // on top of PATH, HOME, TMPDIR, LANG
	proxy    bool              // HTTPS proxy for hooks
	dbAddr   string            // host:port the database relay connects to ("" for none)
	dbListen string            // where the relay listens inside the sandbox
	argv     []string
	stdin    io.Reader
	timeout  time.Duration
}

// bwrapArgs renders the bubblewrap command line (without "bwrap" itself).
func bwrapArgs(r sandboxRun, self, netDir string, roPaths []string, disableUserns bool) []string {
	a := []string{"--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
		"--unshare-cgroup-try", "--uid", sandboxUID, "--gid", sandboxUID, "--hostname", "wpfleet-sandbox",
		"--die-with-parent", "--new-session", "--cap-drop", "ALL"}
	if disableUserns {
		a = append(a, "--disable-userns")
	}
	for _, p := range systemPaths(roPaths) {
		if t, err := os.Readlink(p); err == nil {
			a = append(a, "--symlink", t, p)
			continue
		}
		a = append(a, "--ro-bind", p, p)
	}
	a = append(a, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp",
		"--tmpfs", "/home/build", "--tmpfs", "/run", "--dir", "/run/wpfleet",
		"--ro-bind", self, sandboxInitPath, "--bind", netDir, sandboxNetDir)
	for in, host := range r.files {
		a = append(a, "--ro-bind", host, in)
	}
	if r.writable {
		a = append(a, "--bind", r.dir, "/build", "--chdir", "/build")
	} else {
		a = append(a, "--ro-bind", r.dir, "/release", "--chdir", "/release")
	}
	return a
}

// systemPaths are the host's system directories the sandbox sees read-only, plus extra.
func systemPaths(extra []string) []string {
	var out []string
	for _, p := range []string{"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt"} {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	for _, p := range extra {
		if filepath.IsAbs(p) {
			if _, err := os.Stat(p); err == nil {
				out = append(out, filepath.Clean(p))
			}
		}
	}
	return out
}

// sandboxEnv is the whole environment of the sandboxed command.
func (j *job) sandboxEnv(r sandboxRun) []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	env := []string{"PATH=" + path, "HOME=/home/build", "TMPDIR=/tmp", "LANG=C.UTF-8", "USER=build"}
	if r.proxy {
		p := "http://" + sandboxProxy
		env = append(env, "http_proxy="+p, "https_proxy="+p, "HTTP_PROXY="+p, "HTTPS_PROXY="+p,
			"npm_config_proxy="+p, "npm_config_https_proxy="+p, "no_proxy=", "NO_PROXY=")
	}
	return append(env, r.env...)
}

// sandbox runs r in the sandbox and waits for it; output goes to the job's stderr.
func (j *job) sandbox(ctx context.Context, r sandboxRun) error {
	self, err := os.Executable()
	if err != nil {
		return failf("find the job's own program: %v", err)
	}
	// A Unix socket's path must be short (108 bytes); the job's private directory may not be.
	netDir, err := os.MkdirTemp(shortTempDir(j.priv), "wpfleet-net.")
	if err != nil {
		return failf("sandbox: %v", err)
	}
	defer os.RemoveAll(netDir)
	if err := os.Chmod(netDir, 0o755); err != nil {
		return failf("sandbox: %v", err)
	}
	var listen []string
	stopRelays, err := j.startRelays(r, netDir, &listen)
	if err != nil {
		return failf("sandbox network: %v", err)
	}
	defer stopRelays()
	if r.hosts != "" {
		hf := filepath.Join(netDir, "hosts")
		if err := os.WriteFile(hf, []byte(r.hosts), 0o644); err != nil {
			return failf("sandbox: %v", err)
		}
		if r.files == nil {
			r.files = map[string]string{}
		}
		r.files["/etc/hosts"] = hf
	}
	args := bwrapArgs(r, self, netDir, j.cfg.SandboxPaths, bwrapDisablesUserns())
	args = append(args, "--", sandboxInitPath, "sandbox-init")
	args = append(args, listen...)
	args = append(args, "--")
	args = append(args, r.argv...)
	_, err = run(ctx, command{argv: append([]string{"bwrap"}, args...), env: j.sandboxEnv(r), stdin: r.stdin,
		stdout: j.errw, stderr: j.errw, timeout: r.timeout})
	return err
}

// startRelays serves the sandbox's Unix sockets and tells sandbox-init where to listen.
func (j *job) startRelays(r sandboxRun, netDir string, listen *[]string) (func(), error) {
	var ls []net.Listener
	stop := func() {
		for _, l := range ls {
			l.Close()
		}
	}
	serve := func(name, inside string, handle func(net.Conn)) error {
		l, err := net.Listen("unix", filepath.Join(netDir, name))
		if err != nil {
			return err
		}
		_ = os.Chmod(filepath.Join(netDir, name), 0o777)
		ls = append(ls, l)
		*listen = append(*listen, "--listen", inside+"="+sandboxNetDir+"/"+name)
		go acceptLoop(l, handle)
		return nil
	}
	if r.proxy {
		p := &proxy{allow: publicAddr, logf: j.logf}
		if err := serve("proxy.sock", sandboxProxy, p.handle); err != nil {
			stop()
			return nil, err
		}
	}
	if r.dbAddr != "" {
		if err := serve("db.sock", r.dbListen, func(c net.Conn) { relay(c, r.dbAddr) }); err != nil {
			stop()
			return nil, err
		}
	}
	return stop, nil
}

func acceptLoop(l net.Listener, handle func(net.Conn)) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go handle(c)
	}
}

// sandboxWorks runs `true` in the sandbox once, so that a machine where it cannot work fails
// before anything is touched.
func sandboxWorks(cfg *Config) error {
	a := []string{"--unshare-user", "--unshare-pid", "--unshare-net", "--uid", sandboxUID, "--gid", sandboxUID,
		"--die-with-parent", "--cap-drop", "ALL"}
	for _, p := range systemPaths(cfg.SandboxPaths) {
		a = append(a, "--ro-bind", p, p)
	}
	out, err := exec.Command("bwrap", append(a, "--", "true")...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("bwrap: %v: %s", err, shortErr(out))
	}
	return nil
}

var disableUserns = struct {
	once bool
	ok   bool
}{}

// bwrapDisablesUserns reports whether this bwrap has --disable-userns (0.8 and later).
func bwrapDisablesUserns() bool {
	if !disableUserns.once {
		out, _ := exec.Command("bwrap", "--help").CombinedOutput()
		disableUserns.once, disableUserns.ok = true, strings.Contains(string(out), "--disable-userns")
	}
	return disableUserns.ok
}

func shortTempDir(preferred string) string {
	if len(preferred) < 60 {
		return preferred
	}
	return "/tmp"
}
