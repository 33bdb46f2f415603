/* First-time offline password: PUT http://pmapi/auth/<t>/setup?p=<password>. */
(function () {
  'use strict';
  var a = window.offlineAuth;
  var password = a.el('password');
  var confirm = a.el('confirm');

  a.start(function () {
    var problem = a.checkNew(password.value, confirm.value);
    if (problem) {
      a.showError(problem);
      password.focus();
      return false;
    }
    a.showStatus('Saving…');
    return a.call('setup', 'p=' + encodeURIComponent(password.value)).then(function (r) {
      if (r.status === 200) {
        password.value = '';
        confirm.value = '';
        a.showStatus('Offline password saved');
        return true; /* the shell replaces this page */
      }
      a.showError(r.error || 'The password could not be saved (error ' + r.status + ').');
      return false;
    });
  });
})();
