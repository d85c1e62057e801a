#!/usr/bin/python3
"""docker-py (Debian's python3-docker 5.0.3) against the daemon named by DOCKER_HOST.

Run by test/e2e/docker-py.test.ts with /usr/bin/python3. Every check prints "ok <name>" or
"FAIL <name>: <why>"; the script exits 1 if any check failed. The same script runs against
skiffd and against a private dockerd, so it tests what the client sees, not skiff's internals.

Environment:
  DOCKER_HOST     the daemon (unix://...)
  SUITE_TARGET    "skiff" or "dockerd": only the refusal check differs (dockerd supports
                  health checks, skiff refuses them with a 4xx naming the field)
  SUITE_REGISTRY  "127.0.0.1:<port>" of a registry with htpasswd auth, or empty to skip push/pull
  SUITE_REG_USER / SUITE_REG_PASSWORD  its credentials
  SUITE_SUBNET    a /24 for the user network (e.g. 10.199.7.0/24), chosen by the test
"""
import os
import sys
import time
import traceback
import uuid

import docker
from docker.errors import APIError, ContainerError, ImageNotFound, NotFound
from docker.types import IPAMConfig, IPAMPool

TARGET = os.environ.get('SUITE_TARGET', 'skiff')
REGISTRY = os.environ.get('SUITE_REGISTRY', '')
REG_USER = os.environ.get('SUITE_REG_USER', '')
REG_PASSWORD = os.environ.get('SUITE_REG_PASSWORD', '')
SUBNET = os.environ.get('SUITE_SUBNET', '10.199.77.0/24')
TAG = uuid.uuid4().hex[:8]  # names unique per run, so a rerun never meets leftovers

client = docker.from_env(timeout=120)
api = client.api
results = []


def check(fn):
    """Runs one check; a failure is recorded and printed, and the next check still runs."""
    name = fn.__name__.replace('_', ' ')
    try:
        fn()
        print('ok ' + name, flush=True)
        results.append(True)
    except Exception as e:  # noqa: BLE001 - every failure is reported, whatever its type
        print('FAIL %s: %s: %s' % (name, type(e).__name__, e), flush=True)
        traceback.print_exc(file=sys.stderr)
        results.append(False)
    return fn


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError('%s: expected %r, got %r' % (what, expected, actual))


def truthy(value, what):
    if not value:
        raise AssertionError(what)


def raw_status(method, path, versioned=True):
    """One request without docker-py's error mapping, to see the status a client really gets."""
    url = api._url(path, versioned_api=versioned)
    res = getattr(api, '_' + method)(url)
    return res.status_code, res.text


@check
def ping_and_version_on_unversioned_paths():
    truthy(client.ping(), 'ping answered false')
    v = client.version()  # docker-py negotiates its API version from an unversioned GET /version
    truthy(v.get('ApiVersion'), 'no ApiVersion in %r' % v)
    status, body = raw_status('get', '/containers/json', versioned=False)
    eq(status, 200, 'unversioned GET /containers/json status (%s)' % body[:200])
    truthy(isinstance(client.info().get('Containers'), int), 'info has no Containers count')


@check
def run_returns_output():
    out = client.containers.run('busybox', ['sh', '-c', 'echo hello; echo to-stderr >&2'], remove=True)
    eq(out, b'hello\n', 'run output (stdout only by default)')
    both = client.containers.run('busybox', ['sh', '-c', 'echo a; echo b >&2'], stderr=True, remove=True)
    eq(sorted(both.splitlines()), [b'a', b'b'], 'run output with stderr')


@check
def run_failure_raises_container_error_with_stderr():
    try:
        client.containers.run('busybox', ['sh', '-c', 'echo boom >&2; exit 7'], remove=True)
    except ContainerError as e:
        eq(e.exit_status, 7, 'exit status')
        truthy(b'boom' in (e.stderr or b''), 'stderr %r lacks boom' % e.stderr)
        return
    raise AssertionError('no ContainerError for exit 7')


