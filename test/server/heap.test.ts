// The analysis thread gives its heap back once idle (src/server/heap.ts): after work that grew the
// heap, one full collection; after work that did not, none; and never while tasks keep coming.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { HeapReducer } from '../../src/server/heap';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('heap: one full collection after an idle second that follows growth, none without growth or while busy', async () => {
  const heap = new HeapReducer();
  // no growth: idle changes nothing
  heap.idle();
  await pause(1300);
  assert.equal(heap.collections, 0);

  // 64 MB of objects kept until the "task" ends, then garbage
  let held: number[][] | null = [];
  for (let i = 0; i < 64; i++) held.push(new Array<number>(128 * 1024).fill(i + 0.5));
  assert.ok(v8.getHeapStatistics().total_heap_size > 48 * 1024 * 1024, 'the heap grew');
  held = null;
  // a task arrives before the second is up: no collection yet
  heap.idle();
  await pause(500);
  heap.busy();
  await pause(900);
  assert.equal(heap.collections, 0);
  heap.idle();
  await pause(1300);
  assert.equal(heap.collections, 1);
  assert.ok(v8.getHeapStatistics().used_heap_size < 32 * 1024 * 1024, 'the garbage was collected');

  // idle again with nothing new: no second collection
  heap.idle();
  await pause(1300);
  assert.equal(heap.collections, 1);
});
