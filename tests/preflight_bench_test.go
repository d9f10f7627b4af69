package tests

import (
	"errors"
	"testing"

	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/preflight"
	"github.com/wpfleet/wpfleet/program"
)

// Benchmarks of the offline preview with and without preflight. Run:
//
//	go test ./tests -run '^$' -bench Preview -benchmem -count 3
//
// BenchmarkPreviewProdPreflight is program.Preview on the shipped prod
// stack (program, then preflight), counting today's violations instead of
// failing on them; BenchmarkPreviewProdNoPreflight runs the same program
// under the same recorder without preflight (what program.Preview did
// before), and BenchmarkPreviewProdPreflightOnly the rules alone on the graph.
func BenchmarkPreviewProdPreflight(b *testing.B) {
	files := stackConfig(b, "prod")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, _, err := program.Preview(files.Project, "prod", files.Config, files.SecretKeys)
		var pf *preflight.Error
		violations := 0
		if errors.As(err, &pf) {
			violations = len(pf.Violations)
		} else if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Resources)), "resources/op")
		b.ReportMetric(float64(violations), "violations/op")
	}
}

func BenchmarkPreviewProdNoPreflight(b *testing.B) {
	files := stackConfig(b, "prod")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := mocks.New(files.Project, "prod", files.Config["aws:region"])
		res, err := rec.Run(files.Config, files.SecretKeys, program.Run)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Resources)), "resources/op")
	}
}

func BenchmarkPreviewProdPreflightOnly(b *testing.B) {
	res, _ := previewAnyway(b, "prod")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.ReportMetric(float64(len(preflight.Check(res))), "violations/op")
	}
}
