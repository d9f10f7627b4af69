package cost

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

//go:embed prices/*.json
var priceFiles embed.FS

// Price is one unit price with where it came from.
type Price struct {
	USD      float64 `json:"usd"`
	Unit     string  `json:"unit"`
	Source   string  `json:"source"`
	Read     string  `json:"read"`
	Estimate bool    `json:"estimate"`
	Note     string  `json:"note,omitempty"`
}

type priceFile struct {
	Region   string           `json:"region"`
	Currency string           `json:"currency"`
	Prices   map[string]Price `json:"prices"`
}

// PriceBook holds a region's prices and the global ones (CloudFront edges,
// Route 53, WAF). Lookups record which prices an estimate used.
type PriceBook struct {
	Region string
	prices map[string]Price
	used   map[string]bool
}

// Regions lists the regions that have a price file.
func Regions() []string {
	entries, _ := priceFiles.ReadDir("prices")
	var out []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		if name != "global" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// LoadPrices reads the embedded price files of region (and the global file).
func LoadPrices(region string) (*PriceBook, error) {
	book := &PriceBook{Region: region, prices: map[string]Price{}, used: map[string]bool{}}
	for _, name := range []string{"global", region} {
		b, err := priceFiles.ReadFile("prices/" + name + ".json")
		if err != nil {
			return nil, fmt.Errorf("no prices for region %q (have %s): add cost/prices/%s.json", region, strings.Join(Regions(), ", "), region)
		}
		f, err := parsePriceFile(b)
		if err != nil {
			return nil, fmt.Errorf("cost/prices/%s.json: %w", name, err)
		}
		for k, v := range f.Prices {
			book.prices[k] = v
		}
	}
	return book, nil
}

func parsePriceFile(b []byte) (*priceFile, error) {
	var f priceFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if f.Currency != "USD" {
		return nil, fmt.Errorf("currency %q: prices must be in USD", f.Currency)
	}
	for k, p := range f.Prices {
		if p.USD < 0 || p.Unit == "" || p.Source == "" || p.Read == "" {
			return nil, fmt.Errorf("price %s: usd >= 0, unit, source and read date are required", k)
		}
	}
	return &f, nil
}

// Has reports whether the book has a price for key.
func (b *PriceBook) Has(key string) bool {
	_, ok := b.prices[key]
	return ok
}

// Get returns the price for key, or an error naming the file to extend.
func (b *PriceBook) Get(key string) (Price, error) {
	p, ok := b.prices[key]
	if !ok {
		return Price{}, fmt.Errorf("no price %q for region %s: add it to cost/prices/%s.json", key, b.Region, b.Region)
	}
	b.used[key] = true
	return p, nil
}

// Used returns the prices looked up so far, by key.
func (b *PriceBook) Used() map[string]Price {
	out := map[string]Price{}
	for k := range b.used {
		out[k] = b.prices[k]
	}
	return out
}

// All returns every price in the book.
func (b *PriceBook) All() map[string]Price {
	out := map[string]Price{}
	for k, v := range b.prices {
		out[k] = v
	}
	return out
}
