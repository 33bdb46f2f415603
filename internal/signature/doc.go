// Package signature is the MES electronic-signature engine of seed 000
// (system.mes.signature): signature templates, the expression language that
// says who may sign, authorization requests queued with one sign-in slot per
// top-level AND clause, and the challenges that ask a signer to approve or
// reject a slot. Outcomes go to the page that queued the request (approve
// once when every slot is approved, reject when one is rejected, error on
// each failed attempt, cancel or timeout) and always to the audit trail.
//
// The engine keeps nothing of its own on disk: requests, slots, templates
// and the audit trail live in a Store (internal/store: SQLite in the data
// directory by default, PostgreSQL for a plant), so a request queued by
// another process or station can be triggered here.
package signature
