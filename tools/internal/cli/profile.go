package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
)

var profileFile *os.File

// startProfile starts CPU profiling when --cpuprofile is given: the way to find a hot spot in
// a real run (go tool pprof -top platctl FILE).
func (a *App) startProfile() error {
	if a.CPUProfile == "" {
		return nil
	}
	f, err := os.Create(a.CPUProfile)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	profileFile = f
	return nil
}

func (a *App) stopProfile() {
	if profileFile != nil {
		pprof.StopCPUProfile()
		_ = profileFile.Close()
		profileFile = nil
	}
}
