fetch('http://pmapi/user'); fetch('http://pmapi/usersettings/theme');