@check
def run_missing_image_is_not_found():
    try:
        client.containers.create('no-such-image-%s:latest' % TAG)
    except ImageNotFound:
        return
    raise AssertionError('creating from a missing image did not raise ImageNotFound')


LABELS = {
    'com.example.suite': 'docker-py',
    'com.example.eq': 'a=b=c',
    'com.example.empty': '',
    'com.example.unicode': 'zürich ☃',
    'com.example.spaces': '  padded  ',
}


@check
def detach_labels_and_filters():
    c = client.containers.run('busybox', ['sleep', '300'], detach=True, name='dpy-detach-' + TAG, labels=LABELS)
    try:
        c.reload()
        eq(c.status, 'running', 'status')
        eq(c.name, 'dpy-detach-' + TAG, 'name')
        eq(c.labels, LABELS, 'labels round trip')
        eq(c.attrs['Config']['Labels'], LABELS, 'Config.Labels')
        truthy('busybox:latest' in c.image.tags, 'image tags %r' % c.image.tags)
        by_label = client.containers.list(filters={'label': 'com.example.eq=a=b=c'})
        eq([x.id for x in by_label], [c.id], 'label=k=v filter')
        by_key = client.containers.list(filters={'label': ['com.example.suite', 'com.example.empty']})
        eq([x.id for x in by_key], [c.id], 'two label keys filter')
        eq(client.containers.list(filters={'label': 'com.example.suite=other'}), [], 'label with another value')
        eq([x.id for x in client.containers.list(filters={'name': 'dpy-detach-' + TAG})], [c.id], 'name filter')
        eq([x.id for x in client.containers.list(filters={'id': c.id[:12]})], [c.id], 'id prefix filter')
        eq([x.id for x in client.containers.list(filters={'status': 'running', 'label': 'com.example.suite'})],
           [c.id], 'status+label filter')
        eq(client.containers.get(c.id[:10]).id, c.id, 'get by short id')
        eq(client.containers.get('dpy-detach-' + TAG).id, c.id, 'get by name')
    finally:
        c.remove(force=True)
    try:
        client.containers.get(c.id)
    except NotFound:
        return
    raise AssertionError('removed container still found')


@check
def exec_run_exit_codes_and_output():
    c = client.containers.run('busybox', ['sleep', '300'], detach=True)
    try:
        r = c.exec_run(['sh', '-c', 'echo out; exit 3'])
        eq(r.exit_code, 3, 'exec exit code')
        eq(r.output, b'out\n', 'exec output')
        eq(c.exec_run('true').exit_code, 0, 'exit code of true')
        r = c.exec_run(['sh', '-c', 'echo o; echo e >&2'], demux=True)
        eq(r.output, (b'o\n', b'e\n'), 'demuxed output')
        r = c.exec_run(['sh', '-c', 'echo $FOO; pwd; id -u'], environment={'FOO': 'bar'}, workdir='/tmp', user='1000')
        eq(r.output, b'bar\n/tmp\n1000\n', 'env, workdir and user')
        r = c.exec_run(['sh', '-c', 'tty >/dev/null && echo tty'], tty=True)
        eq((r.exit_code, r.output.strip()), (0, b'tty'), 'exec with a tty')
        r = c.exec_run(['sh', '-c', 'for i in 1 2 3; do echo s$i; done'], stream=True)
        eq(r.exit_code, None, 'streamed exec has no exit code yet')
        eq(b''.join(r.output), b's1\ns2\ns3\n', 'streamed exec output')
        r = c.exec_run(['sh', '-c', 'echo bg > /tmp/bg'], detach=True)
        truthy(not r.output, 'detached exec gave output %r' % (r.output,))
        deadline = time.time() + 10
        while c.exec_run(['cat', '/tmp/bg']).output != b'bg\n':
            truthy(time.time() < deadline, 'detached exec did not run')
            time.sleep(0.1)
        # The low-level calls: exec_inspect reports the code once the process is gone.
        eid = api.exec_create(c.id, ['sh', '-c', 'exit 5'])['Id']
        api.exec_start(eid)
        eq(api.exec_inspect(eid)['ExitCode'], 5, 'exec_inspect ExitCode')
        eq(api.exec_inspect(eid)['Running'], False, 'exec_inspect Running')
        eq(c.exec_run(['no-such-binary']).exit_code in (126, 127), True, 'missing binary exit code')
    finally:
        c.remove(force=True)


