import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { domainOfServerAddress, isInsecureRegistry, resolveEndpoint, serverAddressOfDomain } from './registry-hosts.js';

test('domainOfServerAddress maps Docker Hub spellings to docker.io', () => {
  assert.equal(domainOfServerAddress('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(domainOfServerAddress(''), 'docker.io');
  assert.equal(domainOfServerAddress('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
  assert.equal(serverAddressOfDomain('docker.io'), 'https://index.docker.io/v1/');
});

test('isInsecureRegistry allows loopback and listed registries only', () => {
  assert.equal(isInsecureRegistry('localhost:5000', []), true);
  assert.equal(isInsecureRegistry('127.3.0.1:5000', []), true);
  assert.equal(isInsecureRegistry('[::1]:5000', []), true);
  assert.equal(isInsecureRegistry('10.1.2.3:5000', []), false);
  assert.equal(isInsecureRegistry('10.1.2.3:5000', ['10.0.0.0/8']), true);
  assert.equal(isInsecureRegistry('reg.example:443', ['reg.example:443']), true);
  assert.equal(isInsecureRegistry('reg.example:443', ['other:443']), false);
});

test('resolveEndpoint picks schemes and reads certs.d', () => {
  const dir = mkdtempSync('/tmp/certsd-');
  try {
    mkdirSync(join(dir, 'reg.example:5000'));
    writeFileSync(join(dir, 'reg.example:5000', 'ca.crt'), 'PEM');
    const secure = resolveEndpoint('reg.example:5000', { insecure: [], certsDir: dir });
    assert.deepEqual(secure.schemes, ['https']);
    assert.equal(secure.verifyTls, true);
    assert.deepEqual(secure.ca, ['PEM']);
    assert.equal(resolveEndpoint('docker.io', { insecure: [], certsDir: dir }).host, 'registry-1.docker.io');
    assert.deepEqual(resolveEndpoint('127.0.0.1:5000', { insecure: [], certsDir: dir }).schemes, ['https', 'http']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
