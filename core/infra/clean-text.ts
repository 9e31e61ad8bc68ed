// Text a person could have typed: no control characters (C0, DEL, C1 — NUL above all, which
// PostgreSQL refuses in text) but the whitespace people do type or paste (tab, line breaks: the
// modules fold them), and no lone UTF-16 surrogates (not valid UTF-8). Pure: the journey
// workflow's update validator uses it too.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isCleanText(value: string): boolean {
  return !CONTROL.test(value) && !LONE_SURROGATE.test(value);
}
