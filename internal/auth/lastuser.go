package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"loginshell/internal/atomicfile"
)

// FileLastUser keeps the last signed-in username in a small JSON file, so
// an offline field laptop knows whose offline login page to show after a
// restart. It holds no secret.
type FileLastUser struct {
	path string
	mu   sync.Mutex
	name string
}

// OpenLastUser reads path (absent is fine: nobody yet).
func OpenLastUser(path string) (*FileLastUser, error) {
	l := &FileLastUser{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read last user: %w", err)
	}
	var st struct {
		LastUser string `json:"last_user"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("state file %s is not valid JSON (%v); delete it", path, err)
	}
	l.name = st.LastUser
	return l, nil
}

// Get returns the last user, "" if none.
func (l *FileLastUser) Get() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.name
}

// Set records username, writing only when it changed.
func (l *FileLastUser) Set(username string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if username == l.name {
		return nil
	}
	b, _ := json.Marshal(map[string]string{"last_user": username})
	if err := atomicfile.Write(l.path, b, 0o600); err != nil {
		return fmt.Errorf("save last user: %w", err)
	}
	l.name = username
	return nil
}
