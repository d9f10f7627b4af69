package job

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proxy is the HTTPS proxy hooks reach the internet through: CONNECT only, to ports 443 and
// 80, and only when every address the name resolves to is public (allow); it connects to the
// address it checked, so a name cannot resolve to a public address for the check and a
// private one for the connection. Private, loopback, link-local (the credentials endpoint
// 169.254.170.2, instance metadata 169.254.169.254), carrier-grade NAT and other special
// ranges are refused: no database, file system or VPC endpoint is reachable from a hook.
type proxy struct {
	allow func(netip.Addr) bool
	logf  func(string, ...any)
	// resolve and dial default to the system's.
	resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	dial    func(ctx context.Context, addr string) (net.Conn, error)
}

func (p *proxy) handle(c net.Conn) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		p.logf("sandbox proxy: refused %s %s (only CONNECT, for https)", req.Method, req.URL.Redacted())
		fmt.Fprint(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	host, port, err := net.SplitHostPort(req.Host)
	if err != nil || (port != "443" && port != "80") {
		p.logf("sandbox proxy: refused CONNECT %q (ports 443 and 80 only)", req.Host)
		fmt.Fprint(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	addr, err := p.check(ctx, host)
	if err != nil {
		p.logf("sandbox proxy: refused CONNECT %s: %v", req.Host, err)
		fmt.Fprint(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		return
	}
	up, err := p.dialer()(ctx, net.JoinHostPort(addr.String(), port))
	if err != nil {
		fmt.Fprint(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	_ = c.SetReadDeadline(time.Time{})
	fmt.Fprint(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	pipe(c, br, up)
}

// check resolves host and returns the address to connect to, or why not.
func (p *proxy) check(ctx context.Context, host string) (netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		resolve := p.resolve
		if resolve == nil {
			resolve = func(ctx context.Context, h string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", h)
			}
		}
		if addrs, err = resolve(ctx, host); err != nil {
			return netip.Addr{}, err
		}
	}
	if len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("%s has no address", host)
	}
	for _, a := range addrs {
		if !p.allow(a.Unmap()) {
			return netip.Addr{}, fmt.Errorf("%s is not a public address", a)
		}
	}
	return addrs[0].Unmap(), nil
}

func (p *proxy) dialer() func(context.Context, string) (net.Conn, error) {
	if p.dial != nil {
		return p.dial
	}
	var d net.Dialer
	return func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
}

// special are address ranges that are not the public internet.
var special = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "64:ff9b::/96",
		"64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// publicAddr reports whether a is a global unicast address outside every special range.
func publicAddr(a netip.Addr) bool {
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range special {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// relay connects c to addr (the database) and copies both ways.
func relay(c net.Conn, addr string) {
	defer c.Close()
	up, err := net.DialTimeout("tcp", addr, 20*time.Second)
	if err != nil {
		return
	}
	defer up.Close()
	pipe(c, c, up)
}

// pipe copies between a client (read through r, which may hold buffered bytes) and up until
// either side is done.
func pipe(c net.Conn, r io.Reader, up net.Conn) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(up, r)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		} else {
			up.Close()
		}
	}()
	_, _ = io.Copy(c, up)
	c.Close()
	wg.Wait()
}

// sandboxInit runs inside the sandbox: it listens on loopback addresses and passes each
// connection to a Unix socket the job serves (--listen ADDR=SOCKET), then runs the command
// and exits with its status. When it exits, the sandbox's PID namespace ends with it.
func sandboxInit(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox-init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var listens []string
	fs.Func("listen", "ADDR=SOCKET", func(v string) error { listens = append(listens, v); return nil })
	if err := fs.Parse(args); err != nil || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: sandbox-init [--listen ADDR=SOCKET]... -- COMMAND...")
		return 2
	}
	for _, l := range listens {
		addr, sock, ok := strings.Cut(l, "=")
		ln, err := net.Listen("tcp", addr)
		if !ok || err != nil {
			fmt.Fprintf(stderr, "sandbox-init: listen %s: %v\n", addr, err)
			return 2
		}
		go acceptLoop(ln, func(c net.Conn) {
			defer c.Close()
			up, err := net.Dial("unix", sock)
			if err != nil {
				return
			}
			defer up.Close()
			pipe(c, c, up)
		})
	}
	argv := fs.Args()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "sandbox-init: %v\n", err)
		return 127
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		return 127
	}
	return 0
}
