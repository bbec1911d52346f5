// Package version reports the platctl version: stamped by -ldflags at release, else read from the
// module build info so `go install` builds still say which version they are.
package version

import "runtime/debug"

// Version is set with -ldflags "-X github.com/zavestudios/platform/tools/internal/version.Version=v1.2.3".
var Version = ""

// String returns the stamped version, the module version, or "devel".
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
