// Ground truth for YAML scalar resolution as kubectl reads manifests: sigs.k8s.io/yaml.YAMLToJSON.
// Reads one scalar spelling per line on stdin; prints a JSON line {"in": s, "json": <value> | null, "error": "..."}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		s := sc.Text()
		j, err := yaml.YAMLToJSON([]byte("v: " + s + "\n"))
		rec := map[string]any{"in": s}
		if err != nil {
			rec["error"] = err.Error()
		} else {
			var m map[string]json.RawMessage
			if e := json.Unmarshal(j, &m); e != nil {
				rec["error"] = fmt.Sprintf("unmarshal %s: %v", j, e)
			} else {
				rec["json"] = m["v"]
			}
		}
		out.Encode(rec)
	}
}
