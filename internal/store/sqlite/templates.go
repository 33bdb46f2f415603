package sqlite

import (
	"context"
	"database/sql"
	"errors"

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
	return s.write(ctx, "put template", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO templates (name_key, `+templateColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (name_key) DO UPDATE SET
	name = excluded.name, description = excluded.description, expression = excluded.expression,
	idp = excluded.idp, framing = excluded.framing, timeout = excluded.timeout,
	force_auth = excluded.force_auth, force_unique_user = excluded.force_unique_user,
	meaning = excluded.meaning, require_comment = excluded.require_comment,
	ordered = excluded.ordered, reject_meaning = excluded.reject_meaning`,
			store.NameKey(t.Name), t.Name, t.Description, t.Expression, t.IDP, t.Framing, t.Timeout,
			boolInt(t.Force), boolInt(t.ForceUniqueUser), t.Meaning, boolInt(t.RequireComment), boolInt(t.Ordered), t.RejectMeaning)
		return err
	})
}

// Template returns the template named name, compared case-insensitively,
// or an error matching signature.ErrNoTemplate.
func (s *Store) Template(ctx context.Context, name string) (signature.Template, error) {
	var t signature.Template
	err := s.read(ctx, "template", func(tx *sql.Tx) error {
		var err error
		t, err = scanTemplate(tx.QueryRowContext(ctx, `SELECT `+templateColumns+` FROM templates WHERE name_key = ?`, store.NameKey(name)))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Detail(signature.ErrNoTemplate, "%q", name)
		}
		return err
	})
	if err != nil {
		return signature.Template{}, err
	}
	return t, nil
}

// Templates lists every template, ordered by name without regard to case.
func (s *Store) Templates(ctx context.Context) ([]signature.Template, error) {
	var ts []signature.Template
	err := s.read(ctx, "templates", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+templateColumns+` FROM templates ORDER BY name_key, name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTemplate(rows)
			if err != nil {
				return err
			}
			ts = append(ts, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return ts, nil
}

// DeleteTemplate removes the template named name (case-insensitive), or
// returns an error matching signature.ErrNoTemplate. Requests queued from
// it keep the name they were queued with.
func (s *Store) DeleteTemplate(ctx context.Context, name string) error {
	return s.write(ctx, "delete template", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM templates WHERE name_key = ?`, store.NameKey(name))
		if n, err := affected(res, err); err != nil {
			return err
		} else if n == 0 {
			return fault.Detail(signature.ErrNoTemplate, "%q", name)
		}
		return nil
	})
}

func scanTemplate(row interface{ Scan(...any) error }) (signature.Template, error) {
	var t signature.Template
	err := row.Scan(&t.Name, &t.Description, &t.Expression, &t.IDP, &t.Framing, &t.Timeout,
		&t.Force, &t.ForceUniqueUser, &t.Meaning, &t.RequireComment, &t.Ordered, &t.RejectMeaning)
	return t, err
}
