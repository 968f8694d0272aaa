// The rule catalog: one entry per code. This table and the docs under `docs/` are the one source of
// rule metadata: the CLI's `rules` command, SARIF, the language server, the sidebar and the README
// table are all made from them.
import type { Severity } from '../engine/types';
import { categoryOf, type Category } from './categories';

export type Tier = 'core' | 'extended';

export interface RuleMeta {
  code: string;
  /** Short kebab-case name. */
  name: string;
  /** One line, what the rule is about. */
  title: string;
  defaultSeverity: Severity;
  tier: Tier;
  /** Reference files of the DBOS Python skill the rule comes from. */
  references: string[];
  /** The DBOS documentation page to read. */
  docsUrl: string;
}

const D = 'https://docs.dbos.dev/python';
const U = {
  lifecycle: `${D}/reference/dbos-class`,
  config: `${D}/reference/configuration`,
  fastapi: `${D}/integrating-dbos`,
  workflows: `${D}/tutorials/workflow-tutorial`,
  steps: `${D}/tutorials/step-tutorial`,
  transactions: `${D}/tutorials/transaction-tutorial`,
  queues: `${D}/tutorials/queue-tutorial`,
  communication: `${D}/tutorials/workflow-communication`,
  classes: `${D}/tutorials/classes`,
  scheduled: `${D}/tutorials/scheduled-workflows`,
  testing: `${D}/tutorials/testing`,
  client: `${D}/reference/client`,
  contexts: `${D}/reference/contexts`,
  patching: `${D}/tutorials/upgrading-workflow-code`,
  decorators: `${D}/reference/decorators`,
  management: `${D}/tutorials/workflow-management`,
};

type Row = [code: string, name: string, title: string, sev: Severity, tier: Tier, refs: string, url: string];

