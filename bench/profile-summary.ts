/**
 * Summarise a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --profile`):
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--focus name]`.
 *
 * Prints where the busy (non-idle) time went: self time by function, self time by module
 * (a package under node_modules, a project file, or node internals), and inclusive time of the
 * functions that appear in the most samples. `--focus name` limits everything to samples whose
 * stack contains a function of that name (e.g. `--focus processRequest`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const ROOT = path.resolve(__dirname, '..');

function moduleOf(url: string): string {
  if (!url) return '(native/V8)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (file.startsWith('node:')) return 'node internals';
  if (file.startsWith(ROOT)) return path.relative(ROOT, file);
  return file;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${moduleOf(url)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--focus name]');
  const topIndex = args.indexOf('--top');
  const top = topIndex !== -1 ? Number(args[topIndex + 1]) : 25;
  const focusIndex = args.indexOf('--focus');
  const focus = focusIndex !== -1 ? args[focusIndex + 1] : undefined;

  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const selfModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let gc = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)' || name === '(program)') {
      idle += dt;
      return;
    }
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!);
    if (focus && !stack.some((s) => s.callFrame.functionName === focus)) return;
    if (name === '(garbage collector)') gc += dt;
    busy += dt;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    const mod = name === '(garbage collector)' ? '(garbage collector)' : moduleOf(node.callFrame.url);
    selfModule.set(mod, (selfModule.get(mod) ?? 0) + dt);
    for (const key of new Set(stack.map(label))) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  });

  const wall = (profile.endTime - profile.startTime) / 1000;
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const ms = (v: number) => `${Math.round(v).toLocaleString('en-US').padStart(8)} ms`;
  const print = (title: string, map: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    for (const [key, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${ms(v)} ${pct(v)}  ${key}`);
  };
  console.log(`${file}\nwall ${Math.round(wall)} ms, busy ${Math.round(busy)} ms (${((busy / wall) * 100).toFixed(0)}%), idle ${Math.round(idle)} ms, GC ${Math.round(gc)} ms${focus ? `, focus ${focus}` : ''}`);
  print('Self time by module (share of busy time)', selfModule, top);
  print('Self time by function', self, top);
  print('Inclusive time by function', new Map([...inclusive].filter(([k]) => !k.startsWith('(root)'))), top);
}

main();
