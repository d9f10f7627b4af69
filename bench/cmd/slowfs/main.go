// Command slowfs mounts a directory through a FUSE pass-through file system
// that delays every request (default 1 ms) and counts them: a stand-in for
// EFS (see bench/slowfs).
//
//	slowfs [-delay 1ms] [-entry-timeout 3s] [-attr-timeout 3s] [-negative-timeout 3s]
//	       [-ro] [-read-mibps 0] [-stats 127.0.0.1:0] BACKING MOUNTPOINT
//
// Once mounted it prints "ready stats=http://ADDR" on stdout; GET /stats
// returns the counters as JSON, POST /reset zeroes them. SIGTERM or SIGINT
// unmounts and exits.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wpfleet/wpfleet/bench/slowfs"
)

func main() {
	var o slowfs.Options
	flag.DurationVar(&o.Delay, "delay", time.Millisecond, "wait before serving each request")
	flag.DurationVar(&o.EntryTimeout, "entry-timeout", 3*time.Second, "kernel cache time of name lookups")
	flag.DurationVar(&o.AttrTimeout, "attr-timeout", 3*time.Second, "kernel cache time of attributes")
	flag.DurationVar(&o.NegativeTimeout, "negative-timeout", 3*time.Second, "kernel cache time of failed lookups")
	flag.BoolVar(&o.ReadOnly, "ro", false, "mount read-only")
	flag.Float64Var(&o.ReadMiBps, "read-mibps", 0, "cap on the data rate of all reads together, MiB/s (0: none)")
	statsAddr := flag.String("stats", "127.0.0.1:0", "loopback address of the counters' HTTP endpoint")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: slowfs [flags] BACKING MOUNTPOINT")
		os.Exit(2)
	}
	host, _, err := net.SplitHostPort(*statsAddr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(os.Stderr, "slowfs: -stats %q must be a loopback address such as 127.0.0.1:0\n", *statsAddr)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *statsAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "slowfs:", err)
		os.Exit(1)
	}
	server, stats, err := slowfs.Mount(flag.Arg(0), flag.Arg(1), o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "slowfs: mount %s on %s: %v\n", flag.Arg(0), flag.Arg(1), err)
		os.Exit(1)
	}
	go func() { _ = http.Serve(ln, stats.Handler()) }()
	fmt.Printf("ready stats=http://%s\n", ln.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	for i := 0; i < 50; i++ {
		if err = server.Unmount(); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond) // busy: a process still has a file open
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "slowfs: unmount:", err)
		_ = syscall.Unmount(flag.Arg(1), syscall.MNT_DETACH)
	}
	fmt.Fprintln(os.Stderr, "slowfs: final counters:", stats.Snapshot())
}
