package user

import (
	"maps"
	"sync"
	"time"
)

// Service is the container's user service: who is signed in, how, and the
// dictionary hosted pages read and write through /pmapi/user.
//
// The dictionary and the sign-in are kept apart on purpose: a page may
// replace or clear the dictionary (POST/DELETE /pmapi/user, as it could in
// the container), but only the authentication service decides who is
// signed in. Safe for concurrent use.
type Service struct {
	mu      sync.Mutex
	data    map[string]any
	version uint64 // one more at each change of data
	profile Profile
	method  Method // "" when nobody is signed in
}

// NewService returns a user service with nobody signed in.
func NewService() *Service { return &Service{data: map[string]any{}} }

// SignIn records p as signed in by m and fills the dictionary from it.
func (s *Service) SignIn(p Profile, m Method) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profile, s.method = p, m
	s.data = Dictionary(p, m)
	s.version++
}

// SignOut forgets the signed-in user and clears the dictionary.
func (s *Service) SignOut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profile, s.method = Profile{}, ""
	s.data = map[string]any{}
	s.version++
}

// Current returns the signed-in profile and how it signed in; ok is false
// when nobody is signed in.
func (s *Service) Current() (p Profile, m Method, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.profile, s.method, s.method != ""
}

// All returns a copy of the dictionary.
func (s *Service) All() map[string]any {
	d, _ := s.Snapshot()
	return d
}

// Snapshot returns a copy of the dictionary and its version: a number
// that changes with every change of the dictionary, so a reader may keep
// what it made of one version (pmapi its JSON) until Version differs.
func (s *Service) Snapshot() (map[string]any, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.data), s.version
}

// Version is the dictionary's version now (see Snapshot).
func (s *Service) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// Get returns one dictionary value.
func (s *Service) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[key]
	return v, ok
}

// Replace swaps the whole dictionary; the sign-in itself is unchanged.
func (s *Service) Replace(d map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = maps.Clone(d)
	if s.data == nil {
		s.data = map[string]any{}
	}
	s.version++
}

// Clear empties the dictionary; the sign-in itself is unchanged.
func (s *Service) Clear() { s.Replace(nil) }

// Dictionary is the user service content for a signed-in profile, with the
// keys pages written for the container expect.
func Dictionary(p Profile, m Method) map[string]any {
	roles, groups := p.Roles, p.Groups
	if roles == nil {
		roles = []string{}
	}
	if groups == nil {
		groups = []string{}
	}
	d := map[string]any{
		"username":        p.Username,
		"name":            p.Name,
		"email":           p.Email,
		"roles":           roles,
		"groups":          groups,
		"idp":             p.IdP,
		"isauthenticated": true,
		"method":          string(m),
	}
	if !p.AuthenticatedAt.IsZero() {
		d["authenticated_at"] = p.AuthenticatedAt.UTC().Format(time.RFC3339)
	}
	return d
}
