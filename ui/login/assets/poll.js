// Watches a journey that waits for something done elsewhere (a mailed link opened in another tab)
// so this tab moves on too. Rules: GET only, one request at a time, every 5 s and at once when
// the tab comes back into view; a network failure or server error is retried quietly (the step
// stays on screen); the first answer that differs ends the watch and goes to `onChange`;
// `stop()` ends it when the page shows something else.

export const POLL_MS = 5000;

/**
 * `read()` resolves to { status, body }; `unchanged(res)` says whether the journey is still
 * where it was. Returns { stop }.
 */
export function watchJourney({ read, unchanged, onChange, intervalMs = POLL_MS }) {
  let stopped = false;
  let inFlight = false;
  let timer;

  const schedule = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };

  async function tick() {
    if (stopped || inFlight) return;
    inFlight = true;
    const res = await read();
    inFlight = false;
    if (stopped) return;
    if (res.status === 0 || res.status >= 500 || unchanged(res)) return schedule();
    stop();
    onChange(res);
  }

  function onVisible() {
    if (document.visibilityState !== 'visible' || stopped) return;
    clearTimeout(timer);
    tick();
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  }

  document.addEventListener('visibilitychange', onVisible);
  schedule();
  return { stop };
}
