fetch('http://pmapi/auth/' + t + '/authenticate?p=' + p, { method: 'PUT' });
