package api

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/internal/buildinfo"
)

// Metrics are the server's Prometheus metrics. Labels are routes, status
// codes, CAMARA codes, attribute names and verdicts: bounded sets, none of
// them from a client's input.
type Metrics struct {
	Registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	results    [engine.NumAttributes][3]prometheus.Counter
	genInfo    *prometheus.GaugeVec
	genLines   prometheus.Gauge
	genTime    prometheus.Gauge
	ingestRows *prometheus.GaugeVec
	ingestTime prometheus.Gauge
	inFlight   prometheus.Gauge
	swaps      prometheus.Counter
	refusals   prometheus.Counter
	created    atomic.Int64 // unix seconds of the current generation
	// children caches the request counter and latency histogram of each
	// (route, status, code): WithLabelValues hashes its labels and takes a
	// lock on every call, and the set of keys is small and fixed.
	children sync.Map // requestKey -> *requestChildren
}

type requestKey struct {
	route  string
	status int
	code   string
}

type requestChildren struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// NewMetrics registers the metrics, with the Go and process collectors.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycmatch_http_requests_total",
			Help: "HTTP requests by route, status and CAMARA error code."}, []string{"route", "status", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kycmatch_http_request_duration_seconds",
			Help:    "Time to answer, by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .002, .005, .01, .025, .05, .1, .25, 1}}, []string{"route"}),
		genInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kycmatch_generation_info",
			Help: "The generation answering now (value 1)."}, []string{"generation", "key_id", "profile"}),
		genLines: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kycmatch_generation_lines", Help: "Subscriber lines in the current generation."}),
		genTime: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kycmatch_generation_created_timestamp_seconds",
			Help: "When the current generation was committed; its age is time() minus this."}),
		ingestRows: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kycmatch_generation_ingest_rows",
			Help: "Rows of the export the current generation was built from, read and rejected."}, []string{"kind"}),
		ingestTime: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kycmatch_generation_ingest_duration_seconds",
			Help: "How long the ingest that built the current generation took."}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kycmatch_http_requests_in_flight",
			Help: "Requests being answered now."}),
		swaps: prometheus.NewCounter(prometheus.CounterOpts{Name: "kycmatch_generation_swaps_total", Help: "Generations switched to since start."}),
		refusals: prometheus.NewCounter(prometheus.CounterOpts{Name: "kycmatch_generation_swap_failures_total",
			Help: "Current generations that could not be opened, each counted once; the previous one, if any, goes on answering."}),
	}
	results := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycmatch_match_results_total",
		Help: "Answers per attribute and verdict."}, []string{"attribute", "result"})
	for _, a := range engine.Attributes()[1:] {
		for v := engine.NotAvailable; v <= engine.False; v++ {
			m.results[a][v] = results.WithLabelValues(a.String(), v.String())
		}
	}
	bi := buildinfo.Read()
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kycmatch_build_info",
		Help: "The running build (value 1): what kycmatch --version prints."}, []string{"version", "revision", "goversion", "formats"})
	build.WithLabelValues(bi.Version, bi.Revision, bi.GoVersion, bi.Formats).Set(1)
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kycmatch_generation_age_seconds",
		Help: "Seconds since the current generation was committed."}, m.age)
	// readyz's answer as a number, for an alert that outlives one probe.
	ready := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kycmatch_ready",
		Help: "1 when a generation is open and /match can answer, else 0."}, m.ready)
	reg.MustRegister(m.requests, m.latency, results, m.genInfo, m.genLines, m.genTime, m.ingestRows, m.ingestTime, m.inFlight, m.swaps, m.refusals, age, build, ready,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) age() float64 {
	if t := m.created.Load(); t > 0 {
		return time.Since(time.Unix(t, 0)).Seconds()
	}
	return 0
}

func (m *Metrics) ready() float64 {
	if m.created.Load() > 0 {
		return 1
	}
	return 0
}

func (m *Metrics) observe(route string, status int, code string, d time.Duration) {
	k := requestKey{route, status, code}
	c, ok := m.children.Load(k)
	if !ok {
		c, _ = m.children.LoadOrStore(k, &requestChildren{
			count:   m.requests.WithLabelValues(route, strconv.Itoa(status), code),
			latency: m.latency.WithLabelValues(route),
		})
	}
	rc := c.(*requestChildren)
	rc.count.Inc()
	rc.latency.Observe(d.Seconds())
}

func (m *Metrics) countResults(r *engine.Result) {
	for _, a := range engine.Attributes()[1:] {
		if r.Asked.Has(a) {
			m.results[a][r.Verdict[a]].Inc()
		}
	}
}

// SetGeneration records the generation now answering.
func (m *Metrics) SetGeneration(info engine.GenerationInfo) {
	m.genInfo.Reset()
	m.genInfo.WithLabelValues(info.ID, info.KeyID, info.Profile).Set(1)
	m.genLines.Set(float64(info.Lines))
	m.genTime.Set(float64(info.Created.Unix()))
	m.created.Store(info.Created.Unix())
	m.ingestRows.WithLabelValues("read").Set(float64(info.Read))
	m.ingestRows.WithLabelValues("rejected").Set(float64(info.Rejected))
	m.ingestTime.Set(info.IngestTime.Seconds())
	m.swaps.Inc()
}

// RefuseGeneration counts a current generation that could not be opened.
func (m *Metrics) RefuseGeneration(engine.Refusal) { m.refusals.Inc() }
