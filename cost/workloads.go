package cost

import (
	"fmt"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// workload is one ECS service or one scheduled task target, reduced to what
// its bill depends on.
type workload struct {
	Kind       string // "service" or "scheduled"
	Name       string
	TD         *taskDef
	AvgTasks   float64 // services: tasks running on average
	SpotShare  float64 // share of task-hours on FARGATE_SPOT
	TaskStarts float64 // a month: deployments, scale-out, Spot reclaims, scheduled runs
	TaskHours  float64 // a month
	PublicIP   bool    // tasks get a public IPv4 address
	Schedule   string  // scheduled: the rule's expression
}

func (g *graph) workloads(u *Usage) ([]workload, []string, error) {
	var out []workload
	var notes []string
	for _, s := range g.of("aws:ecs/service:Service") {
		w, err := g.service(s, u)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, w)
	}
	for _, t := range g.of("aws:cloudwatch/eventTarget:EventTarget") {
		if t.Inputs["ecsTarget"] == nil {
			continue
		}
		w, note, err := g.scheduled(t, u)
		if err != nil {
			return nil, nil, err
		}
		if note != "" {
			notes = append(notes, note)
		}
		out = append(out, w)
	}
	for _, sc := range g.of("aws:scheduler/schedule:Schedule") {
		ecs := obj(obj(sc.Inputs["target"])["ecsParameters"])
		if ecs == nil {
			continue
		}
		w, note, err := g.schedulerTask(sc, ecs, u)
		if err != nil {
			return nil, nil, err
		}
		if note != "" {
			notes = append(notes, note)
		}
		out = append(out, w)
	}
	return out, notes, nil
}

// schedulerTask is an EventBridge Scheduler schedule whose target runs an
// ECS task (target.ecsParameters, as the Scheduler API's EcsParameters).
func (g *graph) schedulerTask(sc *mocks.Resource, ecs map[string]any, u *Usage) (workload, string, error) {
	td, err := g.taskDefFor(sc, "target", str(ecs["taskDefinitionArn"]))
	if err != nil {
		return workload{}, "", err
	}
	w := workload{Kind: "scheduled", Name: sc.Name, TD: td, Schedule: str(sc.Inputs["scheduleExpression"]),
		PublicIP: obj(ecs["networkConfiguration"])["assignPublicIp"] == true} // pulumi-aws flattens awsvpcConfiguration
	if str(sc.Inputs["state"]) == "DISABLED" {
		return w, fmt.Sprintf("schedule %s is disabled: not priced", sc.Name), nil
	}
	return g.finishScheduled(w, ecs, u, "schedule "+sc.Name)
}

func (g *graph) taskDefFor(r *mocks.Resource, input, arn string) (*taskDef, error) {
	d := g.dep(r, input, "aws:ecs/taskDefinition:TaskDefinition", familyIs(familyOf(arn)))
	if d == nil {
		return nil, fmt.Errorf("%s %s: its task definition %q is not in the graph", r.Type, r.Name, arn)
	}
	return parseTaskDef(d)
}

func (g *graph) service(s *mocks.Resource, u *Usage) (workload, error) {
	in := s.Inputs
	td, err := g.taskDefFor(s, "taskDefinition", str(in["taskDefinition"]))
	if err != nil {
		return workload{}, err
	}
	minTasks, maxTasks := num(in["desiredCount"]), -1.0
	if t := g.scalingTarget(s); t != nil {
		minTasks = max(minTasks, num(t.Inputs["minCapacity"]))
		maxTasks = num(t.Inputs["maxCapacity"])
	}
	avg := minTasks + u.ExtraTaskHoursPerService/HoursPerMonth
	if maxTasks >= 0 {
		avg = min(avg, maxTasks)
	}
	strat := strategies(in["capacityProviderStrategies"])
	if len(strat) == 0 && in["launchType"] == nil {
		strat = g.clusterDefaultStrategy()
	}
	spot := u.SpotShare
	if spot < 0 {
		spot = SpotShare(avg, strat)
	}
	starts := u.DeploymentsPerMonth*minTasks + u.SpotInterruptionsPerMonth*avg*spot
	if u.ScaleOutHoursPerStart > 0 {
		starts += (avg - minTasks) * HoursPerMonth / u.ScaleOutHoursPerStart
	}
	return workload{Kind: "service", Name: s.Name, TD: td, AvgTasks: avg, SpotShare: spot, TaskStarts: starts,
		TaskHours: avg * HoursPerMonth, PublicIP: obj(in["networkConfiguration"])["assignPublicIp"] == true}, nil
}

// scalingTarget is the Application Auto Scaling target of an ECS service.
func (g *graph) scalingTarget(s *mocks.Resource) *mocks.Resource {
	for _, t := range g.of("aws:appautoscaling/target:Target") {
		if str(t.Inputs["serviceNamespace"]) != "ecs" {
			continue
		}
		rid := str(t.Inputs["resourceId"])
		name := rid[strings.LastIndex(rid, "/")+1:]
		if d := g.dep(t, "resourceId", s.Type, nameIs(name)); d == s {
			return t
		}
	}
	return nil
}

func (g *graph) clusterDefaultStrategy() []Strategy {
	for _, c := range g.of("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
		return strategies(c.Inputs["defaultCapacityProviderStrategies"])
	}
	return nil
}

func (g *graph) scheduled(t *mocks.Resource, u *Usage) (workload, string, error) {
	ecs := obj(t.Inputs["ecsTarget"])
	td, err := g.taskDefFor(t, "ecsTarget", str(ecs["taskDefinitionArn"]))
	if err != nil {
		return workload{}, "", err
	}
	w := workload{Kind: "scheduled", Name: t.Name, TD: td, PublicIP: obj(ecs["networkConfiguration"])["assignPublicIp"] == true}
	rule := g.dep(t, "rule", "aws:cloudwatch/eventRule:EventRule", nameIs(str(t.Inputs["rule"])))
	if rule == nil {
		return w, "", fmt.Errorf("event target %s: its rule %q is not in the graph", t.Name, str(t.Inputs["rule"]))
	}
	w.Schedule = str(rule.Inputs["scheduleExpression"])
	if w.Schedule == "" || str(rule.Inputs["state"]) == "DISABLED" {
		return w, fmt.Sprintf("task target %s runs on events, not a schedule: not priced (runs unknown)", t.Name), nil
	}
	return g.finishScheduled(w, ecs, u, "event rule "+rule.Name)
}

// finishScheduled prices a scheduled workload's runs from its schedule and
// the ECS target's task count and capacity provider strategy.
func (g *graph) finishScheduled(w workload, ecs map[string]any, u *Usage, what string) (workload, string, error) {
	runs, err := RunsPerMonth(w.Schedule)
	if err != nil {
		return w, "", fmt.Errorf("%s: %w", what, err)
	}
	count := max(1, num(ecs["taskCount"]))
	strat := strategies(ecs["capacityProviderStrategies"])
	if len(strat) == 0 && ecs["launchType"] == nil {
		strat = g.clusterDefaultStrategy()
	}
	w.SpotShare = u.SpotShare
	if w.SpotShare < 0 {
		w.SpotShare = SpotShare(count, strat)
	}
	w.TaskStarts = runs * count
	w.TaskHours = w.TaskStarts * BilledTaskSeconds(u.TaskStartSeconds, u.ScheduledRunSeconds) / 3600
	return w, "", nil
}
