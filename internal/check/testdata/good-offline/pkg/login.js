/* login */ call(new URLSearchParams(location.search).get('t'), 'login', '');
