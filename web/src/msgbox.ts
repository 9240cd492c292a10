// Message boxes: an editable JSON textarea for one contract message, validated against the
// contract's schema on every edit. Panels a-d (src/main.ts) and panel v (src/validity.ts)
// each make their set with `messageBoxes`.
import type { SchemaVerdict } from './schema';
import { byId, errorMessage, h, pretty, show } from './util';

/** What one kind of message is: its title, its schema validator and where that schema lives. */
export interface MessageSpec {
  title: string;
  validate: (msg: unknown) => SchemaVerdict;
  source: string;
}

/** The boxes of one panel; `M` is what a box shows: the contract's message type as the
 * generated clients (clients/, from schema/) declare it, so the page cannot show a
 * message the contract's client would not take. */
export interface MessageBoxes<K extends string, M> {
  /** Fills the (empty, hidden) element `<box>-<kind>` with the box of `kind`. */
  mount(kind: K): void;
  /** Shows `msg` in the box of `kind` with a note, and validates it. */
  set(kind: K, msg: M, note: string): void;
}

/**
 * The boxes for `specs`: a box of kind `k` lives in the element `${box}-${k}`; its
 * textarea, note and status are `${msg}-${k}`, `${msg}-${k}-note` and `${msg}-${k}-status`.
 */
export function messageBoxes<K extends string, M>(
  ids: { box: string; msg: string },
  specs: Record<K, MessageSpec>,
): MessageBoxes<K, M> {
  const validateBox = (kind: K): void => {
    const id = `${ids.msg}-${kind}-status`;
    let msg: unknown;
    try {
      msg = JSON.parse(byId<HTMLTextAreaElement>(`${ids.msg}-${kind}`).value);
    } catch (e) {
      show(id, `not JSON: ${errorMessage(e)}`, 'bad');
      return;
    }
    const { validate, source } = specs[kind];
    const verdict = validate(msg);
    if (verdict.valid) show(id, `✓ valid per schema (${source})`, 'ok');
    else show(id, `✗ invalid per schema (${source}):\n${verdict.errors.join('\n')}`, 'bad');
  };
  return {
    mount(kind) {
      const area = h('textarea', { id: `${ids.msg}-${kind}`, rows: '6', spellcheck: 'false', class: 'json' });
      area.addEventListener('input', () => validateBox(kind));
      const box = byId(`${ids.box}-${kind}`);
      box.replaceChildren(
        h('h4', {}, specs[kind].title, ' ', h('span', { class: 'note', id: `${ids.msg}-${kind}-note` })),
        area,
        h('div', { id: `${ids.msg}-${kind}-status`, class: 'schema-status' }, 'no message yet'),
      );
      box.hidden = true;
    },
    set(kind, msg, note) {
      byId(`${ids.box}-${kind}`).hidden = false;
      const area = byId<HTMLTextAreaElement>(`${ids.msg}-${kind}`);
      area.value = pretty(msg);
      area.rows = Math.min(18, area.value.split('\n').length + 1);
      byId(`${ids.msg}-${kind}-note`).textContent = note;
      validateBox(kind);
    },
  };
}
