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

test('heap: a pause of 100 ms after a check of an open document makes a full collection once the heap grew 16 MB since the last one; then the idle one gives the pages back', async () => {
  const heap = new HeapReducer();
  // what the checks leave in the heap (held here, so that V8 does not collect it first on its own)
  const held: number[][] = [];
  const grow = (mb: number) => {
    for (let i = 0; i < mb; i++) held.push(new Array<number>(128 * 1024).fill(i + 0.5));
  };
  grow(24);
  // checks that follow each other without a pause: no collection
  heap.idle(true);
  await pause(50);
  heap.busy();
  await pause(150);
  assert.equal(heap.editCollections, 0);
  // a pause, after another task that followed the check (a request of the editor): one
  heap.busy();
  heap.idle();
  await pause(200);
  assert.equal(heap.editCollections, 1);
  assert.ok(heap.editCollectMs > 0);
  // a few keystrokes more: not yet
  grow(4);
  heap.idle(true);
  await pause(200);
  assert.equal(heap.editCollections, 1);
  // past the slack again
  grow(16);
  heap.idle(true);
  await pause(200);
  assert.equal(heap.editCollections, 2);
  // typing stops: the idle collection runs even though the heap did not grow 24 MB since the last one, once
  held.length = 0;
  assert.equal(heap.collections, 0);
  await pause(1100);
  assert.equal(heap.collections, 1);
  heap.idle();
  await pause(1300);
  assert.equal(heap.collections, 1);
});
