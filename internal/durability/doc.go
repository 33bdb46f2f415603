// Package durability holds no code: its tests check, across packages, the
// promise that a failed write loses nothing — a full disk during a vault,
// settings or audit write keeps the old file, and kill -9 at any moment of
// an offline password's setup or change, or of a settings write, leaves
// the old content or the new, never a torn mix. (Installs and signatures
// have their kill tests beside them: internal/webapps, internal/store/sqlite.)
package durability
