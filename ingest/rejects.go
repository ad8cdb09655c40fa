package ingest

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// reject is one unusable row. It names the row, the field and the rule it
// broke, never the value: rejects reports end up in tickets and chat.
type reject struct {
	row, line int64
	field     string
	reason    string
	rule      string // reason without its numbers, for the totals; "" when reason has none
}

func (r *reject) ruleKey() string {
	if r.rule != "" {
		return r.field + ": " + r.rule
	}
	return r.field + ": " + r.reason
}

func (r *reject) String() string {
	return fmt.Sprintf("row %d (line %d): %s: %s", r.row, r.line, r.field, r.reason)
}

// Limit is --max-rejects: a count ("100") or a share of the rows read
// ("0.5%"). The zero Limit allows any number.
type Limit struct {
	count   int64
	percent float64
	set     bool
}

// ParseLimit reads a --max-rejects value.
func ParseLimit(s string) (Limit, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Limit{}, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || v > 100 {
			return Limit{}, fmt.Errorf("--max-rejects %q: want a count like 100 or a percentage like 0.5%%", s)
		}
		return Limit{percent: v, set: true}, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return Limit{}, fmt.Errorf("--max-rejects %q: want a count like 100 or a percentage like 0.5%%", s)
	}
	return Limit{count: v, set: true, percent: -1}, nil
}

// ParseShrink reads a --max-shrink value, a percentage ("10%"); "100%"
// turns the guard off.
func ParseShrink(s string) (Limit, error) {
	p, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		if strings.TrimSpace(s) == "" {
			return Limit{}, nil
		}
		return Limit{}, fmt.Errorf("--max-shrink %q: want a percentage like 10%%", s)
	}
	l, err := ParseLimit(p + "%")
	if err != nil {
		return Limit{}, fmt.Errorf("--max-shrink %q: want a percentage like 10%%", s)
	}
	if l.percent >= 100 {
		return Limit{}, nil
	}
	return l, nil
}

// shrinks reports whether lines falls below (100 − l)% of current.
func (l Limit) shrinks(lines, current int64) bool {
	return l.set && float64(lines) < float64(current)*(100-l.percent)/100
}

func (l Limit) String() string {
	switch {
	case !l.set:
		return "unlimited"
	case l.percent >= 0:
		return strconv.FormatFloat(l.percent, 'f', -1, 64) + "%"
	}
	return strconv.FormatInt(l.count, 10)
}

// reporter writes rejects and enforces the limit: a count as soon as it is
// passed, a percentage once every row has been read.
type reporter struct {
	w      io.Writer
	limit  Limit
	count  int64
	byRule map[string]int64
}

func (r *reporter) add(rj *reject) error {
	r.count++
	if r.byRule == nil {
		r.byRule = make(map[string]int64)
	}
	r.byRule[rj.ruleKey()]++
	if _, err := fmt.Fprintln(r.w, rj.String()); err != nil {
		return fmt.Errorf("write rejects report: %w", err)
	}
	if r.limit.set && r.limit.percent < 0 && r.count > r.limit.count {
		return fmt.Errorf("%w: more than %s", ErrTooManyRejects, r.limit)
	}
	return nil
}

// totals ends the report with a count per field and rule, so a ticket can
// say what went wrong without the whole report.
func (r *reporter) totals() error {
	rules := slices.Sorted(maps.Keys(r.byRule))
	for _, k := range rules {
		if _, err := fmt.Fprintf(r.w, "total: %s: %d\n", k, r.byRule[k]); err != nil {
			return fmt.Errorf("write rejects report: %w", err)
		}
	}
	r.byRule = nil
	return nil
}

func (r *reporter) final(read int64) error {
	if !r.limit.set || r.limit.percent < 0 || read == 0 {
		return nil
	}
	if share := float64(r.count) * 100 / float64(read); share > r.limit.percent {
		return fmt.Errorf("%w: %d of %d rows (%.2f%%), more than %s", ErrTooManyRejects, r.count, read, share, r.limit)
	}
	return nil
}
