// pod-security-verdicts: the upstream Pod Security library (k8s.io/pod-security-admission) as a
// filter, for k8sprod's differential test (tests/policies/podSecurityDifferential.spec.ts).
//
// Input on stdin, one JSON object per line:
//
//	{"id": "...", "level": "baseline", "version": "v1.30" | "latest", "kubernetes": "1.35", "pod": {"metadata": {...}, "spec": {...}}}
//
// Output on stdout, one line per input line, in order:
//
//	{"id": "...", "allowed": false, "reasons": ["host ports", ...], "failing": ["hostPorts", ...]}
//
// `kubernetes` is the cluster's minor (the emulation version the admission plugin gives the evaluator):
// "latest", and any policy version newer than it, mean that minor. The pod is defaulted as the API
// server defaults a Pod before admission, for the two defaults Pod Security reads: under hostNetwork, a
// container port with no hostPort gets hostPort = containerPort (SetDefaults_PodSpec), and a volume with
// no source becomes an emptyDir (SetDefaults_Volume).
// `failing` lists the IDs of the checks in force at that level and version that refuse the pod.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type request struct {
	ID         string          `json:"id"`
	Level      string          `json:"level"`
	Version    string          `json:"version"`
	Kubernetes string          `json:"kubernetes"`
	Pod        json.RawMessage `json:"pod"`
}

type response struct {
	ID      string   `json:"id"`
	Allowed bool     `json:"allowed"`
	Reasons []string `json:"reasons"`
	Failing []string `json:"failing"`
	Error   string   `json:"error,omitempty"`
}

func defaultHostNetworkPorts(containers []corev1.Container) {
	for i := range containers {
		for j := range containers[i].Ports {
			if containers[i].Ports[j].HostPort == 0 {
				containers[i].Ports[j].HostPort = containers[i].Ports[j].ContainerPort
			}
		}
	}
}

// defaultVolumeSources gives a volume with no source an emptyDir, as the API server does.
func defaultVolumeSources(volumes []corev1.Volume) {
	for i := range volumes {
		src := reflect.ValueOf(&volumes[i].VolumeSource).Elem()
		empty := true
		for f := 0; f < src.NumField(); f++ {
			if !src.Field(f).IsNil() {
				empty = false
				break
			}
		}
		if empty {
			volumes[i].VolumeSource.EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
}

// failingChecks evaluates each check in force at lv on its own (the registry's version resolution and
// Restricted-over-Baseline overrides), returning the IDs of those that refuse the pod.
func failingChecks(checks []policy.Check, lv api.LevelVersion, pod *corev1.Pod) []string {
	if lv.Level == api.LevelPrivileged {
		return []string{}
	}
	type active struct {
		id string
		fn policy.CheckPodFn
	}
	var in []active
	overridden := map[policy.CheckID]bool{}
	for _, c := range checks {
		if c.Level == api.LevelRestricted && lv.Level != api.LevelRestricted {
			continue
		}
		var chosen *policy.VersionedCheck
		for i := range c.Versions {
			v := c.Versions[i]
			if !v.MinimumVersion.Older(lv.Version) && v.MinimumVersion != lv.Version {
				continue
			}
			chosen = &c.Versions[i]
		}
		if chosen == nil {
			continue
		}
		for _, o := range chosen.OverrideCheckIDs {
			overridden[o] = true
		}
		in = append(in, active{string(c.ID), chosen.CheckPod})
	}
	out := []string{}
	for _, a := range in {
		if overridden[policy.CheckID(a.id)] {
			continue
		}
		if r := a.fn(&pod.ObjectMeta, &pod.Spec); !r.Allowed {
			out = append(out, a.id)
		}
	}
	return out
}

func minor(s string) (int, error) {
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) != 2 || parts[0] != "1" {
		return 0, fmt.Errorf("kubernetes %q is not 1.N", s)
	}
	return strconv.Atoi(parts[1])
}

func evaluate(checks []policy.Check, req request) response {
	resp := response{ID: req.ID, Reasons: []string{}, Failing: []string{}}
	level, err := api.ParseLevel(req.Level)
	if err != nil {
		resp.Error = "level: " + err.Error()
		return resp
	}
	version, err := api.ParseVersion(req.Version)
	if err != nil {
		resp.Error = "version: " + err.Error()
		return resp
	}
	var emulation *api.Version
	if req.Kubernetes != "" {
		m, err := minor(req.Kubernetes)
		if err != nil {
			resp.Error = err.Error()
			return resp
		}
		v := api.MajorMinorVersion(1, m)
		emulation = &v
	}
	evaluator, err := policy.NewEvaluator(checks, emulation)
	if err != nil {
		resp.Error = err.Error()
		return resp
	}
	var pod corev1.Pod
	if err := json.Unmarshal(req.Pod, &pod); err != nil {
		resp.Error = "pod: " + err.Error()
		return resp
	}
	if pod.Spec.HostNetwork {
		defaultHostNetworkPorts(pod.Spec.Containers)
		defaultHostNetworkPorts(pod.Spec.InitContainers)
	}
	defaultVolumeSources(pod.Spec.Volumes)
	lv := api.LevelVersion{Level: level, Version: version}
	result := policy.AggregateCheckResults(evaluator.EvaluatePod(lv, &pod.ObjectMeta, &pod.Spec))
	resp.Allowed = result.Allowed
	resp.Reasons = append(resp.Reasons, result.ForbiddenReasons...)
	// The version the evaluator resolved: latest, or anything newer than the emulated minor, is that minor.
	resolved := lv
	if emulation != nil && (version.Latest() || emulation.Older(version)) {
		resolved.Version = *emulation
	} else if version.Latest() {
		resolved.Version = api.MajorMinorVersion(1, 1<<20)
	}
	resp.Failing = failingChecks(checks, resolved, &pod)
	return resp
}

func main() {
	checks := policy.DefaultChecks()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		line := in.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var req request
		if err := json.Unmarshal(line, &req); err != nil {
			fmt.Fprintf(os.Stderr, "pod-security-verdicts: bad input line: %v\n", err)
			os.Exit(2)
		}
		if err := enc.Encode(evaluate(checks, req)); err != nil {
			fmt.Fprintf(os.Stderr, "pod-security-verdicts: %v\n", err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "pod-security-verdicts: %v\n", err)
		os.Exit(1)
	}
}
