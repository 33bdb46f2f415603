/* Change the offline password:
 * PUT http://pmapi/auth/<t>/update?o=<current>&p=<new>. */
(function () {
  'use strict';
  var a = window.offlineAuth;
  var old = a.el('old');
  var password = a.el('password');
  var confirm = a.el('confirm');

  a.el('cancel').addEventListener('click', function () {
    a.el('cancel').disabled = true;
    a.showStatus('Cancelling…');
    a.cancel();
  });
  /* Wired: manage.html keeps it disabled until now (a press before did nothing). */
  a.el('cancel').disabled = false;

  a.start(function () {
    if (old.value === '') {
      a.showError('Enter your current offline password.');
      old.focus();
      return false;
    }
    var problem = a.checkNew(password.value, confirm.value);
    if (problem) {
      a.showError(problem);
      password.focus();
      return false;
    }
    a.showStatus('Saving…');
    var query = 'o=' + encodeURIComponent(old.value) + '&p=' + encodeURIComponent(password.value);
    return a.call('update', query).then(function (r) {
      if (r.status === 200) {
        old.value = '';
        password.value = '';
        confirm.value = '';
        a.showStatus('Offline password changed');
        return true; /* the shell replaces this page */
      }
      if (r.status === 403) {
        var msg = 'The current password is wrong';
        /* Keep the service's detail when it says more (e.g. a lockout). */
        if (r.error && r.error.toLowerCase().indexOf('wrong') < 0) { msg += ': ' + r.error; }
        a.showError(msg);
        old.value = '';
        old.focus();
        return false;
      }
      a.showError(r.error || 'The password could not be changed (error ' + r.status + ').');
      return false;
    });
  });
})();
