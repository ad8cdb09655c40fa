// Package engine is kycmatch's domain: the attributes of the CAMARA KYC
// Match API, the stored record of a subscriber line, the match of one
// request against one record, the application errors, and the interfaces
// the storage adapters implement.
//
// The engine never holds a raw attribute value longer than one request or
// one export row, and never lets one reach a store, an error message or a
// log: records hold only keyed digests and keyed tokens (package hashing),
// and errors name fields and rules, not values.
//
// Adapters live around it: ingest turns exports into generations, store
// keeps generations in Badger, api speaks HTTP. None of them import each
// other; cmd/kycmatch wires them together.
package engine
