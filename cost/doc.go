// Package cost estimates what a wpfleet stack costs a month, line by line,
// before `pulumi up`: it prices the resource graph that the program records
// offline under mocks (mocks.Result) with a usage profile for what the graph
// cannot know (page views, cache hit ratios, storage, releases ...).
//
// Everything is priced by resource type and inputs, never by wpfleet's
// logical names, so the estimate follows the graph as components change:
// task definitions give vCPU, memory, architecture, ephemeral storage and
// images; services give desired counts and capacity provider strategies;
// EventBridge rules give schedules; the VPC gives NAT gateways; VPC
// endpoints decide what bypasses NAT; and so on (docs/cost.md).
//
// Prices are data (prices/<region>.json, prices/global.json), embedded at
// build time: no network at run time. Each price carries its source page,
// the date it was read and whether it is an estimate. Usage profiles
// (usage/<stack>.yaml) carry their assumptions next to each value.
//
// The pricing rules are small pure functions (rules.go), each unit-tested
// against a hand-computed case; Estimate wires them to the graph.
package cost

// HoursPerMonth is AWS's convention for a month of hourly billing.
const HoursPerMonth = 730.0

// DaysPerMonth is HoursPerMonth in days.
const DaysPerMonth = HoursPerMonth / 24

// SecondsPerMonth is HoursPerMonth in seconds.
const SecondsPerMonth = HoursPerMonth * 3600