@check
def logs_plain_stream_follow_tail_timestamps():
    c = client.containers.run('busybox', ['sh', '-c', 'for i in 1 2 3 4; do echo line$i; sleep 0.3; done; echo err >&2'],
                              detach=True)
    try:
        followed = b''.join(c.logs(stream=True, follow=True))  # ends when the container exits
        eq(followed, b'line1\nline2\nline3\nline4\nerr\n', 'followed logs')
        eq(c.wait(timeout=30)['StatusCode'], 0, 'wait status')
        eq(c.logs(stderr=False), b'line1\nline2\nline3\nline4\n', 'stdout only')
        eq(c.logs(stdout=False), b'err\n', 'stderr only')
        eq(c.logs(tail=2), b'line4\nerr\n', 'tail=2')
        stamped = c.logs(timestamps=True, tail=1).decode()
        truthy(stamped.endswith(' err\n') and stamped[:4].isdigit() and 'T' in stamped, 'timestamped line %r' % stamped)
        eq(c.logs(since=int(time.time()) + 3600), b'', 'since the future')
        lines = list(c.logs(stream=True))
        eq(b''.join(lines), b'line1\nline2\nline3\nline4\nerr\n', 'streamed without follow')
    finally:
        c.remove(force=True)


@check
def stop_t0_restart_wait_and_304s():
    c = client.containers.run('busybox', ['sleep', '300'], detach=True)
    try:
        status, _ = raw_status('post', '/containers/%s/start' % c.id)
        eq(status, 304, 'start of a running container')
        t = time.time()
        c.stop(timeout=0)  # POST /containers/{id}/stop?t=0: straight to SIGKILL
        truthy(time.time() - t < 8, 'stop?t=0 took %.1fs' % (time.time() - t))
        c.reload()
        eq((c.status, c.attrs['State']['ExitCode']), ('exited', 137), 'state after stop t=0')
        status, _ = raw_status('post', '/containers/%s/stop' % c.id)
        eq(status, 304, 'stop of a stopped container')
        eq(c.wait()['StatusCode'], 137, 'wait on an exited container')
        c.restart(timeout=0)
        c.reload()
        eq(c.status, 'running', 'status after restart')
        c.kill(signal='SIGKILL')
        eq(c.wait(timeout=30)['StatusCode'], 137, 'wait after kill')
        eq(client.containers.list(all=True, filters={'id': c.id, 'status': 'exited'})[0].id, c.id, 'exited filter')
        eq(client.containers.list(filters={'id': c.id}), [], 'not in the running list')
    finally:
        c.remove(force=True)


@check
def unsupported_requests_get_a_clear_4xx():
    hc = {'test': ['CMD', 'true'], 'interval': 1000000000}
    if TARGET == 'dockerd':
        c = client.containers.create('busybox', ['true'], healthcheck=hc)
        eq(c.attrs['Config']['Healthcheck']['Test'], ['CMD', 'true'], 'dockerd keeps the health check')
        c.remove()
        eq(client.plugins.list(), [], 'dockerd lists no plugins')
        return
    try:
        client.containers.create('busybox', ['true'], healthcheck=hc)
    except APIError as e:
        truthy(400 <= e.status_code < 500, 'status %s is not a 4xx' % e.status_code)
        truthy('health' in str(e.explanation).lower(), 'message %r does not name health checks' % e.explanation)
    else:
        raise AssertionError('a health check was accepted silently')
    # An endpoint skiff lacks altogether: a 404 that says which one, not a bare "page not found".
    try:
        client.plugins.list()
    except APIError as e:
        eq(e.status_code, 404, 'status of GET /plugins')
        truthy('GET /plugins' in str(e.explanation), 'message %r does not name the endpoint' % e.explanation)
    else:
        raise AssertionError('GET /plugins answered 2xx')


