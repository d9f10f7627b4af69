package preflight

import (
	"embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed data/*.txt
var dataFiles embed.FS

// closedSet is a data file: the values AWS accepts, when they were checked
// and where.
type closedSet struct {
	file    string
	checked string
	sources []string
	// lines are the data lines (comments and blanks dropped), in order.
	lines  []string
	values map[string]bool
}

var (
	setsMu sync.Mutex
	sets   = map[string]*closedSet{}
)

// loadSet reads data/<name>.txt once. A file without "# checked:" and
// "# source:" lines is a programming error (the tests read every file).
func loadSet(name string) *closedSet {
	setsMu.Lock()
	defer setsMu.Unlock()
	if s, ok := sets[name]; ok {
		return s
	}
	s, err := parseSet(name)
	if err != nil {
		panic(err)
	}
	sets[name] = s
	return s
}

func parseSet(name string) (*closedSet, error) {
	b, err := dataFiles.ReadFile("data/" + name + ".txt")
	if err != nil {
		return nil, err
	}
	s := &closedSet{file: "preflight/data/" + name + ".txt", values: map[string]bool{}}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "# checked:"):
			s.checked = strings.TrimSpace(strings.TrimPrefix(line, "# checked:"))
		case strings.HasPrefix(line, "# source:"):
			s.sources = append(s.sources, strings.TrimSpace(strings.TrimPrefix(line, "# source:")))
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			s.lines = append(s.lines, line)
			s.values[line] = true
		}
	}
	if s.checked == "" || len(s.sources) == 0 || len(s.lines) == 0 {
		return nil, fmt.Errorf("%s: needs a '# checked:' date, a '# source:' and values", s.file)
	}
	return s, nil
}

func (s *closedSet) has(v string) bool { return s.values[v] }

// source is what a violation cites: the page and the data file with its date.
func (s *closedSet) source() string {
	return fmt.Sprintf("%s (list in %s, checked %s)", s.sources[0], s.file, s.checked)
}

// refusal says a value is not in the set, and how to add one AWS added since.
func (s *closedSet) refusal(what string) string {
	return fmt.Sprintf("%s is not one AWS accepts (as checked on %s); if AWS added it since, add it to %s",
		what, s.checked, s.file)
}
