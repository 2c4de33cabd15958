// XDP on a veth has two conditions that the daemon cannot meet from its side (see
// docs/dataplane.md, "XDP on veth"): a veth sender with TX checksum offload leaves
// TCP/UDP checksums partial and XDP output never completes them (NAT then delivers
// corrupt segments), and a frame sent with XDP_TX/XDP_REDIRECT into a veth is dropped
// unless the receiving peer runs an XDP program (or has GRO on, which delays or loses
// frames under light load). At start, each veth the daemon attaches to gets a warning:
// what it sees here (TX checksum offload) and what to run on the peer.
import { runSync } from '../common/command.js';
import type { Logger } from '../common/log.js';

/** The warning for interface `name`, from `ethtool -i` and `ethtool -k` output; undefined if it is not a veth. */
export function vethAdvice(name: string, driverInfo: string, features: string): string | undefined {
  if (!/^driver:\s*veth\s*$/m.test(driverInfo)) return undefined;
  const txOn = /^tx-checksumming:\s*on/m.test(features);
  return `${name} is a veth: ${txOn
    ? `TX checksum offload is on here (turn it off: ethtool -K ${name} tx off); `
    : ''}on its peer, turn TX checksum offload off (ethtool -K <peer> tx off: a veth sender leaves `
    + 'TCP/UDP checksums to hardware that XDP output never reaches, so NAT delivers corrupt segments) '
    + 'and attach an XDP program (ipvx ships a pass-all one, build/bpf/ipvx_pass.bpf.o; `ip link set <peer> xdp obj ipvx_pass.bpf.o sec xdp.frags`): '
    + 'frames sent with XDP_TX/XDP_REDIRECT into a veth whose peer has none are dropped (with only GRO on, some arrive late or are lost)';
}

/** Warn about each veth among `interfaces` (ethtool missing or failing: nothing to say). */
export function warnAboutVeths(interfaces: readonly string[], log: Logger): void {
  for (const name of interfaces) {
    let advice: string | undefined;
    try {
      advice = vethAdvice(name, runSync('ethtool', ['-i', name]), runSync('ethtool', ['-k', name]));
    } catch {
      continue;
    }
    if (advice) log.warn(advice, { interface: name });
  }
}
