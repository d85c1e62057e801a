import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCreateRequest, CONTAINER_FLAGS, readEnvFile } from './create-options.js';
import { Flags, parseFlags } from './flags.js';

// Bodies captured from docker CLI 28.2.2 (a recording fake daemon) for the same command lines.
const GOLDEN_DETACHED = '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=1"],"Cmd":["sh","-c","x"],"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"4000"}]},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":true,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null,"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}';
const GOLDEN_FOREGROUND = '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null,"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}';
const GOLDEN_MANY = '{"Hostname":"hh","Domainname":"","User":"1000:1000","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"5000/udp":{},"8080/tcp":{}},"Tty":false,"OpenStdin":true,"StdinOnce":false,"Env":null,"Cmd":["-c","x"],"Image":"busybox","Volumes":{"/test":{}},"WorkingDir":"/w","Entrypoint":["/bin/sh"],"OnBuild":null,"Labels":{"a":"b","c":""},"StopSignal":"SIGUSR1","StopTimeout":7,"HostConfig":{"Binds":["/home:/x:ro"],"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"foo","PortBindings":{"5000/udp":[{"HostIp":"127.0.0.1","HostPort":"5000"}],"8080/tcp":[{"HostIp":"","HostPort":""}]},"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":["CAP_NET_ADMIN"],"CapDrop":["CAP_MKNOD"],"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":true,"PublishAllPorts":false,"ReadonlyRootfs":true,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[{"Name":"nofile","Hard":200,"Soft":100}],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}}';

const RUN_FLAGS = [{ name: 'detach', short: 'd', type: 'bool' as const }, ...CONTAINER_FLAGS];

function body(argv: string[]): string {
  const flags = new Flags(parseFlags(argv, RUN_FLAGS, false));
  return JSON.stringify(buildCreateRequest(flags, {}, { attach: !flags.bool('detach') }).body);
}

test('create body for run -d --rm -e -p matches the docker CLI byte for byte', () => {
  assert.equal(body(['-d', '--rm', '-e', 'A=1', '-p', '4000:80', 'busybox', 'sh', '-c', 'x']), GOLDEN_DETACHED);
});

test('create body for a foreground run with no flags matches the docker CLI', () => {
  assert.equal(body(['busybox']), GOLDEN_FOREGROUND);
});

test('create body with many flags matches the docker CLI', () => {
  const argv = [
    '-d', '--name', 'foo', '-w', '/w', '-u', '1000:1000', '--entrypoint', '/bin/sh', '-h', 'hh', '-l', 'a=b', '-l', 'c', '-i',
    '--ulimit', 'nofile=100:200', '--cap-add', 'NET_ADMIN', '--cap-drop', 'MKNOD', '--privileged', '--read-only',
    '--network', 'foo', '-v', '/test', '-v', '/home:/x:ro', '--restart', 'on-failure:3', '--stop-signal', 'SIGUSR1',
    '--stop-timeout', '7', '-p', '127.0.0.1:5000:5000/udp', '-p', '8080', 'busybox', '-c', 'x',
  ];
  assert.equal(body(argv), GOLDEN_MANY);
});

test('create request carries name and platform for the query string', () => {
  const flags = new Flags(parseFlags(['--name', 'web', '--platform', 'linux/amd64', 'img'], RUN_FLAGS, false));
  const req = buildCreateRequest(flags, {}, { attach: true });
  assert.equal(req.name, 'web');
  assert.equal(req.platform, 'linux/amd64');
  assert.equal(req.image, 'img');
});

test('create request refuses --restart together with --rm', () => {
  const flags = new Flags(parseFlags(['--rm', '--restart', 'always', 'img'], RUN_FLAGS, false));
  assert.throws(() => buildCreateRequest(flags, {}, { attach: true }), /--restart and --rm/);
});

test('env file lines skip comments and take bare names from the environment', () => {
  assert.deepEqual(readEnvFile('B=2\n# c\nC\n\nD=x y\nE\n', { C: 'cval' }), ['B=2', 'C=cval', 'D=x y']);
});

test('port ranges expand into one binding per port', () => {
  const flags = new Flags(parseFlags(['-p', '9000-9001:9000-9001', 'img'], RUN_FLAGS, false));
  const b = buildCreateRequest(flags, {}, { attach: true }).body as { HostConfig: { PortBindings: unknown } };
  assert.deepEqual(b.HostConfig.PortBindings, {
    '9000/tcp': [{ HostIp: '', HostPort: '9000' }],
    '9001/tcp': [{ HostIp: '', HostPort: '9001' }],
  });
});
