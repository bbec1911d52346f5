package manifest

// Encrypted reports whether the object is SOPS-encrypted: it carries the top-level `sops`
// metadata block SOPS adds. The build stage keeps that block (its values masked) so every later
// stage can tell an encrypted Secret from a plaintext one without decrypting it.
func (o Object) Encrypted() bool {
	s, ok := o.Object["sops"].(map[string]any)
	if !ok {
		return false
	}
	_, mac := s["mac"]
	_, modified := s["lastmodified"]
	return mac || modified
}
