import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePsOutput, psArgv, psPidsArg, validatePsArgs } from './stats-ps-output.js';

const psEf = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 19:23 ?        00:00:12 /sbin/init
root       19732   19716  0 19:56 ?        00:00:00 sleep 600
root       19800   19732  0 19:57 ?        00:00:00 sh -c echo  hi there
`;

test('ps output keeps only the rows of the given pids and joins the command line', () => {
  const top = parsePsOutput(psEf, [19732, 19800]);
  assert.deepEqual(top.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(top.Processes, [
    ['root', '19732', '19716', '0', '19:56', '?', '00:00:00', 'sleep 600'],
    ['root', '19800', '19732', '0', '19:57', '?', '00:00:00', 'sh -c echo hi there'],
  ]);
});

test('ps output thread rows follow a kept process and are dropped after another', () => {
  const out = `  PID TTY      STAT   TIME COMMAND
    1 ?        -      0:00 init
    - -        Ss     0:00 -
   42 ?        -      0:00 app
    - -        Sl     0:00 -
`;
  assert.deepEqual(parsePsOutput(out, [42]).Processes, [
    ['42', '?', '-', '0:00', 'app'],
    ['-', '-', 'Sl', '0:00', '-'],
  ]);
});

test('ps output without a PID column is refused', () => {
  assert.throws(() => parsePsOutput('USER COMMAND\nroot init\n', [1]), /Couldn't find PID field in ps output/);
});

test('ps output with a non-numeric pid is refused', () => {
  assert.throws(() => parsePsOutput('PID CMD\nabc x\n', [1]), /Unexpected pid 'abc'/);
});

test('ps args renaming a column to PID are refused unless the column is pid', () => {
  assert.throws(() => validatePsArgs('-o pid,user=PID'), /specifying "pid,user=PID" is not allowed/);
  assert.throws(() => validatePsArgs('-o comm= PIDX'), /specifying "comm=PIDX" is not allowed/);
  assert.doesNotThrow(() => validatePsArgs('-o pid=PID'));
  assert.doesNotThrow(() => validatePsArgs('aux'));
});

test('ps argv defaults to -ef and splits on single spaces like dockerd', () => {
  assert.deepEqual(psArgv(''), ['-ef']);
  assert.deepEqual(psArgv('-o pid,comm'), ['-o', 'pid,comm']);
  assert.deepEqual(psPidsArg([1, 22, 333]), '-q1,22,333');
});
