package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
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

type jsonlReader struct {
	br      *bufio.Reader
	m       *Mapping
	targets map[string]int
	line    int64
	num     int64
}

func newJSONLReader(in io.Reader, m *Mapping) *jsonlReader {
	br := bufio.NewReaderSize(in, 1<<20)
	skipBOM(br)
	return &jsonlReader{br: br, m: m, targets: make(map[string]int)}
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

// readLine returns the next line without its line ending, and whether it
// was longer than maxLine (its excess is read and dropped).
func (j *jsonlReader) readLine() ([]byte, bool, error) {
	var buf []byte
	n := 0
	for {
		chunk, err := j.br.ReadSlice('\n')
		n += len(chunk)
		if n <= maxLine+1 {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, false, fmt.Errorf("read line %d: %w", j.line+1, err)
		}
		if n == 0 {
			return nil, false, io.EOF
		}
		return bytes.TrimRight(buf, "\r\n"), n > maxLine+1, nil
	}
}

func (j *jsonlReader) decode(r *row, line []byte) error {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || dec.More() || obj == nil {
		r.bad = &reject{field: "row", reason: "is not a JSON object"}
		return nil
	}
	for k, v := range obj {
		t, err := j.target(k, r.num)
		if err != nil {
			return err
		}
		if t == colIgnore {
			continue
		}
		s, ok := jsonCell(v)
		if !ok {
			r.bad = &reject{field: targetName(t), reason: "must be a string"}
			return nil
		}
		r.cells[t] = s
	}
	return nil
}

func (j *jsonlReader) target(key string, num int64) (int, error) {
	if t, ok := j.targets[key]; ok {
		return t, nil
	}
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

// jsonCell accepts strings, numbers (postal codes and street numbers are
// often written as numbers) and booleans (eligible), with null as "not
// held"; objects and arrays are not cell values.
func jsonCell(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, utf8.ValidString(v)
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}
