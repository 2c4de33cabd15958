// From a parsed ipvsadm command to the model, with ipvsadm's defaults already applied
// by the parser: scheduler wlc, method DR (-g), weight 1, the real port = the service
// port when omitted (and always for DR/TUN), -p alone = 360 s, -M default = host mask.
import type { RealSpec, ServiceSpec } from '../core/model.js';
import type { IpvsadmCommand, ServiceArg } from './command.js';

type ServiceCommand = Extract<IpvsadmCommand, { kind: 'add-service' | 'edit-service' }>;
type ServerCommand = Extract<IpvsadmCommand, { kind: 'add-server' | 'edit-server' }>;

/** The service key of a command, as core/edit.ts takes it. */
export function serviceKey(s: ServiceArg): { vip: string; port: number; protocol: ServiceArg['protocol']; fwmark?: number } {
  return { vip: s.address, port: s.port, protocol: s.protocol, ...(s.fwmark ? { fwmark: s.fwmark } : {}) };
}

/** -A/-E: the whole service as IPVS would hold it (-E replaces every setting, as in IPVS). */
export function commandToServiceSpec(cmd: ServiceCommand): ServiceSpec {
  return {
    ...(cmd.service.fwmark ? { fwmark: cmd.service.fwmark } : {}),
    vip: cmd.service.address,
    port: cmd.service.port,
    protocol: cmd.service.protocol,
    scheduler: cmd.scheduler,
    flags: [...cmd.flags],
    persistence: cmd.persistence,
    persistenceMask: cmd.netmask,
    // ipvsadm has no per-service method; reals added without one use DR, as ipvsadm does.
    method: 'dr',
    reals: [],
    ...(cmd.ops ? { ops: true } : {}),
  };
}

/** -a/-e: the real server. */
export function commandToRealSpec(cmd: ServerCommand): RealSpec {
  return {
    address: cmd.server.address,
    port: cmd.server.port,
    method: cmd.method,
    weight: cmd.weight,
    upperThreshold: cmd.upperThreshold,
    lowerThreshold: cmd.lowerThreshold,
    ...(cmd.tunType && cmd.tunType !== 'ipip' ? { tunType: cmd.tunType } : {}),
    ...(cmd.tunPort ? { tunPort: cmd.tunPort } : {}),
    ...(cmd.tunChecksum && cmd.tunChecksum !== 'nocsum' ? { tunChecksum: cmd.tunChecksum } : {}),
  };
}
