/**
 * The Dockerfile case table. Each case is a context (Dockerfile + files) built with the legacy
 * builder; what real Docker (dockerd 20.10, DOCKER_BUILDKIT=0) gives for it — build output,
 * error text, history rows, image config and the output of an optional `run` — is recorded by
 * record.ts into test/fixtures/dockerfile-cases.json, and the e2e suite asserts skiff gives the
 * same. Nothing here states an expected result: only inputs.
 */
export interface DockerfileCase {
  name: string;
  dockerfile: string;
  /** Context files; `{ base64 }` for binary ones. `.dockerignore` goes here too. */
  files?: Record<string, string | { base64: string }>;
  /** Extra `docker build` flags (`--build-arg`, `--target`, `-f`, …). */
  args?: string[];
  /** A command run in the built image (`docker run --rm <img> …run`); its stdout is recorded. */
  run?: string[];
  /**
   * Where skiff deliberately differs from the legacy builder, the Dockerfile Docker is given
   * instead (the same meaning in a form dockerd 20.10 understands), and which recorded fields
   * to compare. Used for BuildKit-era features the legacy builder predates (heredocs).
   */
  oracleDockerfile?: string;
  compare?: Array<'output' | 'error' | 'history' | 'config' | 'run' | 'code'>;
  /** Why the comparison is narrowed (shown in the test name). */
  note?: string;
}

const df = (...lines: string[]) => lines.join('\n') + '\n';

const TGZ =
  'H4sIAAAAAAAAA+3VzQ6CMAzA8Z19ij2BlJWx59GgwYRIwkfi4wt4kgPEwyDq/3fpYYc267qWx+7RmbhkkGfZFAfzOJ6a1KtoKupyZyQVr2qsRK5r0rfdqbHWNHW9eA9r51+qvFRVfdi7CuylSOLnGCc8eL8w//I+/xJCcMb6+KX9/fwXSdufI7+Bj/s//P+50v8tvPp/jZpjff/rvP/BZez/LdzuLH8AAAAAAAAAAAAA+AVPVE8gKAAoAAA=';

