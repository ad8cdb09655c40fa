package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// row is one export row with its cells placed by target column.
type row struct {
	num   int64 // data row number, 1-based, header not counted
	line  int64 // line of the file the row starts on
	cells [numTargets]string
	bad   *reject // set when the row itself is malformed
}

// rowReader yields rows. Problems with one row are set on the row; errors
// returned end the run (I/O, header, an unknown JSON key).
type rowReader interface {
	next(r *row) error
}

const bom = "\ufeff"

// skipBOM drops a UTF-8 byte-order mark, which spreadsheet exports often
// start with and which would otherwise stick to the first column's name.
func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(len(bom)); err == nil && string(b) == bom {
		br.Discard(len(bom))
	}
}

type csvReader struct {
	r       *csv.Reader
	targets []int
	num     int64
}

func newCSVReader(in io.Reader, m *Mapping, delimiter rune) (*csvReader, error) {
	br := bufio.NewReaderSize(in, 1<<20)
	skipBOM(br)
	cr := csv.NewReader(br)
	if delimiter != 0 {
		cr.Comma = delimiter
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the export is empty: no header row")
		}
		return nil, fmt.Errorf("read header: %w", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	targets, err := m.resolve(header)
	if err != nil {
		return nil, err
	}
	return &csvReader{r: cr, targets: targets}, nil
}

func (c *csvReader) next(r *row) error {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	c.num++
	*r = row{num: c.num}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		r.line = int64(pe.StartLine)
		r.bad = &reject{field: "row", reason: "is not well-formed CSV"}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read row %d: %w", c.num, err)
	}
	line, _ := c.r.FieldPos(0)
	r.line = int64(line)
	if len(rec) != len(c.targets) {
		r.bad = &reject{field: "row", reason: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(c.targets)),
			rule: "has not as many fields as the header"}
		return nil
	}
	for i, v := range rec {
		if t := c.targets[i]; t != colIgnore {
			r.cells[t] = v
		}
	}
	return nil
}

// maxLine bounds one JSON Lines record; a subscriber line is a few hundred
// bytes, and an unbounded line would let one broken file exhaust memory.
const maxLine = 1 << 20

// jsonlReader reads one object a line with a reused tokenizer: no map or
// interface value per row, one string per row that its cells share, and
// the line itself read in place from the buffer.
type jsonlReader struct {
	br      *bufio.Reader
	m       *Mapping
	targets map[string]int
	line    int64
	num     int64
	long    []byte // a line longer than the buffer, assembled
	rd      bytes.Reader
	dec     *jsontext.Decoder
	vals    []byte   // the cells of the row being read, back to back
	cells   []cellAt // where each lies in vals
	// keys are the raw keys of the rows before, by place, with their
	// targets: an exporter writes its keys in one order, so the key at a
	// place is mostly the one there before, found by comparing bytes.
	keys []keyTarget
}

type cellAt struct{ t, start, end int }

type keyTarget struct {
	raw []byte
	t   int
}

func newJSONLReader(in io.Reader, m *Mapping) *jsonlReader {
	br := bufio.NewReaderSize(in, 1<<20)
	skipBOM(br)
	j := &jsonlReader{br: br, m: m, targets: make(map[string]int)}
	j.dec = jsontext.NewDecoder(&j.rd)
	return j
}

func (j *jsonlReader) next(r *row) error {
	for {
		line, tooLong, err := j.readLine()
		if err != nil {
			return err
		}
		j.line++
		if !tooLong && len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		j.num++
		*r = row{num: j.num, line: j.line}
		if tooLong {
			r.bad = &reject{field: "row", reason: "is longer than 1 MiB"}
			return nil
		}
		return j.decode(r, line)
	}
}

// readLine returns the next line without its line ending, valid until the
// next call, and whether it was longer than maxLine (its excess is read
// and dropped).
func (j *jsonlReader) readLine() ([]byte, bool, error) {
	chunk, err := j.br.ReadSlice('\n')
	if err == nil || (errors.Is(err, io.EOF) && len(chunk) > 0) {
		return bytes.TrimRight(chunk, "\r\n"), false, nil
	}
	buf := append(j.long[:0], chunk...)
	n := len(chunk)
	for errors.Is(err, bufio.ErrBufferFull) {
		chunk, err = j.br.ReadSlice('\n')
		n += len(chunk)
		if n <= maxLine+1 {
			buf = append(buf, chunk...)
		}
	}
	j.long = buf
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, fmt.Errorf("read line %d: %w", j.line+1, err)
	}
	if n == 0 {
		return nil, false, io.EOF
	}
	return bytes.TrimRight(buf, "\r\n"), n > maxLine+1, nil
}

