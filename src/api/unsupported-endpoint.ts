import { EngineError } from '../base/engine-error.js';

/**
 * The error for a request no route serves. Clients must fail at once with a message that says
 * what is missing, never hang waiting for an upgrade or get a 500:
 *
 * - BuildKit's endpoints: `POST /session` and `POST /grpc` are HTTP/2 (h2c) upgrades that
 *   BuildKit-speaking clients (buildx, docker build with BuildKit, dockerode with version "2")
 *   open before they build. skiff has only the legacy builder, so they get a 404 that says so
 *   and how to use the legacy builder.
 * - Anything else is Docker's "page not found" (clients match on those words), followed by the
 *   method and path so the user can tell which call their client made.
 */
export function unsupportedEndpoint(method: string, path: string): EngineError {
  const endpoint = `${method} ${path}`;
  if (path === '/session' || path === '/grpc') {
    return new EngineError(
      'NotFound',
      `BuildKit is not supported by this engine (${endpoint}): build with the legacy builder instead (DOCKER_BUILDKIT=0, or version "1" in the build query)`,
    );
  }
  return new EngineError('NotFound', `page not found: ${endpoint} is not supported by this engine`);
}
