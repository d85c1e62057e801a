import { systemError } from '../../base/engine-error.js';
import { parseNormalizedReference, withDefaultTag } from '../../image/reference.js';
import { decodeRegistryAuthHeader } from '../../registry/client/auth-config.js';
import { registryData } from '../../registry/client/registry-data.js';
import type { RegistryService } from '../../registry/client/registry-service.js';
import { sendJson } from '../request-context.js';
import type { Route } from '../router.js';

export interface DistributionRouteDeps {
  registry: Pick<RegistryService, 'session'>;
}

/** A bare image ID (`sha256:…` or 64 hex): moby's ParseAnyReference reads it as a digest with no name. */
const fullImageId = /^(sha256:)?[a-f0-9]{64}$/;

/** `GET /distribution/{name}/json` (docker-py's get_registry_data): the registry's manifest descriptor and platforms. */
export function distributionRoutes(deps: DistributionRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/distribution/{name*}/json',
      handler: async (ctx) => {
        const name = ctx.params['name'] ?? '';
        // dockerd answers this one with a 500, not a 400.
        if (fullImageId.test(name)) throw systemError('no manifest found for full image ID');
        const ref = withDefaultTag(parseNormalizedReference(name));
        const raw = ctx.req.headers['x-registry-auth'];
        // As dockerd: a malformed auth header means an anonymous request, not a refusal.
        const auth = decodeRegistryAuthHeader(Array.isArray(raw) ? raw[0] : raw);
        const session = deps.registry.session(ref.domain, auth);
        try {
          sendJson(ctx, 200, await registryData(session, ref, ctx.signal));
        } finally {
          session.close();
        }
      },
    },
  ];
}
