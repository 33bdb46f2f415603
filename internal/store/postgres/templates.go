package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
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
// nothing is: another station reads the new version only once its entry
// is in the trail, so a request queued from it never precedes the
// entry. It does NOT validate t: the engine does
// (signature.ErrBadTemplate) before it calls.
//
// The upsert locks the template's row before appendAudit locks the
// chain head, and nothing locks them the other way round.
func (s *Store) PutTemplateAudited(ctx context.Context, t signature.Template, entries func(signature.Template) []audit.Entry) ([]audit.Entry, error) {
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "put template", func(tx *writeTx) error {
		// RETURNING reads the row as stored, in the statement that wrote it.
		stored, err := scanTemplate(tx.QueryRow(ctx, `
INSERT INTO templates (name_key, `+templateColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (name_key) DO UPDATE SET
	name = excluded.name, description = excluded.description, expression = excluded.expression,
	idp = excluded.idp, framing = excluded.framing, timeout = excluded.timeout,
	force_auth = excluded.force_auth, force_unique_user = excluded.force_unique_user,
	meaning = excluded.meaning, require_comment = excluded.require_comment,
	ordered = excluded.ordered, reject_meaning = excluded.reject_meaning
RETURNING `+templateColumns,
			store.NameKey(t.Name), t.Name, t.Description, t.Expression, t.IDP, t.Framing, t.Timeout,
			t.Force, t.ForceUniqueUser, t.Meaning, t.RequireComment, t.Ordered, t.RejectMeaning))
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
// names no template (removed meanwhile at another station too: the
// DELETE waits for that one's commit, then finds no row) is
// signature.ErrNoTemplate, and nothing is written. Requests queued from
// it keep the name they were queued with.
func (s *Store) DeleteTemplateAudited(ctx context.Context, name string, entries func(signature.Template) []audit.Entry) ([]audit.Entry, error) {
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "delete template", func(tx *writeTx) error {
		removed, err := scanTemplate(tx.QueryRow(ctx, `DELETE FROM templates WHERE name_key = $1 RETURNING `+templateColumns, store.NameKey(name)))
		if errors.Is(err, pgx.ErrNoRows) {
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

func scanTemplate(row pgx.Row) (signature.Template, error) {
	var t signature.Template
	err := row.Scan(&t.Name, &t.Description, &t.Expression, &t.IDP, &t.Framing, &t.Timeout,
		&t.Force, &t.ForceUniqueUser, &t.Meaning, &t.RequireComment, &t.Ordered, &t.RejectMeaning)
	return t, err
}
