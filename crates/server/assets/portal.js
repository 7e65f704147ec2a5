// Starts the NHS.UK frontend components (header menu, skip link, error summary focus, buttons).
// A module, so it runs only where ES modules do, as nhsuk-frontend expects; it is a file and
// not an inline script because the portal's Content-Security-Policy allows no inline script.
import { initAll } from "./nhsuk-frontend/10.6.1/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// A transfer request page waiting for the person's wallet: ask the server every few seconds
// and reload when the response has arrived, so the report appears without a click. The
// status region is aria-live, so screen readers hear the change.
const waiting = document.querySelector("[data-poll-url]");
if (waiting) {
  const url = waiting.getAttribute("data-poll-url");
  const seen = waiting.getAttribute("data-status");
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const { status } = await response.json();
        if (status !== seen) {
          window.location.reload();
          return;
        }
      }
    } catch (e) {
      // Offline for a moment: try again on the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
