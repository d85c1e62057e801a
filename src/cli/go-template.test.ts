import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoTemplate, sprintf } from './go-template.js';
import { fromJs, parseGoJson, indentJson } from './go-value.js';

const INSPECT = parseGoJson(
  JSON.stringify({
    Id: 'abc',
    Created: '2025-01-01T00:00:00Z',
    State: { Status: 'running', Running: true, Pid: 4242, ExitCode: 0 },
    Size: 12345678901234,
    Config: { Env: ['A=1', 'B=2'], Cmd: null, Labels: { b: '2', a: '1' }, Entrypoint: null, Image: '<x>&' },
    Mounts: [{ Type: 'bind', Source: '/h' }],
    NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' } } },
  }),
);

const run = (src: string, data = INSPECT, missingKeyError = true) => new GoTemplate(src, { missingKeyError }).execute(data);

test('template fields and nested fields print with Go formatting', () => {
  assert.equal(run('{{.State.Pid}}'), '4242');
  assert.equal(run('{{ .State.Pid }} {{.State.Running}}'), '4242 true');
  assert.equal(run('{{.Size}}'), '12345678901234');
  assert.equal(run('{{.Config.Env}}'), '[A=1 B=2]');
  assert.equal(run('{{.Config.Labels}}'), 'map[a:1 b:2]');
  assert.equal(run('{{.Config.Cmd}}'), '[]');
});

test('template json keeps struct order, sorts maps and escapes HTML like Go', () => {
  assert.equal(run('{{json .Config}}'), '{"Env":["A=1","B=2"],"Cmd":null,"Labels":{"a":"1","b":"2"},"Entrypoint":null,"Image":"\\u003cx\\u003e\\u0026"}');
  assert.equal(run('{{json .State.Pid}}'), '4242');
});

test('template missing key gives docker inspect error with position', () => {
  assert.throws(() => run('{{.Nosuch}}'), { message: 'template: :1:2: executing "" at <.Nosuch>: map has no entry for key "Nosuch"' });
  assert.throws(() => run('{{ .Nosuch }}'), { message: 'template: :1:3: executing "" at <.Nosuch>: map has no entry for key "Nosuch"' });
  assert.equal(run('{{.Nosuch}}', INSPECT, false), '<no value>');
});

test('template range, if/else, with and variables work', () => {
  assert.equal(run('{{range .Config.Env}}[{{.}}]{{end}}'), '[A=1][B=2]');
  assert.equal(run('{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}'), '0=A=1;1=B=2;');
  assert.equal(run('{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}}{{end}}'), 'bridge 172.17.0.2');
  assert.equal(run('{{if .State.Running}}up{{else}}down{{end}}'), 'up');
  assert.equal(run('{{if eq .State.ExitCode 1}}one{{else if eq .State.ExitCode 0}}zero{{end}}'), 'zero');
  assert.equal(run('{{with .State}}{{.Status}}{{end}}'), 'running');
  assert.equal(run('{{$p := .State.Pid}}{{$p}} {{$.Id}}'), '4242 abc');
  assert.equal(run('{{range .Config.Cmd}}x{{else}}none{{end}}'), 'none');
});

test('template functions index, len, join, upper, lower, title, printf, pipes', () => {
  assert.equal(run('{{index .Config.Labels "a"}}'), '1');
  assert.equal(run('{{index .Config.Env 1}}'), 'B=2');
  assert.equal(run('{{len .Config.Env}}'), '2');
  assert.equal(run('{{join .Config.Env ","}}'), 'A=1,B=2');
  assert.equal(run('{{upper .State.Status}} {{.State.Status | title}} {{lower "AB"}}'), 'RUNNING Running ab');
  assert.equal(run('{{printf "%s-%d-%5s|" .State.Status .State.Pid "x"}}'), 'running-4242-    x|');
  assert.equal(run('{{(index .Mounts 0).Source}}'), '/h');
  assert.equal(run('{{.Id | printf "%q"}}'), '"abc"');
});

test('template trim markers and comments', () => {
  assert.equal(run('a  {{- .Id -}}  b{{/* note */}}'), 'aabcb');
});

test('template on plain values and computed functions', () => {
  const data = fromJs({ Label: (k: unknown) => `L:${String(k)}`, Names: 'x' });
  assert.equal(new GoTemplate('{{.Label "k"}} {{.Names}}').execute(data), 'L:k x');
});

test('sprintf pads and reports missing operands', () => {
  assert.equal(sprintf('%-4s|%04d|%v', ['ab', 7, true]), 'ab  |0007|true');
  assert.equal(sprintf('%s %s', ['a']), 'a %!s(MISSING)');
});

test('indentJson re-indents without reordering keys', () => {
  assert.equal(indentJson('{"b":1,"a":[],"c":{"x":[1,2]},"s":"a,b:{"}', '', '  '), '{\n  "b": 1,\n  "a": [],\n  "c": {\n    "x": [\n      1,\n      2\n    ]\n  },\n  "s": "a,b:{"\n}');
});
