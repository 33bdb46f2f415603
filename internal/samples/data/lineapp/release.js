/* Releasing the line: an electronic signature request with the container's
 * MES SDK only (system.mes.signature, seed 000). The shell shows the
 * challenge in its own dialog; this page never sees what a signer types. */
(function () {
  'use strict';

  var TEMPLATE = 'Line Release Approval';
  function el(id) { return document.getElementById(id); }
  /* say tells how the request stands; fail tells a failure, in the
   * colours and the role of one (read out at once). */
  function tell(text, failed) {
    var p = el('release-result');
    p.className = failed ? 'error' : 'status';
    p.setAttribute('role', failed ? 'alert' : 'status');
    p.textContent = text;
  }
  function say(text) { tell(text, false); }
  function fail(text) { tell(text, true); }
  var auth = window.system && window.system.mes && window.system.mes.signature;

  function who(o) {
    var t = new Date(o.time);
    return (o.printedName || o.userId) + ' (' + o.userId + ') at ' + t.toLocaleString() +
      (o.comment ? ', "' + o.comment + '"' : '');
  }

  function slotItem(uuid, n) {
    var li = document.createElement('li');
    li.dataset.uuid = uuid;
    var label = document.createElement('span');
    label.className = 'slot-label';
    label.textContent = 'Signature ' + n + ': pending';
    var approve = document.createElement('button');
    approve.type = 'button';
    approve.textContent = 'Approve';
    approve.setAttribute('aria-label', 'Approve signature ' + n);
    var reject = document.createElement('button');
    reject.type = 'button';
    reject.className = 'secondary';
    reject.textContent = 'Reject';
    reject.setAttribute('aria-label', 'Reject signature ' + n);
    function trigger(yes) {
      auth.authorization.triggerAuthRequest(uuid, window.system.session, window.system.page, yes)
        .then(function () { say('Sign in the dialog to ' + (yes ? 'approve' : 'reject') + '.'); },
          function (err) { fail(err.message); });
    }
    approve.addEventListener('click', function () { trigger(true); });
    reject.addEventListener('click', function () { trigger(false); });
    li.appendChild(label);
    li.appendChild(approve);
    li.appendChild(reject);
    return li;
  }

  function signed(o) {
    var li = document.querySelector('#slots li[data-uuid="' + o.slot + '"]');
    if (!li) { return; }
    li.querySelector('.slot-label').textContent = (o.approved ? 'Approved by ' : 'Rejected by ') + who(o);
    Array.prototype.forEach.call(li.querySelectorAll('button'), function (b) { b.disabled = true; });
  }

  /* Each slot as it is signed (the SDK's event; the callbacks fire for the
   * request as a whole). */
  window.addEventListener('loginshell:signature', function (e) {
    if (e.detail && e.detail.kind !== 'error') { signed(e.detail); }
  });

  /* The request shown (a slot's UUID), while it can still be cancelled for
   * a new one; queued counts the requests, so that the callbacks of one
   * replaced by a new one (its cancel among them) say nothing. */
  var current = null;
  var queued = 0;

  /* again lets the operator start a new request: after a release, after a
   * reject, and after a failed sign-in, a timeout or a cancel (the request
   * is still pending: its slots can be signed again, or it is cancelled for
   * a new one). */
  function again() { el('release').disabled = false; }

  /* cancelCurrent cancels the request shown if it is still pending (its
   * slots must not stay open once a new request replaces it). */
  function cancelCurrent() {
    var uuid = current;
    current = null;
    if (!uuid) { return Promise.resolve(); }
    return auth.authorization.getAuthRequest(uuid).then(function (r) {
      if (!r || r.state !== 'pending') { return; }
      /* The shell's signature service, on this page's origin (the SDK has no cancel). */
      return fetch('/pmapi/signature/requests/' + encodeURIComponent(r.uuid), { method: 'DELETE' });
    }).catch(function () { /* gone already: nothing to cancel */ });
  }

  el('release').addEventListener('click', function () {
    if (!auth) { fail('This shell offers no electronic signatures.'); return; }
    var button = el('release');
    button.disabled = true;
    var n = ++queued;
    function mine(f) { return function (o) { if (n === queued) { f(o); } }; }
    cancelCurrent().then(function () {
      return auth.getSignatureTemplate(TEMPLATE);
    }).then(function (template) {
      return auth.authorization.queueAuthRequest(template, 'Release line', 'Release batch 4711 on line 4.',
        mine(function onApprove(o) {
          current = null;
          signed(o);
          say('Line released. Last signature: ' + who(o) + '. Choose Release line to release the next batch.');
          again();
        }),
        mine(function onReject(o) {
          current = null;
          signed(o);
          /* A rejection ends the request: its other signatures can no longer be given. */
          Array.prototype.forEach.call(document.querySelectorAll('#slots button'), function (b) { b.disabled = true; });
          fail('Release rejected by ' + who(o) + '. Choose Release line to start a new request.');
          again();
        }),
        mine(function onError(o) {
          /* The shell says what failed and that the request is still pending. */
          fail((o.message || 'The sign-in failed; the request is still pending.') +
            ' Sign again with Approve, or choose Release line to start a new request.');
          again();
        }));
    }).then(function (uuids) {
      current = uuids[0];
      var list = el('slots');
      list.textContent = '';
      uuids.forEach(function (u, i) { list.appendChild(slotItem(u, i + 1)); });
      say('Two signatures are needed.');
    }, function (err) {
      button.disabled = false;
      fail(err.message);
    });
  });
  el('release').disabled = false; /* wired: index.html keeps it disabled until now */
})();