@check
def conflicts_and_bad_requests_get_dockers_statuses():
    c = client.containers.create('busybox', ['sleep', '300'], name='dpy-conflict-' + TAG)
    try:
        for what, fn, status in [
            ('duplicate name', lambda: client.containers.create('busybox', ['true'], name='dpy-conflict-' + TAG), 409),
            ('rename to its own name', lambda: c.rename('dpy-conflict-' + TAG), 400),
            ('exec in a created container', lambda: c.exec_run('true'), 409),
            ('kill a created container', lambda: c.kill(), 409),
            ('unknown container filter', lambda: client.containers.list(filters={'bogus': 'x'}), 400),
            ('missing exec instance', lambda: api.exec_inspect('nosuch' + TAG), 404),
            ('missing volume', lambda: client.volumes.get('nosuch' + TAG), 404),
            ('missing network', lambda: client.networks.get('nosuch' + TAG), 404),
        ]:
            try:
                fn()
            except APIError as e:
                eq(e.status_code, status, what + ' (%s)' % e.explanation)
            else:
                raise AssertionError(what + ' succeeded')
    finally:
        c.remove(force=True)


@check
def images_list_get_tag_commit_remove():
    names = [t for i in client.images.list() for t in i.tags]
    truthy('busybox:latest' in names, 'busybox:latest not in %r' % names)
    eq([i.tags for i in client.images.list(name='busybox')], [['busybox:latest']], 'list(name=busybox)')
    img = client.images.get('busybox')
    eq(img.id, client.images.get(img.id[7:19]).id, 'get by short id')
    truthy(img.tag('dpy/tagged-' + TAG, 'v1'), 'tag returned false')
    eq(sorted(client.images.get(img.id).tags), sorted(['busybox:latest', 'dpy/tagged-%s:v1' % TAG]), 'tags after tag')
    ids = [i.id for i in client.images.list(filters={'reference': 'dpy/tagged-%s' % TAG})]
    eq(ids, [img.id], 'reference filter')
    c = client.containers.run('busybox', ['sh', '-c', 'echo x > /committed'], detach=True)
    try:
        c.wait(timeout=30)
        committed = c.commit('dpy/committed-' + TAG, 'v1', changes=['LABEL com.example.img=yes'])
    finally:
        c.remove()
    eq(committed.labels, {'com.example.img': 'yes'}, 'committed labels')
    eq([i.id for i in client.images.list(filters={'label': 'com.example.img=yes'})], [committed.id], 'label filter')
    out = client.containers.run(committed.id, ['cat', '/committed'], remove=True)
    eq(out, b'x\n', 'committed file')
    truthy(any(h.get('Id') for h in img.history()) or img.history(), 'no history')
    client.images.remove('dpy/tagged-%s:v1' % TAG)
    # Untagged, the commit is dangling: a prune with a label filter that misses it keeps it,
    # one that names its label removes it, and busybox (tagged) stays either way.
    # Moving its tag to busybox leaves the commit dangling, as a rebuild does.
    truthy(img.tag('dpy/committed-' + TAG, 'v1'), 'moving the tag')
    client.images.remove('dpy/committed-%s:v1' % TAG)
    eq(client.images.get(committed.id).tags, [], 'tags of the commit')
    truthy(committed.id in [i.id for i in client.images.list(filters={'dangling': True})], 'commit is not dangling')
    eq(client.images.prune(filters={'dangling': True, 'label': 'com.example.img=no'}).get('ImagesDeleted') or [], [],
       'prune with a label nobody has')
    pruned = client.images.prune(filters={'label': 'com.example.img=yes'})
    truthy({'Deleted': committed.id} in (pruned.get('ImagesDeleted') or []), 'prune answered %r' % pruned)
    eq(sorted(client.images.get(img.id).tags), ['busybox:latest'], 'tags after untag')
    try:
        client.images.get(committed.id)
    except ImageNotFound:
        return
    raise AssertionError('pruned image still found')


