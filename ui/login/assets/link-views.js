// The views of the page a mailed link opens (/ui/link): confirm before using the link, and what
// to say when it cannot be used. Rules: the link is used only on a click (mail scanners open
// links too); server messages become text only.
import { h } from './dom.js';
import { statusCard } from './views.js';

const alertRegion = () => h('div', { class: 'alert', role: 'alert', hidden: true });

/** Asks the person to confirm. Returns { view, button, alert }; `onContinue` runs on the click. */
export function confirm(tenant, onContinue) {
  const alert = alertRegion();
  const view = statusCard({
    tone: 'neutral', iconName: 'mail', title: 'Continue from your email',
    text: `You opened a link that ${tenant} sent to your email address. Select Continue to use it; it works only once.`,
    extra: alert, action: { label: 'Continue', run: onContinue },
  });
  return { view, alert, button: view.querySelector('button') };
}

export function invalid(signInHref) {
  return statusCard({
    tone: 'neutral', iconName: 'unlink', title: 'This link is not valid',
    text: 'It may be incomplete or mistyped. Open it again from your email, or start again from the sign-in page.',
    link: { href: signInHref, label: 'Go to sign in' },
  });
}

const SPENT_TITLE = { link_used: 'This link has already been used', link_expired: 'This link has expired' };
const SPENT_WHY = {
  link_used: 'Each link works only once.',
  link_expired: 'For your security, a link works only for a limited time.',
};

/** The server's explanation, unless it only repeats the title; then why, and what to do next. */
function spentText(code, title, message, canResend) {
  const same = (a, b) => a.replace(/[.!]\s*$/, '').trim().toLowerCase() === b.toLowerCase();
  if (message && !same(message, title)) return message;
  const next = canResend ? 'If your account still needs it, we can send you a new one.' : 'Start again from the sign-in page.';
  return `${SPENT_WHY[code] ?? ''} ${next}`.trim();
}

/**
 * A used or expired link, with the server's explanation. With `onResend`, a button to ask for a
 * new link. Returns { view, button?, alert }.
 */
export function spent({ code, message, onResend, signInHref }) {
  const alert = alertRegion();
  const title = SPENT_TITLE[code] ?? 'This link can\u2019t be used';
  const view = statusCard({
    tone: 'neutral', iconName: 'unlink', title, text: spentText(code, title, message, Boolean(onResend)), extra: alert,
    action: onResend ? { label: 'Send me a new link', run: onResend } : undefined,
    link: { href: signInHref, label: 'Go to sign in' },
  });
  return { view, alert, button: onResend ? view.querySelector('button') : undefined };
}

export function resent(signInHref) {
  return statusCard({
    tone: 'success', iconName: 'mail', title: 'Check your email',
    text: 'If this link can be renewed, we have sent a new one to your email address.',
    link: { href: signInHref, label: 'Go to sign in' },
  });
}

/** The page was opened without a (well-formed) token: reloaded after use, or the link got cut. */
export function missing(signInHref) {
  return statusCard({
    tone: 'neutral', iconName: 'unlink', title: 'Open the link from your email',
    text: 'This page needs the whole link from your email. Open it again from the email, or copy all of it into the address bar.',
    link: { href: signInHref, label: 'Go to sign in' },
  });
}
