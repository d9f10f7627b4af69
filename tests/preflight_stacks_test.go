package tests

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/preflight"
	"github.com/wpfleet/wpfleet/program"
)

// previewAnyway runs the shipped stack's preview and returns the recorded
// graph even when preflight refuses it (any other error fails the test).
func previewAnyway(t testing.TB, stack string) (*mocks.Result, []preflight.Violation) {
	t.Helper()
	files := stackConfig(t, stack)
	res, _, err := program.Preview(files.Project, stack, files.Config, files.SecretKeys)
	var pf *preflight.Error
	if errors.As(err, &pf) {
		return res, pf.Violations
	}
	require.NoError(t, err)
	return res, nil
}

// Both shipped stacks pass every preflight rule. One subtest per stack and
// rule, so a failure reads as a to-do list: resource, field, value, the
// constraint and its source
// (go test ./tests -run 'TestShippedStacksPassPreflight' -v).
func TestShippedStacksPassPreflight(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			res, _ := previewAnyway(t, stack)
			g := preflight.NewGraph(res)
			for _, rule := range preflight.Rules() {
				t.Run(rule.Name, func(t *testing.T) {
					for _, v := range rule.Run(g) {
						t.Errorf("%s %s\n    %s = %s\n    %s\n    source: %s",
							v.Type, v.Name, v.Field, v.Value, v.Constraint, v.Source)
					}
				})
			}
		})
	}
}

// program.Preview reports exactly what the rules find, as one error.
func TestPreviewFailsWithEveryViolation(t *testing.T) {
	res, reported := previewAnyway(t, "stg")
	want := preflight.Check(res)
	require.Equal(t, want, reported)
	if len(want) > 0 {
		err := preflight.Err(want)
		require.True(t, strings.HasPrefix(err.Error(), "preflight: "))
	}
}