@check
def push_and_pull_through_a_local_registry():
    if not REGISTRY:
        print('skip push/pull: no registry', flush=True)
        return
    auth = {'username': REG_USER, 'password': REG_PASSWORD}
    login = client.login(username=REG_USER, password=REG_PASSWORD, registry=REGISTRY, reauth=True)
    truthy('Succeeded' in str(login.get('Status', '')), 'login answered %r' % login)
    repo = '%s/dpy/bb-%s' % (REGISTRY, TAG)
    truthy(client.images.get('busybox').tag(repo, 'v1'), 'tag for push')
    events = list(client.images.push(repo, 'v1', auth_config=auth, stream=True, decode=True))
    errors = [e for e in events if 'error' in e or 'errorDetail' in e]
    eq(errors, [], 'push errors')
    digests = [e['aux']['Digest'] for e in events if 'aux' in e and 'Digest' in e['aux']]
    truthy(digests and digests[0].startswith('sha256:'), 'push gave no digest: %r' % events[-3:])
    client.images.remove('%s:v1' % repo)
    try:
        client.images.push(repo, 'missing', auth_config=auth)
    except APIError:
        pass  # dockerd refuses an unknown tag up front
    else:
        pass  # or reports it in the stream: either way nothing was pushed
    pulled = client.images.pull(repo, tag='v1', auth_config=auth)
    eq(pulled.id, client.images.get('busybox').id, 'pulled image id')
    truthy('%s:v1' % repo in pulled.tags, 'pulled tags %r' % pulled.tags)
    truthy(any(d.startswith(repo + '@sha256:') for d in pulled.attrs.get('RepoDigests', [])),
           'RepoDigests %r' % pulled.attrs.get('RepoDigests'))
    eq(client.containers.run(repo + ':v1', ['echo', 'pulled'], remove=True), b'pulled\n', 'run pulled image')
    try:
        client.images.pull(repo, tag='nope', auth_config=auth)
    except (NotFound, APIError) as e:
        truthy('nope' in str(e) or 'not found' in str(e).lower() or 'unknown' in str(e).lower(), 'error %s' % e)
    else:
        raise AssertionError('pulling a missing tag succeeded')
    client.images.remove('%s:v1' % repo)


@check
def volumes_create_list_mount_remove():
    name = 'dpy-vol-' + TAG
    labels = {'com.example.vol': 'v=1', 'com.example.empty': ''}
    v = client.volumes.create(name, driver='local', labels=labels)
    eq((v.name, v.attrs['Driver'], v.attrs['Labels']), (name, 'local', labels), 'created volume')
    eq(client.volumes.get(name).attrs['Labels'], labels, 'inspected labels')
    eq([x.name for x in client.volumes.list(filters={'label': 'com.example.vol=v=1'})], [name], 'label filter')
    eq([x.name for x in client.volumes.list(filters={'name': name})], [name], 'name filter')
    client.containers.run('busybox', ['sh', '-c', 'echo kept > /data/f'], volumes={name: {'bind': '/data', 'mode': 'rw'}},
                          remove=True)
    out = client.containers.run('busybox', ['cat', '/data/f'], volumes=[name + ':/data:ro'], remove=True)
    eq(out, b'kept\n', 'data in the volume')
    try:
        client.containers.run('busybox', ['sh', '-c', 'echo no > /data/g'], volumes=[name + ':/data:ro'], remove=True)
    except ContainerError:
        pass
    else:
        raise AssertionError('wrote to a read-only volume')
    c = client.containers.create('busybox', ['true'], volumes=[name + ':/data'])
    try:
        v.remove()
    except APIError as e:
        eq(e.status_code, 409, 'removing a volume in use')
    else:
        raise AssertionError('removed a volume in use')
    c.remove()
    v.remove()
    try:
        client.volumes.get(name)
    except NotFound:
        return
    raise AssertionError('removed volume still found')


