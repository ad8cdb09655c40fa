// Package sandbox owns `kycmatch sandbox`, the partner sandbox of contract
// §7: a generation of synthetic lines built by the same synth and ingest
// code as `kycmatch gen` and `kycmatch ingest`, answered by the API exactly
// as serve answers it, with the sandbox's own authorisation server (OpenID
// discovery, JWKS, a client-credentials token endpoint), a listing of test
// lines, and a page to try it all in a browser.
//
// It never touches a real export or keyring: the keyring and the token
// signing key exist only in memory, the generation lives in a temporary
// directory removed by Close. GET /sandbox/lines is the one place kycmatch
// shows attribute values, because they are synthetic.
//
// The page (static/) is plain HTML, CSS and a small script embedded in the
// binary; it references only its own origin, and its Content-Security-Policy
// says so to the browser too.
package sandbox
