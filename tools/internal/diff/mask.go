package diff

import (
	"crypto/sha256"
	"encoding/hex"
)

// fingerprint lets a diff say that a plaintext Secret value changed without showing it: a short
// hash, enough to tell two values apart, useless to recover either.
func fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
