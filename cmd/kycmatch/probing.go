package main

import (
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
}

func probingConfig(c *cli.Context) (probing, error) {
	p := probing{scores: scoresOf(c)}
	var err error
	p.lineLimit, p.lineWindow, err = parseRateFlag("line-rate-limit", c.String("line-rate-limit"), lineWindows)
	return p, err
}

var lineWindows = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
