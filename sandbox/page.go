package sandbox

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// csp lets the page load and call nothing but its own origin.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// page is GET /.
func page(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	http.ServeFileFS(w, r, static, "static/index.html")
}

// assets serves /assets/NAME from static/.
func assets() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // static is embedded: it exists
	}
	files := http.StripPrefix("/assets/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		files.ServeHTTP(w, r)
	})
}
