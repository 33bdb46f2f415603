// Runs shim.js (path in argv[2]) against a fake window whose fetch answers
// as the shell's /pmapi/signature services would, drives the signature SDK
// (system.mes.signature) and prints, as JSON, what each call did: thrown at
// once, resolved or rejected (the error's name, status and message), and
// what reached fetch. For shim_test.go's TestShimSignatureSDK.
'use strict';
const fs = require('fs');
const vm = require('vm');

const src = fs.readFileSync(process.argv[2], 'utf8');
const posted = [];

// answers maps "METHOD path" to [status, body] (a string body is sent as
// it is, anything else as JSON); a path missing here is a network failure.
const unknown = '00000000-0000-4000-8000-000000000000';
const answers = {
  'GET /pmapi/signature/context': [200, { session: 's-1' }],
  'GET /pmapi/signature/requests/11111111-1111-4111-8111-111111111111': [200, { uuid: 'r-1', state: 'approved', slots: [] }],
  ['GET /pmapi/signature/requests/' + unknown]: [404, { error: 'No authorization request with UUID ' + unknown }],
  'GET /pmapi/signature/requests/not%20a%20uuid': [400, { error: 'not a valid UUID: "not a uuid"' }],
  'GET /pmapi/signature/templates/Busy': [403, { error: 'authentication is in progress' }],
  'GET /pmapi/signature/templates/Broken': [500, 'not json'],
};
// trigger answers by the body's uuid.
const triggers = {
  'ok': [200, { status: 'posted' }],
  [unknown]: [404, { error: 'No pending authentication challenge with UUID ' + unknown }],
  'nope': [400, { error: 'not a valid UUID: "nope"' }],
  'not-shown': [409, { error: 'Could not post authorization challenge' }],
  'at-saml': [501, { error: 'authentication challenges are not supported for this identity provider or framing' }],
};

function respond([status, body]) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return Promise.resolve({ ok: status >= 200 && status < 300, status, text: () => Promise.resolve(text) });
}

const window = {
  Promise,
  fetch: function (url, init) {
    if (this !== window) throw new TypeError('Illegal invocation');
    const method = (init && init.method) || 'GET';
    const body = init && init.body !== undefined ? JSON.parse(init.body) : undefined;
    posted.push(body === undefined ? { method, url } : { method, url, body });
    if (method === 'POST' && url === '/pmapi/signature/trigger') {
      return respond(triggers[body.uuid]);
    }
    const a = answers[method + ' ' + url];
    return a ? respond(a) : Promise.reject(new TypeError('Failed to fetch'));
  },
};
// The shell's chrome: the parent frame, what the page posts it, and the
// page's message listeners, to hand it its name and ping it.
const toParent = [];
const listeners = [];
const parent = { postMessage: (data, origin) => toParent.push({ data, origin }) };
const other = { postMessage: () => {} };
Object.assign(window, {
  parent,
  setTimeout,
  document: {
    activeElement: null, body: {}, documentElement: {}, querySelector: () => null,
    contains: (el) => !el.gone,
  },
  addEventListener: (type, fn) => { if (type === 'message') listeners.push(fn); },
});
const message = (source, data) => listeners.forEach((fn) => fn({ source, data }));
const ctx = vm.createContext({ window, Promise, Error, TypeError, JSON });
vm.runInContext(src, ctx);

// outcome runs fn and says what it did, and what reached fetch meanwhile.
async function outcome(fn) {
  const before = posted.length;
  let r;
  try {
    const p = fn();
    try {
      const v = await p;
      r = { resolved: v === undefined ? null : v };
    } catch (e) {
      r = { rejected: { isError: e instanceof ctx.Error, name: e.name, status: e.status, message: e.message } };
    }
  } catch (e) {
    r = { threw: { isError: e instanceof ctx.Error, name: e.name, status: e.status, message: e.message } };
  }
  r.fetched = posted.slice(before);
  return r;
}

