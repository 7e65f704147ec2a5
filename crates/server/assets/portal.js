// Starts the NHS.UK frontend components (header menu, skip link, error summary focus, buttons).
// A module, so it runs only where ES modules do, as nhsuk-frontend expects; it is a file and
// not an inline script because the portal's Content-Security-Policy allows no inline script.
import { initAll } from "./nhsuk-frontend/10.6.1/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
