package engine

import (
	"testing"
)

// FuzzParseRecord: stored records are read back without trusting them;
// any byte string must parse or fail, never panic or read out of range.
func FuzzParseRecord(f *testing.F) {
	f.Add([]byte{RecordFormat, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{RecordFormat, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 1})
	f.Add(append([]byte{RecordFormat, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 1},
		append(make([]byte, 16), 1, 0, 0)...))
	f.Fuzz(func(t *testing.T, rec []byte) {
		var v recordView
		if err := parseRecord(&v, rec); err != nil {
			return
		}
		for a := Attribute(1); a < NumAttributes; a++ {
			av := &v.attrs[a]
			for i := 0; i < av.n; i++ {
				_ = av.digest(i)
			}
		}
	})
}
