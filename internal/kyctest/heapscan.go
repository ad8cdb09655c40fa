package kyctest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
)

// Heap is everything reachable from a value, for tests that check what
// state kept between requests still holds: struct fields, pointers and
// interfaces followed, slices read to their capacity, not just their
// length, unexported fields included.
type Heap struct {
	// NonZero lists the paths of the integers, booleans, floats and
	// strings that are not zero.
	NonZero []string
	// data holds every one of them, integers little-endian in their own
	// size, so a needle can be looked for as it would lie in memory.
	data []byte
}

// ScanHeap walks what v reaches, leaving out the subtrees whose path (as
// "h.s", "h.macs[0]") skip reports.
func ScanHeap(v any, skip func(path string) bool) *Heap {
	w := &heapWalk{seen: map[uintptr]bool{}, skip: skip, heap: &Heap{}}
	w.walk(reflect.ValueOf(v), "")
	return w.heap
}

// Contains reports whether needle lies anywhere in the scanned memory.
func (h *Heap) Contains(needle []byte) bool { return bytes.Contains(h.data, needle) }

type heapWalk struct {
	seen map[uintptr]bool
	skip func(string) bool
	heap *Heap
}

func (w *heapWalk) walk(v reflect.Value, path string) {
	if !v.IsValid() || (w.skip != nil && path != "" && w.skip(path)) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer {
			if w.seen[v.Pointer()] {
				return
			}
			w.seen[v.Pointer()] = true
		}
		w.walk(v.Elem(), path)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			w.walk(v.Field(i), join(path, v.Type().Field(i).Name))
		}
	case reflect.Slice:
		w.walkSeq(v.Slice3(0, v.Cap(), v.Cap()), path)
	case reflect.Array:
		w.walkSeq(v, path)
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			w.walk(it.Key(), path+"{key}")
			w.walk(it.Value(), fmt.Sprintf("%s{%v}", path, it.Key()))
		}
	default:
		w.leaf(v, path)
	}
}

func (w *heapWalk) walkSeq(v reflect.Value, path string) {
	for i := 0; i < v.Len(); i++ {
		w.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
}

func (w *heapWalk) leaf(v reflect.Value, path string) {
	h := w.heap
	var b [8]byte
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			b[0] = 1
		}
		h.data = append(h.data, b[0])
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		binary.LittleEndian.PutUint64(b[:], uint64(v.Int()))
		h.data = append(h.data, b[:v.Type().Size()]...)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		binary.LittleEndian.PutUint64(b[:], v.Uint())
		h.data = append(h.data, b[:v.Type().Size()]...)
	case reflect.String:
		h.data = append(h.data, v.String()...)
	case reflect.Float32, reflect.Float64:
		if v.Float() != 0 {
			h.NonZero = append(h.NonZero, path)
		}
		return
	default: // funcs, channels, unsafe pointers: nothing of a value
		return
	}
	if !v.IsZero() {
		h.NonZero = append(h.NonZero, path)
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
