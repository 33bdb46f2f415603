/* Offline sign-in: PUT http://pmapi/auth/<t>/authenticate?p=<password>&u=<user>.
 * On a station a shift shares, anyone with an offline password here may sign
 * in: the page offers them (GET http://pmapi/auth/<t>/users) and sends the
 * chosen or typed user as u. */
(function () {
  'use strict';
  var a = window.offlineAuth;
  var password = a.el('password');
  var username = a.el('username');

  /* The station's users, as suggestions of the user field. A shell that does
   * not list them leaves the field as it is: the user the page was opened for. */
  if (a.token) {
    fetch('http://pmapi/auth/' + encodeURIComponent(a.token) + '/users').then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (body) {
      var list = a.el('station-users');
      if (!body || !Array.isArray(body.users) || !list) { return; }
      body.users.forEach(function (u) {
        var o = document.createElement('option');
        o.value = u;
        list.appendChild(o);
      });
    }, function () {});
  }

  /* sentence starts the service's message with a capital and ends it with a full stop. */
  function sentence(s) {
    s = String(s || '').trim();
    if (!s) { return s; }
    s = s.charAt(0).toUpperCase() + s.slice(1);
    return /[.!?]$/.test(s) ? s : s + '.';
  }

  a.start(function () {
    var who = username.value.trim();
    if (who === '') {
      a.showError('Enter your user name.');
      username.focus();
      return false;
    }
    if (password.value === '') {
      a.showError('Enter your offline password.');
      password.focus();
      return false;
    }
    a.showStatus('Signing in…');
    return a.call('authenticate', 'p=' + encodeURIComponent(password.value) + '&u=' + encodeURIComponent(who)).then(function (r) {
      if (r.status === 200) {
        password.value = '';
        a.showStatus('Signed in');
        return true; /* the shell replaces this page */
      }
      if (r.status === 403 || r.status === 423) {
        /* The service says the tries left, or until when sign-in is locked. */
        a.showError(sentence(r.error) || 'Wrong password.');
      } else {
        a.showError(sentence(r.error) || 'Sign-in failed (error ' + r.status + '). Try again.');
      }
      password.value = '';
      password.focus();
      return false;
    });
  });
})();
