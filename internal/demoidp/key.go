package demoidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"
)

// signingKeys is the provider's RS256 signing key, made once, when it is
// first asked for, on a goroutine of its own. Making an RSA-2048 key is
// the costliest part of starting a provider (a tenth of a second to a
// second, more on a loaded machine), and nothing but the token endpoint,
// the keys endpoint and a logout's id_token_hint needs it: discovery, the
// authorization request and the sign-in form never wait for it.
//
// The key is asked for (start) when the sign-in form is first shown, so
// it is made while the person types, and waited for (get) where it is
// used. Why this matters: a provider that held every request until its
// key existed (tried once to take the key off the shell's start-up) held
// the shell's 2-second reachability check at start-up, which on a loaded
// machine then timed out or answered just as the sign-in went on
// (TestDiscoveryDoesNotWaitForTheKey).
type signingKeys struct {
	generate func() (*rsa.PrivateKey, error)
	once     sync.Once
	done     chan struct{} // closed once key or err is set
	key      *rsa.PrivateKey
	err      error
}

// generateRSA makes the provider's key: RS256 is the algorithm every
// OpenID client must accept.
func generateRSA() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }

func newSigningKeys(generate func() (*rsa.PrivateKey, error)) *signingKeys {
	if generate == nil {
		generate = generateRSA
	}
	return &signingKeys{generate: generate, done: make(chan struct{})}
}

// start begins making the key, once; it never waits.
func (k *signingKeys) start() {
	k.once.Do(func() {
		go func() {
			defer close(k.done)
			if k.key, k.err = k.generate(); k.err != nil {
				k.err = fmt.Errorf("generate the signing key: %w", k.err)
			}
		}()
	})
}

// get returns the key, making it first if no one asked for it yet, or
// ctx's error if ctx ends before it is made.
func (k *signingKeys) get(ctx context.Context) (*rsa.PrivateKey, error) {
	k.start()
	select {
	case <-k.done:
		return k.key, k.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
