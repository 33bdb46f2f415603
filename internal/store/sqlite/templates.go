package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
	"loginshell/internal/store"
)

const templateColumns = `name, description, expression, idp, framing, timeout, force_auth, force_unique_user, meaning, require_comment,
	ordered, reject_meaning`

// PutTemplate stores t with no audit entry; see PutTemplateAudited.
func (s *Store) PutTemplate(ctx context.Context, t signature.Template) error {
	_, err := s.PutTemplateAudited(ctx, t, nil)
	return err
}

// PutTemplateAudited stores t, replacing a template whose name is equal
// to t.Name but for case (the stored name becomes t.Name), and, in the
// same transaction, the audit entries entries returns (sealed, in order);
// it returns them as sealed. entries (nil for none) is called once,
// inside the transaction, with t as the row now holds it, and must not
// call the store. Either the template and every entry are committed, or
// nothing is. It does NOT validate t: the engine does
// (signature.ErrBadTemplate) before it calls.
func (s *Store) PutTemplateAudited(ctx context.Context, t signature.Template, entries func(signature.Template) []audit.Entry) ([]audit.Entry, error) {
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "put template", func(tx *sql.Tx) error {
		// RETURNING reads the row as stored, in the statement that wrote it.
		stored, err := scanTemplate(tx.QueryRowContext(ctx, `
INSERT INTO templates (name_key, `+templateColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (name_key) DO UPDATE SET
	name = excluded.name, description = excluded.description, expression = excluded.expression,
	idp = excluded.idp, framing = excluded.framing, timeout = excluded.timeout,
	force_auth = excluded.force_auth, force_unique_user = excluded.force_unique_user,
	meaning = excluded.meaning, require_comment = excluded.require_comment,
	ordered = excluded.ordered, reject_meaning = excluded.reject_meaning
RETURNING `+templateColumns,
			store.NameKey(t.Name), t.Name, t.Description, t.Expression, t.IDP, t.Framing, t.Timeout,
			boolInt(t.Force), boolInt(t.ForceUniqueUser), t.Meaning, boolInt(t.RequireComment), boolInt(t.Ordered), t.RejectMeaning))
		if err != nil || entries == nil {
			return err
		}
		sealed, cp, err = s.appendAudit(ctx, tx, entries(stored))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.committed(cp)
	return sealed, nil
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

// DeleteTemplate removes a template with no audit entry; see
// DeleteTemplateAudited.
func (s *Store) DeleteTemplate(ctx context.Context, name string) error {
	_, err := s.DeleteTemplateAudited(ctx, name, nil)
	return err
}

// DeleteTemplateAudited removes the template named name
// (case-insensitive) and, in the same transaction, appends the audit
// entries entries returns (sealed, in order); it returns them as sealed.
// entries (nil for none) is called once, inside the transaction, with the
// template as it was stored, and must not call the store. Either the
// removal and every entry are committed, or nothing is. A name that
// names no template is signature.ErrNoTemplate, and nothing is written.
// Requests queued from it keep the name they were queued with.
func (s *Store) DeleteTemplateAudited(ctx context.Context, name string, entries func(signature.Template) []audit.Entry) ([]audit.Entry, error) {
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "delete template", func(tx *sql.Tx) error {
		removed, err := scanTemplate(tx.QueryRowContext(ctx, `DELETE FROM templates WHERE name_key = ? RETURNING `+templateColumns, store.NameKey(name)))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Detail(signature.ErrNoTemplate, "%q", name)
		}
		if err != nil || entries == nil {
			return err
		}
		sealed, cp, err = s.appendAudit(ctx, tx, entries(removed))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.committed(cp)
	return sealed, nil
}

func scanTemplate(row interface{ Scan(...any) error }) (signature.Template, error) {
	var t signature.Template
	err := row.Scan(&t.Name, &t.Description, &t.Expression, &t.IDP, &t.Framing, &t.Timeout,
		&t.Force, &t.ForceUniqueUser, &t.Meaning, &t.RequireComment, &t.Ordered, &t.RejectMeaning)
	return t, err
}
