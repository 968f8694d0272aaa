// Name normalisation shared by the module model and the rules.

/** Private DBOS modules re-exported by the package: `dbos._dbos.DBOS` is `dbos.DBOS`. */
export function normalizeFqn(fqn: string): string {
  if (!fqn.startsWith('dbos._')) return fqn;
  const m = /^dbos\._([A-Za-z0-9_]+)(?:\.(.*))?$/.exec(fqn);
  if (!m) return fqn;
  if (m[1] === 'error') return m[2] ? `dbos.error.${m[2]}` : 'dbos.error';
  return m[2] ? `dbos.${m[2]}` : 'dbos';
}

/** Names `from dbos import *` brings in (the package's public API). */
export const DBOS_PUBLIC_NAMES = new Set([
  'DBOS', 'DBOSClient', 'DBOSConfig', 'DBOSConfiguredInstance', 'DBOSContextEnsure', 'DBOSContextSetAuth',
  'Queue', 'SetWorkflowID', 'SetWorkflowTimeout', 'SetEnqueueOptions', 'SetWorkflowAttributes', 'EnqueueOptions',
  'SQLAlchemyDatasource', 'AsyncSQLAlchemyDatasource', 'Debouncer', 'DebouncerClient', 'StepOptions',
  'WorkflowSerializationFormat', 'SendMessage', 'WorkflowHandle', 'WorkflowHandleAsync', 'WorkflowStatus',
  'error',
]);

export const PY_BUILTINS = new Set([
  'open', 'print', 'input', 'exec', 'eval', 'compile', 'len', 'range', 'str', 'int', 'float', 'bool', 'list',
  'dict', 'set', 'tuple', 'frozenset', 'bytes', 'bytearray', 'sorted', 'reversed', 'enumerate', 'zip', 'map',
  'filter', 'sum', 'min', 'max', 'abs', 'round', 'any', 'all', 'iter', 'next', 'id', 'hash', 'isinstance',
  'issubclass', 'getattr', 'setattr', 'hasattr', 'delattr', 'repr', 'format', 'type', 'object', 'super',
  'staticmethod', 'classmethod', 'property', 'vars', 'dir', 'globals', 'locals', 'callable', 'divmod', 'pow',
  'chr', 'ord', 'hex', 'oct', 'bin', 'memoryview', 'slice', 'breakpoint', 'aiter', 'anext', '__import__',
  'Exception', 'BaseException', 'ValueError', 'TypeError', 'KeyError', 'RuntimeError',
]);

/** The last dotted segment of a qualified name. */
export function lastSegment(fqn: string): string {
  const i = fqn.lastIndexOf('.');
  return i < 0 ? fqn : fqn.slice(i + 1);
}

/** Whether `fqn` is `base` itself or an attribute of it (`base.x`). */
export function isUnder(fqn: string, base: string): boolean {
  return fqn === base || fqn.startsWith(base + '.');
}

/** The method a `dbos.DBOS.<name>` qualified name denotes (`recv`), or null for any other name. */
export function dbosMethodName(fqn: string | null | undefined): string | null {
  return fqn?.startsWith('dbos.DBOS.') ? fqn.slice('dbos.DBOS.'.length) : null;
}
