// Starts the NHS.UK components (a module file, as the Content-Security-Policy needs).
import { initAll } from "/static/vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
