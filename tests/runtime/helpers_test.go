package runtime

import (
	"testing"
	"time"
)

// The graceful-stop check tells a request that ran its full duration from
// one that was cut short (issue 11: slow.php once answered after 1 s of 20).
func TestSlowResponseComplete(t *testing.T) {
	for _, c := range []struct {
		rest   string
		waited time.Duration
		ok     bool
	}{
		{"done 4001", 4100 * time.Millisecond, true},
		{"done 4000", 4000 * time.Millisecond, true},
		{"", 4100 * time.Millisecond, false},                 // connection closed after "start"
		{"done 1002", 1100 * time.Millisecond, false},        // ran 1 s of 4
		{"done 4001", 900 * time.Millisecond, false},         // the client did not wait
		{"done", 4100 * time.Millisecond, false},             // the old fixture's answer
		{"<html>502</html>", 4100 * time.Millisecond, false}, // nginx's error page
	} {
		if err := slowResponseComplete(c.rest, c.waited, 4000); (err == nil) != c.ok {
			t.Errorf("%q after %s: %v, want ok=%v", c.rest, c.waited, err, c.ok)
		}
	}
}
