/* Calls the shell as it would the mobile container. */
fetch('http://pmapi/user').then(function (r) { return r.json(); });
fetch('http://pmapi/connectivity');
fetch('http://pmapi/usersettings/line');
fetch('http://pmapi/auth/update', { method: 'POST' });
fetch('http://pmapi/window/pane', { method: 'POST' });
fetch('http://pmapi/boot/restart', { method: 'POST' });
fetch('http://pmapi/log', { method: 'POST', body: 'released' });
fetch('http://pmapi/version');
var base = 'http://pmapi/' + 'auth';