async function main() {
  const sys = window.system;
  const shell = { hello: toParent.slice() };
  // A name from anything but the parent frame is no name.
  message(other, { loginshell: 'page', page: 'page-forged' });
  shell.forged = sys.page.id;
  message(parent, { loginshell: 'page', page: 'page-from-the-chrome' });
  shell.named = sys.page.id;
  message(parent, { loginshell: 'ping', n: '7-x' });
  message(other, { loginshell: 'ping', n: '8-y' });
  shell.pongs = toParent.filter((m) => m.data.loginshell === 'pong');
  const auth = sys.mes.signature.authorization;
  const trigger = (uuid, approve) => () => auth.triggerAuthRequest(uuid, sys.session, sys.page, approve);
  const cases = {
    // approve is a boolean or nothing is posted
    'approve left out': () => auth.triggerAuthRequest('ok', sys.session, sys.page),
    'approve "true"': trigger('ok', 'true'),
    'approve 1': trigger('ok', 1),
    'approve null': trigger('ok', null),
    'approve a Boolean object': trigger('ok', { valueOf: () => true }),
    'approve true': trigger('ok', true),
    'approve false': trigger('ok', false),
    // the seed's exceptions
    'an unknown UUID': trigger(unknown, true),
    'a UUID string that does not parse': trigger('nope', true),
    'a page that cannot show it': trigger('not-shown', true),
    'an identity provider without challenges': trigger('at-saml', true),
    'the shell not reached': () => sys.mes.signature.getSignatureTemplate('Gone'),
    'a busy shell': () => sys.mes.signature.getSignatureTemplate('Busy'),
    'a body that is not JSON': () => sys.mes.signature.getSignatureTemplate('Broken'),
    // getAuthRequest
    'getAuthRequest of a known UUID': () => auth.getAuthRequest('11111111-1111-4111-8111-111111111111'),
    'getAuthRequest of an unknown UUID': () => auth.getAuthRequest(unknown),
    'getAuthRequest of a string that is not a UUID': () => auth.getAuthRequest('not a uuid'),
  };
  const out = {};
  for (const [name, fn] of Object.entries(cases)) {
    out[name] = await outcome(fn);
  }
  // The control that asked gets the keyboard back when the dialog closes
  // (the chrome's "refocus"): which control took it in each case.
  const doc = window.document;
  const focused = [];
  const control = (id) => ({ id, focus: () => focused.push(id) });
  const refocused = async (steps) => {
    focused.length = 0;
    await steps();
    message(parent, { loginshell: 'refocus' });
    return focused.slice();
  };
  const release = control('release');
  shell.refocus = {
    'the control that asked': await refocused(async () => {
      doc.activeElement = release;
      await trigger('ok', true)();
    }),
    // WebKitGTK: the frame lost the keyboard to the dialog, nothing is
    // focused when the page triggers the next slot from the first's outcome,
    // before the first dialog's refocus came, or after it.
    'the next slot triggered with nothing focused, before the refocus': await refocused(async () => {
      doc.activeElement = release;
      await trigger('ok', true)();
      doc.activeElement = doc.body;
      await trigger('ok', true)();
    }),
    'the next slot triggered with nothing focused, after the refocus': await refocused(async () => {
      doc.activeElement = doc.body;
      await trigger('ok', true)();
    }),
    'a later control that asked': await refocused(async () => {
      doc.activeElement = release;
      await trigger('ok', true)();
      doc.activeElement = control('other');
      await trigger('ok', true)();
    }),
    'a control no longer in the page': await refocused(async () => {
      doc.activeElement = Object.assign(control('removed'), { gone: true });
      await trigger('ok', true)();
    }),
  };
  // Each refocus from the chrome is answered once it is done; one from
  // another window is neither obeyed nor answered.
  message(other, { loginshell: 'refocus' });
  shell.refocused = toParent.filter((m) => m.data.loginshell === 'refocused').length;
  out.shell = shell;
  console.log(JSON.stringify(out));
}
main().catch((e) => { console.error(e); process.exit(1); });