@check
def networks_create_connect_disconnect_remove():
    name = 'dpy-net-' + TAG
    labels = {'com.example.net': 'n=' + TAG}
    ipam = IPAMConfig(pool_configs=[IPAMPool(subnet=SUBNET)])
    n = client.networks.create(name, driver='bridge', labels=labels, ipam=ipam)
    try:
        n.reload()
        eq((n.name, n.attrs['Driver'], n.attrs['Labels']), (name, 'bridge', labels), 'created network')
        eq(n.attrs['IPAM']['Config'][0]['Subnet'], SUBNET, 'subnet')
        eq([x.id for x in client.networks.list(names=[name])], [n.id], 'names filter')
        eq([x.id for x in client.networks.list(filters={'label': 'com.example.net=n=' + TAG})], [n.id], 'label filter')
        eq([x.id for x in client.networks.list(ids=[n.id])], [n.id], 'ids filter')
        c = client.containers.run('busybox', ['sleep', '300'], detach=True, network=name, name='dpy-netc-' + TAG)
        try:
            c.reload()
            ip = c.attrs['NetworkSettings']['Networks'][name]['IPAddress']
            truthy(ip.startswith(SUBNET.rsplit('.', 1)[0] + '.'), 'address %r outside %s' % (ip, SUBNET))
            n.reload()
            eq([x.id for x in n.containers], [c.id], 'network containers')
            # The second container starts on another user network and joins this one while running.
            side = client.networks.create('dpy-side-' + TAG, ipam=IPAMConfig(
                pool_configs=[IPAMPool(subnet='10.196.%s.0/24' % SUBNET.split('.')[2])]))
            other = client.containers.run('busybox', ['sleep', '300'], detach=True, network=side.name)
            try:
                n.connect(other, aliases=['buddy'])
                other.reload()
                truthy(name in other.attrs['NetworkSettings']['Networks'], 'connect did not attach')
                r = other.exec_run(['ping', '-c', '1', '-W', '5', ip])
                eq(r.exit_code, 0, 'ping across the network: %r' % r.output)
                n.disconnect(other)
                other.reload()
                truthy(name not in other.attrs['NetworkSettings']['Networks'], 'disconnect did not detach')
            finally:
                other.remove(force=True)
                side.remove()
            try:
                n.remove()
            except APIError as e:
                truthy(400 <= e.status_code < 500, 'removing a network in use: %s' % e.status_code)
            else:
                raise AssertionError('removed a network in use')
        finally:
            c.remove(force=True)
    finally:
        # dockerd 20.10 releases a force-removed container's endpoint a moment after answering,
        # so "has active endpoints" may still come back once or twice.
        deadline = time.time() + 10
        while True:
            try:
                n.remove()
                break
            except NotFound:
                break
            except APIError as e:
                if 'active endpoints' not in str(e) or time.time() > deadline:
                    raise
                time.sleep(0.2)
    try:
        client.networks.get(n.id)
    except NotFound:
        pass
    else:
        raise AssertionError('removed network still found')
    # A filtered prune removes only the unused networks the filter selects.
    octet = SUBNET.split('.')[2]
    keep = client.networks.create('dpy-keep-' + TAG, labels={'com.example.prune': 'keep'},
                                  ipam=IPAMConfig(pool_configs=[IPAMPool(subnet='10.198.%s.0/24' % octet)]))
    drop = client.networks.create('dpy-drop-' + TAG, labels={'com.example.prune': 'drop'},
                                  ipam=IPAMConfig(pool_configs=[IPAMPool(subnet='10.197.%s.0/24' % octet)]))
    try:
        pruned = client.networks.prune(filters={'label': 'com.example.prune=drop'})
        eq(pruned.get('NetworksDeleted'), ['dpy-drop-' + TAG], 'pruned networks')
        eq(client.networks.get(keep.id).name, 'dpy-keep-' + TAG, 'kept network')
    finally:
        keep.remove()
        try:
            drop.remove()
        except NotFound:
            pass


passed = sum(1 for r in results if r)
print('docker-py suite: %d passed, %d failed' % (passed, len(results) - passed), flush=True)
sys.exit(0 if passed == len(results) else 1)
