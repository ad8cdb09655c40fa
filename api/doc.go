// Package api is kycmatch's public HTTP face: the CAMARA KYC Match route of
// every supported version (NewHandler), and what the command line's match
// subcommand shares with it (Answer, ErrorBody). It owns the versions'
// request rules as data (Version: one code path serves them all), the
// strict decoding of a request body, the response body, the one table that
// turns an engine error into a CAMARA status, code and message (error.go),
// the audit line of every answered match, and the public server's metrics.
//
// Deciding who is calling is package auth's; matching is package engine's.
// The admin endpoints (health, readiness, metrics) are not here but on
// serve's own listener, so the public handler cannot expose them by
// mistake.
//
// An attribute value, phone number or token goes no further than the
// request that carried it: error messages name fields and rules, the audit
// line holds verdicts and scores, and every 401 has one message whatever
// failed.
package api
