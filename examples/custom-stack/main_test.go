package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/mocks"
)

// The example builds under the recording mocks the way `pulumi preview`
// would build it, with the resources a reader of main.go expects.
func TestCustomStack(t *testing.T) {
	res, err := mocks.Run("my-wordpress", "dev", map[string]string{"aws:region": "ap-northeast-1"}, nil, run)
	require.NoError(t, err)
	counts := res.CountByType()
	assert.Equal(t, 2, counts["wpfleet:components:WordPressSite"])
	assert.Equal(t, 3, counts["wpfleet:components:CronTask"], "wp-cron for both sites and one job")
	assert.Equal(t, 1, counts["aws:efs/fileSystem:FileSystem"])
	assert.Equal(t, 1, counts["aws:cloudwatch/metricAlarm:MetricAlarm"], "bursting mode watches its credits")
	assert.Equal(t, 2, counts["aws:efs/mountTarget:MountTarget"])
	assert.Equal(t, map[string]any{"docs": "https://docs.example.net", "status": "https://status.example.net"}, res.Outputs["urls"])
	for _, r := range res.ByType("aws:ec2/securityGroup:SecurityGroup") {
		if r.Name == "team-tasks" {
			assert.Equal(t, "platform", r.Inputs["tags"].(map[string]any)["team"])
		}
	}
}
