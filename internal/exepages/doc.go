// Package exepages gives back the executable's pages that start-up
// mapped and an idle shell does not use.
//
// Starting the window runs much of the binary once: every package's
// initialisation (pgx's type map, SQLite's driver, the demo provider's
// tracing globals), the settings, the package scan, the chrome's server.
// The kernel maps a 64 KB window of the file around each page touched
// (fault-around; on ext4 a whole large folio), so by the first screen
// nearly all of the binary's code, and most of its read-only data and
// its function table, is in the process's page tables: about 14 MB of
// PSS that an idle sign-in screen never reads again. Release drops those
// mappings once start-up is over. The pages stay in the page cache, so
// what runs later maps them again with a minor fault (no disk read), and
// an idle station holds only what it uses.
//
// Only clean read-only mappings of the executable itself are dropped:
// their contents are the file's, so dropping them loses nothing. A
// read-only mapping the dynamic loader wrote before it made it
// read-only (RELRO: the GOT of a cgo binary) holds private copies, and
// dropping those would put back the file's unrelocated bytes; such a
// mapping has anonymous pages and is left alone.
package exepages
