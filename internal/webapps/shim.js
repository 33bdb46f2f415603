/* loginshell pmapi shim: injected by the shell as the first script of every
 * HTML page it serves from a web app package.
 *
 * Pages written for the mobile container call services at http://pmapi/...
 * The shell serves those services at /pmapi/... on its own origin, so this
 * shim rewrites, before the request leaves the page:
 *
 *   http://pmapi/<rest>   -> /pmapi/<rest>
 *   https://pmapi/<rest>  -> /pmapi/<rest>
 *   http://pmapi (alone, or followed by ? or #) -> /pmapi/...
 *
 * Scheme and host match case-insensitively; the host must be exactly
 * "pmapi" (http://pmapi.example.com/ and http://pmapi:8080/ are untouched).
 * Every other URL is passed through as given (same value, same type).
 * Covered: XMLHttpRequest.prototype.open (async and synchronous) and
 * window.fetch (string, URL and Request inputs). Not covered: navigation,
 * <form action>, EventSource, WebSocket, sendBeacon.
 *
 * Pages are framed from an origin of their own, so browsers ignore their
 * autofocus attribute (HTML: no autofocus in a cross-origin frame). The
 * shim gives it back: once the page has loaded, when the shell's chrome
 * asks (a message {loginshell: "focus"} from the parent frame), and
 * whenever the frame gets the focus, the [autofocus] element takes it
 * unless the person is already in another field.
 *
 * Plain ES5; must not contain a closing script tag.
 */
(function (window) {
  'use strict';
  if (window.loginshell && window.loginshell.version) {
    return; /* already installed */
  }

  var PMAPI = /^\s*https?:\/\/pmapi(?=[\/?#]|$)\/?/i;

  /* rewrite returns the /pmapi/ form of a pmapi URL, or u itself. */
  function rewrite(u) {
    if (u === null || u === undefined) {
      return u;
    }
    var s = String(u);
    var m = PMAPI.exec(s);
    if (!m) {
      return u;
    }
    return '/pmapi/' + s.slice(m[0].length);
  }

  var XHR = window.XMLHttpRequest;
  if (XHR && XHR.prototype && XHR.prototype.open) {
    var open = XHR.prototype.open;
    XHR.prototype.open = function () {
      /* Keep the argument count: open(m, u, undefined) would be synchronous. */
      var args = Array.prototype.slice.call(arguments);
      if (args.length > 1) {
        args[1] = rewrite(args[1]);
      }
      return open.apply(this, args);
    };
  }

  var origFetch = window.fetch;
  var Req = window.Request;
  if (typeof origFetch === 'function') {
    /* Rebuild a Request for its new URL. new Request(url, request) would
     * hand over a streaming body, which browsers refuse without duplex, so
     * the body is read into a buffer first. */
    var fromRequest = function (req, url) {
      var init = {
        method: req.method,
        headers: req.headers,
        credentials: req.credentials,
        cache: req.cache,
        redirect: req.redirect,
        referrer: req.referrer,
        referrerPolicy: req.referrerPolicy,
        integrity: req.integrity,
        signal: req.signal
      };
      var method = String(req.method).toUpperCase();
      if (method === 'GET' || method === 'HEAD') {
        return Promise.resolve(new Req(url, init));
      }
      return req.arrayBuffer().then(function (body) {
        init.body = body;
        return new Req(url, init);
      });
    };

    window.fetch = function (input, init) {
      var args = Array.prototype.slice.call(arguments);
      if (Req && input instanceof Req) {
        var url = rewrite(input.url);
        if (url === input.url) {
          return origFetch.apply(window, args);
        }
        return fromRequest(input, url).then(function (req) {
          args[0] = req;
          return origFetch.apply(window, args);
        });
      }
      if (args.length > 0) {
        args[0] = rewrite(input);
      }
      return origFetch.apply(window, args);
    };
  }

  var autofocus = function () {
    var doc = window.document;
    var active = doc.activeElement;
    if (active && active !== doc.body && active !== doc.documentElement) {
      return;
    }
    var el = doc.querySelector('[autofocus]');
    if (el && typeof el.focus === 'function') {
      el.focus();
    }
  };
  if (window.document && window.addEventListener) {
    window.addEventListener('load', autofocus);
    window.addEventListener('focus', autofocus);
    /* WebKitGTK refuses focus() in a cross-origin frame until the person
     * acts in it: the first key pressed with nothing focused focuses the
     * [autofocus] field, in time for the key to land there. */
    window.addEventListener('keydown', autofocus, true);
    /* The shell's chrome (the parent frame) asks once the page has loaded. */
    window.addEventListener('message', function (e) {
      if (e.source === window.parent && e.data && e.data.loginshell === 'focus') {
        autofocus();
      }
    });
  }

  window.loginshell = { version: 1 };
})(window);
