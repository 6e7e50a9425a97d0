// Command reliability renders docs/reliability.md from the results the
// fault, bad-input and security tests recorded (make chaos runs it after
// them, with TMTUI_RELIABILITY_DIR pointing at the records).
//
//	go run ./hack/reliability -dir DIR -out docs/reliability.md
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

func main() {
	dir := flag.String("dir", "", "folder of the recorded results (TMTUI_RELIABILITY_DIR)")
	out := flag.String("out", "docs/reliability.md", "file to write")
	mode := flag.String("mode", "TMTUI_CHAOS=1", "how the run was made, said in the doc")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "reliability: -dir is required")
		os.Exit(2)
	}
	results, err := testenv.ReadResults(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
	doc := testenv.RenderReliability(results, *mode)
	if err := testenv.CheckReliabilityDoc(doc); err != nil {
		fmt.Fprintln(os.Stderr, "reliability: rendered a bad doc:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, []byte(doc), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
	fmt.Printf("reliability: wrote %s from %d records\n", *out, len(results))
}
