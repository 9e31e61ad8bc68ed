// Trees: the list, and a tree's page — its graph (inner trees expandable), a JSON editor checked
// by the server as you type (errors name the node, which turns red in the graph), saving as a new
// version (If-Match: another admin's import in between is refused, not overwritten), the version
// history and a diff of any version with the one before.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { treeGraph } from '../tree-graph.js';
import { attempt, button, empty, errorBox, h, pageHeader, table, textarea, toast, when } from '../ui.js';
import { canWrite } from '../layout.js';

export function render(ctx) {
  return ctx.rest[0] ? detail(ctx) : listPage({
    title: 'Trees', subtitle: 'How each journey runs. Saving makes a new version; journeys in flight finish on theirs.', caption: 'Trees',
    params: ctx.params, emptyText: 'No tree.',
    load: (_p, cursor) => api.get(ctx.tenant, `/trees${query({ cursor, limit: 50 })}`),
    columns: [
      { label: 'Tree', cell: (t) => h('a', { href: href(ctx.tenant, 'trees', t.name) }, t.name) },
      { label: 'Version', cell: (t) => `v${t.version} of ${t.versions}` },
      { label: 'Nodes', cell: (t) => String(t.nodes) },
      { label: 'Updated', cell: (t) => when(t.updatedAt) },
    ],
  });
}

function diffView(diff) {
  const rows = [
    ...(diff.start ? [`start: ${diff.start.from} → ${diff.start.to}`] : []),
    ...diff.added.map((n) => `+ ${n.node} (${n.type})`),
    ...diff.removed.map((n) => `− ${n.node} (${n.type})`),
    ...diff.changed.flatMap((c) => c.fields.map((f) => `~ ${c.node}.${f.field}: ${JSON.stringify(f.from)} → ${JSON.stringify(f.to)}`)),
  ];
  return h('div', { class: 'diff' }, h('h3', {}, `v${diff.from} → v${diff.to}`),
    rows.length ? h('ul', {}, ...rows.map((r) => h('li', { class: `diff-${r[0] === '+' ? 'add' : r[0] === '−' ? 'del' : 'chg'}` }, r))) : empty('No difference.'));
}

async function detail({ tenant, rest, roles }) {
  const name = rest[0];
  const version = rest[1] ? Number(rest[1]) : undefined;
  const latest = await api.get(tenant, `/trees/${encodeURIComponent(name)}`).catch((err) => ({ error: err }));
  if (latest.error) return h('div', { class: 'page' }, pageHeader('Tree'), errorBox(latest.error));
  const shown = version && version !== latest.version ? await api.get(tenant, `/trees/${encodeURIComponent(name)}/versions/${version}`) : latest;
  const versions = await api.get(tenant, `/trees/${encodeURIComponent(name)}/versions${query({ limit: 50 })}`);
  const write = canWrite(roles);
  const page = h('div', { class: 'page' });
  const graphBox = h('div', { class: 'graph-box' });
  const inner = h('div', { class: 'inner-trees' });
  const errorsList = h('ul', { class: 'tree-errors', 'aria-live': 'polite' });
  const { name: _n, version: _v, ...definition } = shown.tree;
  const editor = textarea({ rows: 24, spellcheck: 'false', class: 'input textarea code', 'aria-label': 'Tree JSON', disabled: !write });
  editor.value = JSON.stringify(definition, null, 2);

  function draw(tree, faulty = new Set()) {
    graphBox.replaceChildren(treeGraph(tree, {
      faulty, label: `Graph of ${name}`,
      onNode: async (id, node, element) => {
        if (node.type !== 'tree' || !node.config?.tree) return;
        const existing = inner.querySelector(`[data-tree="${CSS.escape(node.config.tree)}"]`);
        if (existing) {
          existing.remove();
          return element.setAttribute('aria-expanded', 'false');
        }
        const sub = await attempt(inner, () => api.get(tenant, `/trees/${encodeURIComponent(node.config.tree)}`));
        if (!sub) return;
        inner.append(h('section', { class: 'panel', 'data-tree': node.config.tree }, h('h3', {}, `Inner tree ${node.config.tree} (from ${id})`), treeGraph(sub.tree, { label: `Graph of ${node.config.tree}` })));
        element.setAttribute('aria-expanded', 'true');
      },
    }));
  }
  draw(shown.tree);

  let timer;
  let seq = 0;
  async function check() {
    const mine = ++seq;
    let parsed;
    try {
      parsed = JSON.parse(editor.value);
    } catch (err) {
      errorsList.replaceChildren(h('li', {}, `Not valid JSON: ${err.message}`));
      return false;
    }
    const result = await api.post(tenant, `/trees/${encodeURIComponent(name)}/validate`, parsed).catch((err) => ({ valid: false, errors: [{ message: err.message }] }));
    if (mine !== seq) return false;
    errorsList.replaceChildren(...(result.valid ? [h('li', { class: 'ok' }, 'Valid.')] : result.errors.map((e) => h('li', {}, e.node ? h('strong', {}, `${e.node}: `) : '', e.message))));
    if (parsed?.nodes && parsed.start) draw({ ...parsed }, new Set(result.errors.map((e) => e.node).filter(Boolean)));
    return result.valid;
  }
  editor.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(check, 400); });

  const save = button('Save as a new version', async () => {
    if (!(await check())) return;
    const made = await attempt(page, () => api.post(tenant, `/trees/${encodeURIComponent(name)}/versions`, JSON.parse(editor.value)), 'Saved.');
    if (made) { toast(`Saved as v${made.version}.`); location.hash = href(tenant, 'trees', name); window.dispatchEvent(new HashChangeEvent('hashchange')); }
  }, { kind: 'primary', disabled: shown.version !== latest.version });
  const diffBox = h('div', { class: 'diff-box', 'aria-live': 'polite' });

  page.append(
    pageHeader(`Tree ${name}`, `Showing v${shown.version}${shown.version === latest.version ? ' (latest)' : ` — latest is v${latest.version}`}`),
    h('section', { class: 'panel' }, h('h2', {}, 'Graph'), h('p', { class: 'hint' }, 'Choose a node that runs another tree to show it.'), graphBox, inner),
    h('section', { class: 'panel' }, h('h2', {}, 'Definition'), editor, errorsList, write ? save : null),
    h('section', { class: 'panel' }, h('h2', {}, 'Versions'),
      table('Versions', [
        { label: 'Version', cell: (v) => h('a', { href: href(tenant, 'trees', name, String(v.version)) }, `v${v.version}`) },
        { label: 'Nodes', cell: (v) => String(v.nodes) },
        { label: 'Saved', cell: (v) => when(v.createdAt) },
        { label: 'In flight', cell: (v) => (v.inFlight === undefined ? '—' : String(v.inFlight)) },
        { label: 'Changes', cell: (v) => (v.version > 1 ? button('Diff with previous', async () => {
          const d = await attempt(diffBox, () => api.get(tenant, `/trees/${encodeURIComponent(name)}/diff${query({ to: v.version })}`));
          if (d) diffBox.replaceChildren(diffView(d));
        }) : 'first') },
      ], versions.items), diffBox));
  return page;
}
