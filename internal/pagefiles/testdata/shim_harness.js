// Runs shim.js (path in argv[2]) against a fake window and prints what the
// fake XMLHttpRequest and fetch received, as JSON, for shim_test.go.
'use strict';
const fs = require('fs');
const vm = require('vm');

const src = fs.readFileSync(process.argv[2], 'utf8');
const seen = [];

function FakeXHR() {}
FakeXHR.prototype.open = function () {
  seen.push({ via: 'xhr', args: Array.prototype.slice.call(arguments) });
};

class FakeRequest {
  constructor(url, init) {
    init = init || {};
    this.url = String(url);
    this.method = init.method || 'GET';
    this.headers = init.headers || {};
    this.credentials = init.credentials || 'same-origin';
    this.body = init.body;
  }
  arrayBuffer() {
    return Promise.resolve(this.body === undefined ? new ArrayBuffer(0) : this.body);
  }
}

const window = {
  XMLHttpRequest: FakeXHR,
  Request: FakeRequest,
  fetch: function (input, init) {
    if (this !== window) throw new TypeError('Illegal invocation');
    let shown;
    if (input instanceof FakeRequest) {
      shown = { request: input.url, method: input.method, headers: input.headers,
        body: input.body ? Buffer.from(input.body).toString() : null };
    } else if (input instanceof URL) {
      shown = { urlObject: input.href };
    } else {
      shown = input;
    }
    seen.push({ via: 'fetch', input: shown, argc: arguments.length, init: init === undefined ? null : init });
    return Promise.resolve('ok');
  },
};
const ctx = vm.createContext({ window, Promise, URL });
vm.runInContext(src, ctx);
vm.runInContext(src, ctx); // a second injection must not wrap twice

const xhrURLs = [
  'http://pmapi/user',
  'HTTPS://PMAPI/auth/abc/authenticate?p=s%20cret',
  'http://pmapi',
  'http://pmapi?x=1',
  'http://pmapi#frag',
  'http://pmapi.example.com/user',
  'http://pmapi:8080/user',
  'http://pmapiX/user',
  'https://example.com/http://pmapi/',
  '/pmapi/already',
  'relative/page.html',
];

async function main() {
  for (const u of xhrURLs) {
    new window.XMLHttpRequest().open('GET', u);
  }
  new window.XMLHttpRequest().open('PUT', 'http://pmapi/auth/t/setup', false);
  new window.XMLHttpRequest().open('GET', 'http://pmapi/user', true, 'user', 'pw');

  await window.fetch('http://pmapi/connectivity');
  await window.fetch('http://pmapi/auth/t/update?o=a&p=b', { method: 'PUT' });
  await window.fetch(new URL('http://pmapi/user'));
  await window.fetch(new URL('https://example.com/x'));
  await window.fetch(new FakeRequest('http://pmapi/auth', { method: 'POST', headers: { a: 'b' }, body: Buffer.from('payload') }));
  await window.fetch(new FakeRequest('http://pmapi/user'));
  await window.fetch(new FakeRequest('https://example.com/y'));

  console.log(JSON.stringify({ marker: window.loginshell, seen }));
}
main().catch((e) => { console.error(e); process.exit(1); });
