package store

// SetWriteStreams makes new generations have n shards, as on a machine
// with n cores, until the returned function restores the default.
func SetWriteStreams(n int) (restore func()) {
	old := writeStreams
	writeStreams = n
	return func() { writeStreams = old }
}
