/* setup */ call(new URLSearchParams(location.search).get('t'), 'setup', '');
