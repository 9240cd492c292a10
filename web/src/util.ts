// Small helpers shared by the pages: bytes, JSON, DOM.

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new Error(`not a hex string: ${JSON.stringify(hex.slice(0, 80))}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A contract message's bytes (`Binary`: base64) as the hex the package's checks take. */
export function base64ToHex(b64: string): string {
  return bytesToHex(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `e.message` for an Error (the core's message for the package's errors), else String(e). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** JSON with sorted keys and no undefined fields: equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}

export const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** `abcdef…7890`: the head and tail of a long hex string. */
export function short(hex: string, keep = 10): string {
  return hex.length <= 2 * keep + 1 ? hex : `${hex.slice(0, keep)}…${hex.slice(-keep)}`;
}

/** The element with this id (throws if the page lacks it: a bug in the page). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export const inputValue = (id: string): string => byId<HTMLInputElement>(id).value.trim();

/** Creates an element with attributes and children (strings become text nodes). */
export function h(
  tag: string,
  attrs: Record<string, string | undefined> = {},
  ...children: (Node | string)[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** A table with a header row and rows of cells. */
export function table(head: string[], rows: (Node | string)[][], id?: string): HTMLElement {
  return h(
    'table',
    { id },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

/** Sets an element's text and its state class (`ok`, `bad` or none). */
export function show(id: string, text: string, state?: 'ok' | 'bad'): void {
  const el = byId(id);
  el.textContent = text;
  el.classList.remove('ok', 'bad');
  if (state) el.classList.add(state);
}
