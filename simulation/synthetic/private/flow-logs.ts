import { DEFAULT_FLOW_LOG_FORMAT } from '../../../lib/schema/vpc-flow';
import { Rng } from './rng';

/**
 * Benign VPC Flow Logs traffic in the default (version 2) format: east-west traffic between
 * the account's interfaces, egress to and ingress from documentation-range internet peers,
 * DNS, refused scans, and idle interfaces (NODATA). Never an address in 198.51.100.0/24.
 */

export const FLOW_LOG_HEADER = DEFAULT_FLOW_LOG_FORMAT.join(' ');

interface Interface {
  readonly id: string;
  readonly ip: string;
}

interface VpcEnv {
  readonly flowLogId: string;
  readonly interfaces: readonly Interface[];
  readonly dnsIp: string;
}

const SERVICE_PORTS = [443, 443, 443, 5432, 6379, 8080, 2049, 3306];
const SCAN_PORTS = [22, 23, 3389, 445, 1433, 5900];
const internetPeer = (rng: Rng) => `${rng.pick(['192.0.2', '203.0.113'])}.${rng.between(1, 254)}`;
const ephemeral = (rng: Rng) => rng.between(32768, 60999);

export class FlowLogs {
  private readonly vpcs = new Map<string, VpcEnv>();

  constructor(
    private readonly seed: number,
    private readonly accounts: readonly string[],
  ) {}

  /** Each account and Region has one VPC with one flow log and a dozen interfaces. */
  private vpc(accountIndex: number, region: string): VpcEnv {
    const id = `${accountIndex}/${region}`;
    let env = this.vpcs.get(id);
    if (!env) {
      const rng = new Rng(this.seed, 'vpc', this.accounts[accountIndex], region);
      env = {
        flowLogId: `fl-0${rng.hex(16)}`,
        interfaces: Array.from({ length: 12 }, () => ({
          id: `eni-0${rng.hex(16)}`,
          ip: `10.${accountIndex}.${rng.between(0, 31)}.${rng.between(4, 250)}`,
        })),
        dnsIp: `10.${accountIndex}.0.2`,
      };
      this.vpcs.set(id, env);
    }
    return env;
  }

  public flowLogId(accountIndex: number, region: string): string {
    return this.vpc(accountIndex, region).flowLogId;
  }

  /** One record line, aggregated over about a minute starting at `t` (epoch ms). */
  public line(rng: Rng, accountIndex: number, region: string, t: number): string {
    const vpc = this.vpc(accountIndex, region);
    const account = this.accounts[accountIndex];
    const eni = rng.pick(vpc.interfaces);
    const start = Math.floor(t / 1000);
    const end = start + rng.between(20, 60);
    const r = rng.float();
    const row = (
      src: string,
      dst: string,
      sport: number,
      dport: number,
      proto: number,
      packets: number,
      bytes: number,
      action: 'ACCEPT' | 'REJECT',
    ) =>
      `2 ${account} ${eni.id} ${src} ${dst} ${sport} ${dport} ${proto} ${packets} ${bytes} ${start} ${end} ${action} OK`;
    if (r < 0.3) {
      const peer = rng.pick(vpc.interfaces);
      const packets = rng.between(2, 400);
      return row(
        eni.ip,
        peer.ip,
        ephemeral(rng),
        rng.pick(SERVICE_PORTS),
        6,
        packets,
        packets * rng.between(60, 1400),
        'ACCEPT',
      );
    }
    if (r < 0.55) {
      const peer = rng.pick(vpc.interfaces);
      const packets = rng.between(2, 400);
      return row(
        peer.ip,
        eni.ip,
        rng.pick(SERVICE_PORTS),
        ephemeral(rng),
        6,
        packets,
        packets * rng.between(60, 1400),
        'ACCEPT',
      );
    }
    if (r < 0.7) {
      const packets = rng.between(4, 900);
      return rng.chance(0.5)
        ? row(
            eni.ip,
            internetPeer(rng),
            ephemeral(rng),
            443,
            6,
            packets,
            packets * rng.between(60, 1400),
            'ACCEPT',
          )
        : row(
            internetPeer(rng),
            eni.ip,
            443,
            ephemeral(rng),
            6,
            packets,
            packets * rng.between(60, 1400),
            'ACCEPT',
          );
    }
    if (r < 0.8) {
      const packets = rng.between(3, 60);
      return row(
        internetPeer(rng),
        eni.ip,
        ephemeral(rng),
        443,
        6,
        packets,
        packets * rng.between(60, 900),
        'ACCEPT',
      );
    }
    if (r < 0.88) {
      return row(
        internetPeer(rng),
        eni.ip,
        ephemeral(rng),
        rng.pick(SCAN_PORTS),
        6,
        1,
        rng.between(40, 60),
        'REJECT',
      );
    }
    if (r < 0.97) {
      return row(eni.ip, vpc.dnsIp, ephemeral(rng), 53, 17, 1, rng.between(60, 120), 'ACCEPT');
    }
    // An interface with no traffic in the capture window.
    return `2 ${account} ${eni.id} - - - - - - - ${start} ${end} - NODATA`;
  }
}