// This fails to compile if decode's bitmask of targets is too small.
var _ [64 - numTargets]struct{}

var (
	errNotObject = &reject{field: "row", reason: "is not a JSON object"}
	errKeyTwice  = &reject{field: "row", reason: "has a key twice"}
)

// jsonlOptions leave duplicate names to decode, which finds a column given
// twice by its target for less than the tokenizer's set of names costs.
var jsonlOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true)}

// decode reads one object of keys and cell values. The row's cells are
// substrings of one string of their values, as encoding/csv makes them.
func (j *jsonlReader) decode(r *row, line []byte) error {
	dec := j.dec
	j.rd.Reset(line)
	dec.Reset(&j.rd, jsonlOptions...)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		r.bad = notObject(line)
		return nil
	}
	j.vals, j.cells = j.vals[:0], j.cells[:0]
	var seen uint64 // targets given a cell (see the check above errNotObject)
	for k := 0; dec.PeekKind() == '"'; k++ {
		name, err := dec.ReadValue()
		if err != nil {
			r.bad = notObject(line)
			return nil
		}
		t, err := j.keyAt(k, name, r.num)
		if err != nil {
			return err
		}
		v, err := dec.ReadValue()
		if err != nil {
			r.bad = notObject(line)
			return nil
		}
		if t == colIgnore {
			continue
		}
		if seen&(1<<t) != 0 {
			r.bad = errKeyTwice
			return nil
		}
		seen |= 1 << t
		start := len(j.vals)
		var ok bool
		if j.vals, ok = appendCell(j.vals, v); !ok {
			r.bad = &reject{field: targetName(t), reason: "must be a string"}
			return nil
		}
		j.cells = append(j.cells, cellAt{t, start, len(j.vals)})
	}
	if _, err := dec.ReadToken(); err != nil { // the closing brace
		r.bad = notObject(line)
		return nil
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		r.bad = errNotObject
		return nil
	}
	text := string(j.vals)
	for _, c := range j.cells {
		r.cells[c.t] = text[c.start:c.end]
	}
	return nil
}

// notObject is the reject of a line the tokenizer refused: invalid UTF-8
// gets a reason of its own.
func notObject(line []byte) *reject {
	if !utf8.Valid(line) {
		return &reject{field: "row", reason: "is not valid UTF-8"}
	}
	return errNotObject
}

// keyAt resolves the raw (quoted) object key at place k of a row.
func (j *jsonlReader) keyAt(k int, raw jsontext.Value, num int64) (int, error) {
	if k < len(j.keys) && bytes.Equal(j.keys[k].raw, raw) {
		return j.keys[k].t, nil
	}
	t, err := j.target(raw, num)
	if err != nil {
		return 0, err
	}
	if k == len(j.keys) {
		j.keys = append(j.keys, keyTarget{})
	}
	j.keys[k] = keyTarget{raw: append(j.keys[k].raw[:0], raw...), t: t}
	return t, nil
}

// target resolves a raw (quoted) object key. Keys seen before are found
// without unquoting or allocating.
func (j *jsonlReader) target(raw jsontext.Value, num int64) (int, error) {
	name := raw[1 : len(raw)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		unq, err := jsontext.AppendUnquote(nil, raw)
		if err != nil { // the tokenizer has checked it: unreachable
			return 0, fmt.Errorf("row %d (line %d) has an object key that cannot be unquoted", num, j.line)
		}
		name = unq
	}
	if t, ok := j.targets[string(name)]; ok {
		return t, nil
	}
	key := string(name)
	t, ok := j.m.target(key)
	if !ok {
		return 0, unknownKey(key, num, j.line)
	}
	j.targets[key] = t
	return t, nil
}

// unknownKey quotes a JSON key only when it looks like a column name: a
// file whose keys are values must not put them in an error.
func unknownKey(key string, num, line int64) error {
	what := "an object key that is not a contract column"
	if nameLike.MatchString(key) {
		what = fmt.Sprintf("the unknown key %q", key)
	}
	return fmt.Errorf("row %d (line %d) has %s: rename or ignore it in a --mapping file", num, line, what)
}

// appendCell appends the cell of raw value v: strings, numbers (postal
// codes and street numbers are often written as numbers) and booleans
// (eligible), with null as "not held"; objects and arrays are not cell
// values.
func appendCell(dst []byte, v jsontext.Value) ([]byte, bool) {
	switch v.Kind() {
	case 'n':
		return dst, true
	case '"':
		if bytes.IndexByte(v, '\\') < 0 {
			return append(dst, v[1:len(v)-1]...), true
		}
		out, err := jsontext.AppendUnquote(dst, v)
		return out, err == nil
	case '0', 't', 'f':
		return append(dst, v...), true
	}
	return dst, false
}
