// Parses SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2) into a small tree.
//   filter    = attrPath "pr" | attrPath compareOp value | attrPath "[" filter "]"
//             | "not" "(" filter ")" | "(" filter ")" | filter "and" filter | filter "or" filter
//   precedence: not, then and, then or; operators and attribute names in any case.
//   attrPath  = [schema URI ":"] name ["." subName]
//   patchPath = attrPath | name "[" filter "]" ["." subName]
// Rules: at most MAX_LENGTH characters and MAX_DEPTH nested groups (hostile input cannot exhaust
// the stack); values are JSON literals (strings with JSON escapes, numbers, true, false, null);
// anything else is a ScimError 400 invalidFilter (filters) or invalidPath (paths) saying where.
import { invalidFilter, invalidPath, type ScimError } from './scim-error.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;

export interface AttrPath { schema?: string; attr: string; sub?: string }

export type Filter =
  | { op: 'pr'; path: AttrPath }
  | { op: CompareOp; path: AttrPath; value: Literal }
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  /** `emails[type eq "work"]`: some value of the multi-valued attribute matches the inner filter. */
  | { op: 'has'; path: AttrPath; filter: Filter };

export interface PatchPath { path: AttrPath; filter?: Filter; sub?: string }

export const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;
const COMPARE = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;

type Token = { kind: 'word' | 'string' | 'number' | 'punct'; text: string; value?: Literal; at: number };

function tokenize(text: string, fail: (msg: string) => ScimError): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if ('()[]'.includes(c)) { tokens.push({ kind: 'punct', text: c, at: i }); i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw fail(`unterminated string at ${i + 1}`);
      const raw = text.slice(i, j + 1);
      let value: string;
      try { value = JSON.parse(raw) as string; } catch { throw fail(`bad string at ${i + 1}`); }
      tokens.push({ kind: 'string', text: raw, value, at: i });
      i = j + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w.:$-])/.exec(text.slice(i));
    if (number) { tokens.push({ kind: 'number', text: number[0], value: Number(number[0]), at: i }); i += number[0].length; continue; }
    const word = /^[A-Za-z0-9_$:.\-]+/.exec(text.slice(i));
    if (!word) throw fail(`unexpected "${c}" at ${i + 1}`);
    tokens.push({ kind: 'word', text: word[0], at: i });
    i += word[0].length;
  }
  return tokens;
}

/** `urn:…:User:name.givenName` → { schema, attr: 'name', sub: 'givenName' }. @throws the given error. */
function attrPath(text: string, fail: (msg: string) => ScimError, allowSub = true): AttrPath {
  const colon = text.lastIndexOf(':');
  const schema = colon >= 0 ? text.slice(0, colon) : undefined;
  const parts = text.slice(colon + 1).split('.');
  if (schema !== undefined && !/^urn:[A-Za-z0-9.:_-]+$/i.test(schema)) throw fail(`"${text.slice(0, 100)}" is not an attribute path`);
  if (parts.length > (allowSub ? 2 : 1) || !parts.every((p) => NAME.test(p))) throw fail(`"${text.slice(0, 100)}" is not an attribute path`);
  return { ...(schema ? { schema } : {}), attr: parts[0]!, ...(parts[1] ? { sub: parts[1] } : {}) };
}

class Parser {
  private i = 0;
  private depth = 0;
  private readonly tokens: Token[];
  private readonly fail: (msg: string) => ScimError;
  constructor(tokens: Token[], fail: (msg: string) => ScimError) {
    this.tokens = tokens;
    this.fail = fail;
  }

  private peek(): Token | undefined { return this.tokens[this.i]; }
  private isWord(t: Token | undefined, word: string) { return t?.kind === 'word' && t.text.toLowerCase() === word; }
  private expect(punct: string): void {
    const t = this.tokens[this.i++];
    if (t?.kind !== 'punct' || t.text !== punct) throw this.fail(t ? `expected "${punct}" at ${t.at + 1}` : `expected "${punct}" at the end`);
  }
  done(): boolean { return this.i >= this.tokens.length; }
  rest(): Token[] { return this.tokens.slice(this.i); }

  or(inner: boolean): Filter {
    let left = this.and(inner);
    while (this.isWord(this.peek(), 'or')) { this.i++; left = { op: 'or', left, right: this.and(inner) }; }
    return left;
  }

