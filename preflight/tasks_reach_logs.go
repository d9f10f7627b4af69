package preflight

// tasks-reach-logs: every task that logs with awslogs (and every CodeBuild
// project in a VPC) reaches CloudWatch Logs.
//
// The awslogs driver sends to logs.<region>.amazonaws.com over HTTPS, from
// the task's network interface on Fargate: through NAT, or an interface
// endpoint com.amazonaws.<region>.logs with private DNS (Using CloudWatch
// Logs with interface VPC endpoints). A task whose log driver cannot
// connect fails to start. CodeBuild in a VPC writes its build logs the
// same way (CodeBuild VPC support).
func tasksReachLogs() Rule {
	const (
		logs = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch-logs-and-interface-VPC.html"
		cb   = "https://docs.aws.amazon.com/codebuild/latest/userguide/vpc-support.html"
	)
	return Rule{
		Name:    "tasks-reach-logs",
		Doc:     "tasks with the awslogs driver and CodeBuild projects in a VPC reach CloudWatch Logs (endpoint or NAT)",
		Sources: []string{logs, cb},
		check: func(g *Graph, rep *report) {
			n := g.net()
			for _, w := range workloads(g) {
				needs := w.td == nil // CodeBuild logs to CloudWatch unless told otherwise
				if w.td != nil {
					for _, c := range containers(g, w.td) {
						needs = needs || str(at(c.def, "logConfiguration.logDriver")) == "awslogs"
					}
				} else if str(at(w.r.Inputs, "logsConfig.cloudwatchLogs.status")) == "DISABLED" {
					needs = false
				}
				if needs {
					checkAWSReach(rep, n, w, "CloudWatch Logs for its logs", logs, "logs")
				}
			}
		},
	}
}
