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
 * The chrome also hands the page its name (system.page, which lets it
 * raise a signature dialog over itself), pings it while the dialog is
 * open, and, when the dialog closes, gives the focus back to the control
 * that asked for it (and says when that is done); the page tells it when
 * the keyboard leaves it. See
 * the message listener at the end.
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

  /* The electronic-signature SDK (seed 000), with the seed's names:
   * system.mes.signature.getSignatureTemplate(name), and under
   * system.mes.signature.authorization: queueAuthRequest(template,
   * requestName, description, onApprove, onReject, onError),
   * triggerAuthRequest(uuid, session, page, approve) and
   * getPendingAuthRequests(filter); and getAuthRequest(uuid), which the
   * seed has not: the request of a request's or a slot's UUID, in any
   * state, with its slots and signatures, for a page that reloaded and
   * lost the outcomes it waited for. system.session and system.page are
   * this page's wrappers ({id}: the session filled by the first SDK call,
   * the page by the shell's chrome as the page starts); their id strings
   * work too. Every call is a /pmapi/signature service on the
   * page's own origin; the challenge itself is the shell's dialog, outside
   * this document.
   *
   * Every error the SDK throws or rejects with is an Error whose name is
   * the seed's exception, for a page to branch on, and whose status is the
   * HTTP status the service answered (0 when the shell was not reached):
   *   IllegalArgumentException       400, 404, 413, 422: an unknown UUID
   *     ("No pending authentication challenge with UUID <uuid>"), a UUID
   *     string that does not parse, an unknown template, a bad argument
   *   UnsupportedOperationException  501: the template's identity provider
   *     or framing cannot run challenges here
   *   RuntimeException               anything else: 409 "Could not post
   *     authorization challenge", a busy shell, a shell not reached
   * triggerAuthRequest's approve is a boolean: anything else (left out,
   * "true", 1) throws an IllegalArgumentException (status 400, what the
   * service answers to it) at once, and nothing is posted. */
  var Promise_ = window.Promise;
  /* pageNamed resolves the SDK's wait for its name (see named). */
  var pageNamed = function () {};
  /* The element that asked for the last signature dialog, if any. */
  var opener = null;
  if (Promise_ && typeof origFetch === 'function') {
    var sys = window.system = window.system || {};
    var session = sys.session = sys.session || { id: '' };
    var page = sys.page = sys.page || { id: '' };
    /* exception is the seed's exception for an HTTP status. */
    var exception = function (status) {
      if (status === 400 || status === 404 || status === 413 || status === 422) {
        return 'IllegalArgumentException';
      }
      return status === 501 ? 'UnsupportedOperationException' : 'RuntimeException';
    };
    var failure = function (status, message) {
      var e = new Error(message);
      e.name = exception(status);
      e.status = status;
      return e;
    };
    var json = function (method, url, body) {
      var init = { method: method, headers: { Accept: 'application/json' } };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      return origFetch.call(window, url, init).then(function (r) {
        return r.text().then(function (t) { return { r: r, t: t }; });
      }).then(null, function (e) {
        throw failure(0, 'the shell could not be reached: ' + ((e && e.message) || e));
      }).then(function (got) {
        var v;
        try { v = got.t ? JSON.parse(got.t) : null; } catch (e) { v = null; }
        if (!got.r.ok) {
          throw failure(got.r.status, (v && v.error) || ('HTTP ' + got.r.status));
        }
        return v;
      });
    };
    /* system.page comes from the shell's chrome alone (a message
     * {loginshell: "page"} from the parent frame, asked for as the shim
     * starts): /pmapi does not serve it, so only the page the shell shows
     * can raise a dialog over itself. Outside the shell's frame (a tab of
     * its own) no name comes; the SDK waits pageWait ms for it, and the
     * trigger is then refused as not posted. */
    var pageWait = 3000;
    var named = new Promise_(function (resolve) {
      pageNamed = resolve;
      if (!window.parent || window.parent === window) { resolve(); } else { window.setTimeout(resolve, pageWait); }
    });
    var context = null;
    var ready = function () {
      if (!context) {
        context = Promise_.all([json('GET', '/pmapi/signature/context'), named]).then(function (r) {
          session.id = session.id || r[0].session;
          return r[0];
        }, function (e) { context = null; throw e; });
      }
      return context;
    };
    var idOf = function (x) { return (x && typeof x === 'object') ? x.id : x; };
    /* Callbacks by slot UUID; one stream of outcomes per page. */
    var callbacks = {};
    var stream = null;
    var listen = function () {
      if (stream || !window.EventSource) { return; }
      stream = new window.EventSource('/pmapi/signature/events');
      stream.addEventListener('outcome', function (e) {
        var o;
        try { o = JSON.parse(e.data); } catch (err) { return; }
        var cb = callbacks[o.slot];
        if (!cb) { return; }
        /* Every outcome of this page's requests, a slot signed included,
         * also goes out as a DOM event, for pages that show progress. */
        if (typeof window.CustomEvent === 'function') {
          window.dispatchEvent(new window.CustomEvent('loginshell:signature', { detail: o }));
        }
        var fn = o.kind === 'approve' ? cb.onApprove : o.kind === 'reject' ? cb.onReject : o.kind === 'error' ? cb.onError : null;
        if (o.kind === 'approve' || o.kind === 'reject') {
          cb.slots.forEach(function (s) { delete callbacks[s]; }); /* fires once */
        }
        if (typeof fn === 'function') {
          try { fn(o); } catch (err) { if (window.console) { window.console.error(err); } }
        }
      });
    };
    var mes = sys.mes = sys.mes || {};
    var signature = mes.signature = mes.signature || {};
    signature.getSignatureTemplate = function (name) {
      return json('GET', '/pmapi/signature/templates/' + encodeURIComponent(name));
    };
    signature.authorization = {
      queueAuthRequest: function (template, requestName, description, onApprove, onReject, onError) {
        listen();
        var name = (template && typeof template === 'object') ? template.name : template;
        return ready().then(function () {
          return json('POST', '/pmapi/signature/requests',
            { template: name, requestName: requestName, description: description, session: session.id });
        }).then(function (r) {
          var cb = { onApprove: onApprove, onReject: onReject, onError: onError, slots: r.uuids };
          r.uuids.forEach(function (s) { callbacks[s] = cb; });
          return r.uuids;
        });
      },
      triggerAuthRequest: function (uuid, sess, pg, approve) {
        if (approve !== true && approve !== false) {
          var kind = typeof approve;
          throw failure(400, 'approve must be true or false (a boolean), not ' +
            (kind === 'string' ? '"' + approve + '"' : kind === 'number' || approve == null ? String(approve) : 'a value of type ' + kind));
        }
        /* The control that asked (the person's button): it takes the
         * focus back when the shell's dialog closes (see "refocus"). With
         * nothing focused in the page the control that asked last stays:
         * a page triggers the next slot from the outcome of the last, and
         * WebKitGTK empties a frame's focus when the frame loses the
         * keyboard (to the dialog), so that trigger may run before or
         * after the "refocus" of the last dialog, with nothing focused. */
        var doc = window.document;
        var asking = doc && doc.activeElement;
        if (asking && asking !== doc.body && asking !== doc.documentElement) {
          opener = asking;
        }
        return ready().then(function () {
          return json('POST', '/pmapi/signature/trigger',
            { uuid: String(uuid), session: idOf(sess) || session.id, page: idOf(pg) || page.id, approve: approve });
        }).then(function () { return undefined; });
      },
      getAuthRequest: function (uuid) {
        return json('GET', '/pmapi/signature/requests/' + encodeURIComponent(String(uuid)));
      },
      getPendingAuthRequests: function (filter) {
        var q = [];
        var f = filter || {};
        ['user', 'template', 'name'].forEach(function (k) {
          if (f[k]) { q.push(k + '=' + encodeURIComponent(f[k])); }
        });
        return json('GET', '/pmapi/signature/requests' + (q.length ? '?' + q.join('&') : ''));
      }
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
    /* The shell's chrome (the parent frame): it asks for the focus once the
     * page has loaded, hands the page its name (system.page), and, while its
     * signature dialog is open, pings: a page that does not answer within a
     * second (blocked in a message box of its own, say) is closed until the
     * dialog is done. Captured first, so that a page's own listener cannot
     * keep the answer from going. */
    window.addEventListener('message', function (e) {
      var d = e.data;
      if (!e.source || e.source !== window.parent || window.parent === window || !d) {
        return;
      }
      if (d.loginshell === 'focus') {
        autofocus();
      } else if (d.loginshell === 'page' && typeof d.page === 'string') {
        if (page) {
          page.id = d.page;
        }
        pageNamed();
      } else if (d.loginshell === 'ping') {
        window.parent.postMessage({ loginshell: 'pong', n: d.n }, '*');
      } else if (d.loginshell === 'refocus') {
        /* The signature dialog closed and gave the page the keyboard:
         * back to the control that asked for it, if it is still there. It
         * stays the one that asked for the next dialog a page triggers
         * with nothing focused (see triggerAuthRequest). */
        var back = opener;
        if (back && window.document.contains(back) && typeof back.focus === 'function') {
          back.focus();
        } else {
          autofocus();
        }
        /* Done: the chrome holds the next dialog until now, so that it
         * takes the keyboard after this page has moved it, not before. */
        window.parent.postMessage({ loginshell: 'refocused' }, '*');
      }
    }, true);
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({ loginshell: 'hello' }, '*');
      /* The keyboard left this page. The chrome cannot always see where
       * it went (Chromium keeps it blind to a move between two frames of
       * other origins), and a page it keeps under this one must not have
       * taken it. When (ms since the epoch) bounds how many keys it may
       * have heard. */
      window.addEventListener('blur', function () {
        window.parent.postMessage({ loginshell: 'blur', at: performance.timeOrigin + performance.now() }, '*');
      });
    }
  }

  window.loginshell = { version: 1 };
})(window);
