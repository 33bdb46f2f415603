function call(token, command, query) {
  return fetch('http://pmapi/auth/' + encodeURIComponent(token) + '/' + command + '?' + query, { method: 'PUT' });
}
function cancel() { return fetch('http://pmapi/auth', { method: 'DELETE' }); }
function note(msg) { return fetch('http://pmapi/log', { method: 'POST', body: msg }); }
