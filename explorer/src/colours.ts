/**
 * What each colour means, in one place: the graph paints nodes from these, and the legend (in
 * words, for every colour) is drawn from the same table, so the two cannot disagree. Labels on
 * the graph repeat the state in text (DOWN, AT RISK, a percentage), so nothing depends on colour
 * alone.
 */
import type { ScenarioKind } from './operations';

export type ColourMode = 'status' | 'impact' | 'scenario';

export interface LegendEntry {
  key: string;
  colour: string;
  label: string;
}

export const NEUTRAL = '#cfd6dd';

const STATUS: LegendEntry[] = [
  { key: 'UP', colour: '#2e9d5b', label: 'UP: reported working' },
  { key: 'DEGRADED', colour: '#e0a100', label: 'DEGRADED: working, impaired' },
  { key: 'DOWN', colour: '#d62728', label: 'DOWN: reported not working' },
  { key: 'MAINTENANCE', colour: '#3b7dd8', label: 'MAINTENANCE: out of service on purpose' },
  { key: 'UNKNOWN', colour: '#9aa3ad', label: 'UNKNOWN: no status reported yet' },
];

const IMPACT: LegendEntry[] = [
  { key: 'FAILED', colour: '#3d0a0a', label: 'FAILED: in the what-if failed set' },
  { key: 'DOWN', colour: '#d62728', label: 'DOWN: goes down with the failed set' },
  { key: 'AT_RISK', colour: '#f39c12', label: 'AT RISK: stays up, lost redundancy' },
  { key: 'NONE', colour: NEUTRAL, label: 'not affected' },
];

const AVAILABILITY: LegendEntry[] = [
  { key: 'A4', colour: '#2e9d5b', label: 'availability ≥ 99.99 %' },
  { key: 'A3', colour: '#9bc53d', label: '99.9 % ≤ availability < 99.99 %' },
  { key: 'A2', colour: '#f39c12', label: '99 % ≤ availability < 99.9 %' },
  { key: 'A1', colour: '#d62728', label: 'availability < 99 %' },
  { key: 'NONE', colour: NEUTRAL, label: 'no result in this run' },
];

const LOAD: LegendEntry[] = [
  { key: 'U1', colour: '#2e9d5b', label: 'utilization < 60 %' },
  { key: 'U2', colour: '#9bc53d', label: '60 % ≤ utilization < 80 %' },
  { key: 'U3', colour: '#f39c12', label: '80 % ≤ utilization < 100 %' },
  { key: 'OVER', colour: '#d62728', label: 'OVERLOADED: load above capacity' },
  { key: 'DOWN', colour: '#3d0a0a', label: 'DOWN: failed in the scenario (its load failed over)' },
  { key: 'LOADED', colour: '#7fb3d5', label: 'carries load, no capacity given' },
  { key: 'NONE', colour: NEUTRAL, label: 'no result in this run' },
];

export function legend(mode: ColourMode, scenarioKind?: ScenarioKind): LegendEntry[] {
  if (mode === 'status') return STATUS;
  if (mode === 'impact') return IMPACT;
  if (scenarioKind === 'RELIABILITY') return AVAILABILITY;
  if (scenarioKind === 'LOAD') return LOAD;
  return IMPACT;
}

const byKey = (entries: LegendEntry[], key: string) => (entries.find((e) => e.key === key) ?? entries[entries.length - 1]).colour;

export function statusColour(status: string | null | undefined): string {
  return byKey(STATUS, status && STATUS.some((s) => s.key === status) ? status : 'UNKNOWN');
}

export function impactColour(state: 'FAILED' | 'DOWN' | 'AT_RISK' | undefined): string {
  return byKey(IMPACT, state ?? 'NONE');
}

export function availabilityKey(a: number): string {
  if (a >= 0.9999) return 'A4';
  if (a >= 0.999) return 'A3';
  if (a >= 0.99) return 'A2';
  return 'A1';
}

export function availabilityColour(a: number | null | undefined): string {
  return byKey(AVAILABILITY, a === null || a === undefined ? 'NONE' : availabilityKey(a));
}

export function loadKey(r: { state?: string | null; overloaded?: boolean | null; utilization?: number | null; loadKw?: number | null }): string {
  if (r.state === 'DOWN') return 'DOWN';
  if (r.overloaded) return 'OVER';
  if (r.utilization === null || r.utilization === undefined) return r.loadKw ? 'LOADED' : 'NONE';
  if (r.utilization < 0.6) return 'U1';
  if (r.utilization < 0.8) return 'U2';
  if (r.utilization < 1) return 'U3';
  return 'OVER';
}

export function loadColour(r: Parameters<typeof loadKey>[0] | undefined): string {
  return byKey(LOAD, r ? loadKey(r) : 'NONE');
}

/** Redundancy groups get a colour each, the same for a name wherever it appears. */
const GROUP_PALETTE = ['#7b3fb5', '#0f8b8d', '#c2185b', '#5d7f00', '#b35900', '#1f5fa8'];
export function groupColour(group: string): string {
  let h = 0;
  for (const ch of group) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return GROUP_PALETTE[h % GROUP_PALETTE.length];
}
export const PLAIN_EDGE = '#8a94a0';
export const STRUCTURAL_EDGE = '#c3c9cf';
