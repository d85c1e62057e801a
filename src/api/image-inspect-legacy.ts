/**
 * Image inspect's fields that Docker dropped in API 1.45 (`Container`, `ContainerConfig`).
 * docker-compose 1.29 (through docker-py) reads `ContainerConfig.Volumes` whenever it recreates a
 * container and fails with a KeyError without it — and it negotiates the newest API version the
 * daemon offers, so gating the fields on the request's version (as Docker 25+ does, breaking
 * compose 1.29 there) is not enough. skiff sends them at every version, as dockerd 20.10 did;
 * newer clients ignore them. Like Docker, the legacy config is an empty one.
 */
export function withLegacyImageFields(shape: Record<string, unknown>): Record<string, unknown> {
  const containerConfig = {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
  };
  return { ...shape, Container: '', ContainerConfig: containerConfig };
}
