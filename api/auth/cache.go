package auth

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
	"unsafe"
)

// tokenKey is a cache key: the SHA-256 digest of a token. Caches never hold
// the token itself, so a memory dump or a debugger shows no usable credential.
type tokenKey [sha256.Size]byte

func keyOf(token string) tokenKey {
	// Sum256 only reads its input, so the token's own bytes serve; a
	// []byte(token) conversion would copy every request's token to the heap.
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}

// lru is a bounded cache whose entries also expire. When full, the least
// recently used entry goes, so a flood of distinct tokens cannot grow memory
// and a busy partner's token stays cached. Safe for concurrent use; one mutex
// is enough because a hit holds it only for a map lookup and a list move.
type lru[V any] struct {
	mu    sync.Mutex
	max   int
	order list.List // of *lruEntry[V], most recently used at the front
	items map[tokenKey]*list.Element
}

type lruEntry[V any] struct {
	key     tokenKey
	val     V
	expires time.Time
}

// newLRU returns a cache of at most max entries, or nil when max <= 0; the
// methods of a nil cache do nothing, so callers need no special case.
func newLRU[V any](max int) *lru[V] {
	if max <= 0 {
		return nil
	}
	return &lru[V]{max: max, items: make(map[tokenKey]*list.Element)}
}

// get returns the entry for k if it has not expired at now.
func (c *lru[V]) get(k tokenKey, now time.Time) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	e := el.Value.(*lruEntry[V])
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, k)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.val, true
}

// put stores v under k until expires, evicting the least recently used entry
// when the cache is full.
func (c *lru[V]) put(k tokenKey, v V, expires time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		e := el.Value.(*lruEntry[V])
		e.val, e.expires = v, expires
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*lruEntry[V]).key)
	}
	c.items[k] = c.order.PushFront(&lruEntry[V]{key: k, val: v, expires: expires})
}

// remove drops k, if present.
func (c *lru[V]) remove(k tokenKey) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.order.Remove(el)
		delete(c.items, k)
	}
}

// earliest returns the earlier of two times, ignoring a zero a.
func earliest(a, b time.Time) time.Time {
	if !a.IsZero() && a.Before(b) {
		return a
	}
	return b
}
