// DOM helpers for the login page. Rules: server strings only ever become text nodes or attribute
// values (never HTML), and nothing sets inline styles, which the CSP forbids.

/**
 * Builds an element. `attrs`: `class`, `on<event>` listeners, and attributes (true → present,
 * false/null/undefined → absent). Children: nodes or strings (as text).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
const ICONS = {
  check: ['circle:12,12,10', 'M7.75 12.5l2.75 2.75 5.75-6'],
  alert: ['circle:12,12,10', 'M12 7.5v5.25', 'M12 16.25v.5'],
  clock: ['circle:12,12,10', 'M12 6.75V12l3.5 2'],
  unlink: ['M9.5 14.5l5-5', 'M13 6.5l1.2-1.2a4.1 4.1 0 0 1 5.8 5.8L18.8 12.3', 'M11 17.5l-1.2 1.2a4.1 4.1 0 0 1-5.8-5.8l1.2-1.2', 'M3.5 3.5l17 17'],
  key: ['circle:8,15.5,4.5', 'M11.2 12.3L20 3.5', 'M16.5 7l3 3', 'M14 9.5l2 2'],
  mail: ['M4.5 5.5h15a1.5 1.5 0 0 1 1.5 1.5v10a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17V7a1.5 1.5 0 0 1 1.5-1.5z', 'M3.5 7l8.5 6 8.5-6'],
  link: ['M10 14a4 4 0 0 0 5.66 0l3.18-3.18a4 4 0 0 0-5.66-5.66L12 6.34', 'M14 10a4 4 0 0 0-5.66 0l-3.18 3.18a4 4 0 0 0 5.66 5.66L12 17.66'],
};

/** A decorative stroke icon (hidden from assistive technology); colour comes from CSS. */
export function icon(name, className = '') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon ${className}`.trim());
  for (const shape of ICONS[name] ?? []) {
    const circle = shape.startsWith('circle:');
    const el = document.createElementNS(SVG, circle ? 'circle' : 'path');
    if (circle) {
      const [cx, cy, r] = shape.slice(7).split(',');
      el.setAttribute('cx', cx);
      el.setAttribute('cy', cy);
      el.setAttribute('r', r);
    } else {
      el.setAttribute('d', shape);
    }
    svg.append(el);
  }
  return svg;
}

/** An http(s) URL resolved against this page, or undefined (no javascript: or data: URLs). */
export function safeUrl(raw) {
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    const url = new URL(raw, location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Moves focus into a freshly rendered view: first invalid field, else first field, else title. */
export function focusFirst(root) {
  const target = root.querySelector('[aria-invalid="true"]')
    ?? root.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea')
    ?? root.querySelector('h1');
  target?.focus();
}
