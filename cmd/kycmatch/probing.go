package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/api"
)

// Flags against probing (contract §4 "Against probing"), shared by serve
// and, for the scores, match.

func scoreFlags() []cli.Flag {
	return []cli.Flag{
		rangeFlag("score-step", "round every score down to a multiple of N (1 to 50)", 1, 1, 50),
		rangeFlag("score-min", "leave out scores below N; the attribute still answers false (0 to 99)", 0, 0, 99),
	}
}

func probingFlags() []cli.Flag {
	return append(scoreFlags(),
		stringFlag("line-rate-limit", "per-line limit over all clients, N/s, N/m, N/h or N/d, e.g. 10/d (default off)"),
		stringFlag("rate-limit-redis", "count --rate-limit and --line-rate-limit in this Redis, redis://HOST:PORT/DB, shared by every serve using it"),
	)
}

func rangeFlag(name, usage string, value, lo, hi int) *cli.IntFlag {
	return &cli.IntFlag{Name: name, Usage: usage, Value: value, EnvVars: envVar(name),
		Action: func(_ *cli.Context, v int) error {
			if v < lo || v > hi {
				return usagef("--%s %d: want %d to %d", name, v, lo, hi)
			}
			return nil
		}}
}

func scoresOf(c *cli.Context) api.Scores {
	return api.Scores{Step: c.Int("score-step"), Min: c.Int("score-min")}
}

// probing is what serve's flags against probing resolve to.
type probing struct {
	scores     api.Scores
	lineLimit  int
	lineWindow time.Duration
	redisURL   string
}

func probingConfig(c *cli.Context) (probing, error) {
	p := probing{scores: scoresOf(c)}
	var err error
	if p.lineLimit, p.lineWindow, err = parseRateFlag("line-rate-limit", c.String("line-rate-limit"), lineWindows); err != nil {
		return p, err
	}
	if p.redisURL = c.String("rate-limit-redis"); p.redisURL != "" {
		if c.String("rate-limit") == "" && p.lineLimit == 0 {
			return p, usagef("--rate-limit-redis counts --rate-limit and --line-rate-limit: set one of them")
		}
		// Checked here, for a usage error; the counter is made in startServer.
		if err := api.CheckRedisURL(p.redisURL); err != nil {
			return p, usagef("--rate-limit-redis: %v", err)
		}
	}
	return p, nil
}

// counter is the limits' counter: nil (the API's local one) unless
// --rate-limit-redis is set. close releases it.
func (p probing) counter(log *slog.Logger, m *api.Metrics) (c api.Counter, close func(), err error) {
	if p.redisURL == "" {
		return nil, func() {}, nil
	}
	rc, err := api.NewRedisCounter(p.redisURL, log, m)
	if err != nil {
		return nil, nil, fmt.Errorf("--rate-limit-redis: %w", err)
	}
	return rc, func() { rc.Close() }, nil
}

var lineWindows = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