  private and(inner: boolean): Filter {
    let left = this.unary(inner);
    while (this.isWord(this.peek(), 'and')) { this.i++; left = { op: 'and', left, right: this.unary(inner) }; }
    return left;
  }

  private unary(inner: boolean): Filter {
    if (++this.depth > MAX_DEPTH) throw this.fail('the filter nests too deeply');
    try {
      const t = this.peek();
      if (this.isWord(t, 'not')) {
        this.i++;
        this.expect('(');
        const filter = this.or(inner);
        this.expect(')');
        return { op: 'not', filter };
      }
      if (t?.kind === 'punct' && t.text === '(') {
        this.i++;
        const filter = this.or(inner);
        this.expect(')');
        return filter;
      }
      return this.comparison(inner);
    } finally {
      this.depth--;
    }
  }

  private comparison(inner: boolean): Filter {
    const t = this.tokens[this.i++];
    if (t?.kind !== 'word') throw this.fail(t ? `expected an attribute at ${t.at + 1}` : 'expected an attribute at the end');
    const path = attrPath(t.text, this.fail);
    const next = this.peek();
    if (next?.kind === 'punct' && next.text === '[') {
      if (inner) throw this.fail(`a value filter cannot hold another one (at ${next.at + 1})`);
      if (path.sub) throw this.fail(`"${t.text.slice(0, 100)}[": a value filter applies to a multi-valued attribute`);
      this.i++;
      const filter = this.or(true);
      this.expect(']');
      return { op: 'has', path, filter };
    }
    const op = this.tokens[this.i++];
    const name = op?.kind === 'word' ? op.text.toLowerCase() : '';
    if (name === 'pr') return { op: 'pr', path };
    if (!COMPARE.has(name)) throw this.fail(op ? `unknown operator "${op.text.slice(0, 20)}" at ${op.at + 1}` : `"${t.text.slice(0, 100)}" needs an operator`);
    const v = this.tokens[this.i++];
    let value: Literal;
    if (v?.kind === 'string' || v?.kind === 'number') value = v.value!;
    else if (v?.kind === 'word' && ['true', 'false', 'null'].includes(v.text.toLowerCase())) value = JSON.parse(v.text.toLowerCase()) as Literal;
    else throw this.fail(v ? `expected a value at ${v.at + 1} (strings are quoted)` : `"${name}" needs a value`);
    return { op: name as CompareOp, path, value };
  }
}

/** @throws ScimError 400 invalidFilter. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_LENGTH) throw invalidFilter(`the filter is longer than ${MAX_LENGTH} characters`);
  const fail = (msg: string) => invalidFilter(`filter: ${msg}`);
  const tokens = tokenize(text, fail);
  if (tokens.length === 0) throw fail('empty');
  const parser = new Parser(tokens, fail);
  const filter = parser.or(false);
  if (!parser.done()) throw fail(`unexpected "${parser.rest()[0]!.text.slice(0, 20)}" at ${parser.rest()[0]!.at + 1}`);
  return filter;
}

/** `emails[type eq "work"].value`, `members[value eq "…"]`, `name.familyName`. @throws ScimError 400 invalidPath. */
export function parsePatchPath(text: string): PatchPath {
  if (text.length > MAX_LENGTH) throw invalidPath(`the path is longer than ${MAX_LENGTH} characters`);
  const fail = (msg: string) => invalidPath(`path: ${msg}`);
  const open = text.indexOf('[');
  if (open < 0) return { path: attrPath(text.trim(), fail) };
  const close = text.lastIndexOf(']');
  if (close < open) throw fail('"[" without "]"');
  const path = attrPath(text.slice(0, open).trim(), fail, false);
  const tokens = tokenize(text.slice(open + 1, close), (msg) => fail(msg));
  const parser = new Parser(tokens, fail);
  if (tokens.length === 0) throw fail('empty value filter');
  const filter = parser.or(true);
  if (!parser.done()) throw fail(`unexpected "${parser.rest()[0]!.text.slice(0, 20)}" in the value filter`);
  const after = text.slice(close + 1).trim();
  if (after === '') return { path, filter };
  if (!after.startsWith('.') || !NAME.test(after.slice(1))) throw fail(`unexpected "${after.slice(0, 20)}" after "]"`);
  return { path, filter, sub: after.slice(1) };
}