const ROWS: Row[] = [
  ['DBOS101', 'launch-at-import', 'DBOS.launch() runs when the module is imported', 'error', 'core', 'lifecycle-config lifecycle-fastapi', U.lifecycle],
  ['DBOS102', 'config-at-import', 'DBOS is configured when the module is imported', 'warning', 'core', 'lifecycle-config', U.lifecycle],
  ['DBOS103', 'dbos-constructed-twice', 'DBOS(...) constructed twice without destroy()', 'warning', 'core', 'lifecycle-config test-fixtures', U.lifecycle],
  ['DBOS104', 'launch-without-constructor', 'DBOS launched without being constructed, or constructed and never launched', 'error', 'core', 'lifecycle-config', U.lifecycle],
  ['DBOS105', 'registration-after-launch', 'Workflow or configured instance registered after launch', 'warning', 'extended', 'pattern-classes lifecycle-config', U.lifecycle],
  ['DBOS106', 'config-literal', 'Invalid or incomplete DBOS configuration', 'error', 'core', 'lifecycle-config advanced-versioning', U.config],
  ['DBOS107', 'startup-order', 'DBOS startup call in the wrong order relative to DBOS(...) and launch()', 'error', 'core', 'lifecycle-config queue-basics pattern-scheduled queue-listening step-transactions', U.lifecycle],
  ['DBOS108', 'framework-integration', 'FastAPI/Flask integration through DBOS(fastapi=...) or a lifespan without destroy()', 'information', 'core', 'lifecycle-fastapi advanced-upgrading-v3', U.fastapi],
  ['DBOS109', 'route-decorator-order', 'Route decorator below a DBOS decorator', 'error', 'core', 'lifecycle-fastapi', U.fastapi],
  ['DBOS110', 'scheduled-app-exits', 'Schedule-only app exits right after launch', 'information', 'extended', 'lifecycle-config', U.scheduled],
  ['DBOS201', 'nondeterministic-call-in-workflow', 'Non-deterministic call in a workflow', 'warning', 'core', 'workflow-determinism step-basics', U.workflows],
  ['DBOS202', 'external-io-in-workflow', 'External I/O in a workflow outside a step', 'warning', 'core', 'step-basics workflow-determinism', U.steps],
  ['DBOS203', 'non-durable-sleep-in-workflow', 'Non-durable sleep in a workflow', 'warning', 'core', 'pattern-sleep', U.workflows],
  ['DBOS204', 'thread-starts-workflow', 'Thread or executor used to run DBOS work', 'error', 'core', 'workflow-constraints workflow-background', U.workflows],
  ['DBOS205', 'global-state-mutation', 'Workflow or step mutates global state', 'warning', 'core', 'workflow-constraints step-basics', U.workflows],
  ['DBOS206', 'child-workflow-from-step', 'Workflow started from a step', 'error', 'core', 'workflow-constraints', U.steps],
  ['DBOS207', 'workflow-only-api-in-step', 'Workflow-only DBOS API called in a step', 'error', 'core', 'workflow-constraints comm-messages', U.steps],
  ['DBOS208', 'workflow-api-outside-dbos-context', 'Workflow API called outside any workflow or step', 'error', 'extended', 'workflow-constraints comm-streaming', U.workflows],
  ['DBOS209', 'start-target-not-workflow', 'start_workflow/enqueue target is not a workflow function', 'error', 'core', 'workflow-background', U.workflows],
  ['DBOS210', 'set-workflow-id-misuse', 'SetWorkflowID block that loses idempotency', 'warning', 'core', 'pattern-idempotency', U.contexts],
  ['DBOS211', 'workflow-timeout-literal', 'Workflow timeout that is negative or zero', 'error', 'extended', 'workflow-timeout', U.contexts],
  ['DBOS212', 'enqueue-options-without-queue', 'Enqueue options on a workflow that is not enqueued', 'error', 'core', 'queue-basics queue-deduplication', U.queues],
  ['DBOS213', 'workflow-attributes-literal', 'Workflow attributes that are not a JSON dict', 'error', 'extended', 'workflow-attributes', U.contexts],
  ['DBOS214', 'nondeterministic-async-concurrency', 'Async concurrency whose step order is not deterministic', 'warning', 'extended', 'advanced-async', U.workflows],
  ['DBOS215', 'decorator-shape', 'DBOS decorator used with the wrong shape or order', 'error', 'core', 'pattern-classes lifecycle-fastapi', U.decorators],
  ['DBOS216', 'duplicate-registration-name', 'Two DBOS functions registered under one name', 'warning', 'extended', 'workflow-introspection advanced-upgrading-v3', U.decorators],
  ['DBOS217', 'list-workflows-load-flags', 'Listing workflows loads inputs and outputs that are not used', 'hint', 'extended', 'workflow-introspection', U.management],
  ['DBOS301', 'nested-step-not-checkpointed', 'Step called from a step runs without its own checkpoint', 'information', 'extended', 'step-basics', U.steps],
  ['DBOS302', 'invalid-step-options', 'Invalid or ineffective step options', 'error', 'core', 'step-basics step-retries', U.steps],
  ['DBOS303', 'manual-retry-loop', 'Hand-written retry loop instead of step retries', 'hint', 'extended', 'step-retries', U.steps],
  ['DBOS304', 'raw-database-access-in-workflow', 'Database access in a workflow outside a transaction or step', 'warning', 'core', 'step-transactions', U.transactions],
  ['DBOS305', 'legacy-transaction-misuse', 'Misused legacy @DBOS.transaction', 'error', 'core', 'step-transactions advanced-upgrading-v3', U.transactions],
  ['DBOS306', 'datasource-misuse', 'Misused datasource transaction', 'error', 'core', 'step-transactions advanced-async', U.transactions],
  ['DBOS401', 'in-memory-queue-declaration', 'Queue(...) declared where DBOS does not support it', 'warning', 'core', 'queue-basics advanced-upgrading-v3', U.queues],
  ['DBOS402', 'register-queue-in-hot-path', 'Queue registered in a request handler or workflow', 'warning', 'extended', 'queue-basics queue-management', U.queues],
  ['DBOS403', 'queue-config-literal', 'Invalid queue concurrency, rate limit or partition settings', 'error', 'core', 'queue-concurrency queue-partitioning queue-rate-limiting', U.queues],
  ['DBOS404', 'partitioned-queue-misuse', 'Partitioned queue used without a partition key or with deduplication', 'error', 'core', 'queue-partitioning queue-deduplication', U.queues],
  ['DBOS405', 'enqueue-option-literal', 'Invalid enqueue option value', 'error', 'core', 'queue-basics queue-priority queue-deduplication', U.queues],
  ['DBOS406', 'enqueue-to-unregistered-queue', 'Enqueue to a queue that is never registered', 'information', 'extended', 'queue-basics pattern-scheduled', U.queues],
  ['DBOS407', 'unbounded-fanout', 'Workflows started in a loop without a queue', 'hint', 'extended', 'queue-basics', U.queues],
  ['DBOS408', 'unhandled-deduplication', 'Deduplicated enqueue without handling the duplicate case', 'hint', 'extended', 'queue-deduplication', U.queues],
  ['DBOS409', 'sync-queue-accessor-in-async', 'Synchronous queue accessor in async code', 'warning', 'extended', 'queue-management', U.queues],
  ['DBOS501', 'recv-outside-workflow', 'DBOS.recv() called outside a workflow', 'error', 'core', 'comm-messages', U.communication],
  ['DBOS502', 'set-event-outside-workflow', 'DBOS.set_event() called outside a workflow or step', 'error', 'core', 'comm-events', U.communication],
  ['DBOS503', 'at-least-once-from-step', 'Message or stream write from a step may repeat', 'information', 'extended', 'comm-streaming client-setup', U.communication],
  ['DBOS504', 'stream-not-closed', 'Stream written but never closed', 'information', 'extended', 'comm-streaming', U.communication],
  ['DBOS505', 'polling-instead-of-messages', 'Polling loop where a message would do', 'hint', 'extended', 'comm-messages', U.communication],
  ['DBOS506', 'unbounded-stream-read', 'Stream read without a timeout', 'hint', 'extended', 'comm-streaming', U.communication],
  ['DBOS601', 'dbos-class-setup', 'Class with DBOS workflows is not set up for DBOS', 'error', 'core', 'pattern-classes', U.classes],
  ['DBOS602', 'scheduled-workflow', 'Scheduled workflow declared or registered incorrectly', 'error', 'core', 'pattern-scheduled', U.scheduled],
  ['DBOS603', 'debouncer-misuse', 'Debouncer used with a method or conflicting options', 'error', 'extended', 'pattern-debouncing', U.workflows],
  ['DBOS604', 'patching-misuse', 'DBOS.patch() used without enabling patching or without a condition', 'error', 'core', 'advanced-patching', U.patching],
  ['DBOS605', 'idempotency-hints', 'Workflow start that is not idempotent', 'hint', 'extended', 'pattern-idempotency', U.workflows],
  ['DBOS701', 'test-without-dbos-fixture', 'Test launches DBOS itself instead of using a fixture', 'warning', 'extended', 'test-fixtures', U.testing],
  ['DBOS702', 'reset-after-launch', 'System database reset after launch or before construction', 'error', 'core', 'test-fixtures lifecycle-config', U.testing],
  ['DBOS703', 'fixture-lifecycle', 'pytest fixture that does not destroy DBOS properly', 'warning', 'core', 'test-fixtures', U.testing],
  ['DBOS704', 'fixture-without-reset', 'Fixture launches DBOS without resetting the system database', 'information', 'extended', 'test-fixtures', U.testing],
  ['DBOS801', 'enqueue-options-required-keys', 'Enqueue options without workflow_name or queue_name', 'error', 'core', 'client-enqueue', U.client],
  ['DBOS802', 'client-not-destroyed', 'DBOSClient never destroyed', 'warning', 'core', 'client-setup', U.client],
  ['DBOS803', 'client-used-inside-workflow', 'DBOSClient used inside a workflow or step', 'warning', 'extended', 'client-setup', U.client],
  ['DBOS804', 'client-option-conflicts', 'DBOSClient options that conflict or are deprecated', 'error', 'core', 'client-setup queue-management', U.client],
  ['DBOS805', 'client-without-application-name', 'DBOSClient without application_name', 'information', 'extended', 'client-setup advanced-shared-database', U.client],
  ['DBOS806', 'client-workflow-name', 'Client workflow_name that does not match a registered workflow', 'warning', 'extended', 'client-enqueue', U.client],
  ['DBOS901', 'sync-dbos-call-in-async', 'Synchronous DBOS call inside async code raises', 'error', 'core', 'advanced-async lifecycle-fastapi', U.workflows],
  ['DBOS902', 'blocking-dbos-call-in-async', 'Blocking DBOS call inside async code', 'warning', 'core', 'advanced-async', U.workflows],
  ['DBOS903', 'removed-in-3', 'API removed in DBOS 3.0', 'hint', 'core', 'advanced-upgrading-v3', `${D}/reference/dbos-class`],
  ['DBOS904', 'non-serializable-workflow-io', 'Workflow or step input/output that cannot be serialized', 'warning', 'extended', 'step-basics advanced-serialization', U.steps],
  ['DBOS905', 'cross-app-enqueue-without-owner', 'Cross-application enqueue without naming the owning application', 'warning', 'extended', 'advanced-shared-database', U.client],
];

export const RULES: readonly RuleMeta[] = ROWS.map(([code, name, title, defaultSeverity, tier, refs, docsUrl]) => ({
  code,
  name,
  title,
  defaultSeverity,
  tier,
  references: refs.split(' '),
  docsUrl,
}));

const BY_CODE = new Map(RULES.map((r) => [r.code, r]));

export function ruleMeta(code: string): RuleMeta | undefined {
  return BY_CODE.get(code);
}

export function ruleCategory(code: string): Category {
  return categoryOf(code);
}
