/* Shared by the offline login pages: reads t (token) and u (username) from
 * the query string and calls the authentication service. Passwords go only
 * into the request URL the service defines; they are never logged. */
(function () {
  'use strict';

  var params = new URLSearchParams(window.location.search);
  var token = params.get('t') || '';
  var user = params.get('u') || '';

  function el(id) { return document.getElementById(id); }

  function showError(msg) {
    el('error').textContent = msg;
    if (el('status')) { el('status').textContent = ''; }
  }

  function showStatus(msg) {
    el('error').textContent = '';
    el('status').textContent = msg;
  }

  /* call sends PUT http://pmapi/auth/<t>/<command>?<query> and resolves to
   * {status, error}: the HTTP status and the body's "error" message ("" if
   * none). A network failure resolves to status 0. */
  function call(command, query) {
    var url = 'http://pmapi/auth/' + encodeURIComponent(token) + '/' + command + '?' + query;
    return fetch(url, { method: 'PUT' }).then(function (res) {
      return res.text().then(function (text) {
        var msg = '';
        try {
          var body = JSON.parse(text);
          if (body && typeof body.error === 'string') { msg = body.error; }
        } catch (e) { /* not JSON: no message */ }
        return { status: res.status, error: msg };
      });
    }, function () {
      return { status: 0, error: 'The sign-in service cannot be reached. Try again.' };
    });
  }

  /* start fills the username field and wires the form; without a token the
   * page was not opened by the shell, so the form stays disabled. The
   * submit buttons come disabled in the HTML and are enabled here: a press
   * before this script ran must not submit the form natively (it would
   * reload the page, the password in its address). */
  function start(onSubmit) {
    var form = el('form');
    if (el('username') && !el('username').value) { el('username').value = user; }
    if (el('who')) { el('who').textContent = user; }
    if (!token) {
      showError('This page was opened without a sign-in token. Close it and start again.');
      Array.prototype.forEach.call(form.elements, function (e) { e.disabled = true; });
      return;
    }
    var busy = false;
    Array.prototype.forEach.call(form.querySelectorAll('button[type=submit]'), function (b) { b.disabled = false; });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (busy) { return; }
      busy = true;
      var buttons = form.querySelectorAll('button[type=submit]');
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      Promise.resolve(onSubmit()).then(function (keepDisabled) {
        busy = false;
        if (!keepDisabled) {
          Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        }
      });
    });
  }

  /* checkNew validates a new password pair; returns a message or "". */
  function checkNew(password, confirm) {
    if (password.length < 8) { return 'The new password must be at least 8 characters.'; }
    if (password !== confirm) { return 'The two passwords do not match.'; }
    return '';
  }

  /* cancel abandons the flow (DELETE http://pmapi/auth); the shell then
   * returns to where the user was. */
  function cancel() {
    return fetch('http://pmapi/auth', { method: 'DELETE' }).catch(function () {});
  }

  window.offlineAuth = {
    token: token, user: user, el: el, call: call, start: start,
    showError: showError, showStatus: showStatus, checkNew: checkNew, cancel: cancel
  };
})();
