// A tenant's colours as CSS custom properties over the login UI's own (ui/login/assets/style.css),
// served as a stylesheet because the CSP allows no inline style.
// Rules: only colours that passed the #rrggbb check are written, so nothing else can reach the CSS;
// text on the primary colour is black or white, whichever contrasts more.
import type { Branding } from './tenant-settings.ts';

const HEX = /^#[0-9a-fA-F]{6}$/;

/** Relative luminance (WCAG) of #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function brandingCss({ colors }: Branding): string {
  const vars: string[] = [];
  const { primary, background, text } = colors;
  if (primary && HEX.test(primary)) {
    vars.push(`--accent: ${primary};`, `--accent-hover: ${primary};`, `--ring: ${primary};`,
      `--on-accent: ${luminance(primary) > 0.179 ? '#000000' : '#ffffff'};`);
  }
  if (background && HEX.test(background)) vars.push(`--bg: ${background};`, `--bg-glow: ${background};`);
  if (text && HEX.test(text)) vars.push(`--text: ${text};`);
  return vars.length ? `:root {\n  ${vars.join('\n  ')}\n}\n` : '';
}
