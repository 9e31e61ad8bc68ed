// The views for a journey that is not waiting on a step: signed in, failed, expired, a link that
// is not valid in this browser, a generic error, and the hand-off while the browser navigates.
import { h, icon } from './dom.js';

function statusCard({ tone, iconName, title, text, action }) {
  return h('section', { class: `status status-${tone}` },
    h('div', { class: 'status-icon' }, icon(iconName)),
    h('h1', { id: 'status-title', tabindex: '-1' }, title),
    text ? h('p', { class: 'status-text' }, text) : null,
    action ? h('button', { type: 'button', class: 'button button-primary', onclick: action.run }, action.label) : null);
}

export function signedIn(tenant) {
  return statusCard({
    tone: 'success', iconName: 'check', title: 'You\u2019re signed in',
    text: `You are signed in to ${tenant}. You can close this tab or go back to the app you came from.`,
  });
}

export function failed(message, startOver) {
  return statusCard({
    tone: 'danger', iconName: 'alert', title: 'Sign-in didn\u2019t work',
    text: message || 'Sign-in failed. Please start again.', action: { label: 'Try again', run: startOver },
  });
}

export function expired(startOver) {
  return statusCard({
    tone: 'neutral', iconName: 'clock', title: 'This sign-in expired',
    text: 'For your security, a sign-in ends after a while without activity. Start over to sign in.',
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

export function unavailable(retry) {
  return statusCard({
    tone: 'danger', iconName: 'alert', title: 'Something went wrong',
    text: 'We couldn\u2019t load this sign-in. Check your connection and try again.',
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
