// The views for a journey that is not waiting on a step: signed in, done with a notice (signed
// nobody in), failed, expired, a link that is not valid in this browser, a journey that moved to
// another browser, sign-up closed, a generic error, and the hand-off while the browser navigates.
// Rules: server strings (a notice, an error message) become text only; wording follows the
// journey's kind (sign-in, sign-up, password reset).
import { h, icon } from './dom.js';
import { wordsFor } from './kinds.js';

/**
 * One centred status: icon, title, text, then an optional primary `action` (a button running a
 * function) and an optional quiet `link` ({ href, label }) to another page.
 */
export function statusCard({ tone, iconName, title, text, action, link, extra }) {
  return h('section', { class: `status status-${tone}` },
    h('div', { class: 'status-icon' }, icon(iconName)),
    h('h1', { id: 'status-title', tabindex: '-1' }, title),
    text ? h('p', { class: 'status-text' }, text) : null,
    extra,
    action ? h('button', { type: 'button', class: 'button button-primary', onclick: action.run }, h('span', { class: 'button-label' }, action.label)) : null,
    link ? h('p', { class: 'status-link' }, h('a', { href: link.href }, link.label)) : null);
}

export function signedIn(tenant, kind) {
  // An account change confirmed here (e.g. a new email address by its mailed link).
  if (kind === 'account') {
    return statusCard({
      tone: 'success', iconName: 'check', title: 'Your account was updated',
      text: 'The change is saved. You can close this tab.',
      link: { href: `/t/${encodeURIComponent(tenant)}/account/`, label: 'Go to your account' },
    });
  }
  if (kind === 'recovery') {
    return statusCard({
      tone: 'success', iconName: 'check', title: 'Your password has been changed',
      text: `You are signed in to ${tenant} with your new password. You can close this tab or go back to the app you came from.`,
    });
  }
  return statusCard({
    tone: 'success', iconName: 'check', title: 'You\u2019re signed in',
    text: `You are signed in to ${tenant}. You can close this tab or go back to the app you came from.`,
  });
}

const NOTICE_LOOK = {
  verification_sent: { iconName: 'mail', title: 'Check your email' },
  awaiting_approval: { iconName: 'clock', title: 'Your account awaits approval' },
};

/** A journey that succeeded without signing anyone in (a sign-up awaiting a link or an admin). */
export function notice(notice, signInHref) {
  const look = NOTICE_LOOK[notice?.code] ?? { iconName: 'check', title: 'Thank you' };
  return statusCard({
    tone: 'neutral', ...look, text: notice?.message || 'We will be in touch by email.',
    link: { href: signInHref, label: 'Back to sign in' },
  });
}

export function failed(message, startOver, kind) {
  const words = wordsFor(kind);
  return statusCard({
    tone: 'danger', iconName: 'alert', title: `${words.Noun} didn\u2019t work`,
    text: message || `The ${words.noun} failed. Please start again.`, action: { label: 'Try again', run: startOver },
  });
}

export function expired(startOver, kind) {
  const words = wordsFor(kind);
  return statusCard({
    tone: 'neutral', iconName: 'clock', title: `This ${words.noun} expired`,
    text: `For your security, a ${words.noun} ends after a while without activity. Start over to try again.`,
    action: { label: 'Start over', run: startOver },
  });
}

export function notValid(startOver) {
  return statusCard({
    tone: 'neutral', iconName: 'unlink', title: 'This sign-in link is not valid in this browser',
    text: 'It was opened in another browser, or it no longer exists. Start over to sign in here.',
    action: { label: 'Start over', run: startOver },
  });
}

/** A journey this tab was waiting on went on in another browser (its mailed link was opened there). */
export function movedElsewhere(startOver, kind) {
  return statusCard({
    tone: 'neutral', iconName: 'link', title: 'Continued in another browser',
    text: `The link from your email was opened in another browser or app, so this ${wordsFor(kind).noun} goes on there. You can close this tab, or start over here.`,
    action: { label: 'Start over', run: startOver },
  });
}

export function registrationClosed(message, signInHref) {
  return statusCard({
    tone: 'neutral', iconName: 'alert', title: 'Sign-up is not available',
    text: message || 'New accounts cannot be created here. Ask your administrator for an invitation.',
    link: { href: signInHref, label: 'Back to sign in' },
  });
}

export function unavailable(retry) {
  return statusCard({
    tone: 'danger', iconName: 'alert', title: 'Something went wrong',
    text: 'We couldn\u2019t load this page. Check your connection and try again.',
    action: { label: 'Retry', run: retry },
  });
}

export function redirecting(url) {
  return h('section', { class: 'status status-neutral' },
    h('div', { class: 'status-icon' }, h('span', { class: 'spinner spinner-large', 'aria-hidden': 'true' })),
    h('h1', { id: 'status-title', tabindex: '-1' }, 'Signing you in\u2026'),
    h('p', { class: 'status-text' }, h('a', { href: url }, 'Continue if nothing happens')));
}

export function loading() {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading\u2026');
}
