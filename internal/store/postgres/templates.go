package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
	"loginshell/internal/store"
)

const templateColumns = `name, description, expression, idp, framing, timeout, force_auth, force_unique_user, meaning, require_comment,
	ordered, reject_meaning`

// PutTemplate stores t, replacing a template whose name is equal to
// t.Name but for case (the stored name becomes t.Name). It does NOT
// validate t: the engine does (signature.ErrBadTemplate) before it calls.
func (s *Store) PutTemplate(ctx context.Context, t signature.Template) error {
	return s.fail("put template", s.retrying(ctx, true, func(*bool) error { // an upsert: idempotent
		_, err := s.pool.Exec(ctx, `
INSERT INTO templates (name_key, `+templateColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (name_key) DO UPDATE SET
	name = excluded.name, description = excluded.description, expression = excluded.expression,
	idp = excluded.idp, framing = excluded.framing, timeout = excluded.timeout,
	force_auth = excluded.force_auth, force_unique_user = excluded.force_unique_user,
	meaning = excluded.meaning, require_comment = excluded.require_comment,
	ordered = excluded.ordered, reject_meaning = excluded.reject_meaning`,
			store.NameKey(t.Name), t.Name, t.Description, t.Expression, t.IDP, t.Framing, t.Timeout,
			t.Force, t.ForceUniqueUser, t.Meaning, t.RequireComment, t.Ordered, t.RejectMeaning)
		return err
	}))
}

// Template returns the template named name, compared case-insensitively,
// or an error matching signature.ErrNoTemplate.
func (s *Store) Template(ctx context.Context, name string) (signature.Template, error) {
	var t signature.Template
	err := s.retrying(ctx, true, func(*bool) (err error) {
		t, err = scanTemplate(s.pool.QueryRow(ctx, `SELECT `+templateColumns+` FROM templates WHERE name_key = $1`, store.NameKey(name)))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return signature.Template{}, fault.Detail(signature.ErrNoTemplate, "%q", name)
	}
	if err != nil {
		return signature.Template{}, s.fail("template", err)
	}
	return t, nil
}

// Templates lists every template, ordered by name without regard to case
// (byte order of the keys, as the SQLite store orders them).
func (s *Store) Templates(ctx context.Context) ([]signature.Template, error) {
	var ts []signature.Template
	err := s.retrying(ctx, true, func(*bool) error {
		rows, err := s.pool.Query(ctx, `SELECT `+templateColumns+` FROM templates ORDER BY name_key COLLATE "C", name COLLATE "C"`)
		if err != nil {
			return err
		}
		ts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (signature.Template, error) { return scanTemplate(row) })
		return err
	})
	if err != nil {
		return nil, s.fail("templates", err)
	}
	return ts, nil
}

// DeleteTemplate removes the template named name (case-insensitive), or
// returns an error matching signature.ErrNoTemplate. Requests queued from
// it keep the name they were queued with.
func (s *Store) DeleteTemplate(ctx context.Context, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM templates WHERE name_key = $1`, store.NameKey(name))
	if err != nil {
		return s.fail("delete template", err)
	}
	if tag.RowsAffected() == 0 {
		return fault.Detail(signature.ErrNoTemplate, "%q", name)
	}
	return nil
}

func scanTemplate(row pgx.Row) (signature.Template, error) {
	var t signature.Template
	err := row.Scan(&t.Name, &t.Description, &t.Expression, &t.IDP, &t.Framing, &t.Timeout,
		&t.Force, &t.ForceUniqueUser, &t.Meaning, &t.RequireComment, &t.Ordered, &t.RejectMeaning)
	return t, err
}
