package ingest

// WithoutTokens makes a run leave score tokens out, for the benchmark that
// measures their cost.
func WithoutTokens(o *Options) { o.noTokens = true }
