// Loads the operator's files.
var x = new XMLHttpRequest();
x.open('GET', 'http://pmapi/files/list');
x.open('GET', 'http://pmapi/files/other');
x.open('GET', 'http://PMAPI/Barcode');
