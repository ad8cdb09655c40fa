package postgres

import "context"

// rawScan calls fn with every line as stored, for tests.
func (g *Generation) rawScan(ctx context.Context, fn func(key, v []byte) error) error {
	rows, err := g.s.pool.Query(ctx, "SELECT k, v FROM "+g.table+" ORDER BY k")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RawScan calls fn with every line of g as stored: sealed, unless the
// store is plaintext.
func RawScan(g any, fn func(key, v []byte) error) error {
	return g.(*Generation).rawScan(context.Background(), fn)
}

// OpenRaw opens a stored record as Get does for key.
func OpenRaw(g any, key, v []byte) ([]byte, error) { return g.(*Generation).rec.Open(nil, key, v) }
