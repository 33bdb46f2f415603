// Calls the authentication service of the container.
fetch("http://pmapi/auth/" + new URLSearchParams(location.search).get("t") + "/authenticate", {method: "POST"});
