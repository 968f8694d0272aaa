// The nine rule categories of the DBOS Python skill, in priority order.

export type Impact = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW-MEDIUM' | 'LOW';

export interface Category {
  id: CategoryId;
  title: string;
  priority: number;
  impact: Impact;
  /** Code block: DBOS1xx for priority 1, ... */
  prefix: string;
  description: string;
}

export type CategoryId =
  | 'lifecycle'
  | 'workflow'
  | 'step'
  | 'queue'
  | 'communication'
  | 'pattern'
  | 'testing'
  | 'client'
  | 'advanced';

export const CATEGORIES: readonly Category[] = [
  { id: 'lifecycle', title: 'Lifecycle', priority: 1, impact: 'CRITICAL', prefix: 'DBOS1', description: 'Configure and launch DBOS once, from the program entry point, in the right order.' },
  { id: 'workflow', title: 'Workflow', priority: 2, impact: 'CRITICAL', prefix: 'DBOS2', description: 'Workflows are replayed after a crash: they must be deterministic and start work durably.' },
  { id: 'step', title: 'Step', priority: 3, impact: 'HIGH', prefix: 'DBOS3', description: 'Side effects belong in steps and transactions, with valid options.' },
  { id: 'queue', title: 'Queue', priority: 4, impact: 'HIGH', prefix: 'DBOS4', description: 'Declare queues where DBOS expects them and enqueue with valid options.' },
  { id: 'communication', title: 'Communication', priority: 5, impact: 'MEDIUM', prefix: 'DBOS5', description: 'Messages, events and streams have rules about where they may be used.' },
  { id: 'pattern', title: 'Pattern', priority: 6, impact: 'MEDIUM', prefix: 'DBOS6', description: 'Class-based workflows, schedules, debouncing, idempotency and patching.' },
  { id: 'testing', title: 'Testing', priority: 7, impact: 'LOW-MEDIUM', prefix: 'DBOS7', description: 'Reset and relaunch DBOS cleanly between tests.' },
  { id: 'client', title: 'Client', priority: 8, impact: 'MEDIUM', prefix: 'DBOS8', description: 'DBOSClient from external programs: required options and cleanup.' },
  { id: 'advanced', title: 'Advanced', priority: 9, impact: 'LOW', prefix: 'DBOS9', description: 'Async code, upgrades to DBOS 3, serialization and shared databases.' },
];

export function categoryOf(code: string): Category {
  const c = CATEGORIES.find((x) => code.startsWith(x.prefix) && code.length === 7);
  if (!c) throw new Error(`no category for ${code}`);
  return c;
}
