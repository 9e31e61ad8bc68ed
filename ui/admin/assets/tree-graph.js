// Draws a tree as the engine runs it: nodes as boxes (id and module), outcomes as labelled edges,
// and an outcome that ends the tree as a small `success`/`failure` chip under its node (two shared
// terminal boxes would draw a long edge from nearly every node). Layered from the start node
// (breadth first); edges that go back up (retries) bend along the side. Built from the same JSON the engine runs, as SVG elements
// (no inline style: colours come from classes). `onNode(id, node, element)` is called when a node is
// chosen. The <svg> is a named group, not an image: an image's content is hidden from screen readers,
// and its nodes are buttons they must reach; a node that runs another tree says whether it is shown
// (aria-expanded, set by the caller).

const SVG = 'http://www.w3.org/2000/svg';
const W = 168;
const H = 50;
const GAP_X = 36;
const GAP_Y = 78;
const CHIP_W = 112;
const CHIP_H = 18;
const TERMINALS = new Set(['success', 'failure']);

function el(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function layers(tree) {
  const depth = new Map([[tree.start, 0]]);
  const queue = [tree.start];
  while (queue.length) {
    const id = queue.shift();
    for (const target of Object.values(tree.nodes[id]?.next ?? {})) {
      if (!depth.has(target) && tree.nodes[target]) {
        depth.set(target, depth.get(id) + 1);
        if (tree.nodes[target]) queue.push(target);
      }
    }
  }
  // Nodes not reachable from the start still get drawn (validation will name them), below the rest.
  let max = Math.max(0, ...depth.values());
  for (const id of Object.keys(tree.nodes)) if (!depth.has(id)) depth.set(id, ++max);
  const rows = [];
  for (const [id, d] of depth) (rows[d] ??= []).push(id);
  return rows.filter(Boolean);
}

/**
 * @param tree { start, nodes }
 * @param options { faulty?: Set<string> (ids drawn as errors), onNode?(id, node, element), label? }
 * @returns an <svg> sized to the tree
 */
export function treeGraph(tree, { faulty = new Set(), onNode, label = 'Tree graph' } = {}) {
  const rows = layers(tree);
  const width = Math.max(...rows.map((r) => r.length)) * (W + GAP_X) + GAP_X + 60;
  const height = rows.length * (H + GAP_Y) + GAP_Y;
  const pos = new Map();
  rows.forEach((row, d) => {
    const rowWidth = row.length * (W + GAP_X) - GAP_X;
    row.forEach((id, i) => pos.set(id, { x: (width - 60 - rowWidth) / 2 + i * (W + GAP_X), y: GAP_Y / 2 + d * (H + GAP_Y) }));
  });
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'tree-graph', role: 'group', 'aria-label': label, width, height });
  const defs = el('defs');
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M0 0L10 5L0 10z', class: 'arrow-head' }));
  defs.append(marker);
  svg.append(defs);
  const edges = el('g', { class: 'edges' });
  const nodes = el('g', { class: 'nodes' });
  svg.append(edges, nodes);

  let side = 0;
  for (const [id, node] of Object.entries(tree.nodes)) {
    const from = pos.get(id);
    const ends = Object.entries(node.next ?? {}).filter(([, target]) => TERMINALS.has(target));
    ends.forEach(([outcome, target], i) => {
      if (!from) return;
      const cx = from.x + W / 2 - ((ends.length - 1) * (CHIP_W + 6)) / 2 + i * (CHIP_W + 6);
      const cy = from.y + H + 14;
      edges.append(el('path', { d: `M${from.x + W / 2} ${from.y + H} L${cx} ${cy}`, class: `edge edge-${target}` }));
      const chip = el('g', { class: `chip chip-${target}`, transform: `translate(${cx - CHIP_W / 2} ${cy})` });
      chip.append(el('rect', { width: CHIP_W, height: CHIP_H, rx: CHIP_H / 2 }));
      chip.append(el('text', { x: CHIP_W / 2, y: 13, 'text-anchor': 'middle' }, `${outcome} → ${target}`));
      nodes.append(chip);
    });
    for (const [outcome, target] of Object.entries(node.next ?? {})) {
      if (TERMINALS.has(target)) continue;
      const to = pos.get(target);
      if (!from || !to) continue;
      let d;
      let lx;
      let ly;
      if (to.y > from.y) {
        const [x1, y1, x2, y2] = [from.x + W / 2, from.y + H, to.x + W / 2, to.y];
        d = `M${x1} ${y1} C${x1} ${y1 + GAP_Y / 2}, ${x2} ${y2 - GAP_Y / 2}, ${x2} ${y2}`;
        [lx, ly] = [(x1 + x2) / 2, (y1 + y2) / 2];
      } else {
        // Back or sideways: out of the right side, along the margin, into the target's right side.
        const bend = width - 40 + (side++ % 3) * 10;
        const [x1, y1, x2, y2] = [from.x + W, from.y + H / 2, to.x + W, to.y + H / 2 + (target === id ? 12 : 0)];
        d = `M${x1} ${y1} C${bend} ${y1}, ${bend} ${y2}, ${x2} ${y2}`;
        [lx, ly] = [Math.min(bend - 30, x1 + 40), (y1 + y2) / 2];
      }
      edges.append(el('path', { d, class: `edge edge-${target === 'failure' ? 'failure' : target === 'success' ? 'success' : 'node'}`, 'marker-end': 'url(#arrow)' }));
      const text = el('text', { x: lx, y: ly, class: 'edge-label', 'text-anchor': 'middle' }, outcome);
      edges.append(text);
    }
  }
  for (const [id, { x, y }] of pos) {
    const node = tree.nodes[id];
    const terminal = !node;
    const g = el('g', {
      class: `node ${terminal ? `terminal terminal-${id}` : ''} ${faulty.has(id) ? 'faulty' : ''} ${id === tree.start ? 'start' : ''}`,
      transform: `translate(${x} ${y})`, tabindex: terminal ? undefined : 0, role: terminal ? undefined : 'button',
      'aria-label': terminal ? undefined : `${id}: ${node.type}${node.type === 'tree' && node.config?.tree ? ` ${node.config.tree}` : ''}${faulty.has(id) ? ', has an error' : ''}`,
      'aria-expanded': !terminal && onNode && node.type === 'tree' && node.config?.tree ? 'false' : undefined,
    });
    g.append(el('rect', { width: W, height: H, rx: terminal ? H / 2 : 10 }));
    g.append(el('text', { x: W / 2, y: terminal ? H / 2 + 5 : 21, 'text-anchor': 'middle', class: 'node-id' }, id.length > 22 ? `${id.slice(0, 21)}…` : id));
    if (!terminal) g.append(el('text', { x: W / 2, y: 38, 'text-anchor': 'middle', class: 'node-type' }, node.type + (node.type === 'tree' && node.config?.tree ? ` → ${node.config.tree}` : '')));
    if (!terminal && onNode) {
      g.addEventListener('click', () => onNode(id, node, g));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onNode(id, node, g); } });
    }
    nodes.append(g);
  }
  return svg;
}
