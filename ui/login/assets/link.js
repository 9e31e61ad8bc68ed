// The page a mailed link opens: /t/{tenant}/ui/link#token=… (verification, sign-in on approval,
// password recovery). Rules: the token comes from the fragment, which browsers never send on GET,
// and is gone from the address bar before anything shows (page.js); nothing changes on load: the
// link is used (POST /api/links) only when the person clicks Continue, because mail scanners
// fetch links too; one request at a time; a journey the link answers renders like any journey;
// a used or expired link can ask for a new one (POST /api/links/resend), whose answer never says
// whether anything was sent.
import { api, isJourney } from './api.js';
import * as linkViews from './link-views.js';
import { setAlert } from './steps.js';

export const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const OFFLINE = 'We couldn\u2019t reach the sign-in service. Check your connection and try again.';

function busy(button, on) {
  if (!button) return;
  button.disabled = on;
  button.classList.toggle('is-busy', on);
}

function failure(res) {
  return res.status === 0 ? OFFLINE : (res.body?.error?.message ?? OFFLINE);
}

/** `ctx`: { tenant, token?, show(view), onJourney(journey), signInHref }. */
export function openLinkPage(ctx) {
  const { tenant, token, show, onJourney, signInHref } = ctx;
  if (!token) return show(linkViews.missing(signInHref));
  let pending = false;

  const confirmation = linkViews.confirm(tenant, follow);
  show(confirmation.view);

  async function follow() {
    if (pending) return;
    pending = true;
    setAlert(confirmation.alert, []);
    busy(confirmation.button, true);
    const res = await api.followLink(tenant, token);
    pending = false;
    if (res.status === 201 && isJourney(res.body)) return onJourney(res.body);
    if (res.status === 404 || res.status === 400) return show(linkViews.invalid(signInHref));
    if (res.status === 410) return showSpent(res.body);
    busy(confirmation.button, false);
    setAlert(confirmation.alert, [failure(res)]);
    confirmation.button.focus();
  }

  function showSpent(body) {
    const spent = linkViews.spent({
      code: body?.error?.code, message: body?.error?.message, signInHref,
      onResend: body?.resend === true ? () => resend(spent) : undefined,
    });
    show(spent.view);
  }

  async function resend(spent) {
    if (pending) return;
    pending = true;
    setAlert(spent.alert, []);
    busy(spent.button, true);
    const res = await api.resendLink(tenant, token);
    pending = false;
    if (res.status === 202) return show(linkViews.resent(signInHref));
    busy(spent.button, false);
    setAlert(spent.alert, [failure(res)]);
    spent.button.focus();
  }
}
