import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startHasBody } from './container-routes.js';

describe('startHasBody', () => {
  it('startHasBody lets empty, {} and null bodies through', () => {
    assert.equal(startHasBody({}), false);
    assert.equal(startHasBody({ 'content-length': '0' }), false);
    assert.equal(startHasBody({ 'content-length': '2' }), false);
    assert.equal(startHasBody({ 'content-length': '7' }), false);
  });

  it('startHasBody flags a HostConfig body longer than 7 bytes', () => {
    assert.equal(startHasBody({ 'content-length': '12' }), true);
  });

  it('startHasBody flags a chunked body of unknown length, as moby does', () => {
    assert.equal(startHasBody({ 'transfer-encoding': 'chunked' }), true);
  });
});
