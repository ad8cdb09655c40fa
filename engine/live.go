package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kycmatch/kycmatch/keys"
)

// Live answers matches from whatever generation is current in a store,
// switching to a new one within a poll interval of its commit, without
// dropping a request: a request holds the matcher it started with, and a
// replaced generation is closed when its last request has finished.
type Live struct {
	store Store
	keys  KeySource
	log   *slog.Logger
	cur   atomic.Pointer[liveMatcher]
	mu    sync.Mutex // serialises Refresh
	// refused is the last generation that could not be opened, so a bad
	// one is reported once, not at every poll; reloaded says the keys were
	// re-read for it already.
	refused   atomic.Pointer[Refusal]
	reloaded  string
	onSwap    func(GenerationInfo)
	onRefusal func(Refusal)
	// down is set while the store cannot be reached (ErrStoreUnavailable):
	// a Live is then not ready, whatever generation it holds.
	down atomic.Bool
}

// Refusal is a current generation a Live could not open. Reason is the
// error's text, which names ids and paths, never key material.
type Refusal struct {
	Generation string `json:"generation"`
	Reason     string `json:"reason"`
}

// KeyReloader is a KeySource that can re-read its keys, as a keyring file
// does after keys rotate. A Live whose KeySource is one reloads it when a
// new generation names a key it does not hold, and on Reload.
type KeyReloader interface {
	KeySource
	ReloadKeys() error
}

type liveMatcher struct {
	m   *Matcher
	log *slog.Logger
	// refs counts requests in flight, plus one while the matcher is
	// current. It only reaches zero once, after the matcher was replaced,
	// and then the generation is closed.
	refs atomic.Int64
}

// NewLive opens the current generation of st, if there is one. A current
// generation that cannot be opened (its key is not in the keyring, say) is
// an error: serve must refuse to start rather than answer from nothing.
func NewLive(ctx context.Context, st Store, ks KeySource, log *slog.Logger, onSwap func(GenerationInfo)) (*Live, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if onSwap == nil {
		onSwap = func(GenerationInfo) {}
	}
	l := &Live{store: st, keys: ks, log: log, onSwap: onSwap, onRefusal: func(Refusal) {}}
	_, err := l.refresh(ctx)
	switch {
	case errors.Is(err, ErrStoreUnavailable):
		// A database that is down now may answer in a second: serve
		// starts, not ready, and Watch picks the generation up.
		l.setDown(err)
	case err != nil && !errors.Is(err, ErrNoGeneration):
		return nil, err
	}
	return l, nil
}

// OnRefusal sets a function called once per generation that cannot be
// opened (a metric, say). Call it before Watch.
func (l *Live) OnRefusal(fn func(Refusal)) { l.onRefusal = fn }

// Refresh switches to the store's current generation if it changed. A
// generation that cannot be opened is logged once, and the one answering
// now (if any) goes on answering.
func (l *Live) Refresh(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	id, err := l.refresh(ctx)
	if errors.Is(err, ErrStoreUnavailable) {
		l.setDown(err)
		return err
	}
	l.setUp()
	if errors.Is(err, keys.ErrUnknownKey) && l.reloaded != id {
		// keys rotate, then a full ingest: the keyring file has the key
		// this process has not read yet. Once per generation, since a
		// sealed keyring costs a second of scrypt to read.
		l.reloaded = id
		if rerr := l.reloadKeys(); rerr == nil {
			id, err = l.refresh(ctx)
		}
	}
	if err != nil && id != "" {
		l.refuse(id, err)
	}
	return err
}

// setDown marks the store out of reach, logging it once.
func (l *Live) setDown(err error) {
	if !l.down.Swap(true) {
		l.log.Error("the store cannot be reached: /match answers 503 until it can", "err", err)
	}
}

// setUp marks the store reachable again.
func (l *Live) setUp() {
	if l.down.Swap(false) {
		l.log.Info("the store answers again")
	}
}

// Reload re-reads the keys and refreshes: what SIGHUP does, after an
// operator fixed the keyring. A generation still refused is not logged
// again.
func (l *Live) Reload(ctx context.Context) error {
	l.mu.Lock()
	err := l.reloadKeys()
	l.mu.Unlock()
	if err != nil {
		return err
	}
	return l.Refresh(ctx)
}

