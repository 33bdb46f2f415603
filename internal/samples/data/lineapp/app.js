/* The starter app: who is signed in (GET http://pmapi/user), how the
 * station is connected (GET http://pmapi/connectivity), and the two
 * actions every container app offers: change the offline password
 * (POST http://pmapi/auth/update) and log out (POST http://pmapi/boot/restart). */
(function () {
  'use strict';

  function el(id) { return document.getElementById(id); }

  function showError(msg) { el('error').textContent = msg; el('status').textContent = ''; }
  function showStatus(msg) { el('status').textContent = msg; el('error').textContent = ''; }

  function errorOf(res) {
    return res.json().then(function (b) {
      return b && typeof b.error === 'string' ? b.error : '';
    }, function () { return ''; });
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (res) {
      if (!res.ok) {
        return errorOf(res).then(function (msg) {
          throw new Error(msg || 'error ' + res.status);
        });
      }
      return res.json();
    });
  }

  function list(v) {
    if (Array.isArray(v)) { return v.join(', '); }
    return v ? String(v) : '';
  }

  getJSON('http://pmapi/user').then(function (u) {
    u = u || {};
    el('user-name').textContent = u.name || u.username || 'Unknown user';
    el('user-id').textContent = u.username || '—';
    el('user-roles').textContent = list(u.roles) || '—';
  }, function (err) {
    el('user-name').textContent = 'Unavailable';
    showError('Cannot read the signed-in user: ' + err.message);
  });

  /* connection says the service's states (Internet, Online, Authenticated,
   * Offline, OfflineAuthenticated) in an operator's words. */
  function connection(c) {
    var has = function (s) { return Array.isArray(c) && c.indexOf(s) >= 0; };
    // Offline may be the person's choice (--offline): no blame on the server.
    if (has('OfflineAuthenticated')) { return has('Online') ? 'Signed in offline; the login server answers again' : 'Signed in offline'; }
    if (has('Online') && has('Authenticated')) { return 'Signed in online'; }
    if (has('Online')) { return 'Login server reachable'; }
    /* Offline says only that the login server did not answer (or was not
     * asked, with --offline): not that the network is down. */
    return 'Login server unreachable';
  }

  /* Changing the offline password needs the login server: offered only
   * while it answers. */
  el('change-password').hidden = true;
  getJSON('http://pmapi/connectivity').then(function (c) {
    el('connectivity').textContent = connection(c);
    el('change-password').hidden = !(Array.isArray(c) && c.indexOf('Online') >= 0);
  }, function () {
    el('connectivity').textContent = 'Unknown';
  });

  el('change-password').addEventListener('click', function () {
    var button = el('change-password');
    button.disabled = true;
    showStatus('Opening the password change…');
    /* The shell shows the manage page over this one; the request answers
     * when the change is done (200) or cancelled (403). */
    fetch('http://pmapi/auth/update', { method: 'POST' }).then(function (res) {
      if (res.ok) {
        showStatus('Offline password changed');
        return;
      }
      if (res.status === 403) {
        showStatus('Password change cancelled; your offline password is unchanged.');
        return;
      }
      return errorOf(res).then(function (msg) {
        /* Nobody set one up yet (a first-time setup was cancelled):
         * offer the setup instead of a dead end. */
        if (res.status === 400 && /no offline password/i.test(msg || '')) {
          showStatus('You have no offline password yet: set one up now.');
          return fetch('http://pmapi/auth/setup', { method: 'POST' }).then(function (setup) {
            if (setup.ok) {
              showStatus('Offline password set up');
              return;
            }
            if (setup.status === 403) {
              showStatus('Setup cancelled; you can set up an offline password later with this button.');
              return;
            }
            return errorOf(setup).then(function (m) { showError(m || 'The offline password was not set up.'); });
          });
        }
        showError(msg || 'The password was not changed.');
      });
    }, function () {
      showError('The authentication service cannot be reached.');
    }).then(function () { button.disabled = false; });
  });

  el('logout').addEventListener('click', function () {
    el('logout').disabled = true;
    showStatus('Signing out…');
    fetch('http://pmapi/boot/restart', { method: 'POST' }).catch(function () {
      el('logout').disabled = false;
      showError('Could not sign out: the shell did not answer.');
    });
  });
  /* Wired: index.html keeps both disabled until now. */
  el('change-password').disabled = false;
  el('logout').disabled = false;
})();
