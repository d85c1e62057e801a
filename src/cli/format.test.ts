import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatG, humanDuration, humanSize, truncateId, ellipsis } from './human.js';
import { tabwrite } from './tabwriter.js';
import { displayablePorts, psContext, PS_HEADERS } from './ps-context.js';
import { renderList, filtersJson } from './format-list.js';
import { imageContext, imageRows } from './commands/images.js';

test('humanSize uses decimal units and three significant digits', () => {
  assert.equal(humanSize(4_260_000), '4.26MB');
  assert.equal(humanSize(1_234_567), '1.23MB');
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(1_234_567, 4), '1.235MB');
  assert.equal(formatG(999.9, 3), '1e+03');
});

test('humanDuration matches go-units wording', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(5000), '5 seconds');
  assert.equal(humanDuration(90_000), 'About a minute');
  assert.equal(humanDuration(5 * 60_000), '5 minutes');
  assert.equal(humanDuration(3600_000), 'About an hour');
  assert.equal(humanDuration(3 * 3600_000), '3 hours');
  assert.equal(humanDuration(3 * 86400_000), '3 days');
  assert.equal(humanDuration(700 * 86400_000), '23 months');
});

test('truncateId and ellipsis shorten like docker', () => {
  assert.equal(truncateId(`sha256:${'ab'.repeat(32)}`), 'abababababab');
  assert.equal(ellipsis('sh -c while true; do sleep 1; done', 20), 'sh -c while true; d…');
  assert.equal(ellipsis('short', 20), 'short');
});

test('tabwriter pads columns to min width 10 with 3 spaces', () => {
  assert.equal(tabwrite('A\tTAG\tC\nlonger-value\tlatest\tx\n'), 'A              TAG       C\nlonger-value   latest    x\n');
});

test('displayable ports group ranges and show published ports', () => {
  assert.equal(
    displayablePorts([
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 4000, Type: 'tcp' },
      { IP: '::', PrivatePort: 80, PublicPort: 4000, Type: 'tcp' },
      { PrivatePort: 9000, Type: 'tcp' },
      { PrivatePort: 9001, Type: 'tcp' },
    ]),
    '9000-9001/tcp, 0.0.0.0:4000->80/tcp, [::]:4000->80/tcp',
  );
});

const NOW = 1_735_689_605_000;
const CONTAINER = {
  Id: 'c0ffee'.padEnd(64, '0'), Names: ['/happy_fake'], Image: 'helloworld', ImageID: `sha256:${'ab'.repeat(32)}`,
  Command: 'sh -c "while true; do sleep 1; done"', Created: 1_735_689_600, State: 'running', Status: 'Up 5 seconds',
  Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 4000, Type: 'tcp' }], Labels: { a: 'b' },
};

test('ps table matches docker columns, quoting and padding', () => {
  const fmt = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
  assert.equal(
    renderList(fmt, [psContext(CONTAINER, true, NOW)], PS_HEADERS),
    'CONTAINER ID   IMAGE        COMMAND                   CREATED         STATUS         PORTS                  NAMES\n' +
      'c0ffee000000   helloworld   "sh -c \\"while true; …"   5 seconds ago   Up 5 seconds   0.0.0.0:4000->80/tcp   happy_fake\n',
  );
});

test('ps json row has every placeholder with docker keys', () => {
  const out = renderList('{{json .}}', [psContext(CONTAINER, true, NOW)], PS_HEADERS);
  const parsed = JSON.parse(out) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), [
    'Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports',
    'RunningFor', 'Size', 'State', 'Status',
  ]);
  assert.equal(parsed['Labels'], 'a=b');
  assert.equal(renderList('{{.Label "a"}}', [psContext(CONTAINER, true, NOW)], PS_HEADERS), 'b\n');
});

test('images table expands tags and shows <none> for untagged images', () => {
  const images = [
    { Id: `sha256:${'ab'.repeat(32)}`, RepoTags: ['helloworld:latest', 'helloworld:v1'], Created: 1_735_689_600, Size: 4_260_000 },
    { Id: `sha256:${'cd'.repeat(32)}`, RepoTags: [], Created: 1_735_689_600, Size: 10 },
  ];
  const rows = imageRows(images, false).map((r) => imageContext(r, true, NOW));
  const out = renderList('table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}', rows, {
    Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE',
  });
  assert.equal(
    out,
    'REPOSITORY   TAG       IMAGE ID       CREATED         SIZE\n' +
      'helloworld   latest    abababababab   5 seconds ago   4.26MB\n' +
      'helloworld   v1        abababababab   5 seconds ago   4.26MB\n' +
      '<none>       <none>    cdcdcdcdcdcd   5 seconds ago   10B\n',
  );
});

test('filters become the map form the CLI sends', () => {
  assert.equal(filtersJson(['status=exited', 'label=a=b'], [['reference', 'x']]), '{"label":{"a=b":true},"reference":{"x":true},"status":{"exited":true}}');
  assert.equal(filtersJson([]), undefined);
});
