package cli

import "flag"

// -update rewrites golden files and the expected output inside testscript archives.
var updateScripts = flag.Bool("update", false, "rewrite golden files")
