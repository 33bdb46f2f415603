/* manage */ call(new URLSearchParams(location.search).get('t'), 'manage', '');
