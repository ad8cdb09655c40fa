// Package synth produces synthetic subscriber exports, in the CSV and JSON
// Lines formats `kycmatch ingest` reads (contract §2), for demos, tests and
// benchmarks: `kycmatch gen`, `kycmatch demo` and the ingest benchmark are
// built on it.
//
// Every value is made up. Names, streets and towns come from small embedded
// lists of common names per locale, combined at random; phone numbers,
// document numbers and bank accounts are generated to the countries'
// layouts and check digits; e-mail domains are reserved example and test
// domains. Nothing here describes a real person, and the package must never
// be given real records to imitate.
//
// The rows mix ten locales (es-ES, de-DE, fr-FR, nl-NL, tr-TR, el-GR, uk-UA,
// ja-JP, en-GB, pt-BR) and are chosen to exercise the normalisation rules of
// contract §5: diacritics and ß, Greek and Cyrillic script, apostrophes and
// hyphens, Japanese names with full-width, half-width and hiragana readings,
// full-width digits, legacy upper-case records, phone numbers in E.164 and
// in international layout, grouped IBANs, internationalised e-mail domains,
// and lines that hold a name or address only as parts.
//
// # Determinism
//
// Row i of an export is a pure function of (seed, i, complete): it draws
// from its own PCG stream seeded from the seed and the row index, so the same
// options give byte-identical output on every run, platform and Go release,
// and any row can be regenerated alone with Generate. Phone numbers are
// unique within an export by construction, not by chance: each country's
// numbers are a permutation of the row index (see MaxCount).
package synth