// reloadKeys is called with mu held.
func (l *Live) reloadKeys() error {
	r, ok := l.keys.(KeyReloader)
	if !ok {
		return nil
	}
	if err := r.ReloadKeys(); err != nil {
		l.log.Error("cannot re-read the keys", "err", err)
		return err
	}
	l.log.Info("keys re-read")
	return nil
}

// refuse records that generation id cannot be opened; called with mu held.
func (l *Live) refuse(id string, err error) {
	if r := l.refused.Load(); r != nil && r.Generation == id {
		return
	}
	r := Refusal{Generation: id, Reason: err.Error()}
	l.refused.Store(&r)
	l.onRefusal(r)
	if l.Ready() {
		l.log.Error("cannot open the new current generation; still answering from the previous one", "generation", id, "err", err)
	} else {
		l.log.Error("cannot open the current generation; not answering until one can be opened", "generation", id, "err", err)
	}
}

// Refused returns the current generation that could not be opened, if the
// store's current one is such.
func (l *Live) Refused() (Refusal, bool) {
	if r := l.refused.Load(); r != nil {
		return *r, true
	}
	return Refusal{}, false
}

// refresh does Refresh's work, with mu held; it returns the id of the
// generation it tried to open.
func (l *Live) refresh(ctx context.Context) (string, error) {
	id, err := l.store.CurrentID(ctx)
	if err != nil {
		return "", err
	}
	if old := l.cur.Load(); old != nil && old.m.Generation().Info().ID == id {
		l.refused.Store(nil) // the refused one is no longer current
		return id, nil
	}
	m, err := l.open(ctx)
	if err != nil {
		return id, err
	}
	lm := &liveMatcher{m: m, log: l.log}
	lm.refs.Store(1)
	l.refused.Store(nil) // first: /readyz never shows the new one refused
	if old := l.cur.Swap(lm); old != nil {
		old.release()
	}
	info := m.Generation().Info()
	l.log.Info("answering from generation", "generation", info.ID, "key_id", info.KeyID, "profile", info.Profile, "lines", info.Lines, "created", info.Created)
	l.onSwap(info)
	return id, nil
}

func (l *Live) open(ctx context.Context) (*Matcher, error) {
	gen, err := l.store.Current(ctx)
	if err != nil {
		return nil, err
	}
	m, err := NewMatcher(gen, l.keys)
	if err != nil {
		gen.Close()
		return nil, err
	}
	return m, nil
}

// Watch refreshes every interval until ctx ends. A Live answers from the
// generation it has while the store is unreachable or the new one broken.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Refresh(ctx)
		}
	}
}

// Ready reports whether a generation is open and its store reachable.
func (l *Live) Ready() bool { return l.cur.Load() != nil && !l.down.Load() }

// Info describes the generation answering now; false when none is open
// or its store cannot be reached.
func (l *Live) Info() (GenerationInfo, bool) {
	lm := l.cur.Load()
	if lm == nil || l.down.Load() {
		return GenerationInfo{}, false
	}
	return lm.m.Generation().Info(), true
}

// Match answers from the current generation; EUNAVAILABLE before the first
// one exists.
func (l *Live) Match(ctx context.Context, req *Request, opt Options) (*Result, error) {
	lm := l.acquire()
	if lm == nil {
		return nil, ErrNoGeneration
	}
	defer lm.release()
	res, err := lm.m.Match(ctx, req, opt)
	if err != nil && errors.Is(err, ErrStoreUnavailable) {
		l.setDown(err) // until the next poll reaches the store
	}
	return res, err
}

func (l *Live) acquire() *liveMatcher {
	for {
		lm := l.cur.Load()
		if lm == nil {
			return nil
		}
		// Only take a reference while one is still held: zero means the
		// matcher was replaced and is being closed; load the new one.
		n := lm.refs.Load()
		if n > 0 && lm.refs.CompareAndSwap(n, n+1) {
			return lm
		}
	}
}

func (lm *liveMatcher) release() {
	if lm.refs.Add(-1) == 0 {
		info := lm.m.Generation().Info()
		if err := lm.m.Generation().Close(); err != nil {
			lm.log.Warn("closing a replaced generation", "generation", info.ID, "err", err)
		}
	}
}

// Close releases the current generation; requests in flight finish first.
func (l *Live) Close() {
	if old := l.cur.Swap(nil); old != nil {
		old.release()
	}
}
