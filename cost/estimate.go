package cost

import (
	"fmt"
	"sort"

	"github.com/wpfleet/wpfleet/mocks"
)

// Categories, in report order (issue 8): the seed's split is compute +
// file-storage.
var Categories = []string{"compute", "file-storage", "database", "network", "edge", "object-storage", "operations"}

// Line is one line of the estimate.
type Line struct {
	Item     string  `json:"item"`
	Category string  `json:"category"`
	USD      float64 `json:"usd"`
	Basis    string  `json:"basis"`
	Estimate bool    `json:"estimate"`
}

// Options are the knobs of one estimate.
type Options struct {
	Region string
	Usage  *Usage
	Prices *PriceBook
}

// builder accumulates lines; p() looks prices up and remembers whether the
// line being built used an estimated price.
type builder struct {
	g        *graph
	u        *Usage
	book     *PriceBook
	err      error
	est      bool
	lines    []Line
	notes    []string
	work     []workload
	traffic  Traffic
	cdnShare float64
	net      netFacts
}

func (b *builder) p(key string) float64 {
	pr, err := b.book.Get(key)
	if err != nil {
		if b.err == nil {
			b.err = err
		}
		return 0
	}
	b.est = b.est || pr.Estimate
	return pr.USD
}

// add records a line; usage marks a quantity taken from the usage profile.
func (b *builder) add(category, item string, usd float64, usage bool, basis string, args ...any) {
	b.lines = append(b.lines, Line{Item: item, Category: category, USD: usd,
		Basis: fmt.Sprintf(basis, args...), Estimate: b.est || usage})
	b.est = false
}

// Estimate prices a recorded graph for a month.
func Estimate(res *mocks.Result, opt Options) ([]Line, []string, error) {
	b := &builder{g: newGraph(res), u: opt.Usage, book: opt.Prices}
	var err error
	if b.work, b.notes, err = b.g.workloads(b.u); err != nil {
		return nil, nil, err
	}
	b.net = b.g.network(opt.Region)
	for _, lb := range b.net.Unpriced {
		b.notes = append(b.notes, "load balancer "+lb+": only Application Load Balancers are priced")
	}
	b.cdnShare = b.g.cdnShare(b.u)
	b.traffic = SplitTraffic(b.u, b.cdnShare)
	for _, f := range []func(){b.compute, b.fileStorage, b.database, b.networkLines, b.edge, b.objectStorage, b.operations} {
		f()
		if b.err != nil {
			return nil, nil, b.err
		}
	}
	sortLines(b.lines)
	return b.lines, b.notes, nil
}

func sortLines(lines []Line) {
	order := map[string]int{}
	for i, c := range Categories {
		order[c] = i
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if order[lines[i].Category] != order[lines[j].Category] {
			return order[lines[i].Category] < order[lines[j].Category]
		}
		return lines[i].USD > lines[j].USD
	})
}

// Total sums lines.
func Total(lines []Line) float64 {
	t := 0.0
	for _, l := range lines {
		t += l.USD
	}
	return t
}

// ByCategory sums lines per category.
func ByCategory(lines []Line) map[string]float64 {
	out := map[string]float64{}
	for _, c := range Categories {
		out[c] = 0
	}
	for _, l := range lines {
		out[l.Category] += l.USD
	}
	return out
}

// Largest returns the n largest lines.
func Largest(lines []Line, n int) []Line {
	out := append([]Line(nil), lines...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].USD > out[j].USD })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
