/* Releasing the line: an electronic signature request with the container's
 * MES SDK only (system.mes.signature, seed 000). The shell shows the
 * challenge in its own dialog; this page never sees what a signer types. */
(function () {
  'use strict';

  var TEMPLATE = 'Line Release Approval';
  function el(id) { return document.getElementById(id); }
  function say(text) { el('release-result').textContent = text; }
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
          function (err) { say(err.message); });
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

  el('release').addEventListener('click', function () {
    if (!auth) { say('This shell offers no electronic signatures.'); return; }
    var button = el('release');
    button.disabled = true;
    auth.getSignatureTemplate(TEMPLATE).then(function (template) {
      return auth.authorization.queueAuthRequest(template, 'Release line', 'Release batch 4711 on line 4.',
        function onApprove(o) { signed(o); say('Line released. Last signature: ' + who(o) + '.'); },
        function onReject(o) { signed(o); say('Release rejected by ' + who(o) + '.'); },
        function onError(o) { say('Not signed: ' + (o.message || 'the sign-in failed') + ' The request is still pending.'); });
    }).then(function (uuids) {
      var list = el('slots');
      list.textContent = '';
      uuids.forEach(function (u, i) { list.appendChild(slotItem(u, i + 1)); });
      say('Two signatures are needed.');
    }, function (err) {
      button.disabled = false;
      say(err.message);
    });
  });
})();
