import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { SimulationSecretValue } from '../../../lib/constructs/exposure-simulation';

/**
 * Runs the simulation scripts against the recording fake `aws` in ./fake-aws, placed first on
 * PATH, with a fresh state directory, HOME and working directory per sandbox. The state layout
 * written here is the one documented at the top of fake-aws/aws.
 */

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const ATTACK_SCRIPT = path.join(REPO_ROOT, 'simulation/simulate_credential_exposure_activity.sh');
export const UNDO_SCRIPT = path.join(REPO_ROOT, 'simulation/undo_credential_exposure_activity.sh');
export const FAKE_AWS_DIR = path.join(__dirname, 'fake-aws');

export const SANDBOX_ACCOUNT = '777777777777';
export const OTHER_ACCOUNT = '111122223333';
export const EXPOSED_USER = 'JorgeSouza';
export const EXPOSED_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const EXPOSED_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** The key the fake hands out first: the playbook's JaneDoe key. */
export const FIRST_NEW_KEY = 'AKIAI44QH8DHBEXAMPLE';
export const ATTENDEE_KEY = 'ASIAIOSFODNN7EXAMPLE';
export const BREAK_GLASS_KEY = 'ASIAI44QH8DHBEXAMPLE';
export const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${SANDBOX_ACCOUNT}:secret:IrKitSimulationSecret-AbCdEf`;
export const CONTAINMENT_POLICY_ARN = `arn:aws:iam::${SANDBOX_ACCOUNT}:policy/iam-containment-policy`;
/** What the simulation stack gives its user: the attack's first four calls and nothing else. */
export const EXPOSED_USER_PERMISSIONS = [
  'sts get-caller-identity',
  'iam create-user',
  'iam attach-user-policy',
  'iam create-access-key',
];

export interface RecordedCall {
  readonly seq: number;
  /** Access key id the call was signed with. */
  readonly key: string;
  readonly sessionToken: boolean;
  readonly exitCode: number;
  readonly args: readonly string[];
  /** `service operation`, e.g. `iam create-user`. */
  readonly call: string;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SandboxOptions {
  /** Account of the exposed key (default: the sandbox account). */
  readonly exposedAccount?: string;
  /** Outputs of the IrKitSimulation stack; null: no such stack. */
  readonly stackOutputs?: Readonly<Record<string, string>> | null;
  /** The simulation secret's SecretString. */
  readonly secretString?: string;
  /** Start from a copy of another sandbox's state, HOME and manifests (e.g. after a run). */
  readonly copyOf?: Sandbox;
}

function write(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** The fake's file name for an id that may contain `/` (ARNs). */
function enc(id: string): string {
  return id.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export class Sandbox {
  readonly root: string;
  readonly state: string;
  readonly home: string;
  readonly work: string;

  constructor(options: SandboxOptions = {}) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'irkit-sim-test-'));
    this.state = path.join(this.root, 'state');
    this.home = path.join(this.root, 'home');
    this.work = path.join(this.root, 'work');
    fs.mkdirSync(this.home, { recursive: true });
    fs.mkdirSync(this.work, { recursive: true });
    if (options.copyOf) this.copy(options.copyOf);
    else this.seed(options);
  }

  private copy(other: Sandbox): void {
    fs.cpSync(other.state, this.state, { recursive: true });
    fs.cpSync(other.home, this.home, { recursive: true });
    for (const file of fs.readdirSync(other.work)) {
      if (file.endsWith('.json')) fs.copyFileSync(path.join(other.work, file), path.join(this.work, file));
    }
    // The fake's version lists name object bodies by absolute path.
    for (const bucket of this.buckets()) {
      const versions = path.join(this.state, 's3', bucket, 'versions');
      fs.writeFileSync(versions, fs.readFileSync(versions, 'utf8').split(other.state).join(this.state));
    }
  }

  private seed(options: SandboxOptions): void {
    const s = this.state;
    const identity = (key: string, secret: string, account: string, arn: string, userId: string) => {
      write(path.join(s, 'keys', key, 'secret'), secret);
      write(path.join(s, 'keys', key, 'account'), account);
      write(path.join(s, 'keys', key, 'arn'), arn);
      write(path.join(s, 'keys', key, 'userid'), userId);
    };
    // The attendee and the break-glass responder use temporary (session) credentials.
    identity(
      ATTENDEE_KEY,
      'attendee-secret',
      SANDBOX_ACCOUNT,
      `arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/Admin/attendee`,
      'AROAADMINEXAMPLE:attendee',
    );
    write(path.join(s, 'keys', ATTENDEE_KEY, 'session'), '');
    write(path.join(s, 'profiles', 'default'), ATTENDEE_KEY);
    identity(
      BREAK_GLASS_KEY,
      'break-glass-secret',
      SANDBOX_ACCOUNT,
      `arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/SecurityBreakGlassRole/responder`,
      'AROABREAKGLASSEXAMPLE:responder',
    );
    write(path.join(s, 'keys', BREAK_GLASS_KEY, 'session'), '');
    write(path.join(s, 'profiles', 'SecurityBreakGlassRole'), BREAK_GLASS_KEY);

    const account = options.exposedAccount ?? SANDBOX_ACCOUNT;
    identity(
      EXPOSED_KEY,
      EXPOSED_SECRET,
      account,
      `arn:aws:iam::${account}:user/${EXPOSED_USER}`,
      'AIDAJORGESOUZAEXAMPLE',
    );
    write(path.join(s, 'keys', EXPOSED_KEY, 'allowed'), `${EXPOSED_USER_PERMISSIONS.join('\n')}\n`);
    write(path.join(s, 'profiles', 'exposed'), EXPOSED_KEY);
    this.seedUser(EXPOSED_USER, 'AIDAJORGESOUZAEXAMPLE', account);
    write(path.join(s, 'iam', 'users', EXPOSED_USER, 'keys', EXPOSED_KEY), 'Active');

    write(
      path.join(s, 'secrets', enc(SECRET_ARN)),
      // The secret's shape is the simulation stack's (SimulationSecretValue).
      options.secretString ??
        JSON.stringify({
          accessKeyId: EXPOSED_KEY,
          secretAccessKey: EXPOSED_SECRET,
        } satisfies SimulationSecretValue),
    );
    const outputs =
      options.stackOutputs === undefined
        ? {
            SimulationSecretArn: SECRET_ARN,
            SandboxAccount: SANDBOX_ACCOUNT,
            SimulationUserName: EXPOSED_USER,
          }
        : options.stackOutputs;
    if (outputs !== null) this.seedStack('IrKitSimulation', 'us-east-1', {}, {}, outputs);
    write(path.join(s, 'roles'), 'Admin\nSecurityAnalystRole\nSecurityBreakGlassRole\n');
  }

  seedUser(
    name: string,
    id: string,
    account = SANDBOX_ACCOUNT,
    tags: Readonly<Record<string, string>> = {},
  ): void {
    const dir = path.join(this.state, 'iam', 'users', name);
    for (const sub of ['attached', 'inline', 'keys', 'groups'])
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
    write(path.join(dir, 'arn'), `arn:aws:iam::${account}:user/${name}`);
    write(path.join(dir, 'id'), id);
    write(path.join(dir, 'created'), '2021-07-01T00:00:00+00:00');
    write(
      path.join(dir, 'tags'),
      Object.entries(tags)
        .map(([k, v]) => `${k}\t${v}\n`)
        .join(''),
    );
  }

  seedBucket(name: string, region = 'us-east-1', owner = SANDBOX_ACCOUNT): void {
    const dir = path.join(this.state, 's3', name);
    fs.mkdirSync(path.join(dir, 'bodies'), { recursive: true });
    write(path.join(dir, 'region'), region);
    write(path.join(dir, 'owner'), owner);
    write(path.join(dir, 'versions'), '');
  }

  seedStack(
    name: string,
    region: string,
    tags: Readonly<Record<string, string>>,
    params: Readonly<Record<string, string>>,
    outputs: Readonly<Record<string, string>> = {},
  ): void {
    const dir = path.join(this.state, 'cfn', 'stacks', name);
    write(path.join(dir, 'id'), `arn:aws:cloudformation:${region}:${SANDBOX_ACCOUNT}:stack/${name}/seeded`);
    write(path.join(dir, 'status'), 'CREATE_COMPLETE');
    write(path.join(dir, 'region'), region);
    const tsv = (r: Readonly<Record<string, string>>) =>
      Object.entries(r)
        .map(([k, v]) => `${k}\t${v}\n`)
        .join('');
    write(path.join(dir, 'tags'), tsv(tags));
    write(path.join(dir, 'params'), tsv(params));
    write(
      path.join(dir, 'outputs.json'),
      JSON.stringify(Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }))),
    );
  }

  /** The environment a script runs in: nothing of the machine's own AWS settings leaks in. */
  env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${FAKE_AWS_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: this.home,
      TMPDIR: this.root,
      LANG: 'C.UTF-8',
      FAKE_AWS_STATE: this.state,
      IRKIT_SIM_BACKOFF_SECONDS: '0',
      ...extra,
    };
  }

  /** Runs a script in its own process group (so the fake can kill a run as a crash would). */
  run(
    script: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [script, ...args], {
        cwd: this.work,
        env: this.env(env),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }

  attack(args: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<RunResult> {
    return this.run(ATTACK_SCRIPT, ['--region', 'us-east-1', '--run-id', 'run1', ...args], env);
  }

  undo(args: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<RunResult> {
    return this.run(UNDO_SCRIPT, [...args, this.manifestPath()], env);
  }

  manifestPath(runId = 'run1'): string {
    return path.join(this.work, `irkit-simulation-${runId}.json`);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  manifest(runId = 'run1'): any {
    return JSON.parse(fs.readFileSync(this.manifestPath(runId), 'utf8'));
  }

  /** A responder's own CLI call (the playbook's Part 4), as the named profile. */
  aws(
    args: readonly string[],
    profile = 'SecurityBreakGlassRole',
  ): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(
      path.join(FAKE_AWS_DIR, 'aws'),
      [...args, '--profile', profile, '--region', 'us-east-1'],
      {
        env: this.env(),
        encoding: 'utf8',
      },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Every call the fake answered so far, in order; `since` skips the first calls. */
  calls(since = 0): RecordedCall[] {
    const log = path.join(this.state, 'calls.log');
    if (!fs.existsSync(log)) return [];
    return fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [seq, key, session, exit, ...args] = line.split('\x1f');
        // Options before the operation are global ones (`--profile P`), each with one value.
        const words: string[] = [];
        for (let i = 0; i < args.length && words.length < 2; i++) {
          if (args[i].startsWith('--')) i++;
          else words.push(args[i]);
        }
        return {
          seq: Number(seq),
          key,
          sessionToken: session === '1',
          exitCode: Number(exit),
          args,
          call: words.join(' '),
        };
      })
      .filter((c) => c.seq > since);
  }

  callCount(): number {
    return this.calls().length;
  }

  /** The manifest as it was when the fake answered call `seq` (FAKE_AWS_SNAPSHOT runs). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  snapshotAt(seq: number): any {
    const file = path.join(this.state, 'snapshots', `${seq}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  }

  userExists(name: string): boolean {
    return fs.existsSync(path.join(this.state, 'iam', 'users', name));
  }

  users(): string[] {
    return fs.readdirSync(path.join(this.state, 'iam', 'users')).sort();
  }

  buckets(): string[] {
    const dir = path.join(this.state, 's3');
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  }

  stacks(): string[] {
    return fs.readdirSync(path.join(this.state, 'cfn', 'stacks')).sort();
  }

  /** Key ids and statuses of a user's access keys. */
  accessKeys(user: string): Record<string, string> {
    const dir = path.join(this.state, 'iam', 'users', user, 'keys');
    return Object.fromEntries(
      fs.readdirSync(dir).map((k) => [k, fs.readFileSync(path.join(dir, k), 'utf8')]),
    );
  }

  attachedPolicies(user: string): string[] {
    const dir = path.join(this.state, 'iam', 'users', user, 'attached');
    return fs
      .readdirSync(dir)
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .sort();
  }

  /** Bodies of the object versions of a key, oldest first. */
  objectBodies(bucket: string, key: string): string[] {
    return fs
      .readFileSync(path.join(this.state, 's3', bucket, 'versions'), 'utf8')
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((f) => f[0] === key && f[2] === 'Version')
      .map((f) => fs.readFileSync(f[3], 'utf8'));
  }

  objectTagging(bucket: string, key: string): string[] {
    return fs
      .readFileSync(path.join(this.state, 's3', bucket, 'versions'), 'utf8')
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((f) => f[0] === key && f[2] === 'Version')
      .map((f) => f[4]);
  }

  /** Everything under HOME, to prove nothing was written to ~/.aws. */
  homeEntries(): string[] {
    return fs.readdirSync(this.home, { recursive: true }) as string[];
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * The playbook's actor as CloudTrail shows it (Part 2's tables, DESIGN.md "The scenario"): who
 * made each call, and its event name.
 */
export function eventNameOf(call: string): string {
  const [service, operation] = call.split(' ');
  if (service === 'lambda' && operation === 'list-functions') return 'ListFunctions20150331';
  return operation
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export function eventSourceOf(call: string): string {
  const service = call.split(' ')[0];
  return `${service === 's3api' ? 's3' : service}.amazonaws.com`;
}
