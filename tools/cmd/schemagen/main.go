// Command schemagen regenerates the vendored JSON schemas and CRDs under schemas/ from
// schemas/jsonschema/sources.yaml (`make schemas`).
package main

import (
	"os"

	"github.com/zavestudios/platform/tools/internal/schemagen"
)

func main() { os.Exit(schemagen.Main()) }
