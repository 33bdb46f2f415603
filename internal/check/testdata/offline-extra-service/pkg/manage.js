fetch('http://pmapi/log', { method: 'POST' });
