package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wpfleet/wpfleet/mocks"
)

// DefaultFxJPYPerUSD is the exchange rate used unless the user gives one
// (issue 10 states its goal at 150 JPY/USD).
const DefaultFxJPYPerUSD = 150.0

// Report is one stack's monthly estimate; its JSON form is what
// `cmd/cost --format json` prints.
type Report struct {
	Stack        string             `json:"stack"`
	Region       string             `json:"region"`
	FxJPYPerUSD  float64            `json:"fxJpyPerUsd"`
	FxDefault    bool               `json:"fxDefault"`
	TotalUSD     float64            `json:"totalUsd"`
	TotalJPY     float64            `json:"totalJpy"`
	SeedUSD      float64            `json:"seedUsd"`
	SeedSplitUSD map[string]float64 `json:"seedSplitUsd"`
	RatioToSeed  float64            `json:"ratioToSeed"`
	Categories   map[string]float64 `json:"categories"`
	Lines        []Line             `json:"lines"`
	SeedToday    []Line             `json:"seedAtTodaysPrices"`
	Largest      []string           `json:"largest"`
	Unpriced     map[string]int     `json:"unpriced"`
	Notes        []string           `json:"notes"`
	UsageProfile string             `json:"usageProfile"`
	Usage        *Usage             `json:"usage"`
	Prices       map[string]Price   `json:"prices"`
}

// Build prices res and assembles the report.
func Build(res *mocks.Result, region, profile string, u *Usage, fx float64, fxDefault bool) (*Report, error) {
	book, err := LoadPrices(region)
	if err != nil {
		return nil, err
	}
	if fx <= 0 {
		return nil, fmt.Errorf("exchange rate %v: must be a positive number of JPY per USD", fx)
	}
	lines, notes, err := Estimate(res, Options{Region: region, Usage: u, Prices: book})
	if err != nil {
		return nil, err
	}
	seed, err := SeedLines(book)
	if err != nil {
		return nil, err
	}
	r := &Report{Stack: res.Stack, Region: region, FxJPYPerUSD: fx, FxDefault: fxDefault, Lines: lines,
		SeedToday: seed, Unpriced: Unpriced(res), Notes: notes, UsageProfile: profile, Usage: u, Prices: book.Used(),
		Categories: ByCategory(lines), SeedUSD: SeedTotalJPY / fx,
		SeedSplitUSD: map[string]float64{"compute": SeedComputeJPY / fx, "file-storage": SeedFileStorageJPY / fx}}
	r.TotalUSD = Total(lines)
	r.TotalJPY = r.TotalUSD * fx
	r.RatioToSeed = r.TotalUSD / r.SeedUSD
	for _, l := range Largest(lines, 5) {
		r.Largest = append(r.Largest, l.Item)
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	return r, nil
}

// WriteJSON prints the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText prints the report as a table.
func (r *Report) WriteText(w io.Writer) error {
	fxNote := "given with --fx"
	if r.FxDefault {
		fxNote = "default; --fx to change"
	}
	fmt.Fprintf(w, "Monthly estimate of stack %s in %s (usage profile %s; %.0f JPY/USD, %s)\n\n",
		r.Stack, r.Region, r.UsageProfile, r.FxJPYPerUSD, fxNote)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\titem\tUSD\tJPY\t\t")
	for _, l := range r.Lines {
		mark := ""
		if l.Estimate {
			mark = "~"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%.2f\t%.0f\t\t\n", l.Category, l.Item, mark, l.USD, l.USD*r.FxJPYPerUSD)
	}
	fmt.Fprintf(tw, "\tTOTAL\t%.2f\t%.0f\t\t\n", r.TotalUSD, r.TotalJPY)
	if err := tw.Flush(); err != nil {
		return err
	}
	r.writeSeed(w)
	fmt.Fprintln(w, "\nBasis of each line (~ marks a line resting on an estimated price or the usage profile):")
	for _, l := range r.Lines {
		fmt.Fprintf(w, "- %s: %s\n", l.Item, l.Basis)
	}
	if len(r.Unpriced) > 0 {
		fmt.Fprintln(w, "\nNOT PRICED (add to cost.Types):")
		for _, t := range SortedKeys(r.Unpriced) {
			fmt.Fprintf(w, "- %s x %d\n", t, r.Unpriced[t])
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	return nil
}

func (r *Report) writeSeed(w io.Writer) {
	seedToday := ByCategory(r.SeedToday)
	fmt.Fprintf(w, "\nAgainst the seed (its reported bill %.0f JPY = $%.0f at %.0f JPY/USD; its setup at today's %s prices $%.0f):\n",
		SeedTotalJPY, r.SeedUSD, r.FxJPYPerUSD, r.Region, Total(r.SeedToday))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tthis stack USD\tseed reported USD\tratio\tseed setup today USD\t")
	split := 0.0
	for _, c := range []string{"compute", "file-storage"} {
		split += r.Categories[c]
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.2f\t\n", c, r.Categories[c], r.SeedSplitUSD[c], r.Categories[c]/r.SeedSplitUSD[c], seedToday[c])
	}
	fmt.Fprintf(tw, "compute + file-storage\t%.2f\t%.2f\t%.2f\t%.2f\t\n", split, r.SeedUSD, split/r.SeedUSD, Total(r.SeedToday))
	fmt.Fprintf(tw, "whole stack\t%.2f\t%.2f\t%.2f\t\t\n", r.TotalUSD, r.SeedUSD, r.RatioToSeed)
	tw.Flush()
	fmt.Fprintf(w, "Largest lines: %s\n", strings.Join(r.Largest, "; "))
}
