/* Offline sign-in: PUT http://pmapi/auth/<t>/authenticate?p=<password>. */
(function () {
  'use strict';
  var a = window.offlineAuth;
  var password = a.el('password');

  a.start(function () {
    if (password.value === '') {
      a.showError('Enter your offline password.');
      password.focus();
      return false;
    }
    a.showStatus('Signing in…');
    return a.call('authenticate', 'p=' + encodeURIComponent(password.value)).then(function (r) {
      if (r.status === 200) {
        password.value = '';
        a.showStatus('Signed in');
        return true; /* the shell replaces this page */
      }
      if (r.status === 403) {
        /* The service's message is more specific (e.g. a lockout). */
        a.showError(r.error || 'Wrong password');
      } else {
        a.showError(r.error || 'Sign-in failed (error ' + r.status + '). Try again.');
      }
      password.value = '';
      password.focus();
      return false;
    });
  });
})();
