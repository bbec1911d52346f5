// Command platctl renders, builds, validates and compares the ZaveStudios platform.
package main

import (
	"os"

	"github.com/zavestudios/platform/tools/internal/cli"
)

func main() { os.Exit(cli.Main()) }
