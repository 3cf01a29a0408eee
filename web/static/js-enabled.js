// Runs first in <body> (an inline script would break the Content-Security-Policy):
// tells the NHS.UK styles that scripts run here.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