export const CASES: DockerfileCase[] = [
  // ---- parsing
  { name: 'comments and line continuations', dockerfile: df('FROM busybox', '# a comment', 'ENV A=1 \\', '  B=2', 'LABEL x=y \\', '# inside a continuation', '  z=w', 'RUN echo $A \\', '    $B') },
  { name: 'escape directive backtick', dockerfile: df('# escape=`', 'FROM busybox', 'ENV P=C:\\path', 'RUN echo one `', '  two'), run: ['sh', '-c', 'echo $P'] },
  { name: 'syntax directive is ignored', dockerfile: df('# syntax=docker/dockerfile:1', 'FROM busybox', 'CMD echo hi'), run: [] },
  { name: 'lower case instructions', dockerfile: df('from busybox', 'env a=b', 'cmd ["echo", "lower"]'), run: [] },
  { name: 'leading whitespace and tabs', dockerfile: df('  FROM busybox', '\tENV X=1', '    RUN echo $X') },
  { name: 'blank continuation line', dockerfile: df('FROM busybox', 'RUN echo a \\', '', '  b') },
  { name: 'trailing blanks after the continuation', dockerfile: df('FROM busybox', 'RUN echo a \\   ', '  b') },
  { name: 'non-string JSON array', dockerfile: df('FROM busybox', 'CMD ["echo", 1]') },
  { name: 'malformed JSON falls back to shell form', dockerfile: df('FROM busybox', 'CMD [echo, hi]') },
  { name: 'unknown instruction', dockerfile: df('FROM busybox', 'FOO bar') },
  { name: 'instruction without arguments', dockerfile: df('FROM busybox', 'ENV') },
  { name: 'empty Dockerfile', dockerfile: '\n' },
  { name: 'only comments', dockerfile: df('# nothing', '# here') },
  { name: 'instruction before FROM', dockerfile: df('ENV A=b', 'FROM busybox') },
  { name: 'FROM with two words', dockerfile: df('FROM busybox extra') },
  { name: 'unknown flag', dockerfile: df('FROM busybox', 'COPY --foo=x a.txt /'), files: { 'a.txt': 'a\n' } },
  { name: 'MAINTAINER sets the author', dockerfile: df('FROM busybox', 'MAINTAINER Jane Doe <jane@example.com>', 'ENV X=1') },
  // ---- ENV, LABEL and word expansion
  { name: 'ENV legacy form keeps spaces', dockerfile: df('FROM busybox', 'ENV GREETING hello   big world'), run: ['sh', '-c', 'echo "$GREETING"'] },
  { name: 'ENV with a key only', dockerfile: df('FROM busybox', 'ENV LONELY') },
  { name: 'ENV quotes and escapes', dockerfile: df('FROM busybox', 'ENV A="two words" B=one\\ two C=\'$NOPE\' D=\\$HOME'), run: ['sh', '-c', 'echo "$A|$B|$C|$D"'] },
  { name: 'ENV on one line sees the old values', dockerfile: df('FROM busybox', 'ENV A=old', 'ENV A=new B=$A'), run: ['sh', '-c', 'echo $A $B'] },
  { name: 'default and alternative expansion', dockerfile: df('FROM busybox', 'ENV SET=yes EMPTY=', 'ENV R1=${UNSET:-d1} R2=${EMPTY:-d2} R3=${EMPTY-d3} R4=${SET:+alt} R5=${UNSET:+alt} R6=${SET}x'), run: ['sh', '-c', 'echo "$R1|$R2|$R3|$R4|$R5|$R6"'] },
  { name: 'required variable missing', dockerfile: df('FROM busybox', 'ENV A=${NOPE:?is required}') },
  { name: 'nested default expansion', dockerfile: df('FROM busybox', 'ENV X=${A:-${B:-inner}}'), run: ['sh', '-c', 'echo $X'] },
  { name: 'LABEL with quotes and variables', dockerfile: df('FROM busybox', 'ENV V=1.2', 'LABEL version=$V "with space"="a b" single=\'$V\'') },
  { name: 'LABEL legacy form', dockerfile: df('FROM busybox', 'LABEL description some text here') },
  { name: 'WORKDIR relative chain and variables', dockerfile: df('FROM busybox', 'ENV D=/data', 'WORKDIR $D/sub', 'WORKDIR rel', 'WORKDIR ../other'), run: ['pwd'] },
  { name: 'WORKDIR that exists adds an empty layer', dockerfile: df('FROM busybox', 'WORKDIR /tmp', 'WORKDIR /etc') },
  { name: 'USER with a variable', dockerfile: df('FROM busybox', 'ENV U=nobody', 'USER $U', 'RUN id -un') },
  { name: 'EXPOSE forms', dockerfile: df('FROM busybox', 'ENV P=9000', 'EXPOSE 80 443/tcp 53/udp $P', 'EXPOSE 7000-7001') },
  { name: 'VOLUME json and shell forms', dockerfile: df('FROM busybox', 'ENV V=/v3', 'VOLUME ["/v1", "/v2"]', 'VOLUME $V /v4') },
  { name: 'STOPSIGNAL and HEALTHCHECK', dockerfile: df('FROM busybox', 'STOPSIGNAL SIGUSR1', 'HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD wget -q localhost || exit 1') },
  { name: 'HEALTHCHECK NONE', dockerfile: df('FROM busybox', 'HEALTHCHECK NONE') },
  { name: 'COPY destination from a variable', dockerfile: df('FROM busybox', 'ENV DEST=/opt/app/', 'COPY a.txt $DEST'), files: { 'a.txt': 'a\n' }, run: ['cat', '/opt/app/a.txt'] },
  // ---- ARG scoping
  { name: 'ARG default in RUN history', dockerfile: df('FROM busybox', 'ARG V=dflt', 'RUN echo v=$V > /v'), run: ['cat', '/v'] },
  { name: 'ARG overridden by build arg', dockerfile: df('FROM busybox', 'ARG V=dflt', 'RUN echo v=$V > /v'), args: ['--build-arg', 'V=given'], run: ['cat', '/v'] },
  { name: 'ARG without a value', dockerfile: df('FROM busybox', 'ARG V', 'RUN echo "[$V]"') },
  { name: 'unused build arg warns', dockerfile: df('FROM busybox', 'RUN true'), args: ['--build-arg', 'UNUSED=1'] },
  { name: 'ENV wins over ARG', dockerfile: df('FROM busybox', 'ARG V=fromarg', 'ENV V=fromenv', 'RUN echo $V'), args: ['--build-arg', 'V=given'] },
  { name: 'proxy args need no ARG and stay out of history', dockerfile: df('FROM busybox', 'RUN echo proxy=$HTTP_PROXY'), args: ['--build-arg', 'HTTP_PROXY=http://proxy:3128'] },
  { name: 'ARG before FROM picks the base', dockerfile: df('ARG BASE=busybox', 'FROM $BASE', 'RUN echo base=$BASE') },
  { name: 'meta ARG redeclared in the stage', dockerfile: df('ARG V=meta', 'FROM busybox', 'ARG V', 'RUN echo v=$V'), args: [] },
  { name: 'ARG is not kept in the image env', dockerfile: df('FROM busybox', 'ARG SECRET=s', 'RUN echo $SECRET > /s'), run: ['sh', '-c', 'echo "[$SECRET]"; cat /s'] },
  { name: 'ARG scope ends at the next stage', dockerfile: df('FROM busybox AS a', 'ARG X=1', 'FROM busybox', 'RUN echo "x=[$X]"'), compare: ['code', 'error', 'history', 'config', 'run'], note: 'skiff skips the unneeded stage (BuildKit behaviour), so its step lines differ' },
  // ---- ENTRYPOINT, CMD, SHELL
  { name: 'CMD shell form', dockerfile: df('FROM busybox', 'CMD echo "shell $HOME"'), run: [] },
  { name: 'CMD exec form', dockerfile: df('FROM busybox', 'CMD ["echo", "exec", "$HOME"]'), run: [] },
  { name: 'ENTRYPOINT exec with CMD exec', dockerfile: df('FROM busybox', 'ENTRYPOINT ["echo", "ep"]', 'CMD ["default"]'), run: [] },
  { name: 'ENTRYPOINT exec with run arguments', dockerfile: df('FROM busybox', 'ENTRYPOINT ["echo", "ep"]', 'CMD ["default"]'), run: ['given'] },
  { name: 'ENTRYPOINT shell form ignores CMD', dockerfile: df('FROM busybox', 'ENTRYPOINT echo shell-ep', 'CMD ["ignored"]'), run: [] },
  { name: 'CMD before ENTRYPOINT is kept', dockerfile: df('FROM busybox', 'CMD ["kept"]', 'ENTRYPOINT ["echo"]'), run: [] },
  { name: 'ENTRYPOINT resets an inherited CMD', dockerfile: df('FROM busybox AS base', 'CMD ["inherited"]', 'FROM base', 'ENTRYPOINT ["echo", "only-ep"]'), run: [] },
  { name: 'empty CMD and ENTRYPOINT arrays', dockerfile: df('FROM busybox', 'ENTRYPOINT []', 'CMD []') },
  { name: 'SHELL changes RUN, CMD and ENTRYPOINT shell forms', dockerfile: df('FROM busybox', 'SHELL ["/bin/sh", "-ec"]', 'RUN echo via-ec', 'ENV X=1', 'CMD echo cmd-$X'), run: [] },
  { name: 'SHELL needs JSON form', dockerfile: df('FROM busybox', 'SHELL /bin/sh -c') },
  { name: 'RUN exec form does not expand', dockerfile: df('FROM busybox', 'ENV X=1', 'RUN ["echo", "$X"]') },
  // ---- multi-stage and --target
  { name: 'COPY --from by index', dockerfile: df('FROM busybox', 'RUN echo one > /one', 'FROM busybox', 'COPY --from=0 /one /copied'), run: ['cat', '/copied'] },
  { name: 'COPY --from a named stage in upper case', dockerfile: df('FROM busybox AS Builder', 'RUN echo built > /b', 'FROM busybox', 'COPY --from=BUILDER /b /b'), run: ['cat', '/b'] },
  { name: 'COPY --from an image', dockerfile: df('FROM scratch', 'COPY --from=busybox /bin/busybox /busybox', 'CMD ["/busybox", "echo", "from-image"]'), run: [] },
  { name: 'FROM a stage inherits its config', dockerfile: df('FROM busybox AS base', 'ENV FROMBASE=1', 'WORKDIR /w', 'FROM base', 'RUN pwd'), run: ['sh', '-c', 'echo $FROMBASE'] },
  { name: '--target stops at the stage', dockerfile: df('FROM busybox AS a', 'RUN echo a > /a', 'FROM busybox AS b', 'RUN echo b > /b', 'FROM busybox AS c', 'RUN echo c > /c'), args: ['--target', 'b'], run: ['ls', '/a', '/b', '/c'], compare: ['code', 'error', 'history', 'config', 'run'], note: 'skiff skips the unneeded stage (BuildKit behaviour), so its step lines differ' },
  {
    name: '--target skips stages it does not need',
    dockerfile: df('FROM busybox AS unused', 'RUN echo unused', 'FROM busybox AS wanted', 'RUN echo wanted > /w'),
    args: ['--target', 'wanted'],
    run: ['cat', '/w'],
    compare: ['code', 'config', 'run'],
    note: 'skiff skips stages the target does not need, as BuildKit does; dockerd 20.10 legacy builds them',
  },
  { name: '--target that does not exist', dockerfile: df('FROM busybox AS a', 'RUN true'), args: ['--target', 'nope'] },
  { name: 'duplicate stage name', dockerfile: df('FROM busybox AS a', 'FROM busybox AS a') },
  { name: 'invalid stage name', dockerfile: df('FROM busybox AS 1bad') },
  { name: 'FROM an image that does not exist', dockerfile: df('FROM nosuch/image:1'), compare: ['code', 'output'], note: 'dockerd tries the network here; skiff has no registry to ask' },
  { name: 'FROM scratch with COPY', dockerfile: df('FROM scratch', 'COPY a.txt /a.txt'), files: { 'a.txt': 'a\n' } },
  // ---- COPY / ADD
  { name: 'COPY a directory copies its contents', dockerfile: df('FROM busybox', 'COPY dir /dst/'), files: { 'dir/x': 'x\n', 'dir/sub/y': 'y\n' }, run: ['find', '/dst'] },
  { name: 'COPY with wildcards', dockerfile: df('FROM busybox', 'COPY *.txt /dst/'), files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.md': 'c\n' }, run: ['ls', '/dst'] },
  { name: 'COPY several files to a path without slash', dockerfile: df('FROM busybox', 'COPY a.txt b.txt /dst'), files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } },
  { name: 'COPY a missing file', dockerfile: df('FROM busybox', 'COPY missing.txt /'), files: {} },
  { name: 'COPY from outside the context', dockerfile: df('FROM busybox', 'COPY ../outside /'), files: {} },
  { name: 'COPY --chown by name', dockerfile: df('FROM busybox', 'COPY --chown=nobody:nogroup a.txt /a.txt'), files: { 'a.txt': 'a\n' }, run: ['stat', '-c', '%U:%G %a', '/a.txt'] },
  { name: 'COPY --chown by number', dockerfile: df('FROM busybox', 'COPY --chown=1234:5678 a.txt /a.txt'), files: { 'a.txt': 'a\n' }, run: ['stat', '-c', '%u:%g', '/a.txt'] },
  { name: 'COPY relative to WORKDIR', dockerfile: df('FROM busybox', 'WORKDIR /app', 'COPY a.txt sub/'), files: { 'a.txt': 'a\n' }, run: ['cat', '/app/sub/a.txt'] },
  { name: 'ADD a gzipped tar extracts it', dockerfile: df('FROM busybox', 'ADD arch.tgz /x/'), files: { 'arch.tgz': { base64: TGZ } }, run: ['find', '/x'] },
  { name: 'COPY a gzipped tar does not extract it', dockerfile: df('FROM busybox', 'COPY arch.tgz /x/'), files: { 'arch.tgz': { base64: TGZ } }, run: ['find', '/x'] },
  // ---- .dockerignore
  { name: 'dockerignore with negation', dockerfile: df('FROM busybox', 'COPY . /ctx/'), files: { '.dockerignore': '*.log\n!keep.log\n', 'a.log': 'a\n', 'keep.log': 'k\n', 'x.txt': 'x\n' }, run: ['ls', '-A', '/ctx'] },
  { name: 'dockerignore double star', dockerfile: df('FROM busybox', 'COPY . /ctx/'), files: { '.dockerignore': '**/*.tmp\n', 'a.tmp': 'a\n', 'd/b.tmp': 'b\n', 'd/c.txt': 'c\n' }, run: ['find', '/ctx'] },
  { name: 'dockerignore excluding a directory but one file in it', dockerfile: df('FROM busybox', 'COPY . /ctx/'), files: { '.dockerignore': 'd\n!d/keep\n', 'd/keep': 'k\n', 'd/drop': 'x\n', 'top': 't\n' }, run: ['find', '/ctx'] },
  { name: 'dockerignore can list the Dockerfile', dockerfile: df('FROM busybox', 'COPY . /ctx/'), files: { '.dockerignore': 'Dockerfile\n.dockerignore\n', 'f': 'f\n' }, run: ['ls', '-A', '/ctx'] },
  { name: 'COPY of an ignored file', dockerfile: df('FROM busybox', 'COPY secret.txt /'), files: { '.dockerignore': 'secret.txt\n', 'secret.txt': 's\n' } },
  { name: 'custom Dockerfile path', dockerfile: df('FROM busybox', 'CMD ["echo", "wrong file"]'), files: { 'build/Custom.df': df('FROM busybox', 'CMD ["echo", "custom"]') }, args: ['-f', 'build/Custom.df'], run: [] },
  // ---- heredocs (the legacy builder predates them: Docker is given the same meaning without one)
  {
    name: 'RUN heredoc script',
    dockerfile: df('FROM busybox', 'RUN <<EOF', 'echo one > /h', 'echo two >> /h', 'EOF'),
    oracleDockerfile: df('FROM busybox', 'RUN echo one > /h && echo two >> /h'),
    compare: ['code', 'run'],
    run: ['cat', '/h'],
    note: 'heredocs are BuildKit syntax; Docker builds the equivalent RUN',
  },
  {
    name: 'COPY heredoc file',
    dockerfile: df('FROM busybox', 'COPY <<EOF /etc/greeting', 'hello', '  heredoc', 'EOF'),
    oracleDockerfile: df('FROM busybox', 'RUN printf "hello\\n  heredoc\\n" > /etc/greeting'),
    compare: ['code', 'run'],
    run: ['cat', '/etc/greeting'],
    note: 'heredocs are BuildKit syntax; Docker builds the equivalent file',
  },
  {
    name: 'RUN heredoc with tab stripping and a quoted delimiter',
    dockerfile: df('FROM busybox', 'ENV X=expanded', 'RUN cat <<-"EOT" > /q', '\techo $X', '\tEOT'),
    oracleDockerfile: df('FROM busybox', 'ENV X=expanded', "RUN echo 'echo $X' > /q"),
    compare: ['code', 'run'],
    run: ['cat', '/q'],
    note: 'heredocs are BuildKit syntax; Docker builds the equivalent RUN',
  },
  // ---- ONBUILD
  { name: 'ONBUILD triggers run in the child', dockerfile: df('FROM busybox AS base', 'ONBUILD RUN echo triggered > /t', 'ONBUILD ENV FROM_TRIGGER=1', 'FROM base', 'RUN cat /t'), run: ['sh', '-c', 'cat /t; echo $FROM_TRIGGER'] },
  { name: 'ONBUILD ONBUILD is refused', dockerfile: df('FROM busybox', 'ONBUILD ONBUILD RUN true') },
  { name: 'ONBUILD FROM is refused', dockerfile: df('FROM busybox', 'ONBUILD FROM busybox') },
  // ---- RUN
  { name: 'RUN that fails', dockerfile: df('FROM busybox', 'RUN echo partial; exit 3') },
  { name: 'RUN output and stderr', dockerfile: df('FROM busybox', 'RUN echo out; echo err >&2') },
  { name: 'RUN sees ENV, USER and WORKDIR', dockerfile: df('FROM busybox', 'ENV E=env', 'WORKDIR /wd', 'USER nobody', 'RUN echo $E $(pwd) $(id -u)') },
  { name: 'RUN deletes a file from the base', dockerfile: df('FROM busybox', 'RUN rm /bin/vi'), run: ['sh', '-c', 'ls /bin/vi || echo gone'] },
  { name: 'the seed app', dockerfile: df('FROM busybox', 'WORKDIR /app', 'ADD . /app', 'RUN echo built > /app/out', 'EXPOSE 80', 'ENV NAME World', 'CMD ["sh", "-c", "echo Hello $NAME; cat /app/app.txt /app/out"]'), files: { 'app.txt': 'app\n' }, run: [] },
];
